// The Portfolio's search and filters: name, domain or tag; an open critical or high
// finding; no capture in seven days; demo or real tenants; a baseline. They apply to the
// whole page (summary, charts and table).

import {
  Button,
  Checkbox,
  Dropdown,
  Field,
  makeStyles,
  Option,
  SearchBox,
  Text,
  tokens,
} from "@fluentui/react-components";
import { DismissRegular } from "@fluentui/react-icons";
import { formatCount, formatNumber } from "../../format";
import {
  EMPTY_FILTER,
  isFiltered,
  NO_BASELINE,
  STALE_AFTER_DAYS,
  type DemoFilter,
  type PortfolioFilter,
} from "./model";

const useStyles = makeStyles({
  toolbar: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
  },
  search: {
    width: "280px",
    maxWidth: "100%",
  },
  dropdown: {
    minWidth: "160px",
  },
  count: {
    color: tokens.colorNeutralForeground2,
    marginLeft: "auto",
  },
});

const DEMO_OPTIONS: readonly { value: DemoFilter; label: string }[] = [
  { value: "all", label: "Demo and real" },
  { value: "demo", label: "Demo only" },
  { value: "real", label: "Real only" },
];

// Dropdown values: "any", "none" or "b:" + the baseline's name (names can be anything).
function baselineValue(baseline: string | null): string {
  if (baseline === null) return "any";
  if (baseline === NO_BASELINE) return "none";
  return `b:${baseline}`;
}

function baselineFrom(value: string): string | null {
  if (value === "any") return null;
  if (value === "none") return NO_BASELINE;
  return value.slice(2);
}

function baselineText(baseline: string | null): string {
  if (baseline === null) return "Any baseline";
  if (baseline === NO_BASELINE) return "No baseline";
  return baseline;
}

export function PortfolioFilters(props: {
  filter: PortfolioFilter;
  onChange: (filter: PortfolioFilter) => void;
  baselines: readonly string[];
  shown: number;
  total: number;
}) {
  const styles = useStyles();
  const { filter, onChange } = props;
  const set = (changes: Partial<PortfolioFilter>) => onChange({ ...filter, ...changes });
  const count =
    props.shown === props.total
      ? formatCount(props.total, "tenant")
      : `${formatNumber(props.shown)} of ${formatCount(props.total, "tenant")}`;
  return (
    <div className={styles.toolbar} role="search" aria-label="Filter tenants">
      <SearchBox
        className={styles.search}
        placeholder="Search name, domain or tag"
        aria-label="Search tenants"
        value={filter.search}
        onChange={(_, data) => set({ search: data.value })}
        data-testid="portfolio-search"
      />
      <Checkbox
        label="Open critical or high"
        checked={filter.criticalOrHigh}
        onChange={(_, data) => set({ criticalOrHigh: data.checked === true })}
        data-testid="filter-critical-high"
      />
      <Checkbox
        label={`No capture in ${STALE_AFTER_DAYS} days`}
        checked={filter.stale}
        onChange={(_, data) => set({ stale: data.checked === true })}
        data-testid="filter-stale"
      />
      <Field label="Tenants" orientation="horizontal">
        <Dropdown
          className={styles.dropdown}
          value={DEMO_OPTIONS.find((o) => o.value === filter.demo)?.label ?? ""}
          selectedOptions={[filter.demo]}
          onOptionSelect={(_, data) => set({ demo: (data.optionValue as DemoFilter) ?? "all" })}
          data-testid="filter-demo"
        >
          {DEMO_OPTIONS.map((o) => (
            <Option key={o.value} value={o.value}>
              {o.label}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label="Baseline" orientation="horizontal">
        <Dropdown
          className={styles.dropdown}
          value={baselineText(filter.baseline)}
          selectedOptions={[baselineValue(filter.baseline)]}
          onOptionSelect={(_, data) => set({ baseline: baselineFrom(data.optionValue ?? "any") })}
          data-testid="filter-baseline"
        >
          <Option value="any">Any baseline</Option>
          <Option value="none">No baseline</Option>
          {props.baselines.map((name) => (
            <Option key={name} value={`b:${name}`} text={name}>
              {name}
            </Option>
          ))}
        </Dropdown>
      </Field>
      {isFiltered(filter) ? (
        <Button
          appearance="subtle"
          icon={<DismissRegular />}
          onClick={() => onChange(EMPTY_FILTER)}
          data-testid="clear-filters"
        >
          Clear filters
        </Button>
      ) : null}
      <Text className={styles.count} aria-live="polite" data-testid="tenant-count">
        {count}
      </Text>
    </div>
  );
}
