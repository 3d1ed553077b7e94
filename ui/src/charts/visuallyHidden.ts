// Styles for content that only assistive technology reads (the numbers behind a chart),
// kept in the accessibility tree but out of sight.

import type { GriffelStyle } from "@fluentui/react-components";

export const visuallyHidden: GriffelStyle = {
  position: "absolute",
  width: "1px",
  height: "1px",
  margin: "-1px",
  padding: 0,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
};
