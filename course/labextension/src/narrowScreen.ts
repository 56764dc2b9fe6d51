import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/**
 * Narrower than this, the left sidebar (file browser, ~250 px) starts collapsed: an iPad in
 * portrait (810 px) or landscape (1024 px) keeps its width for the lesson. A Chromebook
 * (1366 px) keeps JupyterLab's layout.
 */
export const NARROW_PX = 1100;

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
    const narrow = () => window.innerWidth < NARROW_PX;
    let wasNarrow = narrow();
    // after the restored layout (a saved workspace may have the sidebar open)
    void app.restored.then(() => {
      if (narrow()) {
        shell.collapseLeft();
      }
    });
    window.addEventListener('resize', () => {
      const now = narrow();
      if (now && !wasNarrow) {
        shell.collapseLeft();
      }
      wasNarrow = now;
    });
  }
};

export default plugin;
