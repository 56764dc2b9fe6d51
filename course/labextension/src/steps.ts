/**
 * The student view's rules, free of JupyterLab so Node's unit tests load them: which lessons get
 * it, which cells get a run bar, what "run all up to here" runs and where it stops.
 */
import type { ExecuteReply } from './runState';

/** A notebook's `manabu` metadata (only what is read here). */
export interface ILesson {
  band?: string;
  lang?: string;
}

/** Elementary lessons get the student view; junior-high lessons, and other notebooks, do not. */
export function hasStudentView(lesson: ILesson | null | undefined): boolean {
  return lesson?.band === 'elementary';
}

/** One cell as the student view sees it: a code cell or not, with a run bar already or not. */
export interface IStepCell {
  code: boolean;
  decorated: boolean;
}

/**
 * The indices of the cells that get a run bar now: in a student-view lesson, every code cell
 * that has none yet (cells added later get theirs when they come). Markdown gets none.
 */
export function cellsNeedingBars(
  lesson: ILesson | null | undefined,
  cells: readonly IStepCell[]
): number[] {
  if (!hasStudentView(lesson)) {
    return [];
  }
  return cells.flatMap((cell, i) => (cell.code && !cell.decorated ? [i] : []));
}

/** The indices "run all up to here" on cell `index` runs: each code cell from the top to it. */
export function stepsUpTo(code: readonly boolean[], index: number): number[] {
  return code.slice(0, index + 1).flatMap((isCode, i) => (isCode ? [i] : []));
}

/**
 * True when a code cell has nothing to run: empty, or only spaces and new lines (a full-width
 * space too). JupyterLab sends such a cell to no kernel, so no reply ever comes for it. The same
 * test as JupyterLab's own (`!code.trim()`), so the two never disagree.
 */
export function isBlank(source: string): boolean {
  return source.trim() === '';
}

/**
 * Run `steps` one after another, each once the one before has ended. A `blank` step (nothing to
 * run) is done when its run ends, reply or not. Stop at the first other step whose reply is not
 * "ok" (an error, a run the kernel skipped, no reply, a run cancelled by a kernel restart) and
 * return it, for the child to see; null when every step ran.
 */
export async function runInOrder<T>(
  steps: readonly T[],
  run: (step: T) => Promise<ExecuteReply | null | undefined | void>,
  blank: (step: T) => boolean = () => false
): Promise<T | null> {
  for (const step of steps) {
    // read as the run starts, as JupyterLab reads the text: the child may type while steps run
    const empty = blank(step);
    let reply: ExecuteReply | null | undefined | void;
    try {
      reply = await run(step);
    } catch {
      return step; // cancelled: no reply will come, and the steps after it need this one
    }
    if (!reply && empty) {
      continue;
    }
    if (!reply || reply.content?.status !== 'ok') {
      return step;
    }
  }
  return null;
}
