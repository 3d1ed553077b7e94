// Evidence packs and alerts in the fake backend: packs are "written" by a job and
// listed; a verify of a known pack passes unless a test planted another verdict; the
// inbox acknowledges and snoozes like the real one.

import {
  BackendError,
  type AlertRow,
  type AlertView,
  type CreatePackRequest,
  type EvidencePackView,
  type JobResult,
  type PackVerdict,
} from "./types";

export interface FakeEvidenceData {
  packs?: EvidencePackView[];
  alerts?: AlertRow[];
  /** The workspace key's fingerprint. */
  fingerprint?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The fake's `evidence` folder next to the database. */
const EVIDENCE_DIR = "/fake/evidence";

/** A stand-in SHA-256 (64 hex digits) that differs for every `n`. */
export function fakeHash(n: number): string {
  return ((n * 2246822519 + 374761393) >>> 0).toString(16).padStart(8, "0").repeat(8);
}

/** An alert with neutral defaults, for fixtures. */
export function makeAlert(fields: Partial<AlertRow> & Pick<AlertRow, "id" | "title">): AlertRow {
  return {
    rule: "New critical or high findings",
    tenantId: null,
    tenant: null,
    severity: "high",
    body: "",
    raisedAt: "2026-01-01T00:00:00.000Z",
    acknowledgedAt: null,
    snoozedUntil: null,
    resolvedAt: null,
    state: "open",
    notify: true,
    ...fields,
  };
}

/** A recorded pack with neutral defaults, for fixtures. */
export function makePack(
  fields: Partial<EvidencePackView> & Pick<EvidencePackView, "id" | "tenant">,
): EvidencePackView {
  return {
    tenantId: `tenant-${fields.id}`,
    periodFrom: "2026-01-01",
    periodTo: "2026-03-31",
    redacted: false,
    includeReports: false,
    createdAt: "2026-04-01T09:00:00.000Z",
    sha256: fakeHash(fields.id.length),
    size: 120_000,
    path: `/fake/evidence/${fields.id}.zip`,
    fileExists: true,
    ...fields,
  };
}

export class FakeEvidence {
  private packs: EvidencePackView[];
  private alerts: AlertRow[];
  readonly fingerprint: string;
  /** Verdicts planted by tests, by path; others are computed. */
  readonly verdicts: Record<string, PackVerdict> = {};

  constructor(
    data: FakeEvidenceData = {},
    private readonly now: () => number = () => Date.now(),
  ) {
    this.packs = structuredClone(data.packs ?? []);
    this.alerts = structuredClone(data.alerts ?? []);
    this.fingerprint = data.fingerprint ?? fakeHash(7);
  }

  /** Checks a request as the real command does; throws what it would. */
  validate(request: CreatePackRequest): void {
    if (!DAY.test(request.from.trim())) {
      throw new BackendError("invalid_input", `From: enter a day as YYYY-MM-DD (got “${request.from}”).`);
    }
    if (!DAY.test(request.to.trim())) {
      throw new BackendError("invalid_input", `To: enter a day as YYYY-MM-DD (got “${request.to}”).`);
    }
    if (request.to < request.from) {
      throw new BackendError("invalid_input", "The period ends before it starts: swap From and To.");
    }
    if (request.redact && request.includeReports) {
      throw new BackendError(
        "invalid_input",
        "Reports are PDFs that Plumbline cannot redact: turn off either redaction or including reports.",
      );
    }
    const out = this.outputPath(request, "tenant");
    if (!out.toLowerCase().endsWith(".zip") || out.endsWith("/")) {
      throw new BackendError("invalid_input", `${out}: name a .zip file for the pack.`);
    }
  }

  /** Where the pack goes: as the real command, a relative path is taken inside the
   * evidence folder, and no path gives a name after the tenant and period. */
  private outputPath(request: CreatePackRequest, tenant: string): string {
    const given = request.outputPath?.trim() ?? "";
    if (given === "") {
      const slug = tenant.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      return `${EVIDENCE_DIR}/evidence-${slug}-${request.from}-${request.to}${request.redact ? "-redacted" : ""}.zip`;
    }
    return given.startsWith("/") ? given : `${EVIDENCE_DIR}/${given}`;
  }

