/**
 * A method that measures the page, run at most once per frame for each object.
 *
 * JupyterLab's code cell reads the height of its output prompt (``clientHeight``: the browser
 * must lay the page out first) on every change of the cell's outputs, for each output a run
 * adds, to choose the collapse or expand icon. A "run all" of a lesson lays the page out again
 * and again in the middle of adding outputs. Wrapped here, a cell's calls within one frame
 * become one, in the next frame, when the outputs of that frame are all in (a cell showing 40
 * outputs at once: 6 layouts instead of 42, tests/test_output_reflows_browser.py).
 */

/** Calls ``callback`` before the next frame (``requestAnimationFrame`` in a page). */
export type Frame = (callback: () => void) => unknown;

const WRAPPED = Symbol('manabu.oncePerFrame');

/**
 * Make ``proto[name]`` (a method without a result) run once per frame for each object: the
 * first call in a frame asks ``frame`` for a callback, later ones in the same frame are left
 * out; an object disposed meanwhile (``isDisposed``) is skipped. Returns false, changing
 * nothing, if there is no such method or it is wrapped already.
 */
export function oncePerFrame(proto: Record<string, any>, name: string, frame: Frame): boolean {
  const method = proto[name];
  if (typeof method !== 'function' || method[WRAPPED]) {
    return false;
  }
  const waiting = new WeakSet<object>();
  const wrapped = function (this: any, ...args: unknown[]): void {
    if (waiting.has(this)) {
      return;
    }
    waiting.add(this);
    frame(() => {
      waiting.delete(this);
      if (!this.isDisposed) {
        method.apply(this, args);
      }
    });
  };
  (wrapped as any)[WRAPPED] = true;
  proto[name] = wrapped;
  return true;
}
