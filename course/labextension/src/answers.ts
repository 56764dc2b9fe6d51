import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { assignedName, replaceAnswer } from './answerCell';

/** The comm target course/answerline.py opens. */
export const COMM_TARGET = 'manabu.answer';

/** Added for a moment to an answer cell the extension just wrote, so the child sees where. */
const WRITTEN_CLASS = 'manabu-answer-written';

/** An nbgrader answer cell ("solution" cell) of the notebook. */
function isAnswerCell(cell: CodeCell): boolean {
  const nbgrader = cell.model.getMetadata('nbgrader') as { solution?: boolean } | undefined;
  return !!nbgrader?.solution;
}

/**
 * Write each answer line into the answer cell that assigns its name, show the cell and run
 * it. Returns the names written; a line whose answer cell is not found is left out.
 */
export async function writeAnswers(panel: NotebookPanel, lines: string[]): Promise<string[]> {
  const cells = panel.content.widgets.filter(
    (cell): cell is CodeCell => cell instanceof CodeCell && isAnswerCell(cell)
  );
  const changed: CodeCell[] = [];
  const written: string[] = [];
  for (const line of lines) {
    const name = assignedName(line); // a line may span rows (a pixel grid): its name is on the first
    if (!name) {
      continue;
    }
    for (const cell of cells) {
      const source = replaceAnswer(cell.model.sharedModel.getSource(), name, line);
      if (source !== null) {
        cell.model.sharedModel.setSource(source);
        written.push(name);
        if (!changed.includes(cell)) {
          changed.push(cell);
        }
        break;
      }
    }
  }
  for (const cell of changed) {
    cell.inputHidden = false;
    void panel.content.scrollToCell(cell, 'center');
    cell.node.classList.add(WRITTEN_CLASS);
    window.setTimeout(() => cell.node.classList.remove(WRITTEN_CLASS), 1500);
    await run(panel, cell);
  }
  return written;
}

/** Cells being run, and whether they changed again meanwhile (a slider sends many lines). */
const running = new WeakMap<CodeCell, { again: boolean }>();

/** Run `cell`; if it is running already, run it once more when that run ends, with its last text. */
async function run(panel: NotebookPanel, cell: CodeCell): Promise<void> {
  const state = running.get(cell);
  if (state) {
    state.again = true;
    return;
  }
  const mine = { again: true };
  running.set(cell, mine);
  try {
    while (mine.again) {
      mine.again = false;
      await CodeCell.execute(cell, panel.sessionContext);
    }
  } finally {
    running.delete(cell);
  }
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
