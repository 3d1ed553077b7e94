import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../../backend/fake";
import { FINDINGS, NOW, TENANTS } from "../../test/fixtures";
import { renderWithBackend } from "../../test/render";
import { Findings } from "./Findings";
import { EMPTY_FILTER, isCurrent, loadViews, nameProblem, saveView } from "./savedViews";

function backend() {
  return new FakeBackend({
    tenants: TENANTS,
    console: { findings: FINDINGS, actor: "alice", now: () => NOW.getTime() },
  });
}

async function count(text: string) {
  await waitFor(() => expect(screen.getByTestId("findings-count")).toHaveTextContent(text));
}

beforeEach(() => {
  window.localStorage.clear();
});

describe("saved views", () => {
  it("applies a built-in view", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<Findings />, fake);
    await count("4 of 4");
    await user.click(screen.getByTestId("views-button"));
    const builtIn = await screen.findByTestId("views-built-in");
    await user.click(within(builtIn).getByRole("button", { name: "Overdue critical and high" }));
    await count("1 of 4");
    const query = fake.console.queries.at(-1);
    expect(query?.due).toBe("overdue");
    expect(query?.severities).toEqual(["critical", "high"]);
  });

  it("saves the current filters under a name, applies and deletes it, and keeps it across visits", async () => {
    const user = userEvent.setup();
    const { unmount } = renderWithBackend(<Findings />, backend());
    await count("4 of 4");
    await user.type(screen.getByRole("searchbox", { name: "Search findings" }), "password");
    await count("1 of 4");

    await user.click(screen.getByTestId("views-button"));
    expect(await screen.findByTestId("views-none")).toBeInTheDocument();
    await user.click(screen.getByTestId("view-save"));
    expect(screen.getByText("Give the view a name.")).toBeInTheDocument();
    await user.type(screen.getByTestId("view-name"), "Passwords{Enter}");
    const saved = await screen.findByTestId("views-saved");
    const apply = within(saved).getByRole("button", { name: "Passwords" });
    expect(apply).toHaveAttribute("aria-current", "true");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("views-saved")).not.toBeInTheDocument());

    // The popover's focus trap hides the page from assistive tech until it has closed.
    await user.click(await screen.findByRole("button", { name: "Reset filters" }));
    await count("4 of 4");
    unmount();

    renderWithBackend(<Findings />, backend());
    await count("4 of 4");
    await user.click(screen.getByTestId("views-button"));
    await user.click(
      within(await screen.findByTestId("views-saved")).getByRole("button", { name: "Passwords" }),
    );
    await count("1 of 4");
    // Found once the view list's popover has closed (its focus trap hides the page).
    expect(await screen.findByRole("searchbox", { name: "Search findings" })).toHaveValue("password");

    await user.click(screen.getByTestId("views-button"));
    await user.click(await screen.findByRole("button", { name: "Delete “Passwords”" }));
    expect(await screen.findByTestId("views-none")).toBeInTheDocument();
    expect(loadViews()).toEqual([]);
  });

  it("replaces a view of the same name and refuses built-in names", () => {
    let views = saveView([], "Mine", { ...EMPTY_FILTER, search: "a" });
    views = saveView(views, " mine ", { ...EMPTY_FILTER, search: "b" });
    expect(views).toEqual([{ name: "mine", filter: { ...EMPTY_FILTER, search: "b" } }]);
    expect(loadViews()).toEqual(views);
    expect(nameProblem("accepted RISKS")).toBe("A built-in view has that name: choose another.");
    expect(nameProblem("x".repeat(61))).toBe("Keep the name under 60 characters.");
    expect(nameProblem("Contoso")).toBeNull();
  });

  it("marks a view current whatever the order of its choices, and reads damaged storage as none", () => {
    const view = { name: "v", filter: { ...EMPTY_FILTER, severities: ["high", "critical"] } };
    expect(isCurrent(view, { ...EMPTY_FILTER, severities: ["critical", "high"] })).toBe(true);
    expect(isCurrent(view, EMPTY_FILTER)).toBe(false);
    window.localStorage.setItem("plumbline.findings.views", "{ not json");
    expect(loadViews()).toEqual([]);
    window.localStorage.setItem("plumbline.findings.views", JSON.stringify([{ name: 3 }, { name: "ok", filter: {} }]));
    expect(loadViews()).toEqual([{ name: "ok", filter: EMPTY_FILTER }]);
  });
});
