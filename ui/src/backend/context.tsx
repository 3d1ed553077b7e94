// Hands the Backend to components. Tests wrap the app in a provider with a fake.

import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { Backend } from "./types";

interface BackendContextValue {
  backend: Backend;
  /** True when the data is sample data made up by the UI, not the user's database. */
  isSampleData: boolean;
}

const BackendContext = createContext<BackendContextValue | null>(null);

export function BackendProvider(props: {
  backend: Backend;
  isSampleData?: boolean;
  children: ReactNode;
}) {
  const { backend, isSampleData = false, children } = props;
  const value = useMemo(() => ({ backend, isSampleData }), [backend, isSampleData]);
  return <BackendContext.Provider value={value}>{children}</BackendContext.Provider>;
}

function useBackendContext(): BackendContextValue {
  const value = useContext(BackendContext);
  if (!value) throw new Error("Backend hooks must be used inside <BackendProvider>.");
  return value;
}

export function useBackend(): Backend {
  return useBackendContext().backend;
}

export function useIsSampleData(): boolean {
  return useBackendContext().isSampleData;
}
