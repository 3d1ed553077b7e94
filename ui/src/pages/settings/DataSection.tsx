// Where Plumbline keeps its data: the database (shared with the command line), its size,
// the folders for reports and evidence packs next to it, and a button that opens the data
// folder in the file manager (the only folder the app opens).

import { Body1, Button, Spinner, Text } from "@fluentui/react-components";
import { FolderOpenRegular } from "@fluentui/react-icons";
import { useCallback, useState } from "react";
import { BackendError, useBackend } from "../../backend";
import { formatBytes } from "../../format";
import { useMessages } from "../../i18n";
import { useLoad } from "../../useLoad";
import { ErrorBar, SettingsCard, useSettingsStyles } from "./common";
import { messages } from "./messages";

export function DataSection() {
  const styles = useSettingsStyles();
  const all = useMessages(messages);
  const m = all.data;
  const backend = useBackend();
  const loadData = useCallback(() => backend.dataDirectory(), [backend]);
  const loadInfo = useCallback(() => backend.appInfo(), [backend]);
  const data = useLoad(loadData);
  const info = useLoad(loadInfo);
  const [openError, setOpenError] = useState<BackendError | null>(null);

  const open = (path: string) => {
    setOpenError(null);
    backend.openPath(path).catch((e: unknown) => setOpenError(BackendError.from(e)));
  };

  return (
    <SettingsCard id="data" title={m.title}>
      {data.state.status === "loading" ? <Spinner size="tiny" label={all.loading} /> : null}
      {data.state.status === "error" ? (
        <ErrorBar title={m.couldNotFind} error={data.state.error} onRetry={data.reload} />
      ) : null}
      {data.state.status === "ready" ? (
        <>
          <dl className={styles.details}>
            <dt className={styles.term}>{m.database}</dt>
            <dd className={`${styles.value} ${styles.mono}`} data-testid="db-path">
              {data.state.data.dbPath}
            </dd>
            <dt className={styles.term}>{m.size}</dt>
            <dd className={styles.value} data-testid="db-size">
              {formatBytes(data.state.data.databaseKib * 1024)}
            </dd>
            <dt className={styles.term}>{m.dataFolder}</dt>
            <dd className={`${styles.value} ${styles.mono}`} data-testid="data-dir">
              {data.state.data.dataDir}
            </dd>
            <dt className={styles.term}>{m.reports}</dt>
            <dd className={`${styles.value} ${styles.mono}`} data-testid="reports-dir">
              {data.state.data.reportsDir}
            </dd>
            <dt className={styles.term}>{m.evidencePacks}</dt>
            <dd className={`${styles.value} ${styles.mono}`} data-testid="evidence-dir">
              {data.state.data.evidenceDir}
            </dd>
          </dl>
          <div className={styles.row}>
            <Button
              icon={<FolderOpenRegular />}
              onClick={() => data.state.status === "ready" && open(data.state.data.dataDir)}
              data-testid="open-data-folder"
            >
              {m.openDataFolder}
            </Button>
          </div>
          {openError ? (
            <ErrorBar title={m.couldNotOpen} error={openError} testId="open-folder-error" />
          ) : null}
        </>
      ) : null}
      <Body1 as="p" className={styles.muted}>
        {m.sameDatabase(<code>PLUMBLINE_DATA_DIR</code>)}
        {info.state.status === "ready" ? (
          <Text> {m.version(info.state.data.version)}</Text>
        ) : null}
      </Body1>
    </SettingsCard>
  );
}
