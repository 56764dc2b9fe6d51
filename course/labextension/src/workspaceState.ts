/**
 * JupyterLab's state (what a page restores: its tabs, the file browser's folder), kept per
 * workspace on the server, with the lesson in the URL opening as soon as the workspace is read.
 *
 * It stands in for `@jupyterlab/apputils-extension:state`, which the page config turns off
 * (autograder/labpage.py). That plugin reads the workspace as the page starts and then waits
 * for it to be saved back before the page's routing goes on; the save is debounced by half a
 * second, and the notebook of a `/lab/tree/<lesson>.ipynb` URL opens only when routing is done.
 * So every lesson page sat idle for 0.5 s before it even asked for its notebook. Here the
 * workspace is saved just the same, without the wait. The rest is JupyterLab's behaviour:
 * `?reset` and `?clone` in the URL, a save after every change, the browser tab's title.
 */
import { IRouter, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IWindowResolver } from '@jupyterlab/apputils';
import { PageConfig, PathExt, URLExt } from '@jupyterlab/coreutils';
import { IStateDB, StateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { PromiseDelegate, ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Debouncer } from '@lumino/polling';

/** JupyterLab's command ids, kept: other extensions and the router call them by name. */
const LOAD = 'apputils:load-statedb';
const RESET = 'apputils:reset';
const RESET_ON_LOAD = 'apputils:reset-on-load';
/** `reset` in a URL's query: the page starts from an empty state. */
const RESET_QUERY = /(\?reset|&reset)(=[^&#]*)?($|&|#)/;

/** `text`, cut to 12 characters and an ellipsis when longer than 15 (as JupyterLab's tab title). */
function shorten(text: string): string {
  return text.length > 15 ? `${text.slice(0, 12)}…` : text;
}

/** The browser tab's title: the open document and the workspace (JupyterLab's format). */
async function updateTitle(app: JupyterFrontEnd, db: IStateDB, workspace: string): Promise<void> {
  const data = (await db.toJSON()) as { [key: string]: any };
  const current: string | undefined = data['layout-restorer:data']?.main?.current;
  const isDocument = (id: string) => id.startsWith('notebook') || id.startsWith('editor');
  if (current === undefined || !isDocument(current)) {
    const appName = PageConfig.getOption('appName') || 'JupyterLab';
    document.title = workspace === 'default' ? appName : `${appName} (${workspace})`;
    return;
  }
  const widget = app.shell.currentWidget as { context?: { path?: string } } | null;
  const file = PathExt.basename(widget?.context?.path ?? decodeURIComponent(window.location.href));
  const count = Object.keys(data).filter(isDocument).length;
  document.title = `${shorten(file)}${count > 1 ? ` (${count})` : ''} - ${
    workspace === 'default' ? app.name : shorten(workspace)}`;
}

const plugin: JupyterFrontEndPlugin<IStateDB> = {
  id: '@manabu/lab:state',
  description: 'Provides the application state, kept per workspace; a page opens the document ' +
    'in its URL without waiting for the workspace to be saved.',
  autoStart: true,
  provides: IStateDB,
  optional: [IRouter, IWindowResolver, ITranslator],
  activate: (app: JupyterFrontEnd, router: IRouter | null, resolver: IWindowResolver | null,
    translator: ITranslator | null): IStateDB => {
    if (router === null || resolver === null) {
      return new StateDB();  // no workspaces: the state lives as long as the page
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab');
    const { commands } = app;
    const { workspaces } = app.serviceManager;
    const workspace = resolver.name;
    const transform = new PromiseDelegate<StateDB.DataTransform>();
    const db = new StateDB({ transform: transform.promise });
    let resolved = false;
    const resolve = (type: StateDB.DataTransform['type'], contents: ReadonlyPartialJSONObject | null) => {
      if (!resolved) {
        resolved = true;
        transform.resolve({ type, contents });
      }
    };
    const save = new Debouncer(async () => {
      await workspaces.save(workspace, { data: await db.toJSON(), metadata: { id: workspace } });
    });
    /** A save in the background: a server that refuses it costs a warning, not the page. */
    const saveSoon = () => save.invoke().catch(reason => {
      console.warn(`Saving workspace "${workspace}" failed.`, reason);
    });
    db.changed.connect(() => void saveSoon());
    db.changed.connect(() => void updateTitle(app, db, workspace));

    commands.addCommand(LOAD, {
      label: trans.__('Load state for the current workspace.'),
      execute: async args => {
        if (resolved) {
          return;  // routing runs this on every navigation; the state loads once
        }
        const { hash, path, search } = args as unknown as IRouter.ILocation;
        const query = URLExt.queryStringToObject(search || '');
        const clone = typeof query['clone'] === 'string'
          ? query['clone'] || PageConfig.defaultWorkspace
          : null;
        try {
          const saved = await workspaces.fetch(clone ?? workspace);
          resolve('overwrite', saved.data);
        } catch (error) {
          // a new workspace: start empty; the save below creates it on the server
          console.warn(`Fetching workspace "${workspace}" failed.`, (error as Error).message);
          resolve('cancel', null);
        }
        if (clone !== null) {
          // the cloned state is this workspace's once saved; then the URL without `clone`
          delete query['clone'];
          const url = path + URLExt.objectToQueryString(query) + hash;
          const cloned = save.invoke().then(() => router.stop);
          void cloned.then(() => router.navigate(url));
          return cloned;
        }
        void saveSoon();  // the only difference from JupyterLab's plugin: no waiting here
      }
    });

    commands.addCommand(RESET, {
      label: trans.__('Reset Application State'),
      execute: async args => {
        await db.clear();
        await save.invoke();
        if (args['reload']) {
          router.reload();
        }
      }
    });

    commands.addCommand(RESET_ON_LOAD, {
      label: trans.__('Reset state when loading for the workspace.'),
      execute: args => {
        const { hash, path, search } = args as unknown as IRouter.ILocation;
        const query = URLExt.queryStringToObject(search || '');
        if (!('reset' in query)) {
          return;
        }
        if (resolved) {
          return router.reload();  // the state is already in use: start the page again
        }
        resolve('clear', null);
        delete query['reset'];
        const url = path + URLExt.objectToQueryString(query) + hash;
        // saved empty before the page goes on, so that a reload finds the workspace empty too
        const cleared = db.clear().then(() => save.invoke());
        void cleared.then(() => router.navigate(url, { hard: 'clone' in query }));
        return cleared;
      }
    });

    router.register({ command: LOAD, pattern: /.?/, rank: 30 });
    router.register({ command: RESET_ON_LOAD, pattern: RESET_QUERY, rank: 20 });
    return db;
  }
};

export default plugin;
