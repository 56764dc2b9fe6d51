/**
 * Which answer cells have edits not run yet, and when the kernel must hear of it: the
 * bookkeeping of edits.ts, free of JupyterLab so Node's unit tests load it.
 */
import { editedNames } from './answerCell';

/** The answer cells of one notebook (keys: their models), and what the kernel was last told. */
export class UnrunEdits<K extends object> {
  /** Each answer cell's text when it last started running (or when it was first seen). */
  private ran = new WeakMap<K, string>();
  private sent: string | null = null;

  /**
   * Start following `cell`, with `source` its text now: a cell first seen (the notebook just
   * opened) counts as run with that text. False if it is followed already.
   */
  follow(cell: K, source: string): boolean {
    if (this.ran.has(cell)) {
      return false;
    }
    this.ran.set(cell, source);
    return true;
  }

  /** A run of `cell` started with `source`: the text the kernel holds afterwards. */
  started(cell: K, source: string): void {
    this.ran.set(cell, source);
  }

  /** The names of the answers among `cells` (each with its text now) edited since their run. */
  edited(cells: ReadonlyArray<{ cell: K; source: string }>): string[] {
    return editedNames(
      cells.map(({ cell, source }) => ({ source, ran: this.ran.get(cell) ?? null }))
    );
  }

  /**
   * Whether `names` must be sent (they differ from what was sent last, or `force`: a kernel that
   * just started knows nothing yet), remembering them as sent if so.
   */
  shouldSend(names: readonly string[], force = false): boolean {
    const text = JSON.stringify(names);
    if (text === this.sent && !force) {
      return false;
    }
    this.sent = text;
    return true;
  }
}