  /** Records a pack as the job's end would, and returns the job's result. */
  write(request: CreatePackRequest, tenant: string): { result: JobResult; summary: string } {
    const n = this.packs.length + 1;
    const path = this.outputPath(request, tenant);
    const pack = makePack({
      id: `pack-${n}`,
      tenant,
      tenantId: request.tenantId,
      periodFrom: request.from,
      periodTo: request.to,
      redacted: request.redact,
      includeReports: request.includeReports,
      createdAt: new Date(this.now()).toISOString(),
      sha256: fakeHash(100 + n),
      size: 200_000 + n,
      path,
    });
    this.packs.unshift(pack);
    return {
      result: {
        type: "evidence_pack",
        path,
        sha256: pack.sha256,
        size: pack.size,
        fingerprint: this.fingerprint,
        files: 42,
        auditEvents: 17,
        omitted: [],
      },
      summary: `${path} written: 42 files, 17 audit events.`,
    };
  }

  list(tenantId: string | null): EvidencePackView[] {
    return structuredClone(this.packs.filter((p) => tenantId === null || p.tenantId === tenantId));
  }

  verify(path: string, trusted: string | null): PackVerdict {
    const trimmed = path.trim();
    if (!trimmed) throw new BackendError("invalid_input", "Enter the path of the pack's .zip file.");
    const planted = this.verdicts[trimmed];
    if (planted) return structuredClone(planted);
    const pack = this.packs.find((p) => p.path === trimmed && p.fileExists);
    if (!pack) {
      throw new BackendError(
        "invalid_input",
        `cannot read ${trimmed}: No such file or directory (os error 2). Check the path and that the file is readable.`,
      );
    }
    // The real verifier's wording and order: a wrong key fails, and then the file check
    // reports no success (it speaks only when nothing failed before it).
    const wanted = trusted?.trim().toLowerCase() ?? "";
    const failures =
      wanted !== "" && wanted !== this.fingerprint
        ? [`signer.pub: the pack is signed by key ${this.fingerprint}, not by the trusted key ${wanted}`]
        : [];
    const passed = ["manifest.sig: Ed25519 signature of manifest.json is valid"];
    if (failures.length === 0) {
      passed.push("39 files match the SHA-256 in the signed manifest, and no file was added");
    }
    passed.push("17 audit events: hashes recomputed (0 redacted, links only) and chain links hold");
    return {
      ok: failures.length === 0,
      path: trimmed,
      sha256: pack.sha256,
      fingerprint: this.fingerprint,
      tenant: pack.tenant,
      periodFrom: pack.periodFrom,
      periodTo: pack.periodTo,
      filesChecked: 39,
      auditEventsChecked: 17,
      passed,
      failures,
      signedByThisWorkspace: true,
    };
  }

  listAlerts(view: AlertView): AlertRow[] {
    const now = this.now();
    const state = (a: AlertRow): AlertRow["state"] =>
      a.resolvedAt !== null
        ? "resolved"
        : a.acknowledgedAt !== null
        ? "acknowledged"
        : a.snoozedUntil !== null && Date.parse(a.snoozedUntil) > now
          ? "snoozed"
          : "open";
    return structuredClone(
      this.alerts
        .map((a) => ({ ...a, state: state(a) }))
        .filter((a) => view === "all" || a.state === view)
        .sort((a, b) => b.raisedAt.localeCompare(a.raisedAt)),
    );
  }

  acknowledge(ids: string[]): number {
    let changed = 0;
    for (const id of ids) {
      const alert = this.alert(id);
      if (alert.acknowledgedAt !== null) continue;
      alert.acknowledgedAt = new Date(this.now()).toISOString();
      changed += 1;
    }
    return changed;
  }

  snooze(ids: string[], hours: number | null, until: string | null): number {
    let end: number;
    if (until !== null && until.trim() !== "") {
      end = Date.parse(until);
      if (Number.isNaN(end)) {
        throw new BackendError("invalid_input", `“${until}” is not a time: pick a date and time in the future.`);
      }
    } else if (hours !== null && hours > 0) {
      end = this.now() + hours * 3_600_000;
    } else {
      throw new BackendError("invalid_input", "Say how long to snooze: a number of hours or a time.");
    }
    if (end <= this.now()) {
      throw new BackendError("invalid_input", "a snooze must end in the future: pick a later time");
    }
    let changed = 0;
    for (const id of ids) {
      const alert = this.alert(id);
      if (alert.acknowledgedAt !== null) continue;
      alert.snoozedUntil = new Date(end).toISOString();
      changed += 1;
    }
    return changed;
  }

  /** Adds an alert, as a finished review would. */
  raise(alert: AlertRow): void {
    this.alerts.push(structuredClone(alert));
  }

  private alert(id: string): AlertRow {
    const alert = this.alerts.find((a) => a.id === id);
    if (!alert) throw new BackendError("not_found", `alert not found: ${id}`);
    return alert;
  }
}
