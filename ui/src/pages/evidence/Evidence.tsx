// Evidence: make a signed pack of one tenant's governance over a period, see the packs
// made here, and verify a pack file (one of ours, or one someone sent).

import { Card, Spinner, Subtitle2 } from "@fluentui/react-components";
import { useCallback } from "react";
import { useBackend } from "../../backend";
import { useMessages } from "../../i18n";
import { Command } from "../../shell/Command";
import { ErrorBar } from "../../shell/ErrorBar";
import { PageHeader } from "../../shell/PageHeader";
import { useLoad } from "../../useLoad";
import { CreatePack } from "./CreatePack";
import { messages } from "./messages";
import { PacksTable } from "./PacksTable";
import { useEvidenceStyles } from "./styles";
import { useVerifier, VerifyPack } from "./VerifyPack";

/** The `evidence` folder next to the database, as the backend writes packs by default. */
export function evidenceDirOf(dbPath: string): string | null {
  const cut = Math.max(dbPath.lastIndexOf("/"), dbPath.lastIndexOf("\\"));
  if (cut < 0) return null;
  const separator = dbPath[cut] ?? "/";
  return `${dbPath.slice(0, cut)}${separator}evidence`;
}

export function Evidence() {
  const styles = useEvidenceStyles();
  const m = useMessages(messages);
  const backend = useBackend();
  const loadTenants = useCallback(() => backend.listTenants(), [backend]);
  const loadPacks = useCallback(() => backend.listEvidencePacks(null), [backend]);
  const loadInfo = useCallback(() => backend.appInfo(), [backend]);
  const tenants = useLoad(loadTenants);
  const packs = useLoad(loadPacks);
  const info = useLoad(loadInfo);
  const verifier = useVerifier();
  const verify = verifier.verify;
  const verifyPath = useCallback((path: string) => verify(path, ""), [verify]);
  const evidenceDir = info.state.status === "ready" ? evidenceDirOf(info.state.data.dbPath) : null;

  return (
    <div className={styles.stack}>
      <PageHeader
        title={m.title}
        description={
          <>
            {m.descriptionBefore}
            <Command>plumbline pack</Command>
            {m.descriptionAfter}
          </>
        }
      />
      {tenants.state.status === "loading" ? <Spinner label={m.loadingTenants} /> : null}
      {tenants.state.status === "error" ? (
        <ErrorBar
          title={m.couldNotLoadTenants}
          error={tenants.state.error}
          testId="tenants-error"
          onRetry={tenants.reload}
        />
      ) : null}
      {tenants.state.status === "ready" ? (
        <CreatePack
          tenants={tenants.state.data}
          evidenceDir={evidenceDir}
          onCreated={packs.reload}
          onVerify={verifyPath}
        />
      ) : null}
      <Card className={styles.card}>
        <Subtitle2 as="h2" className={styles.flush}>
          {m.packsMadeHere}
        </Subtitle2>
        {packs.state.status === "loading" ? <Spinner label={m.loadingPacks} /> : null}
        {packs.state.status === "error" ? (
          <ErrorBar
            title={m.couldNotLoadPacks}
            error={packs.state.error}
            testId="packs-error"
            onRetry={packs.reload}
          />
        ) : null}
        {packs.state.status === "ready" ? (
          <PacksTable packs={packs.state.data} onVerify={verifyPath} />
        ) : null}
      </Card>
      <VerifyPack verifier={verifier} />
    </div>
  );
}
