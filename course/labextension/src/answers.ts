import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { CodeCell } from '@jupyterlab/cells';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { isAnswerCell, planWrites } from './answerCell';
import { RunAgain } from './rerun';
import { Settle } from './settle';

/** The comm target course/answerline.py opens. */
export const COMM_TARGET = 'manabu.answer';

/** Added for a moment to an answer cell the extension just wrote, so the child sees where. */
const WRITTEN_CLASS = 'manabu-answer-written';

/** Answer cells being run; one changed again meanwhile runs again after. */
const runs = new RunAgain<CodeCell>();

/** Each notebook's answer cells written and waiting for the child to stop (see settle.ts). */
const settles = new WeakMap<NotebookPanel, Settle<CodeCell>>();

/**
 * Run the answer cell the extension wrote. When the child stopped (`show`), show it too, so the
 * child sees where; not when the child went elsewhere (another slider, another cell): scrolling
 * then would pull the page away from where the child is.
 */
function reveal(panel: NotebookPanel, cell: CodeCell, show: boolean): void {
  if (cell.isDisposed || panel.isDisposed) {
    return;
  }
  cell.inputHidden = false;
  if (show) {
    void panel.content.scrollToCell(cell, 'center');
    cell.node.classList.add(WRITTEN_CLASS);
    window.setTimeout(() => cell.node.classList.remove(WRITTEN_CLASS), 1500);
  }
  runs
    .run(cell, () => CodeCell.execute(cell, panel.sessionContext))
    .catch(error => console.error('Manabu: could not run the answer cell', error));
}

/** The answer cells of `panel` waiting to run, made (with what runs them early) on first use. */
function settleOf(panel: NotebookPanel): Settle<CodeCell> {
  let settle = settles.get(panel);
  if (settle) {
    return settle;
  }
  const made = new Settle<CodeCell>((cell, stopped) => reveal(panel, cell, stopped));
  settle = made;
  settles.set(panel, made);
  // before any other cell of this notebook runs (a check right after the slider): the answer
  // cell's request goes first, as the signal comes just before the other cell's request
  const scheduled = (_: unknown, args: { notebook: unknown; cell: unknown }) => {
    if (args.notebook !== panel.content) {
      return;
    }
    if (args.cell instanceof CodeCell && made.has(args.cell)) {
      made.drop(args.cell); // the child runs the answer cell itself, with its newest text
    }
    made.now();
  };
  NotebookActions.executionScheduled.connect(scheduled);
  // when the child leaves the widget (focus moves out of an output) or the page
  const left = (event: FocusEvent) => {
    if ((event.target as Element | null)?.closest?.('.jp-OutputArea')) {
      made.now();
    }
  };
  const hidden = () => document.visibilityState === 'hidden' && made.now();
  const gone = () => made.now();
  panel.content.node.addEventListener('focusout', left);
  document.addEventListener('visibilitychange', hidden);
  window.addEventListener('pagehide', gone);
  panel.disposed.connect(() => {
    NotebookActions.executionScheduled.disconnect(scheduled);
    document.removeEventListener('visibilitychange', hidden);
    window.removeEventListener('pagehide', gone);
  });
  return made;
}

/**
 * Write each answer line into the answer cell that assigns its name, at once; the cell is shown
 * and run once the child stops (settle.ts). Returns the names written; a line whose answer cell
 * is not found is left out.
 */
export function writeAnswers(panel: NotebookPanel, lines: string[]): string[] {
  const cells = panel.content.widgets.filter(
    (cell): cell is CodeCell =>
      cell instanceof CodeCell && isAnswerCell('code', cell.model.getMetadata('nbgrader'))
  );
  const plan = planWrites(cells.map(cell => cell.model.sharedModel.getSource()), lines);
  const settle = settleOf(panel);
  for (const i of plan.cells) {
    cells[i].model.sharedModel.setSource(plan.sources[i]);
    settle.later(cells[i]);
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
      // the run is not waited for (see writeAnswers): the kernel connection handles its
      // messages one after another and waits for this callback
      let written: string[] = [];
      try {
        written = writeAnswers(panel, lines);
      } catch (error) {
        console.error('Manabu: could not write the answer line', error);
      }
      if (!comm.isDisposed) {
        comm.close({ written });
      }
    }
  );
}

/** Tap to answer: a widget's answer line is written into the answer cell, which runs when the child stops. */
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
