import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../backend/fake";
import { renderApp } from "../test/render";

beforeEach(() => {
  window.localStorage.clear();
});

/** The theme the app's FluentProvider applies. */
function theme(): string | null {
  return document.querySelector(".fui-FluentProvider")?.getAttribute("data-theme") ?? null;
}

describe("Settings", () => {
  it("switches the theme for the whole app and remembers it", async () => {
    const user = userEvent.setup();
    window.history.replaceState(null, "", "/#/settings");
    const { unmount } = renderApp(new FakeBackend({ appInfo: { dbPath: "/data/plumbline.db" } }));
    expect(await screen.findByTestId("db-path")).toHaveTextContent("/data/plumbline.db");
    expect(screen.getByRole("radio", { name: "Follow the system" })).toBeChecked();
    expect(theme()).toBe("light"); // the test environment's system preference

    await user.click(screen.getByRole("radio", { name: "Dark" }));
    await waitFor(() => expect(theme()).toBe("dark"));
    expect(window.localStorage.getItem("plumbline.theme")).toBe("dark");

    unmount();
    renderApp(new FakeBackend());
    expect(screen.getByRole("radio", { name: "Dark" })).toBeChecked();
    await user.click(screen.getByRole("radio", { name: "Follow the system" }));
    await waitFor(() => expect(theme()).toBe("light"));
  });

  it("switches the whole interface to German and back, and remembers the choice", async () => {
    const user = userEvent.setup();
    window.history.replaceState(null, "", "/#/settings");
    const { unmount } = renderApp(new FakeBackend());
    const nav = () => within(screen.getByRole("navigation", { name: /^(Console|Konsole)$/ }));
    const choice = () => within(screen.getByTestId("interface-language-choice"));
    expect(
      await screen.findByRole("radio", { name: "Follow the system (now English)" }),
    ).toBeChecked();
    expect(document.documentElement.lang).toBe("en");

    await user.click(choice().getByRole("radio", { name: "Deutsch (German)" }));
    expect(
      await screen.findByRole("heading", { level: 1, name: "Einstellungen" }),
    ).toBeInTheDocument();
    expect(nav().getByRole("link", { name: "Befunde" })).toBeInTheDocument();
    expect(nav().queryByRole("link", { name: "Findings" })).toBeNull();
    expect(choice().getByRole("radio", { name: "Deutsch" })).toBeChecked();
    expect(document.documentElement.lang).toBe("de");
    expect(document.title).toBe("Einstellungen - Plumbline");
    expect(window.localStorage.getItem("plumbline.language")).toBe("de");

    unmount();
    renderApp(new FakeBackend());
    expect(
      await screen.findByRole("heading", { level: 1, name: "Einstellungen" }),
    ).toBeInTheDocument();
    await user.click(
      choice().getByRole("radio", { name: "Wie das System (derzeit English (Englisch))" }),
    );
    expect(await screen.findByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
    expect(window.localStorage.getItem("plumbline.language")).toBeNull();
  });
});
