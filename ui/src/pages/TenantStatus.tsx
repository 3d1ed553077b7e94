// The Status cell of a tenant row: badges for what needs the operator's attention.

import { Badge, makeStyles, tokens } from "@fluentui/react-components";
import { WarningRegular } from "@fluentui/react-icons";
import type { TenantRow } from "../backend";

const useStyles = makeStyles({
  badges: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalXS,
  },
  // Kind keys are long: let the badge grow to more lines instead of overflowing.
  wrapping: {
    height: "auto",
    minHeight: "20px",
    whiteSpace: "normal",
    paddingBlock: "2px",
  },
});

/** Kinds named in the badge itself; the rest are counted and listed in its title. */
const NAMED_KINDS = 2;

export function failedKindsLabel(kinds: readonly string[]): string {
  const named = kinds.slice(0, NAMED_KINDS).join(", ");
  const more = kinds.length - NAMED_KINDS;
  return more > 0 ? `Failed: ${named} +${more} more` : `Failed: ${named}`;
}

export function TenantStatus(props: { tenant: TenantRow }) {
  const styles = useStyles();
  const { tenant } = props;
  return (
    <div className={styles.badges}>
      {tenant.isDemo ? (
        <Badge appearance="tint" color="informative" shape="rounded">
          Demo
        </Badge>
      ) : null}
      {tenant.failedKinds.length > 0 ? (
        <Badge
          appearance="tint"
          color="warning"
          shape="rounded"
          className={styles.wrapping}
          icon={<WarningRegular />}
          title={`The last capture could not read: ${tenant.failedKinds.join(", ")}`}
          data-testid="failed-kinds"
        >
          {failedKindsLabel(tenant.failedKinds)}
        </Badge>
      ) : null}
      {tenant.captureCount === 0 ? (
        <Badge appearance="outline" color="informative" shape="rounded">
          Not captured yet
        </Badge>
      ) : null}
    </div>
  );
}
