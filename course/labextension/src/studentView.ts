import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Cell, CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { PanelLayout, Widget } from '@lumino/widgets';
import { endsSkippedRun, runCountText } from './runState';
import {
  cellsNeedingBars,
  hasStudentView,
  ILesson,
  isBlank,
  runInOrder,
  stepsUpTo
} from './steps';

/** Button labels in the course language (the notebook's `manabu.lang`). */
const LABELS: { [lang: string]: { run: string; upTo: string; title: string } } = {
  en: {
    run: '▶ Run',
    upTo: '⏩ Run all up to here',
    title: 'Runs this step. No need for Shift + Enter.'
  },
  ja: {
    run: '▶ 実行',
    upTo: '⏩ ここまで ぜんぶ実行',
    title: 'このステップを実行します。Shift + Enter はいりません。'
  }
};

/** The lesson's band and language (the notebook's `manabu` metadata). */
function lessonOf(panel: NotebookPanel): ILesson {
  return (panel.content.model?.getMetadata('manabu') ?? {}) as ILesson;
}

/**
 * Run `cells` one after another; stop at the first that ends with an error, and show it. An
 * empty cell is run too (JupyterLab clears its old output) and counts as done: it gets no reply.
 */
async function runCells(panel: NotebookPanel, cells: CodeCell[]): Promise<void> {
  const stopped = await runInOrder(
    cells,
    cell => CodeCell.execute(cell, panel.sessionContext),
    cell => isBlank(cell.model.sharedModel.getSource())
  );
  if (stopped) {
    panel.content.activeCellIndex = panel.content.widgets.indexOf(stopped);
    void panel.content.scrollToCell(stopped);
  }
}

/**
 * When the kernel skips this run (it aborts the queue after an error), mark the cell not
 * running, as JupyterLab does for a run it cancels itself: otherwise it stays [*] until it runs.
 */
function markIdleIfAborted(cell: CodeCell): void {
  const future = cell.outputArea.future;
  if (!future) {
    return;
  }
  future.done.then(
    reply => {
      // only if no newer run of the cell has started since
      if (endsSkippedRun(reply, !cell.isDisposed && cell.outputArea.future === future)) {
        (cell.model as any).executionState = 'idle';
      }
    },
    () => undefined // a cancelled run: JupyterLab resets the cell itself
  );
}

/** The bar of big buttons (≥ 44 px, for a finger) above one code cell. */
class RunBar extends Widget {
  constructor(panel: NotebookPanel, cell: CodeCell, lang: string) {
    super();
    const labels = LABELS[lang] ?? LABELS.en;
    this.addClass('manabu-run-bar');
    this.node.lang = lang; // Japanese labels are drawn in the school font (style/base.css)
    const run = this.button(labels.run, 'manabu-run', labels.title);
    run.addEventListener('click', () => void runCells(panel, [cell]));
    const upTo = this.button(labels.upTo, 'manabu-run-up-to', '');
    upTo.addEventListener('click', () => {
      const cells = panel.content.widgets;
      const code = cells.map(c => c instanceof CodeCell);
      const steps = stepsUpTo(code, cells.indexOf(cell)).map(i => cells[i] as CodeCell);
      void runCells(panel, steps);
    });
    // JupyterLab's [n] prompt is folded away with the code: show it here, for the teacher
    const count = document.createElement('span');
    count.className = 'manabu-run-count';
    this.node.appendChild(count);
    const show = () => {
      const model = cell.model;
      count.textContent = runCountText((model as any).executionState, model.executionCount);
    };
    cell.model.stateChanged.connect((_model, change) => {
      if (change.name === 'executionState' && (change.newValue as unknown) === 'running') {
        // JupyterLab gives the cell its request right after marking it running
        void Promise.resolve().then(() => markIdleIfAborted(cell));
      }
      show();
    });
    show();
  }

  private button(text: string, className: string, title: string): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `manabu-run-button ${className}`;
    button.textContent = text;
    if (title) {
      button.title = title;
    }
    this.node.appendChild(button);
    return button;
  }
}

const DECORATED = 'manabu-has-run-bar';

/** Put a run bar on every code cell of an elementary lesson that has none yet. */
function decorate(panel: NotebookPanel): void {
  const lesson = lessonOf(panel);
  if (!hasStudentView(lesson)) {
    return;
  }
  panel.addClass('manabu-student-view');
  const cells = panel.content.widgets as readonly Cell[];
  const kinds = cells.map(c => ({ code: c instanceof CodeCell, decorated: c.hasClass(DECORATED) }));
  for (const i of cellsNeedingBars(lesson, kinds)) {
    const cell = cells[i] as CodeCell;
    cell.addClass(DECORATED);
    (cell.layout as PanelLayout).insertWidget(1, new RunBar(panel, cell, lesson.lang ?? 'en'));
  }
}

/** Student view of elementary lessons: big run buttons, "run everything up to here". */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:student-view',
  description: 'Large run buttons on the steps of elementary lessons.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): void => {
    tracker.widgetAdded.connect((_tracker, panel) => {
      void panel.context.ready.then(() => {
        decorate(panel);
        // cells added later (undo, paste, a reload from disk) get their bar too; the notebook
        // makes the cell widgets in its own handler of this signal, so wait for it
        panel.content.model?.cells.changed.connect(() =>
          window.setTimeout(() => decorate(panel), 0)
        );
      });
    });
  }
};

export default plugin;
