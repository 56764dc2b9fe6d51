import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { connectEarly } from './connectEarly';

/**
 * A lesson's page connects to its kernel as the notebook opens.
 *
 * JupyterLab connects a notebook to its kernel only after the notebook's content has loaded and
 * a checkpoint has been listed and, on a first visit, made: round trips that each wait for a
 * busy page on a cheap Chromebook. The server has had the lesson's session since the page was
 * asked for (autograder/school/early_kernel.py), so this connects to it at once
 * (connectEarly.ts); with no such session, JupyterLab goes on as before.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:early-session',
  description: 'Connects a notebook to the session its server already has for it, as it opens.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app, tracker: INotebookTracker): void => {
    tracker.widgetAdded.connect((_tracker, panel: NotebookPanel) => {
      connectEarly(panel.sessionContext).catch(error =>
        console.warn('@manabu/lab:early-session: left to JupyterLab', error));
    });
  }
};

export default plugin;
