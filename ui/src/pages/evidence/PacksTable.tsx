// "Packs made here": every pack recorded in the database, newest first, with its
// SHA-256, whether its file is still where it was written, and a Verify per pack.

import {
  Badge,
  Body1,
  Button,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
} from "@fluentui/react-components";
import { ArchiveRegular, ShieldCheckmarkRegular } from "@fluentui/react-icons";
import type { EvidencePackView } from "../../backend";
import { formatBytes, formatExact, parseTimestamp } from "../../format";
import { useMessages } from "../../i18n";
import { CopyButton } from "../../shell/CopyButton";
import { messages } from "./messages";
import { useEvidenceStyles } from "./styles";

function Created(props: { at: string }) {
  const ms = parseTimestamp(props.at);
  return <time dateTime={props.at}>{ms === null ? props.at : formatExact(ms)}</time>;
}

function FileState(props: { pack: EvidencePackView }) {
  const styles = useEvidenceStyles();
  const m = useMessages(messages);
  const { pack } = props;
  if (pack.path === null) return <Text className={styles.muted}>{m.notRecorded}</Text>;
  return (
    <Tooltip content={pack.path} relationship="description">
      {pack.fileExists ? (
        <Badge appearance="tint" color="success" data-testid="pack-file-state">
          {m.onDisk}
        </Badge>
      ) : (
        <Badge appearance="tint" color="danger" data-testid="pack-file-state">
          {m.missing}
        </Badge>
      )}
    </Tooltip>
  );
}

export function PacksTable(props: {
  packs: EvidencePackView[];
  onVerify: (path: string) => void;
}) {
  const styles = useEvidenceStyles();
  const m = useMessages(messages);
  if (props.packs.length === 0) {
    return (
      <div className={styles.centered} data-testid="packs-empty">
        <ArchiveRegular className={styles.emptyIcon} />
        <Subtitle1 as="h3" className={styles.flush}>
          {m.noPacks}
        </Subtitle1>
        <Body1 as="p" className={styles.flush}>
          {m.noPacksBeforeCreate}
          <strong>{m.createPack}</strong>
          {m.noPacksBeforeReview}
          <strong>{m.reviewNow}</strong>
          {m.noPacksEnd}
        </Body1>
      </div>
    );
  }
  return (
    <Table aria-label={m.packsMadeHere} className={styles.table} data-testid="packs-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{m.columns.tenant}</TableHeaderCell>
          <TableHeaderCell>{m.columns.period}</TableHeaderCell>
          <TableHeaderCell>{m.columns.created}</TableHeaderCell>
          <TableHeaderCell>{m.columns.options}</TableHeaderCell>
          <TableHeaderCell>{m.columns.size}</TableHeaderCell>
          <TableHeaderCell>SHA-256</TableHeaderCell>
          <TableHeaderCell>{m.columns.file}</TableHeaderCell>
          <TableHeaderCell>
            <span className={styles.muted}>{m.columns.actions}</span>
          </TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.packs.map((pack) => {
          const path = pack.path;
          return (
            <TableRow key={pack.id} data-testid="pack-row">
              <TableCell>{pack.tenant}</TableCell>
              <TableCell>
                <span className={styles.nowrap}>{pack.periodFrom}</span> {m.periodTo}{" "}
                <span className={styles.nowrap}>{pack.periodTo}</span>
              </TableCell>
              <TableCell>
                <Created at={pack.createdAt} />
              </TableCell>
              <TableCell>
                <span className={styles.badges}>
                  {pack.redacted ? (
                    <Badge appearance="outline" color="important">
                      {m.redacted}
                    </Badge>
                  ) : null}
                  {pack.includeReports ? (
                    <Badge appearance="outline" color="informative">
                      {m.withReports}
                    </Badge>
                  ) : null}
                  {!pack.redacted && !pack.includeReports ? (
                    <Text className={styles.muted}>{m.noOptions}</Text>
                  ) : null}
                </span>
              </TableCell>
              <TableCell className={styles.nowrap}>
                {pack.size === null ? "—" : formatBytes(pack.size)}
              </TableCell>
              <TableCell>
                <span className={styles.hash}>
                  <Tooltip content={pack.sha256} relationship="description">
                    <span className={styles.mono} data-testid="pack-sha256">
                      {pack.sha256.slice(0, 12)}…
                    </span>
                  </Tooltip>
                  <CopyButton value={pack.sha256} what={m.copyPackSha(pack.tenant, pack.periodFrom, pack.periodTo)} />
                </span>
              </TableCell>
              <TableCell>
                <FileState pack={pack} />
              </TableCell>
              <TableCell>
                <Button
                  size="small"
                  icon={<ShieldCheckmarkRegular />}
                  disabled={path === null || !pack.fileExists}
                  onClick={() => {
                    if (path !== null) props.onVerify(path);
                  }}
                  aria-label={m.verifyPackLabel(pack.tenant, pack.periodFrom, pack.periodTo)}
                  data-testid="pack-verify"
                >
                  {m.verify}
                </Button>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
