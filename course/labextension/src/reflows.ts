import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { CodeCell } from '@jupyterlab/cells';

import { oncePerFrame } from './perFrame';

/** A code cell's output prompt icon chosen once per frame, not on every output a run adds
 * (perFrame.ts): fewer layouts of the whole page while "run all" draws a lesson's outputs. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:output-reflows',
  description: 'Chooses a code cell\'s output prompt icon once per frame.',
  autoStart: true,
  activate: (): void => {
    oncePerFrame(CodeCell.prototype as any, 'updatePromptOverlayIcon',
      callback => requestAnimationFrame(callback));
  }
};

export default plugin;
