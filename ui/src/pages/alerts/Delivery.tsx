// "Where alerts go", under the inbox: the destinations (add one, send it a test alert,
// enable, disable, remove), the rules with their routes, silences and escalation policies
// (Routing.tsx), and the delivery log with its dead letters (send one again). Admin-only
// changes are refused by the backend with a message that says so.

import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Subtitle2,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  TabList,
  Text,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, ArrowClockwiseRegular, SendRegular } from "@fluentui/react-icons";
import { useCallback, useState } from "react";
import {
  BackendError,
  useBackend,
  type DeliveryRow,
} from "../../backend";
import { formatExact, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { ErrorBar } from "../../shell/ErrorBar";
import { useLoad } from "../../useLoad";
import { deliveryMessages } from "./deliveryMessages";
import { Routing, type RoutingData } from "./Routing";

const useStyles = makeStyles({
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
  },
  row: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  form: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(220px, 1fr))",
    gap: tokens.spacingHorizontalM,
    alignItems: "end",
  },
  muted: {
    color: tokens.colorNeutralForeground2,
  },
  secret: {
    fontFamily: tokens.fontFamilyMonospace,
    wordBreak: "break-all",
  },
});

const KINDS = ["webhook", "teams", "slack", "pagerduty", "email"] as const;
const SECURITIES = ["starttls", "tls", "none"] as const;

const EMPTY_FORM = {
  name: "",
  kind: "webhook",
  url: "",
  routingKey: "",
  from: "",
  to: "",
  smtpUser: "",
  smtpPassword: "",
  smtpSecurity: "starttls",
  allowPrivate: false,
};

interface Loaded extends RoutingData {
  deliveries: DeliveryRow[];
}

function when(value: string | null): string {
  const ms = parseTimestamp(value);
  return ms === null ? "" : formatExact(ms);
}

