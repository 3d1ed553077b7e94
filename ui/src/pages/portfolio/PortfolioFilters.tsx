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
import { useMessages } from "../../i18n";
import { messages, type PortfolioMessages } from "./messages";
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

const DEMO_OPTIONS: readonly DemoFilter[] = ["all", "demo", "real"];

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

function baselineText(baseline: string | null, m: PortfolioMessages): string {
  if (baseline === null) return m.anyBaseline;
  if (baseline === NO_BASELINE) return m.noBaseline;
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
  const m = useMessages(messages);
  const { filter, onChange } = props;
  const set = (changes: Partial<PortfolioFilter>) => onChange({ ...filter, ...changes });
  const count =
    props.shown === props.total
      ? m.tenantCount(props.total)
      : m.shownOf(props.shown, props.total);
  return (
    <div className={styles.toolbar} role="search" aria-label={m.filterTenants}>
      <SearchBox
        className={styles.search}
        placeholder={m.searchPlaceholder}
        aria-label={m.searchTenants}
        value={filter.search}
        onChange={(_, data) => set({ search: data.value })}
        data-testid="portfolio-search"
      />
      <Checkbox
        label={m.criticalOrHigh}
        checked={filter.criticalOrHigh}
        onChange={(_, data) => set({ criticalOrHigh: data.checked === true })}
        data-testid="filter-critical-high"
      />
      <Checkbox
        label={m.noCaptureIn(STALE_AFTER_DAYS)}
        checked={filter.stale}
        onChange={(_, data) => set({ stale: data.checked === true })}
        data-testid="filter-stale"
      />
      <Field label={m.tenants} orientation="horizontal">
        <Dropdown
          className={styles.dropdown}
          value={m.demoFilter[filter.demo]}
          selectedOptions={[filter.demo]}
          onOptionSelect={(_, data) => set({ demo: (data.optionValue as DemoFilter) ?? "all" })}
          data-testid="filter-demo"
        >
          {DEMO_OPTIONS.map((value) => (
            <Option key={value} value={value}>
              {m.demoFilter[value]}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label={m.baseline} orientation="horizontal">
        <Dropdown
          className={styles.dropdown}
          value={baselineText(filter.baseline, m)}
          selectedOptions={[baselineValue(filter.baseline)]}
          onOptionSelect={(_, data) => set({ baseline: baselineFrom(data.optionValue ?? "any") })}
          data-testid="filter-baseline"
        >
          <Option value="any">{m.anyBaseline}</Option>
          <Option value="none">{m.noBaseline}</Option>
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
          {m.clearFilters}
        </Button>
      ) : null}
      <Text className={styles.count} aria-live="polite" data-testid="tenant-count">
        {count}
      </Text>
    </div>
  );
}
