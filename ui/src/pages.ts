// The console's pages, in navigation order. The router and the navigation both read
// this list, so adding a page is one entry here plus its component.

import {
  BoardFilled,
  BoardRegular,
  BuildingFilled,
  BuildingRegular,
  bundleIcon,
  DocumentPdfFilled,
  DocumentPdfRegular,
  type FluentIcon,
  RulerFilled,
  RulerRegular,
  SettingsFilled,
  SettingsRegular,
  ShieldCheckmarkFilled,
  ShieldCheckmarkRegular,
  ShieldErrorFilled,
  ShieldErrorRegular,
} from "@fluentui/react-icons";

export type PageId =
  | "portfolio"
  | "tenants"
  | "baselines"
  | "findings"
  | "reports"
  | "evidence"
  | "settings";

export interface PageDefinition {
  id: PageId;
  label: string;
  /** Regular outline, filled when selected (Fluent's bundled icon). */
  icon: FluentIcon;
}

export const PAGES: readonly PageDefinition[] = [
  { id: "portfolio", label: "Portfolio", icon: bundleIcon(BoardFilled, BoardRegular) },
  { id: "tenants", label: "Tenants", icon: bundleIcon(BuildingFilled, BuildingRegular) },
  { id: "baselines", label: "Baselines", icon: bundleIcon(RulerFilled, RulerRegular) },
  { id: "findings", label: "Findings", icon: bundleIcon(ShieldErrorFilled, ShieldErrorRegular) },
  { id: "reports", label: "Reports", icon: bundleIcon(DocumentPdfFilled, DocumentPdfRegular) },
  {
    id: "evidence",
    label: "Evidence",
    icon: bundleIcon(ShieldCheckmarkFilled, ShieldCheckmarkRegular),
  },
  { id: "settings", label: "Settings", icon: bundleIcon(SettingsFilled, SettingsRegular) },
];

export const DEFAULT_PAGE: PageId = "portfolio";

export function pageDefinition(id: PageId): PageDefinition {
  const page = PAGES.find((candidate) => candidate.id === id);
  if (!page) throw new Error(`Unknown page: ${id}`);
  return page;
}
