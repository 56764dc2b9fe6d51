import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/** Tap to answer: a widget's answer line is written into the answer cell and run. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:answers',
  description: 'Writes the answer line a Manabu widget sends into the answer cell.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // filled in by the tap-to-answer commit
  }
};

export default plugin;
