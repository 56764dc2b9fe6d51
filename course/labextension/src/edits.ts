import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';

import { isAnswerCell } from './answerCell';
import { UnrunEdits } from './unrunEdits';

/** The comm course/unrun_edits.py opens when a lesson starts. */
export const COMM_TARGET = 'manabu.edits';

/**
 * Tells the kernel which answer cells have edits not run yet, so a check says "run its cell
 * again" instead of judging the old value. One per notebook panel.
 */
class EditReporter {
  private edits = new UnrunEdits<ICodeCellModel>();
  private comm: Kernel.IComm | null = null;

  constructor(private panel: NotebookPanel) {}

  /** The answer cells of the notebook, each watched once. */
  private answers(): ICodeCellModel[] {
    const cells = this.panel.content.model?.cells;
    const found: ICodeCellModel[] = [];
    for (let i = 0; cells && i < cells.length; i++) {
      const model = cells.get(i) as ICodeCellModel;
      if (!isAnswerCell(model.type, model.getMetadata('nbgrader'))) {
        continue;
      }
      if (this.edits.follow(model, model.sharedModel.getSource())) {
        model.contentChanged.connect(() => this.report());
        model.stateChanged.connect((_m, change) => {
          // the text a run starts with is what the kernel holds afterwards
          if (change.name === 'executionState' && (change.newValue as unknown) === 'running') {
            this.edits.started(model, model.sharedModel.getSource());
            this.report();
          }
        });
      }
      found.push(model);
    }
    return found;
  }

  /** Send the names of edited answers when they differ from what the kernel has. */
  report(force = false): void {
    const names = this.edits.edited(
      this.answers().map(model => ({ cell: model, source: model.sharedModel.getSource() }))
    );
    if (!this.comm || this.comm.isDisposed || !this.edits.shouldSend(names, force)) {
      return;
    }
    this.comm.send({ edited: names });
  }

  /** The kernel started a lesson: keep its comm and tell it the state now. */
  open(comm: Kernel.IComm): void {
    this.comm = comm;
    comm.onClose = () => {
      if (this.comm === comm) {
        this.comm = null;
      }
    };
    this.report(true);
  }
}

/** Unrun edits: the kernel hears which answer cells were edited and not run again. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:edits',
  description: 'Tells the kernel which answer cells have edits that were not run.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): void => {
    tracker.widgetAdded.connect((_tracker, panel) => {
      const reporter = new EditReporter(panel);
      void panel.context.ready.then(() => reporter.report());
      const connect = () => {
        const kernel = panel.sessionContext.session?.kernel;
        kernel?.registerCommTarget(COMM_TARGET, comm => reporter.open(comm));
      };
      panel.sessionContext.kernelChanged.connect(connect);
      connect();
    });
  }
};

export default plugin;
