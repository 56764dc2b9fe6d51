// A new active cell collapses the other cells' selections only where text is highlighted
// (trimSelections.ts): an editor showing just a cursor is not updated, and every cell model ends
// up with the selections JupyterLab's own Notebook._trimSelections leaves.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { cursorOnly, trimSelections } = await load('trimSelections');

const at = (line, column) => ({ line, column });
const range = (a, b) => ({ start: a, end: b });

/** A cell whose editor has ``ranges`` selected (the cursor at the end of the first). */
function cell(uuid, ranges, { focused = false, disposed = false } = {}) {
  const log = [];
  const stored = new Map([[uuid, ranges]]);
  const editor = {
    uuid,
    ranges,
    hasFocus: () => focused,
    getSelections() { return this.ranges; },
    getCursorPosition() { return this.ranges[0].end; },
    setCursorPosition(place, options) {
      log.push(['collapse', place, options]);
      this.ranges = [range(place, place)];
      if (!focused) stored.set(uuid, this.ranges);  // as JupyterLab's editor does
    }
  };
  return {
    log, stored, editor,
    model: { isDisposed: disposed, selections: { delete: key => stored.delete(key), set: (key, v) => stored.set(key, v) } }
  };
}

test('one cursor is nothing to collapse; a range or several cursors are', () => {
  assert.equal(cursorOnly([range(at(2, 3), at(2, 3))]), true);
  assert.equal(cursorOnly([range(at(2, 3), at(2, 5))]), false);
  assert.equal(cursorOnly([range(at(1, 3), at(2, 3))]), false);
  assert.equal(cursorOnly([range(at(0, 0), at(0, 0)), range(at(1, 0), at(1, 0))]), false);
  assert.equal(cursorOnly([]), false);
});

test('only editors with highlighted text are collapsed, the active cell is left alone', () => {
  const cursor = cell('a', [range(at(0, 4), at(0, 4))]);
  const highlighted = cell('b', [range(at(0, 1), at(3, 2))]);
  const active = cell('c', [range(at(0, 0), at(0, 7))]);
  const collapsed = trimSelections([cursor, highlighted, active], 2);
  assert.equal(collapsed, 1);
  assert.deepEqual(cursor.log, []);
  assert.deepEqual(highlighted.log, [['collapse', at(3, 2), { scroll: false }]]);
  assert.deepEqual(active.log, []);
  // the models' selections: each other cell one cursor, as with JupyterLab's own
  assert.deepEqual(cursor.stored.get('a'), [range(at(0, 4), at(0, 4))]);
  assert.deepEqual(highlighted.stored.get('b'), [range(at(3, 2), at(3, 2))]);
  assert.deepEqual(active.stored.get('c'), [range(at(0, 0), at(0, 7))]);
});

test('a focused editor keeps no stored selection; disposed cells and cells without an editor are skipped', () => {
  const focused = cell('f', [range(at(1, 1), at(1, 1))], { focused: true });
  const disposed = cell('d', [range(at(0, 0), at(0, 3))], { disposed: true });
  const placeholder = { model: { isDisposed: false, selections: { delete() { throw new Error('no'); } } }, editor: null };
  assert.equal(trimSelections([focused, disposed, placeholder], -1), 0);
  assert.equal(focused.stored.has('f'), false);  // deleted, as JupyterLab's setCursorPosition leaves it
  assert.deepEqual(disposed.log, []);
  assert.deepEqual(disposed.stored.get('d'), [range(at(0, 0), at(0, 3))]);
});
