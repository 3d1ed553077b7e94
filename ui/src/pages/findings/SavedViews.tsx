// The Views button of the findings table: apply a built-in or saved view, save the
// current filters under a name, delete a saved view. Keyboard usable (a popover of
// buttons, the name field submits with Enter).

import {
  Button,
  Divider,
  Field,
  Input,
  makeStyles,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Text,
  tokens,
  Tooltip,
} from "@fluentui/react-components";
import { CheckmarkRegular, DeleteRegular, FilterRegular } from "@fluentui/react-icons";
import { useState, type FormEvent } from "react";
import { useMessages } from "../../i18n";
import { messages } from "./messages";
import {
  builtInViews,
  deleteView,
  isCurrent,
  loadViews,
  nameProblem,
  saveView,
  type SavedView,
} from "./savedViews";
import type { FindingFilter } from "./useFindingRows";

const useStyles = makeStyles({
  surface: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    width: "320px",
  },
  list: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    margin: 0,
    padding: 0,
    listStyleType: "none",
  },
  item: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
  },
  apply: {
    flexGrow: 1,
    justifyContent: "flex-start",
    minWidth: 0,
  },
  heading: {
    color: tokens.colorNeutralForeground2,
  },
  form: {
    display: "flex",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalS,
  },
  grow: {
    flexGrow: 1,
  },
});

function ViewList(props: {
  views: readonly SavedView[];
  filter: FindingFilter;
  onApply: (view: SavedView) => void;
  onDelete?: (view: SavedView) => void;
  testId: string;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  return (
    <ul className={styles.list} data-testid={props.testId}>
      {props.views.map((view) => {
        const current = isCurrent(view, props.filter);
        return (
          <li key={view.name} className={styles.item}>
            <Button
              appearance="subtle"
              className={styles.apply}
              icon={current ? <CheckmarkRegular /> : undefined}
              aria-current={current ? "true" : undefined}
              onClick={() => props.onApply(view)}
              data-testid="view-apply"
            >
              {view.name}
            </Button>
            {props.onDelete ? (
              <Tooltip content={m.deleteView(view.name)} relationship="label">
                <Button
                  appearance="subtle"
                  icon={<DeleteRegular />}
                  onClick={() => props.onDelete?.(view)}
                  data-testid="view-delete"
                />
              </Tooltip>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

export function SavedViews(props: {
  filter: FindingFilter;
  onApply: (filter: FindingFilter) => void;
}) {
  const styles = useStyles();
  const m = useMessages(messages);
  const [open, setOpen] = useState(false);
  const [views, setViews] = useState<SavedView[]>(loadViews);
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const apply = (view: SavedView) => {
    props.onApply({ ...view.filter });
    setOpen(false);
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    const why = nameProblem(name, m);
    setProblem(why);
    if (why !== null) return;
    setViews((current) => saveView(current, name, props.filter));
    setName("");
  };

  return (
    <Popover open={open} onOpenChange={(_, data) => setOpen(data.open)} trapFocus>
      <PopoverTrigger disableButtonEnhancement>
        <Button appearance="subtle" icon={<FilterRegular />} data-testid="views-button">
          {m.views}
        </Button>
      </PopoverTrigger>
      <PopoverSurface className={styles.surface} aria-label={m.savedViews}>
        <Text weight="semibold" className={styles.heading}>
          {m.builtInViews}
        </Text>
        <ViewList
          views={builtInViews(m)}
          filter={props.filter}
          onApply={apply}
          testId="views-built-in"
        />
        <Divider />
        <Text weight="semibold" className={styles.heading}>
          {m.yourViews}
        </Text>
        {views.length === 0 ? (
          <Text size={200} data-testid="views-none">
            {m.noViews}
          </Text>
        ) : (
          <ViewList
            views={views}
            filter={props.filter}
            onApply={apply}
            onDelete={(view) => setViews((current) => deleteView(current, view.name))}
            testId="views-saved"
          />
        )}
        <form className={styles.form} onSubmit={save} noValidate>
          <Field
            className={styles.grow}
            label={m.saveAs}
            validationMessage={problem ?? undefined}
          >
            <Input
              value={name}
              onChange={(_, data) => {
                setName(data.value);
                setProblem(null);
              }}
              placeholder={m.viewNamePlaceholder}
              data-testid="view-name"
            />
          </Field>
          <Button type="submit" appearance="primary" data-testid="view-save">
            {m.save}
          </Button>
        </form>
      </PopoverSurface>
    </Popover>
  );
}
