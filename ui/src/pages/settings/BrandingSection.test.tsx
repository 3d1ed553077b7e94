import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendError } from "../../backend";
import { FakeBackend } from "../../backend/fake";
import { renderWithBackend } from "../../test/render";
import { BrandingSection } from "./BrandingSection";

const LOGO = "/home/msp/Pictures/acme.png";

function backend() {
  return new FakeBackend({
    settings: {
      logoFiles: {
        [LOGO]: { width: 240, height: 80, size: 5_120 },
        "/home/msp/Pictures/photo.png": { width: 1, height: 1, size: 10, notPng: true },
      },
    },
  });
}

describe("Settings: report branding", () => {
  it("saves the name, colour and logo, and previews the logo", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<BrandingSection />, fake);

    const name = await screen.findByLabelText(/MSP name/);
    expect(name).toHaveValue("");
    expect(screen.getByTestId("no-logo")).toHaveTextContent("No logo");
    await user.type(name, "Acme IT");
    const colour = screen.getByLabelText(/Accent colour/);
    await user.clear(colour);
    await user.type(colour, "#aa3300");
    // The cover preview follows the form before anything is saved.
    expect(screen.getByTestId("branding-preview")).toHaveTextContent("Acme IT");
    // The logo comes from the system's picker, never a typed path.
    fake.picks.push(LOGO);
    await user.click(screen.getByRole("button", { name: "Choose image…" }));
    await waitFor(() => expect(screen.getByLabelText(/Logo \(optional\)/)).toHaveValue(LOGO));
    expect(fake.pickRequests).toEqual([{ kind: "png_image", title: "Logo (optional)" }]);
    await user.click(screen.getByRole("button", { name: "Save branding" }));

    expect(await screen.findByTestId("branding-saved")).toHaveTextContent("Branding saved");
    const preview = screen.getByRole("img", { name: "Saved logo, 240 × 80 pixels" });
    expect(preview.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    expect(screen.getByText(LOGO)).toBeInTheDocument();
    // Shown as stored: upper case; the path field is empty again.
    expect(screen.getByLabelText(/Accent colour/)).toHaveValue("#AA3300");
    expect(screen.getByLabelText(/Replace the logo/)).toHaveValue("");
    expect(await fake.reportSettings()).toMatchObject({
      mspName: "Acme IT",
      accentColour: "#AA3300",
      logo: { source: LOGO, width: 240, height: 80 },
    });
    expect(screen.getByText(/Last saved/)).toBeInTheDocument();
  });

  it("removes the saved logo only when saved, and can keep it", async () => {
    const user = userEvent.setup();
    const fake = backend();
    await fake.saveBranding({ mspName: "Acme", accentColour: "#000000", logoPath: LOGO, removeLogo: false });
    renderWithBackend(<BrandingSection />, fake);

    await user.click(await screen.findByRole("button", { name: "Remove logo" }));
    expect(screen.getByTestId("no-logo")).toHaveTextContent("removed when you save");
    await user.click(screen.getByRole("button", { name: "Keep the logo" }));
    expect(screen.getByRole("img", { name: /Saved logo/ })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Remove logo" }));
    await user.click(screen.getByRole("button", { name: "Save branding" }));
    expect(await screen.findByTestId("branding-saved")).toBeInTheDocument();
    expect(screen.getByTestId("no-logo")).toHaveTextContent("No logo");
    expect((await fake.reportSettings()).logo).toBeNull();
  });

  it("says what to fix when the colour or the logo is refused, and keeps what was saved", async () => {
    const user = userEvent.setup();
    const fake = backend();
    renderWithBackend(<BrandingSection />, fake);

    await user.type(await screen.findByLabelText(/MSP name/), "Acme");
    const colour = screen.getByLabelText(/Accent colour/);
    await user.clear(colour);
    await user.type(colour, "navy");
    expect(screen.getByText("Six hexadecimal digits after the #.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save branding" }));
    const error = await screen.findByTestId("branding-error");
    expect(error).toHaveTextContent("Couldn't save the branding");
    expect(error).toHaveTextContent("#RRGGBB");

    await user.clear(colour);
    await user.type(colour, "#1F4E79");
    fake.picks.push("/home/msp/Pictures/photo.png");
    await user.click(screen.getByRole("button", { name: "Choose image…" }));
    await waitFor(() =>
      expect(screen.getByLabelText(/Logo \(optional\)/)).toHaveValue("/home/msp/Pictures/photo.png"),
    );
    await user.click(screen.getByRole("button", { name: "Save branding" }));
    await waitFor(() =>
      expect(screen.getByTestId("branding-error")).toHaveTextContent(
        "is not a PNG image reports can use",
      ),
    );
    expect(screen.queryByTestId("branding-saved")).not.toBeInTheDocument();
    expect((await fake.reportSettings()).savedAt).toBeNull();
  });

  it("shows a load failure with a retry", async () => {
    const user = userEvent.setup();
    const fake = backend();
    fake.fail("reportSettings", new BackendError("database", "database is locked"));
    renderWithBackend(<BrandingSection />, fake);

    const region = await screen.findByRole("region", { name: "Report branding" });
    expect(await within(region).findByText(/database is locked/)).toBeInTheDocument();
    fake.fail("reportSettings", null);
    await user.click(within(region).getByRole("button", { name: "Retry" }));
    expect(await screen.findByLabelText(/MSP name/)).toBeInTheDocument();
  });
});
