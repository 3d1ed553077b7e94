import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { BackendProvider, createDefaultBackend } from "./backend";
import { restoreLastView } from "./router";
import "./index.css";

// Startup marks (bench-desktop reads them): the bundle has loaded and run its imports.
performance.mark("plumbline:bundle-evaluated");

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

restoreLastView();
const { backend, isSampleData } = createDefaultBackend();

createRoot(root).render(
  <StrictMode>
    <BackendProvider backend={backend} isSampleData={isSampleData}>
      <App />
    </BackendProvider>
  </StrictMode>,
);
