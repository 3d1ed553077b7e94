// Accepting a risk: why, until when (required), the value accepted, and the second
// person's name when the workspace asks for four eyes. The backend re-checks all of it;
// the form only says early what it would refuse.

import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import {
  BackendError,
  useBackend,
  type DecisionOutcome,
  type FindingDetail,
} from "../../backend";
import { useMessages } from "../../i18n";
import { formatValue } from "./labels";
import { messages } from "./messages";

const useStyles = makeStyles({
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  value: {
    fontFamily: tokens.fontFamilyMonospace,
    backgroundColor: tokens.colorNeutralBackground3,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    wordBreak: "break-all",
  },
});

const DAY = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` of the local day `days` after `now`. */
function dayAfter(now: number, days: number): string {
  const d = new Date(now + days * DAY);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A quarter: the usual review cycle, so the default expiry meets the next review. */
const DEFAULT_DAYS = 90;

export function RiskDialog(props: {
  ids: readonly string[];
  open: boolean;
  onClose: () => void;
  onDone: (outcome: DecisionOutcome) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const { ids, open } = props;
  const [detail, setDetail] = useState<FindingDetail | null>(null);
  const [justification, setJustification] = useState("");
  const [expiresOn, setExpiresOn] = useState(() => dayAfter(Date.now(), DEFAULT_DAYS));
  const [approver, setApprover] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = ids[0];

  // The page mounts the dialog anew for each acceptance: its state starts empty.
  useEffect(() => {
    if (!open || first === undefined) return;
    let current = true;
    backend.findingDetail(first).then(
      (d) => {
        if (current) setDetail(d);
      },
      (error: unknown) => {
        if (current) setProblem(BackendError.from(error).message);
      },
    );
    return () => {
      current = false;
    };
  }, [backend, open, first]);

  const [min] = useState(() => dayAfter(Date.now(), 1));
  const fourEyes = detail?.fourEyes ?? false;

  const submit = async () => {
    if (justification.trim() === "") {
      setProblem(m.needJustification);
      return;
    }
    if (expiresOn === "") {
      setProblem(m.needExpiry);
      return;
    }
    if (expiresOn < min) {
      setProblem(m.expiryInPast);
      return;
    }
    if (fourEyes && (approver.trim() === "" || approver.trim() === detail?.actor)) {
      setProblem(m.needApprover(detail?.actor));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const outcome = await backend.decideFindings({
        ids: [...ids],
        action: "accept_risk",
        reason: justification,
        expiresOn,
        approver: fourEyes ? approver : null,
      });
      setJustification("");
      setExpiresOn(dayAfter(Date.now(), DEFAULT_DAYS));
      setApprover("");
      props.onDone(outcome);
    } catch (error) {
      setProblem(BackendError.from(error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface data-testid="risk-dialog">
        <DialogBody>
          <DialogTitle>{m.riskTitle(ids.length)}</DialogTitle>
          <DialogContent className={styles.form}>
            {detail === null && problem === null ? <Spinner size="tiny" label={m.loading} /> : null}
            {detail !== null ? (
              <Field label={m.acceptedValue}>
                {ids.length === 1 ? (
                  <div className={styles.value} data-testid="accepted-value">
                    {formatValue(detail.finding.actual, m)}
                  </div>
                ) : (
                  <div data-testid="accepted-value">
                    {m.eachCurrentValue}
                  </div>
                )}
              </Field>
            ) : null}
            <Field label={m.justification} required>
              <Textarea
                value={justification}
                onChange={(_, data) => setJustification(data.value)}
                data-testid="risk-justification"
                resize="vertical"
              />
            </Field>
            <Field label={m.expiresOn} required hint={m.expiresOnHint}>
              <Input
                type="date"
                min={min}
                value={expiresOn}
                onChange={(_, data) => setExpiresOn(data.value)}
                data-testid="risk-expiry"
              />
            </Field>
            {fourEyes ? (
              <Field
                label={m.approver}
                required
                hint={m.approverHint}
              >
                <Input
                  value={approver}
                  onChange={(_, data) => setApprover(data.value)}
                  data-testid="risk-approver"
                />
              </Field>
            ) : null}
            {problem !== null ? (
              <MessageBar intent="error" data-testid="risk-problem">
                <MessageBarBody>{problem}</MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={props.onClose} disabled={busy}>
              {m.cancel}
            </Button>
            <Button
              appearance="primary"
              onClick={() => void submit()}
              disabled={busy || detail === null}
              data-testid="risk-submit"
            >
              {m.acceptRisk}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
