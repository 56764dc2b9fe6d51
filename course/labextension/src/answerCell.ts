/**
 * Pure text helpers for tap-to-answer: find the `name = ...` line of an answer cell and put a
 * new line in its place. Kept free of JupyterLab so they are easy to read and to reason about.
 */

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
