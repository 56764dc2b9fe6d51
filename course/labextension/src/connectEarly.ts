/**
 * Connect a notebook to the session its server already has for it, as the notebook opens.
 * Pure (no JupyterLab import): the session context is passed in; tested in Node.
 */

/** The parts of JupyterLab's SessionContext this needs. */
export interface ISessionContextLike {
  readonly path: string;
  readonly isDisposed: boolean;
  readonly session: unknown | null;
  readonly kernelPreference: { shouldReuse?: boolean };
  readonly sessionManager: {
    readonly ready: Promise<void>;
    running(): Iterable<{ path: string }>;
    refreshRunning(): Promise<void>;
  };
  initialize(): Promise<boolean>;
}

function hasSessionFor(context: ISessionContextLike): boolean {
  for (const model of context.sessionManager.running()) {
    if (model.path === context.path) {
      return true;
    }
  }
  return false;
}

/**
 * Start ``context``'s initialize() now if the server already has a session for its path (the
 * lesson's kernel, started as the page was asked for): initialize() then connects to it, as
 * JupyterLab's own later call would, and that call finds it done. Without such a session nothing
 * is done, so JupyterLab chooses or starts the kernel itself as before. Resolves to whether it
 * connected early.
 */
export async function connectEarly(context: ISessionContextLike): Promise<boolean> {
  const manager = context.sessionManager;
  if (context.kernelPreference.shouldReuse === false) {
    return false;
  }
  await manager.ready;
  if (!hasSessionFor(context)) {
    await manager.refreshRunning();  // the list may predate the session (a fresh page)
  }
  if (context.isDisposed || context.session || !hasSessionFor(context)) {
    return false;
  }
  void context.initialize();
  return true;
}
