import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { courseLanguage } from './assignmentList';
import { translateMenuLabel } from './menuWords';

/** The labels of menu entries and of the command palette's commands. */
const LABELS = '.lm-Menu-itemLabel, .lm-CommandPalette-itemLabel';

/**
 * Put the Japanese on every menu or palette label under `root` that has a translation. Only a
 * label that is one plain text is changed: a palette label that highlights what was typed is
 * split in parts, and Lumino keeps writing into the nodes it made, so their number must stay.
 */
export function relabelMenus(root: Element): void {
  for (const label of Array.from(root.querySelectorAll(LABELS))) {
    const text = label.firstChild;
    if (label.childNodes.length === 1 && text?.nodeType === Node.TEXT_NODE) {
      const japanese = translateMenuLabel(text.nodeValue ?? '');
      if (japanese !== null) {
        text.nodeValue = japanese;
      }
    }
  }
}

/**
 * Relabel `node` now and whenever Lumino redraws it. Lumino reuses a menu's node each time it
 * opens, so each node is watched once; a Japanese label is never translated again, so a
 * redraw settles after one pass.
 */
function watch(node: Element, watched: WeakSet<Element>): void {
  relabelMenus(node);
  if (watched.has(node)) {
    return;
  }
  watched.add(node);
  new MutationObserver(() => relabelMenus(node)).observe(node, {
    childList: true,
    subtree: true,
    characterData: true
  });
}

/**
 * Menus open as children of the page's body (a submenu too), so only the body's own children
 * are watched: cheap, whatever the notebook does below it.
 */
function watchMenus(watched: WeakSet<Element>): void {
  new MutationObserver(records => {
    for (const record of records) {
      for (const node of Array.from(record.addedNodes)) {
        if (node instanceof Element && node.matches('.lm-Menu, .lm-CommandPalette')) {
          watch(node, watched);
        }
      }
    }
  }).observe(document.body, { childList: true });
}

/** Japanese menu entries from other extensions in a Japanese course (English needs nothing). */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:menus',
  description: 'Japanese labels for the menu entries other extensions add in English, in a Japanese course.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    void courseLanguage().then(async lang => {
      if (lang !== 'ja') {
        return;
      }
      const watched = new WeakSet<Element>();
      watchMenus(watched);
      await app.restored;
      // the command palette (a modal one on the body, or a panel in the sidebar) is made once
      document.querySelectorAll('.lm-CommandPalette').forEach(p => watch(p, watched));
    });
  }
};

export default plugin;
