// Rendering helpers for component tests: the real theme and providers around a fake
// backend.

import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { App } from "../App";
import { BackendProvider, type Backend } from "../backend";

export function renderWithBackend(
  ui: ReactElement,
  backend: Backend,
  options: { isSampleData?: boolean } = {},
): RenderResult {
  return render(
    <FluentProvider theme={webLightTheme}>
      <BackendProvider backend={backend} isSampleData={options.isSampleData ?? false}>
        {ui}
      </BackendProvider>
    </FluentProvider>,
  );
}

/** The whole console, as main.tsx mounts it. */
export function renderApp(backend: Backend, options: { isSampleData?: boolean } = {}) {
  return render(
    <BackendProvider backend={backend} isSampleData={options.isSampleData ?? false}>
      <App />
    </BackendProvider>,
  );
}
