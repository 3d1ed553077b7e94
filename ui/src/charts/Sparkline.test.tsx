import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Sparkline, sparklineDomain, sparklineLabel, sparklinePoints } from "./Sparkline";

function renderSparkline(points: { at: string; score: number }[]) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <Sparkline points={points} width={100} height={20} />
    </FluentProvider>,
  );
}

const at = (day: number) => `2026-11-${String(day).padStart(2, "0")}T00:00:00Z`;

describe("Sparkline", () => {
  it("draws the scores' range, widened to ten points and kept within 0–100", () => {
    expect(sparklineDomain([70, 90])).toEqual([70, 90]);
    expect(sparklineDomain([80, 82])).toEqual([76, 86]);
    expect(sparklineDomain([50])).toEqual([45, 55]);
    expect(sparklineDomain([1, 2])).toEqual([0, 10]);
    expect(sparklineDomain([99, 100])).toEqual([90, 100]);
  });

  it("spaces the points evenly, oldest left, highest score at the top", () => {
    expect(sparklinePoints([70, 90, 80], 100, 20)).toEqual([
      { x: 0, y: 20 },
      { x: 50, y: 0 },
      { x: 100, y: 10 },
    ]);
    expect(sparklinePoints([50], 100, 20)).toEqual([{ x: 50, y: 10 }]);
  });

  it("says the trend in words", () => {
    expect(sparklineLabel([])).toBe("No reviews yet");
    expect(sparklineLabel([{ at: at(1), score: 80 }])).toBe("Score 80.0 after one review");
    expect(
      sparklineLabel([
        { at: at(1), score: 81.5 },
        { at: at(2), score: 90 },
        { at: at(3), score: 74.25 },
      ]),
    ).toBe("Score trend over 3 reviews: from 81.5 to 74.3, down 7.3");
    expect(
      sparklineLabel([
        { at: at(1), score: 60 },
        { at: at(2), score: 72 },
      ]),
    ).toBe("Score trend over 2 reviews: from 60.0 to 72.0, up 12.0");
    expect(
      sparklineLabel([
        { at: at(1), score: 60 },
        { at: at(2), score: 60.01 },
      ]),
    ).toMatch(/unchanged$/);
  });

  it("renders a labelled line with the latest score as a dot", () => {
    renderSparkline([
      { at: at(1), score: 70 },
      { at: at(2), score: 90 },
      { at: at(3), score: 80 },
    ]);
    const svg = screen.getByRole("img", { name: /from 70.0 to 80.0, up 10.0/ });
    expect(svg.querySelector("polyline")?.getAttribute("points")).toBe("0.0,20.0 50.0,0.0 100.0,10.0");
    const dot = svg.querySelector("circle");
    expect([dot?.getAttribute("cx"), dot?.getAttribute("cy")]).toEqual(["100", "10"]);
  });

  it("draws a single review as a dot alone, and no reviews as words", () => {
    const { unmount } = renderSparkline([{ at: at(1), score: 64 }]);
    const svg = screen.getByRole("img", { name: "Score 64.0 after one review" });
    expect(svg.querySelector("polyline")).toBeNull();
    expect(svg.querySelectorAll("circle")).toHaveLength(1);
    unmount();
    renderSparkline([]);
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
    expect(screen.getByTestId("sparkline-none")).toHaveTextContent("No reviews");
  });
});
