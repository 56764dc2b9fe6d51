import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notebook } from '@jupyterlab/notebook';

import { ICellLike, trimSelections } from './trimSelections';

/** A new active cell collapses only the other editors that show highlighted text
 * (trimSelections.ts), not every editor of the lesson. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:selections',
  description: 'Collapses the other cells\' selections only where there is one to collapse.',
  autoStart: true,
  activate: (): void => {
    const proto = Notebook.prototype as any;
    if (typeof proto._trimSelections !== 'function') {
      console.warn('@manabu/lab:selections: this JupyterLab has no Notebook._trimSelections; left as it is');
      return;
    }
    proto._trimSelections = function (this: Notebook): void {
      trimSelections(this.widgets as unknown as readonly ICellLike[], this.activeCellIndex);
    };
  }
};

export default plugin;