export function Delivery() {
  const styles = useStyles();
  const m = useMessages(deliveryMessages);
  const backend = useBackend();
  const [logView, setLogView] = useState<"all" | "dead">("all");
  const load = useCallback(
    async (): Promise<Loaded> => ({
      destinations: await backend.listDestinations(),
      deliveries: await backend.listDeliveries(logView === "dead" ? "dead" : null),
      silences: await backend.listSilences(),
      policies: await backend.listEscalationPolicies(),
      rules: await backend.listAlertRules(),
      tenants: await backend.listTenants(),
    }),
    [backend, logView],
  );
  const { state, reload } = useLoad(load);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; good: boolean } | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [adding, setAdding] = useState(false);
  const [form, setForm] = useState(EMPTY_FORM);

  const act = (work: () => Promise<string | null>, good = true) => {
    setBusy(true);
    setError(null);
    setOutcome(null);
    setSecret(null);
    work()
      .then(
        (text) => {
          if (text) setOutcome({ text, good });
          reload();
        },
        (thrown: unknown) => setError(BackendError.from(thrown)),
      )
      .finally(() => setBusy(false));
  };

  const test = (name: string) =>
    act(async () => {
      const result = await backend.testDestination(name);
      const reached = result.delivery.state === "sent";
      const text = reached
        ? m.testReached(name)
        : m.testFailed(name, result.delivery.lastError ?? result.delivery.state);
      setOutcome({ text, good: reached });
      return null;
    });

  const add = () =>
    act(async () => {
      const email = form.kind === "email";
      const added = await backend.addDestination({
        name: form.name,
        kind: form.kind,
        url: form.url,
        routingKey: form.routingKey || null,
        from: email ? form.from : null,
        to: email ? form.to : null,
        smtpUser: email && form.smtpUser ? form.smtpUser : null,
        smtpPassword: email && form.smtpPassword ? form.smtpPassword : null,
        smtpSecurity: email ? form.smtpSecurity : null,
        allowPrivate: form.allowPrivate,
      });
      setAdding(false);
      setForm(EMPTY_FORM);
      if (added.signingSecret) setSecret(added.signingSecret);
      return m.added(added.destination.name);
    });

  const data = state.status === "ready" ? state.data : null;

  return (
    <section className={styles.panel} aria-labelledby="delivery-title" data-testid="delivery">
      <Subtitle2 as="h2" id="delivery-title">
        {m.title}
      </Subtitle2>
      <Text className={styles.muted}>{m.intro}</Text>
      {outcome ? (
        <MessageBar intent={outcome.good ? "success" : "warning"} data-testid="delivery-outcome">
          <MessageBarBody>{outcome.text}</MessageBarBody>
        </MessageBar>
      ) : null}
      {secret ? (
        <MessageBar intent="info" data-testid="delivery-secret">
          <MessageBarBody>
            {m.secretOnce} <span className={styles.secret}>{secret}</span>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? <ErrorBar title={m.couldNotChange} error={error} testId="delivery-error" /> : null}
      {state.status === "error" ? (
        <ErrorBar
          title={m.couldNotLoad}
          error={state.error}
          testId="delivery-load-error"
          onRetry={reload}
        />
      ) : null}
      {state.status === "loading" ? <Spinner label={m.loading} /> : null}

      <Subtitle2 as="h3">{m.destinations}</Subtitle2>
      {data && data.destinations.length === 0 ? (
        <Text data-testid="delivery-none">{m.noDestinations}</Text>
      ) : null}
      {data && data.destinations.length > 0 ? (
        <Table aria-label={m.destinations} data-testid="destinations">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{m.columns.name}</TableHeaderCell>
              <TableHeaderCell>{m.columns.kind}</TableHeaderCell>
              <TableHeaderCell>{m.columns.target}</TableHeaderCell>
              <TableHeaderCell>{m.columns.state}</TableHeaderCell>
              <TableHeaderCell>{m.columns.rules}</TableHeaderCell>
              <TableHeaderCell>{m.columns.actions}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.destinations.map((d) => (
              <TableRow key={d.id} data-testid={`destination-${d.name}`}>
                <TableCell>{d.name}</TableCell>
                <TableCell>{m.kinds[d.kind] ?? d.kind}</TableCell>
                <TableCell>{d.target}</TableCell>
                <TableCell>
                  {d.enabled ? (
                    d.failingSince ? (
                      <Badge color="warning">{m.failingSince(when(d.failingSince))}</Badge>
                    ) : (
                      <Badge color="success">{m.enabled}</Badge>
                    )
                  ) : (
                    <Badge color="danger">{m.disabled(d.disabledReason ?? "")}</Badge>
                  )}
                </TableCell>
                <TableCell>{d.rules.length > 0 ? d.rules.join(", ") : m.noRules}</TableCell>
                <TableCell>
                  <div className={styles.row}>
                    <Button
                      size="small"
                      icon={<SendRegular />}
                      disabled={busy}
                      onClick={() => test(d.name)}
                      data-testid={`destination-test-${d.name}`}
                    >
                      {m.sendTest}
                    </Button>
                    <Button
                      size="small"
                      disabled={busy}
                      onClick={() =>
                        act(async () => {
                          await backend.setDestinationEnabled(d.name, !d.enabled);
                          return null;
                        })
                      }
                      data-testid={`destination-toggle-${d.name}`}
                    >
                      {d.enabled ? m.disable : m.enable}
                    </Button>
                    <Button
                      size="small"
                      disabled={busy}
                      onClick={() =>
                        act(async () => {
                          await backend.removeDestination(d.name);
                          return m.removed(d.name);
                        })
                      }
                      data-testid={`destination-remove-${d.name}`}
                    >
                      {m.remove}
                    </Button>
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {adding ? (
        <div className={styles.form} role="group" aria-label={m.addTitle}>
          <Field label={m.name} required>
            <Input
              value={form.name}
              onChange={(_, v) => setForm({ ...form, name: v.value })}
              data-testid="destination-name"
            />
          </Field>
          <Field label={m.kind}>
            <Dropdown
              value={m.kinds[form.kind]}
              selectedOptions={[form.kind]}
              onOptionSelect={(_, v) => setForm({ ...form, kind: v.optionValue ?? "webhook" })}
              data-testid="destination-kind"
            >
              {KINDS.map((kind) => (
                <Option key={kind} value={kind}>
                  {m.kinds[kind]}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field
            label={form.kind === "email" ? m.relay : m.url}
            hint={form.kind === "email" ? m.relayHint : m.urlHint}
          >
            <Input
              type={form.kind === "email" ? "text" : "password"}
              value={form.url}
              onChange={(_, v) => setForm({ ...form, url: v.value })}
              data-testid="destination-url"
            />
          </Field>
          {form.kind === "pagerduty" ? (
            <Field label={m.routingKey} required>
              <Input
                type="password"
                value={form.routingKey}
                onChange={(_, v) => setForm({ ...form, routingKey: v.value })}
                data-testid="destination-routing-key"
              />
            </Field>
          ) : null}
          {form.kind === "email" ? (
            <>
              <Field label={m.from} required>
                <Input
                  value={form.from}
                  onChange={(_, v) => setForm({ ...form, from: v.value })}
                  data-testid="destination-from"
                />
              </Field>
              <Field label={m.to} hint={m.toHint} required>
                <Input
                  value={form.to}
                  onChange={(_, v) => setForm({ ...form, to: v.value })}
                  data-testid="destination-to"
                />
              </Field>
              <Field label={m.smtpSecurity}>
                <Dropdown
                  value={m.securities[form.smtpSecurity]}
                  selectedOptions={[form.smtpSecurity]}
                  onOptionSelect={(_, v) =>
                    setForm({ ...form, smtpSecurity: v.optionValue ?? "starttls" })
                  }
                  data-testid="destination-smtp-security"
                >
                  {SECURITIES.map((security) => (
                    <Option key={security} value={security}>
                      {m.securities[security]}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              <Field label={m.smtpUser}>
                <Input
                  value={form.smtpUser}
                  onChange={(_, v) => setForm({ ...form, smtpUser: v.value })}
                  data-testid="destination-smtp-user"
                />
              </Field>
              <Field label={m.smtpPassword}>
                <Input
                  type="password"
                  value={form.smtpPassword}
                  onChange={(_, v) => setForm({ ...form, smtpPassword: v.value })}
                  data-testid="destination-smtp-password"
                />
              </Field>
            </>
          ) : null}
          <Checkbox
            label={m.allowPrivate}
            checked={form.allowPrivate}
            onChange={(_, v) => setForm({ ...form, allowPrivate: v.checked === true })}
            data-testid="destination-private"
          />
          <div className={styles.row}>
            <Button appearance="primary" disabled={busy} onClick={add} data-testid="destination-save">
              {m.save}
            </Button>
            <Button onClick={() => setAdding(false)}>{m.cancel}</Button>
          </div>
        </div>
      ) : (
        <div>
          <Button icon={<AddRegular />} onClick={() => setAdding(true)} data-testid="destination-add">
            {m.add}
          </Button>
        </div>
      )}

      <Routing data={data} busy={busy} act={act} />

      <Subtitle2 as="h3">{m.log}</Subtitle2>
      <TabList
        selectedValue={logView}
        onTabSelect={(_, v) => setLogView(v.value as "all" | "dead")}
        aria-label={m.log}
      >
        <Tab value="all" data-testid="deliveries-all">
          {m.all}
        </Tab>
        <Tab value="dead" data-testid="deliveries-dead">
          {m.dead}
        </Tab>
      </TabList>
      {data && data.deliveries.length === 0 ? (
        <Text>{logView === "dead" ? m.noDead : m.noDeliveries}</Text>
      ) : null}
      {data && data.deliveries.length > 0 ? (
        <Table aria-label={m.log} data-testid="deliveries">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{m.columns.when}</TableHeaderCell>
              <TableHeaderCell>{m.columns.destination}</TableHeaderCell>
              <TableHeaderCell>{m.columns.alert}</TableHeaderCell>
              <TableHeaderCell>{m.columns.state}</TableHeaderCell>
              <TableHeaderCell>{m.columns.attempts}</TableHeaderCell>
              <TableHeaderCell>{m.columns.lastError}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.deliveries.map((d) => (
              <TableRow key={d.id} data-testid={`delivery-${d.id}`}>
                <TableCell>{when(d.createdAt)}</TableCell>
                <TableCell>{d.destination}</TableCell>
                <TableCell>{d.title}</TableCell>
                <TableCell>{m.states[d.state] ?? d.state}</TableCell>
                <TableCell>{m.attemptsCount(d.attempts)}</TableCell>
                <TableCell>
                  <div className={styles.row}>
                    <Text>{d.lastError ?? (d.lastStatus === null ? "" : String(d.lastStatus))}</Text>
                    {d.state === "dead" ? (
                      <Button
                        size="small"
                        icon={<ArrowClockwiseRegular />}
                        disabled={busy}
                        onClick={() =>
                          act(async () => {
                            await backend.replayDelivery(d.id);
                            return m.replayed;
                          })
                        }
                        data-testid={`delivery-replay-${d.id}`}
                      >
                        {m.replay}
                      </Button>
                    ) : null}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}

    </section>
  );
}
