// One baseline item's settings by readable label, normalised as the review compares
// them, each with its rule and the severity a drift of it would have. In a draft the
// rules, their severities and the item's default severity can change.

import {
  Body1,
  Button,
  Field,
  makeStyles,
  SearchBox,
  Select,
  Spinner,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DeleteRegular, EditRegular } from "@fluentui/react-icons";
import { useCallback, useMemo, useRef, useState } from "react";
import {
  BackendError,
  useBackend,
  type ItemSettingsView,
  type SettingView,
  type Severity,
} from "../../backend";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { SeverityBadge, severityOptions } from "../findings/labels";
import { messages as findingMessages } from "../findings/messages";
import { messages } from "./messages";
import { ErrorBar } from "./parts";
import { RuleDialog } from "./RuleDialog";
import { describeRule } from "./rules";

const useStyles = makeStyles({
  // Columns as wide as their content needs: names and labels get the room, numbers little.
  table: {
    tableLayout: "auto",
  },
  stack: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    minWidth: 0,
  },
  row: {
    display: "flex",
    alignItems: "end",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalL,
  },
  heading: {
    margin: 0,
    wordBreak: "break-word",
  },
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    wordBreak: "break-all",
  },
  value: {
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
  raw: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    wordBreak: "break-all",
    maxHeight: "360px",
    overflow: "auto",
    margin: 0,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
  },
});

