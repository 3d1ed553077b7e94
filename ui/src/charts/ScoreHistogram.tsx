// How many tenants score in each ten-point band: a bar per bucket, labelled with its
// count, coloured by score band. Hand-written SVG in Fluent tokens; screen readers get a
// summary on the image and the same numbers as a (visually hidden) table.

import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { formatNumber } from "../format";
import { messagesNow, useMessages } from "../i18n";
import { messages, type ChartMessages } from "./messages";
import { visuallyHidden } from "./visuallyHidden";

export interface HistogramBucket {
  from: number;
  to: number;
  count: number;
}

const WIDTH = 400;
const HEIGHT = 160;
const AXIS = 20;
const TOP = 16;
const GAP = 6;

const useStyles = makeStyles({
  svg: {
    display: "block",
    width: "100%",
    maxWidth: "560px",
    height: "auto",
  },
  poor: { fill: tokens.colorPaletteRedBackground3 },
  fair: { fill: tokens.colorPaletteMarigoldBackground3 },
  good: { fill: tokens.colorPaletteGreenBackground3 },
  empty: { fill: tokens.colorNeutralStroke2 },
  count: {
    fill: tokens.colorNeutralForeground1,
    fontSize: "11px",
    fontFamily: tokens.fontFamilyBase,
  },
  axisLabel: {
    fill: tokens.colorNeutralForeground3,
    fontSize: "10px",
    fontFamily: tokens.fontFamilyBase,
  },
  axis: {
    stroke: tokens.colorNeutralStroke1,
    strokeWidth: "1px",
  },
  hidden: visuallyHidden,
});

export function bucketLabel(bucket: HistogramBucket): string {
  return `${bucket.from}–${bucket.to}`;
}

/** The image's summary: how many tenants, and the count of every non-empty bucket. */
export function histogramLabel(
  buckets: readonly HistogramBucket[],
  m: ChartMessages = messagesNow(messages),
): string {
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return m.histogramEmpty;
  const parts = buckets
    .filter((b) => b.count > 0)
    .map((b) => m.bucketPart(bucketLabel(b), b.count));
  return m.histogramLabel(total, parts);
}

function band(bucket: HistogramBucket): "poor" | "fair" | "good" {
  if (bucket.from >= 90) return "good";
  if (bucket.from >= 70) return "fair";
  return "poor";
}

export function ScoreHistogram(props: { buckets: readonly HistogramBucket[] }) {
  const styles = useStyles();
  const m = useMessages(messages);
  const { buckets } = props;
  const highest = Math.max(1, ...buckets.map((b) => b.count));
  const slot = WIDTH / Math.max(1, buckets.length);
  const plot = HEIGHT - AXIS - TOP;
  const label = histogramLabel(buckets, m);
  return (
    <div data-testid="score-histogram">
      <svg
        className={styles.svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={label}
      >
        <title>{label}</title>
        {buckets.map((bucket, i) => {
          const height = bucket.count === 0 ? 2 : Math.max(3, (bucket.count / highest) * plot);
          const x = i * slot + GAP / 2;
          const y = TOP + plot - height;
          return (
            <g key={bucket.from} data-testid="histogram-bar" data-count={bucket.count}>
              <rect
                className={mergeClasses(bucket.count === 0 ? styles.empty : styles[band(bucket)])}
                x={x}
                y={y}
                width={slot - GAP}
                height={height}
                rx={2}
              >
                <title>{`${bucketLabel(bucket)}: ${m.tenantCount(bucket.count)}`}</title>
              </rect>
              {bucket.count > 0 ? (
                <text
                  className={styles.count}
                  x={x + (slot - GAP) / 2}
                  y={y - 4}
                  textAnchor="middle"
                >
                  {formatNumber(bucket.count)}
                </text>
              ) : null}
              <text
                className={styles.axisLabel}
                x={x + (slot - GAP) / 2}
                y={HEIGHT - 6}
                textAnchor="middle"
              >
                {bucketLabel(bucket)}
              </text>
            </g>
          );
        })}
        <line className={styles.axis} x1={0} x2={WIDTH} y1={TOP + plot} y2={TOP + plot} />
      </svg>
      <table className={styles.hidden}>
        <caption>{m.histogramCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.scoreColumn}</th>
            <th scope="col">{m.tenantsColumn}</th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((bucket) => (
            <tr key={bucket.from}>
              <th scope="row">{bucketLabel(bucket)}</th>
              <td>{bucket.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
