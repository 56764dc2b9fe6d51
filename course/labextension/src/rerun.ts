/**
 * Run a cell again when it was asked to run while running. No imports, so Node's unit tests load
 * it as it is.
 */

/**
 * One run per key at a time. A key asked to run while its run is under way runs once more when
 * that run ends, however often it was asked meanwhile. So the last run always starts after the
 * last ask and sees the newest text: a slider sends many answer lines while the answer cell runs,
 * and the kernel must end with the child's last one, never an older one.
 */
export class RunAgain<K extends object> {
  private running = new WeakMap<K, { again: boolean }>();

  /**
   * Run `job` for `key` now, or once more after the run under way. Resolves when the runs end;
   * at once for a caller that only asked for a rerun (the run under way waits for it).
   */
  async run(key: K, job: () => Promise<unknown>): Promise<void> {
    const state = this.running.get(key);
    if (state) {
      state.again = true;
      return;
    }
    const mine = { again: true };
    this.running.set(key, mine);
    try {
      while (mine.again) {
        mine.again = false;
        await job();
      }
    } finally {
      this.running.delete(key);
    }
  }
}
