import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import { translateLabel } from './assignmentListWords';
import { labLanguage, request } from './panel';

/** The id nbgrader gives its Assignment List (a main-area widget). */
const LIST_ID = 'nbgrader-assignment-list';
const OPEN_COMMAND = 'nbgrader:open-assignment-list';

/** The course language, found as the My lessons panel finds it. */
export async function courseLanguage(): Promise<string> {
  try {
    const data = await request('');
    if (data.lang === 'ja' || data.lang === 'en') {
      return data.lang;
    }
  } catch {
    // no Manabu course here: JupyterLab's own language decides
  }
  return (await labLanguage()) ?? 'en';
}

/** Put the Japanese on every text and tooltip under `root` that has a translation. */
export function relabel(root: HTMLElement): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const japanese = translateLabel(node.nodeValue ?? '');
    if (japanese !== null) {
      node.nodeValue = japanese;
    }
  }
  const titled = [root, ...Array.from(root.querySelectorAll<HTMLElement>('[title]'))];
  for (const element of titled.filter(e => e.title)) {
    const japanese = translateLabel(element.title);
    if (japanese !== null) {
      element.title = japanese;
    }
  }
}

/**
 * Keep nbgrader's list in Japanese: it writes its rows and button texts whenever it loads or a
 * button is pressed, so relabel after every change (what is Japanese already is left alone, so
 * this settles after one pass).
 */
function watch(app: JupyterFrontEnd, watched: WeakSet<Widget>): void {
  const list = Array.from(app.shell.widgets('main')).find(w => w.id === LIST_ID);
  if (!list || watched.has(list)) {
    return;
  }
  watched.add(list);
  const japanese = translateLabel(list.title.label);
  if (japanese !== null) {
    list.title.label = japanese;
  }
  list.node.lang = 'ja'; // Japanese glyphs for the kanji
  relabel(list.node);
  new MutationObserver(() => relabel(list.node)).observe(list.node, {
    childList: true,
    subtree: true,
    characterData: true
  });
}

/** The classes nbgrader puts on its dialogs (validation results, a refused submission). */
const DIALOG_CLASSES = ['nbgrader-ErrorDialog', 'nbgrader-SuccessDialog'];

/** True for one of nbgrader's dialogs (JupyterLab attaches a dialog to the page's body). */
export function isNbgraderDialog(node: Node): node is HTMLElement {
  return node instanceof HTMLElement && DIALOG_CLASSES.some(c => node.classList.contains(c));
}

/**
 * Put nbgrader's dialogs in Japanese as they open. Only the body's own children are watched
 * (cheap); a dialog's title and body are drawn by React after it is attached, so each nbgrader
 * dialog is watched until it closes.
 */
function watchDialogs(): void {
  new MutationObserver(records => {
    for (const record of records) {
      for (const node of Array.from(record.addedNodes)) {
        if (isNbgraderDialog(node)) {
          node.lang = 'ja';
          relabel(node);
          watchDialog(node);
        }
      }
    }
  }).observe(document.body, { childList: true });
}

function watchDialog(dialog: HTMLElement): void {
  const observer = new MutationObserver(() => {
    if (!dialog.isConnected) {
      observer.disconnect();
      return;
    }
    relabel(dialog);
  });
  observer.observe(dialog, { childList: true, subtree: true, characterData: true });
}

/**
 * nbgrader's Validate button in a lesson's toolbar, and its tooltip: nbgrader rewrites its label
 * while it saves and validates, so the toolbar is watched until the lesson closes (a few small
 * nodes: the kernel's status is the only other text that changes there).
 */
function watchValidateButton(panel: NotebookPanel): void {
  const toolbar = panel.toolbar.node;
  const japanese = () => {
    const button = toolbar.querySelector<HTMLElement>('.validate-button');
    if (button) {
      relabel(button);
    }
  };
  const observer = new MutationObserver(japanese);
  observer.observe(toolbar, { childList: true, subtree: true, characterData: true });
  panel.disposed.connect(() => observer.disconnect());
  japanese();
}

/** nbgrader's Assignment List in the course language (Japanese; English needs nothing). */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:assignment-list',
  description: 'Japanese labels for nbgrader\'s Assignment List and its dialogs in a Japanese course.',
  autoStart: true,
  optional: [INotebookTracker],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker | null): void => {
    void courseLanguage().then(lang => {
      if (lang !== 'ja') {
        return;
      }
      const watched = new WeakSet<Widget>();
      // opened from the menu, or brought back by the layout restorer (it runs the command too)
      app.commands.commandExecuted.connect((_commands, args) => {
        if (args.id === OPEN_COMMAND) {
          void args.result.then(() => watch(app, watched), () => undefined);
        }
      });
      watch(app, watched); // opened before the language was known
      watchDialogs();
      notebooks?.forEach(watchValidateButton);
      notebooks?.widgetAdded.connect((_tracker, panel) => watchValidateButton(panel));
    });
  }
};

export default plugin;