function matches(setting: SettingView, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const text =
    `${setting.label} ${setting.path} ${setting.value ?? ""} ${setting.valueText ?? ""}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/** Which setting the rule dialog edits: a listed one, or a path typed in the dialog. */
type Editing = { setting: SettingView } | { setting: null };

function SettingsTable(props: {
  view: ItemSettingsView;
  settings: SettingView[];
  editable: boolean;
  busy: boolean;
  onEdit: (setting: SettingView) => void;
  onRemove: (setting: SettingView) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  return (
    <Table
      aria-label={m.settingsOf(props.view.item.name)}
      size="small"
      className={styles.table}
      data-testid="settings-table"
    >
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{m.setting}</TableHeaderCell>
          <TableHeaderCell>{m.baselineValue}</TableHeaderCell>
          <TableHeaderCell>{m.rule}</TableHeaderCell>
          <TableHeaderCell>{m.severity}</TableHeaderCell>
          {props.editable ? <TableHeaderCell>{m.actions}</TableHeaderCell> : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.settings.map((setting) => (
          <TableRow key={setting.path} data-testid="setting-row" data-path={setting.path}>
            <TableCell>
              <TableCellLayout
                description={<span className={styles.path}>{setting.path}</span>}
              >
                {setting.label}
              </TableCellLayout>
            </TableCell>
            <TableCell className={styles.value} title={setting.valueText ? (setting.value ?? "") : undefined}>
              {setting.valueText ?? setting.value ?? <Text className={styles.muted}>{m.notConfigured}</Text>}
            </TableCell>
            <TableCell data-testid="setting-rule">{describeRule(setting.rule, m)}</TableCell>
            <TableCell>
              <SeverityBadge severity={setting.severity} />
              <Text size={200} className={styles.muted}>
                {" "}
                {m.severitySource[setting.severitySource] ?? setting.severitySource}
              </Text>
            </TableCell>
            {props.editable ? (
              <TableCell>
                <div className={styles.actions}>
                  <Button
                    size="small"
                    icon={<EditRegular />}
                    onClick={() => props.onEdit(setting)}
                    disabled={props.busy}
                    aria-label={m.editRuleOf(setting.label)}
                  >
                    {m.rule}
                  </Button>
                  {setting.rule !== null ? (
                    <Button
                      size="small"
                      icon={<DeleteRegular />}
                      onClick={() => props.onRemove(setting)}
                      disabled={props.busy}
                      aria-label={m.removeRuleOf(setting.label)}
                    />
                  ) : null}
                </div>
              </TableCell>
            ) : null}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function ItemBody(props: { initial: ItemSettingsView; onChanged: (view: ItemSettingsView) => void }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const fm = useMessages(findingMessages);
  const backend = useBackend();
  const [view, setView] = useState(props.initial);
  const [query, setQuery] = useState("");
  const [onlyRules, setOnlyRules] = useState(false);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; error: BackendError } | null>(null);
  const editable = view.status === "draft";
  const visible = useMemo(
    () => view.settings.filter((s) => (!onlyRules || s.rule !== null) && matches(s, query)),
    [view.settings, query, onlyRules],
  );

  const table = useRef<HTMLDivElement>(null);
  const apply = (title: string, call: () => Promise<ItemSettingsView>, focusPath?: string) => {
    setBusy(true);
    setError(null);
    call()
      .then(
        (next) => {
          setView(next);
          props.onChanged(next);
          if (focusPath !== undefined) {
            // The removed rule's button is gone: keep the keyboard on the same setting.
            requestAnimationFrame(() => {
              const row = [...(table.current?.querySelectorAll("[data-path]") ?? [])].find(
                (r) => r.getAttribute("data-path") === focusPath,
              );
              row?.querySelector("button")?.focus();
            });
          }
        },
        (e: unknown) => setError({ title, error: BackendError.from(e) }),
      )
      .finally(() => setBusy(false));
  };

  return (
    <div className={styles.stack} data-testid="item-settings">
      <Subtitle2 as="h3" className={styles.heading}>
        {view.item.name}
      </Subtitle2>
      <Text className={styles.muted}>
        {view.item.kind} · {m.versionWithStatus(view.version, view.status)} ·{" "}
        {m.settingCount(view.settings.length)}
      </Text>
      <div className={styles.row}>
        {editable ? (
          <Field label={m.defaultSeverity} hint={m.defaultSeverityHint}>
            <Select
              value={view.item.severity}
              disabled={busy}
              data-testid="item-severity"
              onChange={(_, data) =>
                apply(m.couldNotChangeSeverity, () =>
                  backend.setBaselineItemSeverity(view.item.id, data.value as Severity),
                )
              }
            >
              {severityOptions(fm).map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </Select>
          </Field>
        ) : (
          <Text>
            {m.defaultSeverity} <SeverityBadge severity={view.item.severity} />
          </Text>
        )}
        {editable ? (
          <Button
            icon={<AddRegular />}
            onClick={() => setEditing({ setting: null })}
            disabled={busy}
            data-testid="add-rule"
          >
            {m.ruleForAnotherSetting}
          </Button>
        ) : null}
      </div>
      {error ? <ErrorBar title={error.title} error={error.error} testId="item-error" /> : null}
      <div className={styles.row}>
        <SearchBox
          aria-label={m.filterSettings}
          placeholder={m.filterSettingsPlaceholder}
          value={query}
          onChange={(_, data) => setQuery(data.value)}
        />
        <Switch
          label={m.onlyWithRule}
          checked={onlyRules}
          onChange={(_, data) => setOnlyRules(data.checked)}
        />
      </div>
      {view.settings.length === 0 ? (
        <Body1 data-testid="settings-empty">
          {m.noSettings}
          {editable ? m.noSettingsAddRule : ""}
        </Body1>
      ) : visible.length === 0 ? (
        <Body1 className={styles.muted}>{m.noSettingMatches}</Body1>
      ) : (
        <div ref={table}>
          <SettingsTable
            view={view}
            settings={visible}
            editable={editable}
            busy={busy}
            onEdit={(setting) => setEditing({ setting })}
            onRemove={(setting) =>
              apply(
                m.couldNotRemoveRule,
                () => backend.removeBaselineRule(view.item.id, setting.path),
                setting.path,
              )
            }
          />
        </div>
      )}
      {view.assignments.length > 0 ? (
        <Text className={styles.muted}>
          {m.assignedTo(view.assignments)}
        </Text>
      ) : null}
      <details>
        <summary>{m.policyJson}</summary>
        <pre className={styles.raw} tabIndex={0}>
          {view.raw}
        </pre>
      </details>
      {editing ? (
        <RuleDialog
          itemId={view.item.id}
          itemName={view.item.name}
          setting={editing.setting}
          onClose={() => setEditing(null)}
          onSaved={(next) => {
            setEditing(null);
            setView(next);
            props.onChanged(next);
          }}
        />
      ) : null}
    </div>
  );
}

export function ItemSettings(props: { itemId: string; onChanged: (view: ItemSettingsView) => void }) {
  const m = useMessages(messages);
  const backend = useBackend();
  const { itemId } = props;
  const load = useCallback(() => backend.baselineItem(itemId), [backend, itemId]);
  const { state, reload } = useLoad(load);
  if (state.status === "loading") return <Spinner label={m.loadingSettings} />;
  if (state.status === "error") {
    return (
      <ErrorBar
        title={m.couldNotLoadSettings}
        error={state.error}
        testId="item-load-error"
        onRetry={reload}
      />
    );
  }
  return <ItemBody initial={state.data} onChanged={props.onChanged} />;
}
