import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { isAnswerCell, planWrites } from './answerCell';
import { RunAgain } from './rerun';

/** The comm target course/answerline.py opens. */
export const COMM_TARGET = 'manabu.answer';

/** Added for a moment to an answer cell the extension just wrote, so the child sees where. */
const WRITTEN_CLASS = 'manabu-answer-written';

/** Answer cells being run; one changed again meanwhile (a slider sends many lines) runs again. */
const runs = new RunAgain<CodeCell>();

/**
 * Write each answer line into the answer cell that assigns its name, show the cell and run
 * it. Returns the names written; a line whose answer cell is not found is left out.
 */
export async function writeAnswers(panel: NotebookPanel, lines: string[]): Promise<string[]> {
  const cells = panel.content.widgets.filter(
    (cell): cell is CodeCell =>
      cell instanceof CodeCell && isAnswerCell('code', cell.model.getMetadata('nbgrader'))
  );
  const plan = planWrites(cells.map(cell => cell.model.sharedModel.getSource()), lines);
  const changed = plan.cells.map(i => cells[i]);
  // every text is set before the first await: a newer tap, handled after this, writes over it
  plan.cells.forEach(i => cells[i].model.sharedModel.setSource(plan.sources[i]));
  for (const cell of changed) {
    cell.inputHidden = false;
    void panel.content.scrollToCell(cell, 'center');
    cell.node.classList.add(WRITTEN_CLASS);
    window.setTimeout(() => cell.node.classList.remove(WRITTEN_CLASS), 1500);
    await runs.run(cell, () => CodeCell.execute(cell, panel.sessionContext));
  }
  return plan.written;
}

/** Listen on `kernel` for answer lines and write them into `panel`. */
function listen(panel: NotebookPanel, kernel: Kernel.IKernelConnection): void {
  kernel.registerCommTarget(
    COMM_TARGET,
    (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg) => {
      const data = msg.content.data as { lines?: unknown };
      const lines = Array.isArray(data.lines)
        ? data.lines.filter((l): l is string => typeof l === 'string')
        : [];
      // Not awaited: the kernel connection handles its messages one after another and waits
      // for this callback, so waiting here for the answer cell's run would wait for ever.
      void writeAnswers(panel, lines).then(
        written => comm.isDisposed || comm.close({ written }),
        error => {
          console.error('Manabu: could not write the answer line', error);
          return comm.isDisposed || comm.close({ written: [] });
        }
      );
    }
  );
}

/** Tap to answer: a widget's answer line is written into the answer cell and run. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:answers',
  description: 'Writes the answer line a Manabu widget sends into the answer cell.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): void => {
    tracker.widgetAdded.connect((_tracker, panel) => {
      const connect = () => {
        const kernel = panel.sessionContext.session?.kernel;
        if (kernel) {
          listen(panel, kernel); // the same connection lives through restarts
        }
      };
      panel.sessionContext.kernelChanged.connect(connect);
      connect();
    });
  }
};

export default plugin;
