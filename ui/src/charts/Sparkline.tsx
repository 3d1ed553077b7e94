// A score trend drawn inline in a table cell: a line through the scores, oldest left,
// with the latest score as a dot. Hand-written SVG in Fluent tokens.

import { makeStyles, Text, tokens } from "@fluentui/react-components";
import { formatScore } from "../format";
import { messagesNow, useMessages } from "../i18n";
import { messages, type ChartMessages } from "./messages";

export interface SparklinePoint {
  at: string;
  score: number;
}

/** The smallest vertical range shown, in score points: small wobbles stay small. */
const MIN_SPAN = 10;

const useStyles = makeStyles({
  svg: {
    display: "block",
    overflow: "visible",
  },
  line: {
    fill: "none",
    stroke: tokens.colorBrandStroke1,
    strokeWidth: "1.5px",
    strokeLinejoin: "round",
    strokeLinecap: "round",
  },
  dot: {
    fill: tokens.colorBrandForeground1,
  },
  none: {
    color: tokens.colorNeutralForeground3,
  },
});

/** The vertical range drawn: the scores' range, widened to MIN_SPAN, within 0–100. */
export function sparklineDomain(scores: readonly number[]): [number, number] {
  if (scores.length === 0) return [0, 100];
  let low = Math.min(...scores);
  let high = Math.max(...scores);
  if (high - low < MIN_SPAN) {
    const middle = (low + high) / 2;
    low = middle - MIN_SPAN / 2;
    high = middle + MIN_SPAN / 2;
  }
  if (low < 0) {
    high -= low;
    low = 0;
  }
  if (high > 100) {
    low = Math.max(0, low - (high - 100));
    high = 100;
  }
  return [low, high];
}

/** Where each score is drawn in a `width` × `height` box (evenly spaced, oldest left). */
export function sparklinePoints(
  scores: readonly number[],
  width: number,
  height: number,
): { x: number; y: number }[] {
  const [low, high] = sparklineDomain(scores);
  const step = scores.length > 1 ? width / (scores.length - 1) : 0;
  return scores.map((score, i) => ({
    x: scores.length > 1 ? i * step : width / 2,
    y: height - ((score - low) / (high - low)) * height,
  }));
}

/** What the sparkline says to a screen reader. */
export function sparklineLabel(
  points: readonly SparklinePoint[],
  m: ChartMessages = messagesNow(messages),
): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return m.noReviewsYet;
  if (points.length === 1) return m.oneReview(formatScore(last.score));
  const change = last.score - first.score;
  const size = formatScore(Math.abs(change));
  const direction =
    Math.abs(change) < 0.05 ? m.unchanged : change > 0 ? m.up(size) : m.down(size);
  return m.trend(points.length, formatScore(first.score), formatScore(last.score), direction);
}

export function Sparkline(props: {
  points: readonly SparklinePoint[];
  width?: number;
  height?: number;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const width = props.width ?? 96;
  const height = props.height ?? 24;
  const label = sparklineLabel(props.points, m);
  if (props.points.length === 0) {
    return (
      <Text size={200} className={styles.none} data-testid="sparkline-none">
        {m.noReviews}
      </Text>
    );
  }
  const drawn = sparklinePoints(
    props.points.map((p) => p.score),
    width,
    height,
  );
  const last = drawn[drawn.length - 1];
  return (
    <svg
      className={styles.svg}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      data-testid="sparkline"
    >
      <title>{label}</title>
      {drawn.length > 1 ? (
        <polyline
          className={styles.line}
          points={drawn.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ")}
        />
      ) : null}
      {last ? <circle className={styles.dot} cx={last.x} cy={last.y} r={2.5} /> : null}
    </svg>
  );
}
