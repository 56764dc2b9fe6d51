/**
 * When the left sidebar folds away on a tablet: narrowScreen.ts's rules, free of JupyterLab so
 * Node's unit tests load them.
 */

/**
 * Narrower than this, the left sidebar (file browser, ~250 px) starts collapsed: an iPad in
 * portrait (810 px) or landscape (1024 px) keeps its width for the lesson. A Chromebook
 * (1366 px) keeps JupyterLab's layout.
 */
export const NARROW_PX = 1100;

/** A window this wide (CSS px) is a tablet's: the lesson needs all of it. */
export function isNarrow(width: number): boolean {
  return width < NARROW_PX;
}

/**
 * Whether a resize from `before` to `after` px collapses the sidebar: only when the screen turns
 * narrow (a tablet rotated to portrait). A resize that stays narrow leaves it alone, so a child
 * who opened the sidebar by hand keeps it open.
 */
export function collapsesOnResize(before: number, after: number): boolean {
  return isNarrow(after) && !isNarrow(before);
}
