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
import { CopyButton } from "../../shell/CopyButton";
import { useEvidenceStyles } from "./styles";

function Created(props: { at: string }) {
  const ms = parseTimestamp(props.at);
  return <time dateTime={props.at}>{ms === null ? props.at : formatExact(ms)}</time>;
}

function FileState(props: { pack: EvidencePackView }) {
  const styles = useEvidenceStyles();
  const { pack } = props;
  if (pack.path === null) return <Text className={styles.muted}>Not recorded</Text>;
  return (
    <Tooltip content={pack.path} relationship="description">
      {pack.fileExists ? (
        <Badge appearance="tint" color="success" data-testid="pack-file-state">
          On disk
        </Badge>
      ) : (
        <Badge appearance="tint" color="danger" data-testid="pack-file-state">
          Missing
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
  if (props.packs.length === 0) {
    return (
      <div className={styles.centered} data-testid="packs-empty">
        <ArchiveRegular className={styles.emptyIcon} />
        <Subtitle1 as="h3" className={styles.flush}>
          No evidence packs yet
        </Subtitle1>
        <Body1 as="p" className={styles.flush}>
          Choose a tenant and a period above and select <strong>Create pack</strong>. A pack
          holds the captures, reviews, findings, decisions and audit events of that period,
          so review the tenant first (<strong>Review now</strong> on its page). Every pack
          made here is listed with its SHA-256.
        </Body1>
      </div>
    );
  }
  return (
    <Table aria-label="Packs made here" className={styles.table} data-testid="packs-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Tenant</TableHeaderCell>
          <TableHeaderCell>Period</TableHeaderCell>
          <TableHeaderCell>Created</TableHeaderCell>
          <TableHeaderCell>Options</TableHeaderCell>
          <TableHeaderCell>Size</TableHeaderCell>
          <TableHeaderCell>SHA-256</TableHeaderCell>
          <TableHeaderCell>File</TableHeaderCell>
          <TableHeaderCell>
            <span className={styles.muted}>Actions</span>
          </TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.packs.map((pack) => {
          const name = `the pack of ${pack.tenant}, ${pack.periodFrom} to ${pack.periodTo}`;
          const path = pack.path;
          return (
            <TableRow key={pack.id} data-testid="pack-row">
              <TableCell>{pack.tenant}</TableCell>
              <TableCell>
                <span className={styles.nowrap}>{pack.periodFrom}</span> to{" "}
                <span className={styles.nowrap}>{pack.periodTo}</span>
              </TableCell>
              <TableCell>
                <Created at={pack.createdAt} />
              </TableCell>
              <TableCell>
                <span className={styles.badges}>
                  {pack.redacted ? (
                    <Badge appearance="outline" color="important">
                      Redacted
                    </Badge>
                  ) : null}
                  {pack.includeReports ? (
                    <Badge appearance="outline" color="informative">
                      With reports
                    </Badge>
                  ) : null}
                  {!pack.redacted && !pack.includeReports ? (
                    <Text className={styles.muted}>None</Text>
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
                  <CopyButton value={pack.sha256} what={`SHA-256 of ${name}`} />
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
                  aria-label={`Verify ${name}`}
                  data-testid="pack-verify"
                >
                  Verify
                </Button>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
