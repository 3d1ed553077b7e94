// The inbox's table: one row per alert (severity, title that expands its body, tenant,
// when it was raised, which rule, where it stands), checkboxes to select several, and
// Acknowledge / Snooze per row.

import {
  Badge,
  Button,
  Checkbox,
  Link,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkRegular, ChevronDownRegular, ChevronRightRegular } from "@fluentui/react-icons";
import type { AlertRow } from "../../backend";
import { formatExact, formatRelative, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { hrefWith } from "../../router";
import { SeverityBadge } from "../findings/labels";
import { messages } from "./messages";
import { SnoozeMenu } from "./SnoozeMenu";

const useStyles = makeStyles({
  // Columns take the width their content needs; the alert's title takes the rest.
  table: {
    tableLayout: "auto",
  },
  select: {
    width: "44px",
  },
  nowrap: {
    whiteSpace: "nowrap",
  },
  title: {
    justifyContent: "flex-start",
    textAlign: "start",
    fontWeight: tokens.fontWeightSemibold,
    paddingInline: 0,
    minWidth: 0,
  },
  body: {
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
    paddingBlock: tokens.spacingVerticalS,
    paddingInlineStart: tokens.spacingHorizontalXXL,
    color: tokens.colorNeutralForeground2,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  actions: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
  },
});

/** Can be acknowledged or snoozed (acknowledged and resolved alerts need nothing more). */
export function actionable(alert: AlertRow): boolean {
  return alert.state !== "acknowledged" && alert.state !== "resolved";
}

function When(props: { at: string | null; now: number }) {
  const ms = parseTimestamp(props.at);
  if (props.at === null || ms === null) return <>{props.at ?? "—"}</>;
  return (
    <time dateTime={props.at} title={formatExact(ms)}>
      {formatRelative(ms, props.now)}
    </time>
  );
}

function StateBadge(props: { alert: AlertRow; now: number }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { alert, now } = props;
  if (alert.state === "resolved") {
    return (
      <span>
        <Badge appearance="tint" color="success" data-testid="alert-state">
          {m.states.resolved}
        </Badge>{" "}
        <Text size={200} className={styles.muted}>
          <When at={alert.resolvedAt} now={now} />
        </Text>
      </span>
    );
  }
  if (alert.state === "acknowledged") {
    return (
      <Badge appearance="outline" color="success" data-testid="alert-state">
        {m.states.acknowledged}
      </Badge>
    );
  }
  if (alert.state === "snoozed") {
    return (
      <span>
        <Badge appearance="outline" color="warning" data-testid="alert-state">
          {m.states.snoozed}
        </Badge>{" "}
        <Text size={200} className={styles.muted}>
          {m.back} <When at={alert.snoozedUntil} now={now} />
        </Text>
      </span>
    );
  }
  return (
    <Badge appearance="outline" color="danger" data-testid="alert-state">
      {m.states.open}
    </Badge>
  );
}

export interface AlertsTableProps {
  alerts: AlertRow[];
  now: number;
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], selected: boolean) => void;
  expanded: ReadonlySet<string>;
  onToggleExpanded: (id: string) => void;
  busy: boolean;
  onAcknowledge: (ids: string[]) => void;
  onSnooze: (ids: string[], hours: number) => void;
}

const COLUMNS = 8;

export function AlertsTable(props: AlertsTableProps) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { alerts, selected, expanded, now } = props;
  const selectable = alerts.filter(actionable);
  const chosen = selectable.filter((alert) => selected.has(alert.id)).length;
  const all = chosen > 0 && chosen === selectable.length;

  return (
    <Table aria-label={m.tableLabel} className={styles.table} data-testid="alerts-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell className={styles.select}>
            <Checkbox
              checked={all ? true : chosen > 0 ? "mixed" : false}
              disabled={selectable.length === 0 || props.busy}
              onChange={() =>
                props.onSelect(
                  selectable.map((alert) => alert.id),
                  !all,
                )
              }
              aria-label={m.selectAll}
              data-testid="alerts-select-all"
            />
          </TableHeaderCell>
          <TableHeaderCell>{m.columns.severity}</TableHeaderCell>
          <TableHeaderCell>{m.columns.alert}</TableHeaderCell>
          <TableHeaderCell>{m.columns.tenant}</TableHeaderCell>
          <TableHeaderCell>{m.columns.raised}</TableHeaderCell>
          <TableHeaderCell>{m.columns.rule}</TableHeaderCell>
          <TableHeaderCell>{m.columns.state}</TableHeaderCell>
          <TableHeaderCell>
            <span className={styles.muted}>{m.columns.actions}</span>
          </TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {alerts.flatMap((alert) => {
          const open = expanded.has(alert.id);
          const bodyId = `alert-body-${alert.id}`;
          const canAct = actionable(alert);
          const rows = [
            <TableRow key={alert.id} data-testid="alert-row" data-alert-id={alert.id}>
              <TableCell>
                <Checkbox
                  checked={selected.has(alert.id)}
                  disabled={!canAct || props.busy}
                  onChange={(_, data) => props.onSelect([alert.id], data.checked === true)}
                  aria-label={m.selectOne(alert.title)}
                  data-testid="alert-select"
                />
              </TableCell>
              <TableCell>
                <SeverityBadge severity={alert.severity} />
              </TableCell>
              <TableCell>
                <Button
                  appearance="transparent"
                  className={styles.title}
                  icon={open ? <ChevronDownRegular /> : <ChevronRightRegular />}
                  aria-expanded={open}
                  aria-controls={open ? bodyId : undefined}
                  onClick={() => props.onToggleExpanded(alert.id)}
                  data-testid="alert-title"
                >
                  {alert.title}
                </Button>
              </TableCell>
              <TableCell>
                {alert.tenantId !== null ? (
                  <Link href={hrefWith("tenants", alert.tenantId)} data-testid="alert-tenant">
                    {alert.tenant ?? alert.tenantId}
                  </Link>
                ) : (
                  <Text className={styles.muted}>{m.allTenants}</Text>
                )}
              </TableCell>
              <TableCell className={styles.nowrap}>
                <When at={alert.raisedAt} now={now} />
              </TableCell>
              <TableCell>
                {alert.rule ?? <Text className={styles.muted}>{m.notice}</Text>}
              </TableCell>
              <TableCell>
                <StateBadge alert={alert} now={now} />
              </TableCell>
              <TableCell>
                {canAct ? (
                  <span className={styles.actions}>
                    <Button
                      size="small"
                      appearance="subtle"
                      icon={<CheckmarkRegular />}
                      disabled={props.busy}
                      onClick={() => props.onAcknowledge([alert.id])}
                      aria-label={m.acknowledgeOne(alert.title)}
                      data-testid="alert-acknowledge"
                    />
                    <SnoozeMenu
                      disabled={props.busy}
                      onSnooze={(hours) => props.onSnooze([alert.id], hours)}
                      iconOnlyLabel={m.snoozeOne(alert.title)}
                      testId="alert-snooze"
                    />
                  </span>
                ) : null}
              </TableCell>
            </TableRow>,
          ];
          if (open) {
            rows.push(
              <TableRow key={`${alert.id}-body`} data-testid="alert-body-row">
                <TableCell colSpan={COLUMNS}>
                  <div id={bodyId} className={styles.body} data-testid="alert-body">
                    {alert.body.trim() || m.noDetail}
                  </div>
                </TableCell>
              </TableRow>,
            );
          }
          return rows;
        })}
      </TableBody>
    </Table>
  );
}
