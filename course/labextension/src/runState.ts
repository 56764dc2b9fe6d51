/**
 * What a run bar shows about its cell's last run. No imports, so Node's unit tests load it.
 */

/** The kernel's reply to one execute request (only the part read here). */
export interface ExecuteReply {
  content?: { status?: string };
}

/**
 * True when the kernel skipped the run: after an error it aborts the cells queued behind it
 * ("Run all" after a failed check). JupyterLab then leaves the cell marked as running, because
 * it only marks a cell idle when a run count comes back, and an aborted reply has none.
 */
export function wasAborted(reply: ExecuteReply | null | undefined): boolean {
  return reply?.content?.status === 'aborted';
}

/** `[*]` while the cell runs, `[n]` after it ran, `[ ]` when it has not run. */
export function runCountText(executionState: string | undefined, count: number | null): string {
  return executionState === 'running' ? '[*]' : `[${count ?? ' '}]`;
}

/**
 * True when a cell must stop showing [*] once `reply` comes: the kernel skipped this run, and
 * `sameRun` (no newer run of the cell has started since, which has [*] of its own to show).
 */
export function endsSkippedRun(reply: ExecuteReply | null | undefined, sameRun: boolean): boolean {
  return sameRun && wasAborted(reply);
}
