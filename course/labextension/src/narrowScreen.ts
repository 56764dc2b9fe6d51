import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { collapsesOnResize, isNarrow } from './screenWidth';

/** Collapse the left sidebar on narrow screens: when JupyterLab opens, and when the screen
 * turns narrow (a tablet rotated to portrait). Opening it again by hand is left alone. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:narrow-screen',
  description: 'Collapses the left sidebar on tablet-sized screens.',
  autoStart: true,
  optional: [ILabShell],
  activate: (app: JupyterFrontEnd, shell: ILabShell | null): void => {
    if (!shell) {
      return; // Notebook 7 has its own layout, with no open file browser
    }
    let width = window.innerWidth;
    // after the restored layout (a saved workspace may have the sidebar open)
    void app.restored.then(() => {
      if (isNarrow(window.innerWidth)) {
        shell.collapseLeft();
      }
    });
    window.addEventListener('resize', () => {
      if (collapsesOnResize(width, window.innerWidth)) {
        shell.collapseLeft();
      }
      width = window.innerWidth;
    });
  }
};

export default plugin;
