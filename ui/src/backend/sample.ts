// Sample tenants for running the UI in a plain browser (`npm run dev`), where there is
// no desktop backend. The shell labels them as sample data wherever they are shown.

import { FakeBackend, makeTenant } from "./fake";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function hoursAgo(now: number, hours: number): string {
  return new Date(now - hours * HOUR).toISOString();
}

export function createSampleBackend(now: number = Date.now()): FakeBackend {
  return new FakeBackend({
    latencyMs: 300,
    appInfo: { version: "browser-preview", dbPath: "(none: sample data in the browser)" },
    tenants: [
      makeTenant({
        name: "Contoso Ltd",
        primaryDomain: "contoso.com",
        captureCount: 14,
        lastCaptureAt: hoursAgo(now, 3),
        itemCount: 212,
      }),
      makeTenant({
        name: "Fabrikam Inc",
        primaryDomain: "fabrikam.com",
        captureCount: 9,
        lastCaptureAt: hoursAgo(now, 3 * 24 + 5),
        itemCount: 187,
        failedKinds: ["conditional_access_policy", "settings_catalog"],
      }),
      makeTenant({
        name: "Northwind Traders",
        primaryDomain: "northwindtraders.com",
        captureCount: 2,
        lastCaptureAt: new Date(now - 40 * DAY).toISOString(),
        itemCount: 96,
      }),
      makeTenant({
        name: "Tailspin Toys",
        primaryDomain: "tailspintoys.com",
        captureCount: 0,
      }),
      makeTenant({
        name: "Woodgrove Bank",
        primaryDomain: "woodgrovebank.com",
        captureCount: 31,
        lastCaptureAt: hoursAgo(now, 0.2),
        itemCount: 344,
      }),
    ],
  });
}
