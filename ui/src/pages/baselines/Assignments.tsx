// The tenants a baseline is assigned to: their variables, the version they follow or are
// pinned to, variables the rules read but they lack; assign, edit and unassign.

import {
  Badge,
  Body1,
  Button,
  Card,
  Link,
  makeStyles,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { DeleteRegular, EditRegular, PeopleAddRegular } from "@fluentui/react-icons";
import { useRef, useState } from "react";
import { BackendError, useBackend, type AssignmentRow, type BaselineDetail } from "../../backend";
import { hrefWith } from "../../router";
import { AssignDialog } from "./AssignDialog";
import { ErrorBar } from "./parts";

const useStyles = makeStyles({
  card: {
    padding: tokens.spacingHorizontalL,
    gap: tokens.spacingVerticalM,
  },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalL,
  },
  heading: {
    margin: 0,
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    wordBreak: "break-all",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  actions: {
    display: "flex",
    gap: tokens.spacingHorizontalXS,
  },
});

function Variables(props: { row: AssignmentRow }) {
  const styles = useStyles();
  if (props.row.variables.length === 0) return <Text className={styles.muted}>None</Text>;
  return (
    <span className={styles.mono}>
      {props.row.variables.map((v) => `${v.key}=${v.value}`).join(", ")}
    </span>
  );
}

export function Assignments(props: {
  detail: BaselineDetail;
  onChanged: (detail: BaselineDetail) => void;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const { detail } = props;
  const [dialog, setDialog] = useState<{ editing: AssignmentRow | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  const published = detail.baseline.latestPublished;
  const assignButton = useRef<HTMLButtonElement>(null);

  const unassign = (row: AssignmentRow) => {
    setBusy(true);
    setError(null);
    backend
      .unassignBaseline(detail.baseline.id, row.tenantId)
      .then(
        (next) => {
          props.onChanged(next);
          // The row and its button are gone: keep the keyboard in this card.
          assignButton.current?.focus();
        },
        (e: unknown) => setError(BackendError.from(e)),
      )
      .finally(() => setBusy(false));
  };

  return (
    <Card className={styles.card} data-testid="assignments">
      <div className={styles.header}>
        <Subtitle2 as="h2" className={styles.heading}>
          Assigned tenants
        </Subtitle2>
        <Button
          ref={assignButton}
          icon={<PeopleAddRegular />}
          onClick={() => setDialog({ editing: null })}
          data-testid="assign"
        >
          Assign tenants…
        </Button>
      </div>
      {published === null ? (
        <Text className={styles.muted}>
          Nothing is published yet: assigned tenants are reviewed against this baseline once a
          version is published.
        </Text>
      ) : null}
      {error ? <ErrorBar title="Couldn't unassign" error={error} testId="unassign-error" /> : null}
      {detail.assignments.length === 0 ? (
        <Body1 data-testid="assignments-empty">
          No tenant is assigned yet. Choose <strong>Assign tenants…</strong> to review tenants
          against this baseline, with their own values for its tenant_value rules.
        </Body1>
      ) : (
        <Table aria-label="Assigned tenants" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Tenant</TableHeaderCell>
              <TableHeaderCell>Variables</TableHeaderCell>
              <TableHeaderCell>Version</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {detail.assignments.map((row) => (
              <TableRow key={row.tenantId} data-testid="assignment-row">
                <TableCell>
                  <Link href={hrefWith("tenants", row.tenantId)}>{row.tenant}</Link>
                </TableCell>
                <TableCell>
                  <Variables row={row} />
                  {row.missingVariables.length > 0 ? (
                    <div>
                      <Badge appearance="tint" color="warning" data-testid="missing-variables">
                        Missing {row.missingVariables.join(", ")}: not judged
                      </Badge>
                    </div>
                  ) : null}
                </TableCell>
                <TableCell>
                  {row.pinnedVersion === null
                    ? published === null
                      ? "Latest published (none yet)"
                      : `Latest published (v${published})`
                    : `Pinned to v${row.pinnedVersion}`}
                </TableCell>
                <TableCell>
                  <div className={styles.actions}>
                    <Button
                      size="small"
                      icon={<EditRegular />}
                      onClick={() => setDialog({ editing: row })}
                      aria-label={`Edit the assignment of ${row.tenant}`}
                    />
                    <Button
                      size="small"
                      icon={<DeleteRegular />}
                      disabled={busy}
                      onClick={() => unassign(row)}
                      aria-label={`Unassign ${row.tenant}`}
                    />
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {dialog ? (
        <AssignDialog
          detail={detail}
          editing={dialog.editing}
          onClose={() => setDialog(null)}
          onDone={(next) => {
            setDialog(null);
            props.onChanged(next);
          }}
        />
      ) : null}
    </Card>
  );
}
