/**
 * Which cells' editors JupyterLab needs to touch when another cell becomes the active one.
 *
 * Each time the active cell changes (every tap on a widget: the cell tapped becomes the active
 * one), JupyterLab's notebook collapses the selection of every other cell's editor to its cursor
 * (Notebook._trimSelections), so that only one cell shows highlighted text: one CodeMirror
 * update for each cell of the lesson, 40 or so, although nearly all of them show no highlighted
 * text to collapse (and each update reads the page's selection, which lays the page out). Here
 * an editor whose selection is already one cursor keeps it; the others are collapsed as
 * JupyterLab does. The cell models' selections end up the same either way.
 */

/** A place in an editor's text. */
export interface IPlace {
  line: number;
  column: number;
}

/** One selected range of an editor (a cursor: start and end the same). */
export interface IRange {
  start: IPlace;
  end: IPlace;
}

/** What this needs of a cell's editor (JupyterLab's CodeEditor.IEditor). */
export interface IEditorLike {
  uuid: string;
  hasFocus(): boolean;
  getSelections(): IRange[];
  getCursorPosition(): IPlace;
  setCursorPosition(place: IPlace, options: { scroll: boolean }): void;
}

/** What this needs of a cell (JupyterLab's Cell). */
export interface ICellLike {
  model: { isDisposed: boolean; selections: { delete(key: string): unknown; set(key: string, value: IRange[]): unknown } };
  editor: IEditorLike | null;
}

/** True if ``ranges`` is one cursor: nothing highlighted. */
export function cursorOnly(ranges: readonly IRange[]): boolean {
  if (ranges.length !== 1) {
    return false;
  }
  const [{ start, end }] = ranges;
  return start.line === end.line && start.column === end.column;
}

/**
 * Collapse the selection of every cell's editor but the active one's to its cursor, as
 * JupyterLab's Notebook._trimSelections, leaving alone the editors that show only a cursor
 * (their model's selections are set as JupyterLab would set them). Returns how many editors
 * were collapsed.
 */
export function trimSelections(cells: readonly ICellLike[], active: number): number {
  let collapsed = 0;
  cells.forEach((cell, index) => {
    const editor = cell.editor;
    if (index === active || cell.model.isDisposed || !editor) {
      return;
    }
    cell.model.selections.delete(editor.uuid);
    const ranges = editor.getSelections();
    if (!cursorOnly(ranges)) {
      editor.setCursorPosition(editor.getCursorPosition(), { scroll: false });
      collapsed++;
    } else if (!editor.hasFocus()) {
      // what setCursorPosition would have stored: the same single cursor
      cell.model.selections.set(editor.uuid, ranges);
    }
  });
  return collapsed;
}
