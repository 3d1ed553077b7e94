import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Settings follow the Tauri guide for Vite: a fixed dev port that the desktop shell's
// `devUrl` points at, Tauri's env variables exposed to the client, and a build target
// that WebKitGTK (Safari 13 level, the Linux webview) can run.
export default defineConfig({
  plugins: [react()],
  base: "./",
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  envPrefix: ["VITE_", "TAURI_ENV_*"],
  build: {
    target: "safari13",
    outDir: "dist",
    emptyOutDir: true,
    // The bundle is loaded from inside the desktop binary, not over a network; pages other
    // than the Portfolio are split off (see shell/Shell.tsx) to shorten a cold start. The
    // limit flags unexpected growth of the main chunk (React + Fluent + Portfolio ≈ 470 kB).
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./vitest.setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // Whole-flow tests type into several fields through user-event; on a 2-core machine
    // busy with a cargo build one takes 3-5 s, so the 5 s default fails them at random.
    testTimeout: 20_000,
  },
});
