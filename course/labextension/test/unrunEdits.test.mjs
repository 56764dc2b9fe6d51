// Unrun edits (edits.ts): which answer cells were edited and not run again, and when the kernel
// must hear it. The bookkeeping, on lib/; the comm itself is checked in Chromium
// (tests/test_tap_browser.py) and in the kernel (tests/test_forgiving.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { UnrunEdits } = await load('unrunEdits');

/** Two answer cells, as the notebook has them now. */
function lesson() {
  const k = { source: 'answer_k = 3' };
  const why = { source: 'answer_why = "b"' };
  const edits = new UnrunEdits();
  for (const cell of [k, why]) {
    assert.equal(edits.follow(cell, cell.source), true);
  }
  const now = () => edits.edited([k, why].map(cell => ({ cell, source: cell.source })));
  return { k, why, edits, now };
}

test('a notebook just opened has nothing unrun; a cell is followed once', () => {
  const { k, edits, now } = lesson();
  assert.deepEqual(now(), []);
  assert.equal(edits.follow(k, 'answer_k = 99'), false); // seen again: its run text stays
  assert.deepEqual(now(), []);
});

test('an edit counts until a run starts with that text', () => {
  const { k, why, edits, now } = lesson();
  k.source = 'answer_k = 5';
  assert.deepEqual(now(), ['answer_k']);
  why.source = 'answer_why = "c"';
  assert.deepEqual(now(), ['answer_k', 'answer_why']);
  edits.started(k, k.source);
  assert.deepEqual(now(), ['answer_why']);
  k.source = 'answer_k = 6'; // typed on after the run started: the kernel has the older text
  assert.deepEqual(now(), ['answer_k', 'answer_why']);
  k.source = 'answer_k = 5'; // back to what it ran with
  why.source = 'answer_why = "b"';
  assert.deepEqual(now(), []);
});

test('a renamed answer makes both names unsure', () => {
  const { k, now } = lesson();
  k.source = 'answer_n = 3';
  assert.deepEqual(now(), ['answer_k', 'answer_n']);
});

test('the kernel hears a list only when it changed, or when a new kernel asks', () => {
  const { edits } = lesson();
  assert.equal(edits.shouldSend([]), true); // the first word a kernel hears
  assert.equal(edits.shouldSend([]), false);
  assert.equal(edits.shouldSend(['answer_k']), true);
  assert.equal(edits.shouldSend(['answer_k']), false);
  assert.equal(edits.shouldSend(['answer_k'], true), true); // a restarted kernel: tell it again
  assert.equal(edits.shouldSend([]), true);
});
