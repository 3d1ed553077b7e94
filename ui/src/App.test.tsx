import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { FakeBackend, makePack } from "./backend/fake";
import { PAGES } from "./pages";
import { messages } from "./shell/messages";
import { restoreLastView } from "./router";
import { TENANTS } from "./test/fixtures";
import { renderApp } from "./test/render";

function navigation() {
  return within(screen.getByRole("navigation", { name: "Console" }));
}

function navLink(label: string): HTMLElement {
  return navigation().getByRole("link", { name: label });
}

describe("App shell", () => {
  it("shows the product name, every page in the navigation, and opens on Portfolio", async () => {
    renderApp(new FakeBackend({ tenants: TENANTS }));

    expect(screen.getByRole("banner")).toHaveTextContent("Plumbline");
    expect(navigation().getAllByRole("link").map((link) => link.textContent)).toEqual(
      PAGES.map((page) => messages.en.pages[page.id]),
    );
    expect(screen.getByRole("heading", { level: 1, name: "Portfolio" })).toBeInTheDocument();
    expect(navLink("Portfolio")).toHaveAttribute("aria-current", "page");
    expect(await screen.findAllByTestId("tenant-row")).toHaveLength(TENANTS.length);
    expect(document.title).toBe("Portfolio - Plumbline");
  });

  it("switches pages from the navigation and highlights the selected item", async () => {
    const user = userEvent.setup();
    renderApp(new FakeBackend({ tenants: TENANTS }));

    await user.click(navLink("Findings"));

    expect(await screen.findByRole("heading", { level: 1, name: "Findings" })).toBeInTheDocument();
    const empty = await screen.findByTestId("findings-empty");
    expect(empty).toHaveTextContent("Findings appear after a review");
    expect(empty).toHaveTextContent("plumbline review");
    expect(screen.queryByTestId("tenant-table")).not.toBeInTheDocument();
    expect(navLink("Findings")).toHaveAttribute("aria-current", "page");
    expect(navLink("Portfolio")).not.toHaveAttribute("aria-current", "page");
    expect(window.location.hash).toBe("#/findings");
    expect(document.title).toBe("Findings - Plumbline");

    await user.click(navLink("Portfolio"));
    expect(await screen.findByTestId("tenant-table")).toBeInTheDocument();
  });

  it("reaches the navigation with Tab and opens a page with Enter", async () => {
    const user = userEvent.setup();
    renderApp(new FakeBackend({ tenants: TENANTS }));
    const target = navLink("Baselines");

    // Tab forward from the top of the page until the Baselines link has focus.
    for (let presses = 0; presses < 12 && document.activeElement !== target; presses++) {
      await user.tab();
    }
    expect(target).toHaveFocus();

    await user.keyboard("{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "Baselines" })).toBeInTheDocument();
    expect(navLink("Baselines")).toHaveAttribute("aria-current", "page");
  });

  it("moves between navigation items with the arrow keys", async () => {
    const user = userEvent.setup();
    renderApp(new FakeBackend({ tenants: TENANTS }));
    navLink("Tenants").focus();

    await user.keyboard("{ArrowDown}");
    expect(navLink("Baselines")).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(navLink("Portfolio")).toHaveFocus();
  });

  it("opens every page from the navigation, each with its own heading", async () => {
    const user = userEvent.setup();
    renderApp(new FakeBackend({ tenants: TENANTS }));

    for (const page of PAGES) {
      const label = messages.en.pages[page.id];
      await user.click(navLink(label));
      expect(
        await screen.findByRole("heading", { level: 1, name: label }),
      ).toBeInTheDocument();
      expect(navLink(label)).toHaveAttribute("aria-current", "page");
      expect(document.title).toBe(`${label} - Plumbline`);
    }
  });

  it("opens the Reports page from the navigation", async () => {
    const user = userEvent.setup();
    renderApp(new FakeBackend({ tenants: TENANTS }));

    await user.click(navLink("Reports"));
    expect(await screen.findByRole("heading", { level: 1, name: "Reports" })).toBeInTheDocument();
    expect(await screen.findByTestId("reports-empty")).toHaveTextContent("Generate report");
    expect(screen.queryByTestId("empty-page")).not.toBeInTheDocument();
  });

  it("opens the page named in the address, or Portfolio for an unknown one", async () => {
    window.history.replaceState(null, "", "/#/evidence");
    const { unmount } = renderApp(new FakeBackend());
    expect(screen.getByRole("heading", { level: 1, name: "Evidence" })).toBeInTheDocument();
    unmount();

    window.history.replaceState(null, "", "/#/no-such-page");
    renderApp(new FakeBackend());
    expect(screen.getByRole("heading", { level: 1, name: "Portfolio" })).toBeInTheDocument();
    expect(await screen.findByTestId("portfolio-empty")).toBeInTheDocument();
  });

  it("collapses and expands the navigation from the top bar", async () => {
    const user = userEvent.setup();
    renderApp(new FakeBackend());
    const toggle = screen.getByRole("button", { name: "Collapse navigation" });
    expect(toggle).toHaveAttribute("aria-expanded", "true");

    await user.click(toggle);
    expect(screen.getByRole("button", { name: "Expand navigation" })).toHaveAttribute(
      "aria-expanded",
      "false",
    );
    expect(screen.queryByRole("link", { name: "Findings" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Expand navigation" }));
    expect(await screen.findByRole("link", { name: "Findings" })).toBeVisible();
  });

  it("labels sample data when running outside the desktop app", async () => {
    renderApp(new FakeBackend({ tenants: TENANTS }), { isSampleData: true });
    expect(screen.getByTestId("sample-notice")).toHaveTextContent(
      "Running outside the desktop app: sample data",
    );
    await screen.findAllByTestId("tenant-row");
  });

  it("shows no sample-data notice for the real backend", async () => {
    renderApp(new FakeBackend({ tenants: TENANTS }));
    await screen.findAllByTestId("tenant-row");
    expect(screen.queryByTestId("sample-notice")).not.toBeInTheDocument();
  });
});

describe("portals", () => {
  it("do not cover the app: tooltips' mount nodes take no height", async () => {
    window.history.replaceState(null, "", "/#/evidence");
    renderApp(new FakeBackend({ evidence: { packs: [makePack({ id: "p-1", tenant: "Contoso" })] } }));
    // The pack's row has tooltips (its SHA-256, its file), rendered in portals.
    await screen.findByTestId("pack-row");
    const app = screen.getByRole("main");
    const portals = [...document.body.children].filter(
      (node) => node.classList.contains("fui-FluentProvider") && !node.contains(app),
    );
    expect(portals.length).toBeGreaterThan(0);
    for (const portal of portals) {
      expect(window.getComputedStyle(portal).height).not.toBe("100%");
    }
  });
});

describe("last view", () => {
  it("is remembered and restored when the app starts without a page", async () => {
    const user = userEvent.setup();
    window.localStorage.clear();
    renderApp(new FakeBackend({ tenants: TENANTS }));
    await user.click(navLink("Reports"));
    expect(window.localStorage.getItem("plumbline.lastView")).toBe("#/reports");

    window.history.replaceState(null, "", "/");
    restoreLastView();
    expect(window.location.hash).toBe("#/reports");
    window.history.replaceState(null, "", "/#/findings");
    restoreLastView();
    expect(window.location.hash).toBe("#/findings");
  });
});
