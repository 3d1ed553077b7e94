// What each not-yet-built page will do, and what the user can do meanwhile. The wording
// promises only what the architecture plans and points at commands that exist.

import { ShieldCheckmarkRegular } from "@fluentui/react-icons";
import type { PageId } from "../pages";
import { Command } from "../shell/Command";
import type { EmptyPageProps } from "./EmptyPage";

export type PlannedPageId = Exclude<
  PageId,
  "portfolio" | "reports" | "tenants" | "baselines" | "findings" | "settings"
>;

export const PLANNED_PAGES: Record<PlannedPageId, EmptyPageProps> = {
  evidence: {
    title: "Evidence",
    icon: ShieldCheckmarkRegular,
    headline: "No evidence packs yet",
    purpose:
      "Evidence packs are signed bundles of captures, findings and decisions that you hand " +
      "to auditors, who can verify every file with sha256sum.",
    nextStep: (
      <>
        Packs are built from reviews and decisions, so start with{" "}
        <Command>plumbline review</Command>. Building packs arrives in a later version.
      </>
    ),
  },
};
