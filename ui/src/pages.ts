// The console's pages, in navigation order. The router and the navigation both read
// this list, so adding a page is one entry here plus its component.

import {
  Alert20Filled,
  Alert20Regular,
  Board20Filled,
  Board20Regular,
  Building20Filled,
  Building20Regular,
  bundleIcon,
  DocumentPdf20Filled,
  DocumentPdf20Regular,
  type FluentIcon,
  Ruler20Filled,
  Ruler20Regular,
  Settings20Filled,
  Settings20Regular,
  ShieldCheckmark20Filled,
  ShieldCheckmark20Regular,
  ShieldError20Filled,
  ShieldError20Regular,
} from "@fluentui/react-icons";

export type PageId =
  | "portfolio"
  | "tenants"
  | "baselines"
  | "findings"
  | "alerts"
  | "reports"
  | "evidence"
  | "settings";

export interface PageDefinition {
  id: PageId;
  /** Regular outline, filled when selected (Fluent's bundled icon). */
  icon: FluentIcon;
}

export const PAGES: readonly PageDefinition[] = [
  { id: "portfolio", icon: bundleIcon(Board20Filled, Board20Regular) },
  { id: "tenants", icon: bundleIcon(Building20Filled, Building20Regular) },
  { id: "baselines", icon: bundleIcon(Ruler20Filled, Ruler20Regular) },
  {
    id: "findings",
    icon: bundleIcon(ShieldError20Filled, ShieldError20Regular),
  },
  { id: "alerts", icon: bundleIcon(Alert20Filled, Alert20Regular) },
  { id: "reports", icon: bundleIcon(DocumentPdf20Filled, DocumentPdf20Regular) },
  {
    id: "evidence",
    icon: bundleIcon(ShieldCheckmark20Filled, ShieldCheckmark20Regular),
  },
  { id: "settings", icon: bundleIcon(Settings20Filled, Settings20Regular) },
];

export const DEFAULT_PAGE: PageId = "portfolio";
