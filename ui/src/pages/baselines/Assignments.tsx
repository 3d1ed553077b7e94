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
import { useMessages } from "../../i18n";
import { hrefWith } from "../../router";
import { AssignDialog } from "./AssignDialog";
import { messages } from "./messages";
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
  const m = useMessages(messages);
  if (props.row.variables.length === 0) return <Text className={styles.muted}>{m.noVariables}</Text>;
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
  const m = useMessages(messages);
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
          {m.assignedTenants}
        </Subtitle2>
        <Button
          ref={assignButton}
          icon={<PeopleAddRegular />}
          onClick={() => setDialog({ editing: null })}
          data-testid="assign"
        >
          {m.assignTenants}
        </Button>
      </div>
      {published === null ? (
        <Text className={styles.muted}>{m.nothingPublished}</Text>
      ) : null}
      {error ? <ErrorBar title={m.couldNotUnassign} error={error} testId="unassign-error" /> : null}
      {detail.assignments.length === 0 ? (
        <Body1 data-testid="assignments-empty">
          {m.noAssignmentBefore}
          <strong>{m.assignTenants}</strong>
          {m.noAssignmentAfter}
        </Body1>
      ) : (
        <Table aria-label={m.assignedTenants} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{m.tenant}</TableHeaderCell>
              <TableHeaderCell>{m.variables}</TableHeaderCell>
              <TableHeaderCell>{m.version}</TableHeaderCell>
              <TableHeaderCell>{m.actions}</TableHeaderCell>
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
                        {m.missingVariables(row.missingVariables)}
                      </Badge>
                    </div>
                  ) : null}
                </TableCell>
                <TableCell>
                  {row.pinnedVersion === null
                    ? published === null
                      ? m.latestPublishedNone
                      : m.latestPublished(published)
                    : m.pinnedTo(row.pinnedVersion)}
                </TableCell>
                <TableCell>
                  <div className={styles.actions}>
                    <Button
                      size="small"
                      icon={<EditRegular />}
                      onClick={() => setDialog({ editing: row })}
                      aria-label={m.editAssignment(row.tenant)}
                    />
                    <Button
                      size="small"
                      icon={<DeleteRegular />}
                      disabled={busy}
                      onClick={() => unassign(row)}
                      aria-label={m.unassign(row.tenant)}
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
