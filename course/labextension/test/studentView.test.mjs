// The student view (studentView.ts): which lessons get it, which cells get run bars, what
// "run all up to here" runs and where it stops (not at an empty cell, which gets no reply). The rules, on lib/; the bars themselves are
// checked in Chromium (tests/test_tap_browser.py). Which cells are folded is decided when the
// lesson is built (autograder/build/lessonfile.py), not here.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const steps = await load('steps');

const ELEMENTARY = { band: 'elementary', lang: 'ja' };
const JUNIOR_HIGH = { band: 'junior-high', lang: 'ja' };

test('elementary lessons get the student view; junior-high lessons and other notebooks not', () => {
  assert.equal(steps.hasStudentView(ELEMENTARY), true);
  assert.equal(steps.hasStudentView({ band: 'elementary' }), true);
  for (const lesson of [JUNIOR_HIGH, { lang: 'ja' }, {}, null, undefined]) {
    assert.equal(steps.hasStudentView(lesson), false, JSON.stringify(lesson));
  }
});

test('every code cell of an elementary lesson gets one run bar; Markdown gets none', () => {
  const cells = [
    { code: false, decorated: false }, // title
    { code: true, decorated: false }, // setup (folded)
    { code: false, decorated: false },
    { code: true, decorated: false }, // widget
    { code: true, decorated: true } // has its bar already (a cell added later came since)
  ];
  assert.deepEqual(steps.cellsNeedingBars(ELEMENTARY, cells), [1, 3]);
  assert.deepEqual(steps.cellsNeedingBars(JUNIOR_HIGH, cells), []);
  assert.deepEqual(steps.cellsNeedingBars(undefined, cells), []);
});

test('"run all up to here" runs each code cell from the top to this one, in order', () => {
  const code = [false, true, false, true, true, false, true];
  assert.deepEqual(steps.stepsUpTo(code, 4), [1, 3, 4]);
  assert.deepEqual(steps.stepsUpTo(code, 5), [1, 3, 4]);
  assert.deepEqual(steps.stepsUpTo(code, 0), []);
  assert.deepEqual(steps.stepsUpTo(code, 6), [1, 3, 4, 6]);
});

/** A kernel that answers each step with the status the test gives it, and notes what ran. */
function kernel(statuses) {
  const ran = [];
  const run = async step => {
    ran.push(step);
    await new Promise(resolve => setTimeout(resolve, 0));
    return statuses[step] === undefined ? undefined : { content: { status: statuses[step] } };
  };
  return { ran, run };
}

test('steps run one after another and stop at the first that did not end well', async () => {
  const all = kernel({ a: 'ok', b: 'ok', c: 'ok' });
  assert.equal(await steps.runInOrder(['a', 'b', 'c'], all.run), null);
  assert.deepEqual(all.ran, ['a', 'b', 'c']);
  for (const status of ['error', 'aborted']) {
    const k = kernel({ a: 'ok', b: status, c: 'ok' });
    assert.equal(await steps.runInOrder(['a', 'b', 'c'], k.run), 'b', status);
    assert.deepEqual(k.ran, ['a', 'b'], status); // the child sees b, nothing after it ran
  }
  const gone = kernel({ a: 'ok' }); // no reply (no kernel): stop there too
  assert.equal(await steps.runInOrder(['a', 'b', 'c'], gone.run), 'b');
  assert.equal(await steps.runInOrder([], gone.run), null);
});

test('a step starts only when the one before has ended', async () => {
  const events = [];
  const run = async step => {
    events.push(`start ${step}`);
    await new Promise(resolve => setTimeout(resolve, 5));
    events.push(`end ${step}`);
    return { content: { status: 'ok' } };
  };
  await steps.runInOrder(['a', 'b'], run);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
});

test('a code cell with nothing to run is blank: empty, spaces, new lines, a full-width space', () => {
  for (const source of ['', ' ', '\n\n', '\t \n ', '\u3000', ' \u3000\n']) {
    assert.equal(steps.isBlank(source), true, JSON.stringify(source));
  }
  for (const source of ['x', '  answer = 1\n', '# a note', 'ａ']) {
    assert.equal(steps.isBlank(source), false, JSON.stringify(source));
  }
});

test('"run all up to here" runs past a blank cell, which JupyterLab ends with no reply', async () => {
  // JupyterLab sends a blank cell to no kernel: it clears the cell and gives no reply
  const sources = { a: 'x = 1', blank: ' \n', c: 'y = 2' };
  const k = kernel({ a: 'ok', c: 'ok' });
  const blank = step => steps.isBlank(sources[step]);
  assert.equal(await steps.runInOrder(['a', 'blank', 'c'], k.run, blank), null);
  assert.deepEqual(k.ran, ['a', 'blank', 'c']); // the blank one too: its old output goes
  assert.equal(await steps.runInOrder(['blank'], kernel({}).run, blank), null);
  // a cell with code and no reply (no kernel) still stops the chain, where the child sees it
  const gone = kernel({ a: 'ok' });
  assert.equal(await steps.runInOrder(['a', 'blank', 'c'], gone.run, blank), 'c');
  // and a failing check after a blank cell still stops it there
  const fails = kernel({ a: 'ok', c: 'error' });
  assert.equal(await steps.runInOrder(['blank', 'c', 'a'], fails.run, blank), 'c');
  assert.deepEqual(fails.ran, ['blank', 'c']);
});

test('a run that ends without a reply, cancelled (the kernel restarted), stops the chain there', async () => {
  const ran = [];
  const run = async step => {
    ran.push(step);
    if (step === 'b') {
      throw new Error('Canceled future for execute_request message before replies were done');
    }
    return { content: { status: 'ok' } };
  };
  assert.equal(await steps.runInOrder(['a', 'b', 'c'], run), 'b'); // no unhandled error
  assert.deepEqual(ran, ['a', 'b']);
});

test('whether a cell is blank is read as its run starts, not when the chain was tapped', async () => {
  // the child types into the empty cell while the steps above it run: it runs with that text
  const sources = { a: 'x = 1', b: '', c: 'y = 2' };
  const replies = { a: 'ok', c: 'ok' };
  const run = async step => {
    if (step === 'a') {
      sources.b = 'z = 3';
      replies.b = 'error';
    }
    return replies[step] ? { content: { status: replies[step] } } : undefined;
  };
  assert.equal(await steps.runInOrder(['a', 'b', 'c'], run, s => steps.isBlank(sources[s])), 'b');
});
