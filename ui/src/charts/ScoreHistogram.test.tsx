import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { histogramLabel, ScoreHistogram, type HistogramBucket } from "./ScoreHistogram";

function buckets(counts: number[]): HistogramBucket[] {
  return counts.map((count, i) => ({ from: i * 10, to: i === 9 ? 100 : i * 10 + 9, count }));
}

function renderHistogram(counts: number[]) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <ScoreHistogram buckets={buckets(counts)} />
    </FluentProvider>,
  );
}

describe("ScoreHistogram", () => {
  it("summarises the non-empty buckets for screen readers", () => {
    expect(histogramLabel(buckets([0, 0, 0, 0, 0, 1, 0, 2, 0, 12]))).toBe(
      "Score distribution of 15 tenants: 50–59: 1, 70–79: 2, 90–100: 12",
    );
    expect(histogramLabel(buckets([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(
      "Score distribution: no tenant has a score yet",
    );
  });

  it("draws a bar per bucket, as tall as its count, labelled with the count", () => {
    renderHistogram([0, 0, 0, 0, 0, 1, 0, 2, 0, 4]);
    const svg = screen.getByRole("img", { name: /Score distribution of 7 tenants/ });
    const bars = within(svg.parentElement ?? svg).getAllByTestId("histogram-bar");
    expect(bars.map((bar) => bar.getAttribute("data-count"))).toEqual([
      "0", "0", "0", "0", "0", "1", "0", "2", "0", "4",
    ]);
    const heights = bars.map((bar) => Number(bar.querySelector("rect")?.getAttribute("height")));
    // The tallest bar fills the plot; the others scale with their counts.
    expect(heights[9]).toBeGreaterThan(heights[7] ?? 0);
    expect((heights[7] ?? 0) / (heights[9] ?? 1)).toBeCloseTo(0.5);
    expect(heights[0]).toBe(2);
    // Counts over the bars, bucket names under them.
    const texts = (bar: Element) => [...bar.querySelectorAll("text")].map((t) => t.textContent);
    expect(texts(bars[9] as Element)).toEqual(["4", "90–100"]);
    expect(texts(bars[0] as Element)).toEqual(["0–9"]);
    expect(bars[7]?.querySelector("title")?.textContent).toBe("70–79: 2 tenants");
    expect(bars[5]?.querySelector("title")?.textContent).toBe("50–59: 1 tenant");
  });

  it("gives the same numbers as a table", () => {
    renderHistogram([3, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const table = screen.getByRole("table", { name: "Tenants by latest score" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(10);
    expect(rows.map((row) => row.textContent)).toEqual([
      "0–93", "10–190", "20–290", "30–390", "40–490", "50–590", "60–690", "70–790", "80–890", "90–1001",
    ]);
  });
});
