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
