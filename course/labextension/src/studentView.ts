import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Cell, CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { PanelLayout, Widget } from '@lumino/widgets';
import { runCountText, wasAborted } from './runState';

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

/** Elementary lessons get the student view; junior-high lessons keep JupyterLab as it is. */
function lessonOf(panel: NotebookPanel): { band?: string; lang?: string } {
  return (panel.content.model?.getMetadata('manabu') ?? {}) as {
    band?: string;
    lang?: string;
  };
}

/** Run `cells` one after another; stop at the first that ends with an error. */
async function runCells(panel: NotebookPanel, cells: CodeCell[]): Promise<void> {
  for (const cell of cells) {
    const reply = await CodeCell.execute(cell, panel.sessionContext);
    if (!reply || reply.content.status !== 'ok') {
      panel.content.activeCellIndex = panel.content.widgets.indexOf(cell);
      void panel.content.scrollToCell(cell);
      return;
    }
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
      if (wasAborted(reply) && !cell.isDisposed && cell.outputArea.future === future) {
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
      const index = panel.content.widgets.indexOf(cell);
      const steps = panel.content.widgets
        .slice(0, index + 1)
        .filter((c): c is CodeCell => c instanceof CodeCell);
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
  const { band, lang } = lessonOf(panel);
  if (band !== 'elementary') {
    return;
  }
  panel.addClass('manabu-student-view');
  for (const cell of panel.content.widgets as readonly Cell[]) {
    if (cell instanceof CodeCell && !cell.hasClass(DECORATED)) {
      cell.addClass(DECORATED);
      (cell.layout as PanelLayout).insertWidget(1, new RunBar(panel, cell, lang ?? 'en'));
    }
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
