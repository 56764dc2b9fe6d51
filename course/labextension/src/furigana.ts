import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/** Furigana: <ruby>, <rt> and <rp> in lesson Markdown survive the sanitizer. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:furigana',
  description: 'Keeps <ruby> readings (furigana) in Markdown cells.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // filled in by the furigana commit
  }
};

export default plugin;
