import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/** Student view of elementary lessons: big run buttons, "run everything up to here". */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:student-view',
  description: 'Large run buttons on the steps of elementary lessons.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // filled in by the student-view commit
  }
};

export default plugin;
