/**
 * Pure helpers for answer cells: which cells are answers, find the `name = ...` line of an answer
 * cell and put a new line in its place. Kept free of JupyterLab (no imports) so they are easy to
 * read and to reason about, and Node's unit tests load them as they are.
 */

/**
 * An nbgrader answer cell ("solution" cell) that holds code: the cells tap-to-answer writes into
 * and unrun edits are about. A written answer (a Markdown solution cell) is not one.
 */
export function isAnswerCell(cellType: string, nbgrader: unknown): boolean {
  return cellType === 'code' && !!(nbgrader as { solution?: unknown } | undefined)?.solution;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/;

/** The name a line assigns (`answer_vote = 5` -> `answer_vote`), or null. */
export function assignedName(line: string): string | null {
  const match = ASSIGNMENT.exec(line.trim());
  return match ? match[1] : null;
}

/** How much a line opens brackets, ignoring brackets inside '...' and "..." strings. */
function bracketDepth(line: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\') {
        i++;
      } else if (ch === quote) {
        quote = '';
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '#') {
      break;
    } else if ('([{'.includes(ch)) {
      depth++;
    } else if (')]}'.includes(ch)) {
      depth--;
    }
  }
  return depth;
}

/**
 * `source` with the top-level assignment to `name` (the `...` placeholder, or an older answer,
 * however many lines its brackets span) replaced by `line`; null if no line assigns `name`.
 */
export function replaceAnswer(source: string, name: string, line: string): string | null {
  const lines = source.split('\n');
  const start = lines.findIndex(
    text => !/^\s/.test(text) && assignedName(text) === name
  );
  if (start < 0) {
    return null;
  }
  let end = start;
  let depth = bracketDepth(lines[start]);
  while (depth > 0 && end + 1 < lines.length) {
    end++;
    depth += bracketDepth(lines[end]);
  }
  lines.splice(start, end - start + 1, line);
  return lines.join('\n');
}

/** What writing widget lines into answer cells changes (see `planWrites`). */
export interface IWritePlan {
  /** Every answer cell's text afterwards, in the order given. */
  sources: string[];
  /** The names written, in the order of the lines. */
  written: string[];
  /** The indices of the cells written into, each once, in the order first written. */
  cells: number[];
}

/**
 * Write each answer line (`answer_vote = 5`) into the first answer cell that assigns its name.
 * A line whose name no cell assigns, or that assigns nothing, is left out. Lines are applied in
 * order, so of two lines for one answer the later one stays: the kernel sends a child's taps in
 * the order they happened.
 */
export function planWrites(sources: readonly string[], lines: readonly string[]): IWritePlan {
  const next = [...sources];
  const written: string[] = [];
  const cells: number[] = [];
  for (const line of lines) {
    const name = assignedName(line); // a line may span rows (a pixel grid): its name is on the first
    if (!name) {
      continue;
    }
    for (let i = 0; i < next.length; i++) {
      const source = replaceAnswer(next[i], name, line);
      if (source !== null) {
        next[i] = source;
        written.push(name);
        if (!cells.includes(i)) {
          cells.push(i);
        }
        break;
      }
    }
  }
  return { sources: next, written, cells };
}

const DEFINITION = /^(?:async\s+)?(?:def|class)\s+([A-Za-z_][A-Za-z0-9_]*)/;

/** The names a cell assigns at its top level (`answer_k = 3`, `def f`), in order, once each. */
export function assignedNames(source: string): string[] {
  const names: string[] = [];
  for (const text of source.split('\n')) {
    if (/^\s/.test(text)) {
      continue; // inside a block or a bracket: not a top-level assignment
    }
    const name = assignedName(text) ?? DEFINITION.exec(text)?.[1] ?? null;
    if (name && !names.includes(name)) {
      names.push(name);
    }
  }
  return names;
}

/** An answer cell's text now, and when it last started running (null: not run since opened). */
export interface IAnswerText {
  source: string;
  ran: string | null;
}

/**
 * The names of answer cells edited since their last run, sorted: what the kernel must not
 * judge yet. A cell not run since the notebook opened counts from its text at opening, which
 * the caller passes as `ran`. Names of the old and of the new text both count (a renamed answer
 * is still not current).
 */
export function editedNames(cells: IAnswerText[]): string[] {
  const names = new Set<string>();
  for (const { source, ran } of cells) {
    if (ran !== null && source !== ran) {
      for (const name of [...assignedNames(source), ...assignedNames(ran)]) {
        names.add(name);
      }
    }
  }
  return [...names].sort();
}
