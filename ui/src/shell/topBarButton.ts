// The look of a button on the brand-coloured top bar (the activity and sync indicators):
// on-brand text that stays readable when hovered and pressed.

import { tokens, type GriffelStyle } from "@fluentui/react-components";

export const topBarButton: GriffelStyle = {
  color: tokens.colorNeutralForegroundOnBrand,
  minWidth: "auto",
  ":hover": {
    color: tokens.colorNeutralForegroundOnBrand,
    backgroundColor: tokens.colorBrandBackgroundHover,
  },
  ":hover:active": {
    color: tokens.colorNeutralForegroundOnBrand,
    backgroundColor: tokens.colorBrandBackgroundPressed,
  },
};
