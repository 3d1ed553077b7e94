import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { LanguageSection } from "./LanguageSection";

describe("Settings: report language", () => {
  it("saves the default report language when chosen", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend();
    renderWithBackend(<LanguageSection />, fake);

    expect(await screen.findByRole("radio", { name: "English" })).toBeChecked();
    await user.click(screen.getByRole("radio", { name: "Deutsch (German)" }));
    expect(await screen.findByTestId("language-saved")).toHaveTextContent(
      "New reports are written in Deutsch (German).",
    );
    expect((await fake.reportSettings()).language).toBe("de");
    expect(fake.calls.setReportLanguage).toBe(1);
  });

  it("goes back to the saved language when saving fails", async () => {
    const user = userEvent.setup();
    const fake = new FakeBackend({ settings: { report: { language: "de" } } });
    fake.fail("setReportLanguage", new BackendError("database", "database is locked"));
    renderWithBackend(<LanguageSection />, fake);

    expect(await screen.findByRole("radio", { name: "Deutsch (German)" })).toBeChecked();
    await user.click(screen.getByRole("radio", { name: "English" }));
    expect(await screen.findByTestId("language-error")).toHaveTextContent("database is locked");
    await waitFor(() => expect(screen.getByRole("radio", { name: "Deutsch (German)" })).toBeChecked());
    expect((await fake.reportSettings()).language).toBe("de");
  });
});
