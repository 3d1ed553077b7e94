import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendError, type PackVerdict } from "../../backend";
import { FakeBackend, makePack } from "../../backend/fake";
import { TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { Evidence, evidenceDirOf } from "./Evidence";

const SLOW = 20_000;

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function backend(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  return new FakeBackend({
    tenants: TENANTS,
    appInfo: { dbPath: "/home/me/.local/share/plumbline/plumbline.db" },
    ...options,
  });
}

const CONTOSO_PACK = makePack({
  id: "p-1",
  tenant: "Contoso",
  tenantId: "tenant-contoso",
  path: "/home/me/.local/share/plumbline/evidence/contoso-q1.zip",
  sha256: "ab".repeat(32),
  redacted: true,
});

const MOVED_PACK = makePack({
  id: "p-2",
  tenant: "Fabrikam",
  tenantId: "tenant-fabrikam",
  path: "/home/me/old/fabrikam.zip",
  fileExists: false,
});

describe("Evidence page", () => {
  it("says what to do when no pack has been made", async () => {
    renderWithBackend(<Evidence />, backend());
    const empty = await screen.findByTestId("packs-empty");
    expect(empty).toHaveTextContent("No evidence packs yet");
    expect(empty).toHaveTextContent("Create pack");
    expect(empty).toHaveTextContent("Review now");
    // Where packs go by default, next to the database.
    expect(await screen.findByText(/\/home\/me\/\.local\/share\/plumbline\/evidence, named/)).toBeInTheDocument();
  });

  it(
    "creates a redacted pack in the background, shows the result and lists it",
    async () => {
      const user = userEvent.setup();
      const fake = backend({ latencyMs: 20 });
      renderWithBackend(<Evidence />, fake);

      const tenant = await screen.findByLabelText(/Tenant/);
      expect(within(tenant).getAllByRole("option").map((o) => o.textContent)).toEqual([
        "Alpine Ski House",
        "Contoso",
        "Fabrikam",
        "Woodgrove Bank",
      ]);
      await user.selectOptions(tenant, "Contoso");
      // The period starts filled in with the last 90 days (WebKit would show an empty
      // date input as today).
      expect(screen.getByLabelText(/^To/)).toHaveValue(day(Date.now()));
      expect(screen.getByLabelText(/^From/)).toHaveValue(day(Date.now() - 90 * 86_400_000));
      await user.clear(screen.getByLabelText(/^From/));
      await user.type(screen.getByLabelText(/^From/), "2026-01-01");
      await user.clear(screen.getByLabelText(/^To/));
      await user.type(screen.getByLabelText(/^To/), "2026-03-31");

      // Reports cannot go into a redacted pack: the switch turns off and says why.
      const reports = screen.getByRole("switch", { name: "Include reports" });
      await user.click(reports);
      expect(reports).toBeChecked();
      await user.click(screen.getByRole("switch", { name: "Redact personal data" }));
      expect(reports).not.toBeChecked();
      expect(reports).toBeDisabled();
      expect(screen.getByText(/Not with redaction: reports are PDFs/)).toBeInTheDocument();
      expect(screen.getByText(/e-mail addresses and person names with stable pseudonyms/)).toBeInTheDocument();

      await user.click(screen.getByTestId("pack-create"));
      expect(await screen.findByTestId("pack-running")).toBeInTheDocument();
      expect(screen.getByRole("progressbar", { name: "Evidence pack progress" })).toBeInTheDocument();
      expect(screen.getByTestId("pack-create")).toBeDisabled();

      const result = await screen.findByTestId("pack-result", {}, { timeout: 8000 });
      const path = "/fake/evidence/evidence-contoso-2026-01-01-2026-03-31-redacted.zip";
      expect(within(result).getByTestId("pack-result-path")).toHaveTextContent(path);
      const sha = within(result).getByTestId("pack-result-sha256").textContent ?? "";
      expect(sha).toMatch(/^[0-9a-f]{64}$/);
      expect(within(result).getByTestId("pack-result-fingerprint")).toHaveTextContent(
        fake.evidence.fingerprint,
      );
      expect(within(result).getByTestId("pack-result-counts")).toHaveTextContent(
        "42 files, 17 audit events",
      );
      expect(screen.getByTestId("pack-done")).toHaveTextContent("Evidence pack finished");
      // No Open button: the file is a ZIP, which the app does not open.
      expect(within(result).queryByRole("button", { name: /^Open/ })).not.toBeInTheDocument();

      // The SHA-256 is copied whole.
      await user.click(within(result).getByTestId("copy-pack-sha256"));
      expect(await navigator.clipboard.readText()).toBe(sha);

      // The list is reloaded with the new pack.
      const row = await screen.findByTestId("pack-row");
      expect(row).toHaveTextContent("Contoso");
      expect(row).toHaveTextContent("2026-01-01 to 2026-03-31");
      expect(row).toHaveTextContent("Redacted");
      expect(within(row).getByTestId("pack-sha256")).toHaveTextContent(`${sha.slice(0, 12)}…`);
      expect(fake.evidence.list(null)).toMatchObject([
        { tenantId: "tenant-contoso", redacted: true, includeReports: false, path },
      ]);
    },
    SLOW,
  );

  it("shows the backend's refusal of the request", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Evidence />, fake);
    await screen.findByTestId("packs-empty");
    await user.clear(screen.getByLabelText(/^From/));
    await user.type(screen.getByLabelText(/^From/), "2026-05-01");
    await user.clear(screen.getByLabelText(/^To/));
    await user.type(screen.getByLabelText(/^To/), "2026-04-01");
    await user.click(screen.getByTestId("pack-create"));
    expect(await screen.findByTestId("pack-error")).toHaveTextContent(
      "The period ends before it starts: swap From and To.",
    );

    await user.clear(screen.getByLabelText(/^To/));
    await user.type(screen.getByLabelText(/^To/), "2026-06-30");
    await user.type(screen.getByLabelText(/Output file/), "contoso.txt");
    await user.click(screen.getByTestId("pack-create"));
    expect(await screen.findByTestId("pack-error")).toHaveTextContent(
      "/fake/evidence/contoso.txt: name a .zip file for the pack.",
    );
    expect(screen.queryByTestId("pack-running")).not.toBeInTheDocument();
    expect(fake.evidence.list(null)).toEqual([]);
  });

  it("can cancel a pack being made; nothing is recorded", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.jobs.runningPolls = 1000;
    renderWithBackend(<Evidence />, fake);
    await screen.findByTestId("packs-empty");
    await user.click(screen.getByTestId("pack-create"));
    await user.click(await screen.findByTestId("pack-cancel"));
    expect(await screen.findByTestId("pack-cancelled")).toHaveTextContent(
      "Evidence pack cancelled",
    );
    expect(screen.getByTestId("pack-create")).toBeEnabled();
    expect(screen.queryByTestId("pack-result")).not.toBeInTheDocument();
    expect(screen.getByTestId("packs-empty")).toBeInTheDocument();
    expect(fake.evidence.list(null)).toEqual([]);
  });

  it("lists packs with their options, SHA-256 and whether the file is still there", async () => {
    renderWithBackend(<Evidence />, backend({ evidence: { packs: [CONTOSO_PACK, MOVED_PACK] } }));
    const rows = await screen.findAllByTestId("pack-row");
    expect(rows).toHaveLength(2);
    const [contoso, moved] = rows as [HTMLElement, HTMLElement];
    expect(contoso).toHaveTextContent("Redacted");
    expect(within(contoso).getByTestId("pack-file-state")).toHaveTextContent("On disk");
    expect(within(contoso).getByTestId("pack-sha256")).toHaveTextContent(`${"ab".repeat(6)}…`);
    expect(within(moved).getByTestId("pack-file-state")).toHaveTextContent("Missing");
    expect(within(moved).getByTestId("pack-verify")).toBeDisabled();
  });

  it("verifies a listed pack and shows what passed", async () => {
    const user = userEvent.setup();
    const fake = backend({ evidence: { packs: [CONTOSO_PACK] } });
    renderWithBackend(<Evidence />, fake);
    await user.click(
      await screen.findByRole("button", {
        name: "Verify the pack of Contoso, 2026-01-01 to 2026-03-31",
      }),
    );
    const ok = await screen.findByTestId("verdict-ok");
    expect(ok).toHaveTextContent("The pack is intact and its signature holds");
    expect(within(screen.getByTestId("verdict-passed")).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "manifest.sig: Ed25519 signature of manifest.json is valid",
      "39 files match the SHA-256 in the signed manifest, and no file was added",
      "17 audit events: hashes recomputed (0 redacted, links only) and chain links hold",
    ]);
    expect(screen.getByTestId("verdict-sha256")).toHaveTextContent("ab".repeat(32));
    expect(screen.getByTestId("verdict-fingerprint")).toHaveTextContent(fake.evidence.fingerprint);
    expect(screen.getByTestId("verdict-signer")).toHaveTextContent("This workspace's key");
    expect(screen.getByTestId("verdict-details")).toHaveTextContent("2026-01-01 to 2026-03-31");
    // The form holds the path verified, and focus lands on the verdict.
    expect(screen.getByTestId("verify-path")).toHaveValue(CONTOSO_PACK.path);
    await waitFor(() => expect(screen.getByTestId("verdict")).toHaveFocus());
  });

  it("verifies a file someone sent and names exactly each failure", async () => {
    const user = userEvent.setup();
    const fake = backend();
    const sent = "/home/me/Downloads/from-msp.zip";
    const verdict: PackVerdict = {
      ok: false,
      path: sent,
      sha256: "cd".repeat(32),
      fingerprint: "ef".repeat(32),
      tenant: "Contoso",
      periodFrom: "2026-01-01",
      periodTo: "2026-03-31",
      filesChecked: 12,
      auditEventsChecked: 40,
      passed: ["manifest.sig: Ed25519 signature of manifest.json is valid"],
      failures: [
        "findings.csv: SHA-256 is 00, the manifest says 11: the file was changed",
        "audit-log.jsonl: the chain of device d-1 breaks at sequence 7 (event e-7): hash mismatch",
      ],
      signedByThisWorkspace: false,
    };
    fake.evidence.verdicts[sent] = verdict;
    renderWithBackend(<Evidence />, fake);
    await screen.findByTestId("packs-empty");

    await user.click(screen.getByTestId("verify-submit"));
    expect(screen.getByText("Enter the path of the pack's .zip file.")).toBeInTheDocument();
    expect(fake.calls.verifyEvidencePack).toBe(0);

    await user.type(screen.getByTestId("verify-path"), sent);
    await user.click(screen.getByTestId("verify-submit"));
    const failed = await screen.findByTestId("verdict-failed");
    expect(failed).toHaveTextContent("The pack failed verification");
    expect(failed).toHaveTextContent("These 2 checks failed:");
    expect(screen.getAllByTestId("verdict-failure").map((li) => li.textContent)).toEqual(
      verdict.failures,
    );
    expect(within(failed).getByTestId("verdict-passed")).toHaveTextContent(
      "manifest.sig: Ed25519 signature of manifest.json is valid",
    );
    expect(screen.queryByTestId("verdict-ok")).not.toBeInTheDocument();
    expect(screen.getByTestId("verdict-signer")).toHaveTextContent(
      "Not one of this workspace's keys",
    );
    expect(screen.getByTestId("verdict-sha256")).toHaveTextContent("cd".repeat(32));
  });

  it("fails a pack signed by another key than the trusted one", async () => {
    const user = userEvent.setup();
    const fake = backend({ evidence: { packs: [CONTOSO_PACK] } });
    renderWithBackend(<Evidence />, fake);
    await screen.findByTestId("pack-row");
    await user.type(screen.getByTestId("verify-path"), CONTOSO_PACK.path ?? "");
    await user.type(screen.getByTestId("verify-fingerprint"), "12".repeat(32));
    await user.click(screen.getByTestId("verify-submit"));
    expect(await screen.findAllByTestId("verdict-failure")).toHaveLength(1);
    expect(screen.getByTestId("verdict-failure")).toHaveTextContent(
      `signer.pub: the pack is signed by key ${fake.evidence.fingerprint}, not by the trusted key ${"12".repeat(32)}`,
    );
  });

  it("says why a file could not be verified", async () => {
    const user = userEvent.setup();
    renderWithBackend(<Evidence />, backend());
    await screen.findByTestId("packs-empty");
    await user.type(screen.getByTestId("verify-path"), "/nowhere/pack.zip");
    await user.click(screen.getByTestId("verify-submit"));
    expect(await screen.findByTestId("verify-error")).toHaveTextContent(
      "cannot read /nowhere/pack.zip: No such file or directory",
    );
  });

  it("says when the packs cannot be loaded, and retries", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.fail("listEvidencePacks", new BackendError("database", "the database is locked: try again"));
    renderWithBackend(<Evidence />, fake);
    expect(await screen.findByTestId("packs-error")).toHaveTextContent(
      "the database is locked: try again",
    );
    fake.fail("listEvidencePacks", null);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByTestId("packs-empty")).toBeInTheDocument();
  });
});

describe("evidenceDirOf", () => {
  it("is the evidence folder next to the database", () => {
    expect(evidenceDirOf("/home/me/.local/share/plumbline/plumbline.db")).toBe(
      "/home/me/.local/share/plumbline/evidence",
    );
    expect(evidenceDirOf("C:\\Users\\me\\plumbline\\plumbline.db")).toBe(
      "C:\\Users\\me\\plumbline\\evidence",
    );
    expect(evidenceDirOf(":memory:")).toBeNull();
  });
});
