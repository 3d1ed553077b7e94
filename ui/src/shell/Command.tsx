// A command line the user can copy, shown inline in running text.

import { makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground1,
    borderRadius: tokens.borderRadiusSmall,
    paddingInline: tokens.spacingHorizontalXS,
    whiteSpace: "nowrap",
    userSelect: "all",
  },
});

export function Command(props: { children: string }) {
  const styles = useStyles();
  return <code className={styles.code}>{props.children}</code>;
}
