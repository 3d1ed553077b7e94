// What each not-yet-built page will do, and what the user can do meanwhile. The wording
// promises only what the architecture plans and points at commands that exist.

import { RulerRegular } from "@fluentui/react-icons";
import type { PageId } from "../pages";
import type { EmptyPageProps } from "./EmptyPage";

export type PlannedPageId = Exclude<
  PageId,
  "portfolio" | "reports" | "tenants" | "findings" | "settings" | "alerts" | "evidence"
>;

export const PLANNED_PAGES: Record<PlannedPageId, EmptyPageProps> = {
  baselines: {
    title: "Baselines",
    icon: RulerRegular,
    headline: "No baselines yet",
    purpose:
      "Baselines are your golden masters: named, versioned sets of expected settings " +
      "(draft, published, retired) that you assign to tenants, with rules for which " +
      "differences count as drift.",
    nextStep:
      "Nothing to do here yet. Capture your tenants first: Portfolio shows what has been " +
      "captured. Authoring baselines arrives in a later version.",
  },
};
