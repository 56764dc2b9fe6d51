/**
 * Run answer cells once the child stops. No imports, so Node's unit tests load it as it is.
 *
 * A slider sends an answer line for every step of a drag. Running the answer cell for each
 * step put an execute request (and its busy/idle messages) in the kernel's queue between two
 * steps, so the next step's picture waited behind it: under a slow CPU that run was most of the
 * slowest responses (issue #13). The line is still written into the cell at once (the saved
 * notebook always holds the child's last choice); only the run waits for a quiet moment, and
 * is never skipped: it happens when the steps stop, when the child leaves the widget, before
 * any other cell of the notebook runs, and when the page is hidden or left.
 */

/** Milliseconds without a new line after which the waiting answer cells run. */
export const QUIET_MS = 500;

/** The timer functions Settle uses (the browser's; a test passes its own clock). */
export interface ITimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const BROWSER: ITimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: handle => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

/**
 * Keys (answer cells) waiting to run. `later` asks for a run after `quietMs` without a new ask;
 * `now` runs all that wait at once, in the order first asked. Each waiting key runs once, with
 * whatever text it holds when `run` is called; `run` hears whether the child simply stopped
 * (the quiet moment passed: the place to show the cell) or went elsewhere.
 */
export class Settle<K> {
  private waiting = new Set<K>();
  private timer: unknown = null;

  constructor(
    private run: (key: K, stopped: boolean) => void,
    private quietMs: number = QUIET_MS,
    private timers: ITimers = BROWSER
  ) {}

  /** `key` changed: run it once nothing changed for a quiet moment. */
  later(key: K): void {
    this.waiting.add(key);
    this.stopTimer();
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.now(true);
    }, this.quietMs);
  }

  /**
   * Run every waiting key now (synchronously: a run asked for here starts before the caller goes
   * on). `stopped`: called by the quiet moment, not because the child went elsewhere.
   */
  now(stopped = false): void {
    this.stopTimer();
    const keys = [...this.waiting];
    this.waiting.clear();
    for (const key of keys) {
      try {
        this.run(key, stopped);
      } catch (error) {
        console.error('Manabu: could not run the answer cell', error);
      }
    }
  }

  /** Whether `key` waits to run. */
  has(key: K): boolean {
    return this.waiting.has(key);
  }

  /** Forget `key` without running it (it runs anyway, e.g. the child ran that cell). */
  drop(key: K): void {
    this.waiting.delete(key);
    if (!this.waiting.size) {
      this.stopTimer();
    }
  }

  private stopTimer(): void {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
  }
}
