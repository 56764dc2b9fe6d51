// Tap to answer (answers.ts): a widget's line goes into the answer cell that assigns its name,
// and a late older tap never ends up over a newer one. The pure logic, on lib/.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const cell = await load('answerCell');
const { RunAgain } = await load('rerun');

test('only code cells nbgrader marks as answers are written into', () => {
  assert.equal(cell.isAnswerCell('code', { solution: true, grade: false }), true);
  assert.equal(cell.isAnswerCell('code', { solution: false, grade: true }), false); // a check
  assert.equal(cell.isAnswerCell('markdown', { solution: true, grade: true }), false); // written
  assert.equal(cell.isAnswerCell('code', undefined), false);
  assert.equal(cell.isAnswerCell('code', {}), false);
});

test('each line goes into the first answer cell that assigns its name, the rest is kept', () => {
  const cells = ['# Which one?\nanswer_robot = ...', 'answer_vote = ...\nanswer_why = ...'];
  const plan = cell.planWrites(cells, ['answer_why = "b"', 'answer_robot = "b"']);
  assert.deepEqual(plan.sources, ['# Which one?\nanswer_robot = "b"',
    'answer_vote = ...\nanswer_why = "b"']);
  assert.deepEqual(plan.written, ['answer_why', 'answer_robot']);
  assert.deepEqual(plan.cells, [1, 0]); // run in the order written
  // only the first: a later cell that assigns the name again is the child's own
  assert.deepEqual(cell.planWrites(['answer_k = ...', 'answer_k = 7'], ['answer_k = 3']).sources,
    ['answer_k = 3', 'answer_k = 7']);
});

test('two lines for one cell run it once; a line with no answer cell is left out', () => {
  const plan = cell.planWrites(['answer_a = ...\nanswer_b = ...', 'x = 1'],
    ['answer_a = 1', 'answer_b = 2', 'answer_c = 3', 'print(1)', '']);
  assert.deepEqual(plan.sources, ['answer_a = 1\nanswer_b = 2', 'x = 1']);
  assert.deepEqual(plan.written, ['answer_a', 'answer_b']);
  assert.deepEqual(plan.cells, [0]);
  assert.deepEqual(cell.planWrites([], ['answer_a = 1']).written, []);
});

test('a multi-line answer (a pixel grid) replaces the whole older answer', () => {
  const grid = 'answer_grid = [\n    [0, 1],\n    [1, 0],\n]';
  const plan = cell.planWrites([grid], ['answer_grid = [\n    [1, 1],\n    [1, 1],\n]']);
  assert.equal(plan.sources[0], 'answer_grid = [\n    [1, 1],\n    [1, 1],\n]');
});

test('taps written in the order they came: the newest answer stays, whatever came before', () => {
  let sources = ['answer_vote = ...'];
  for (const tap of ['answer_vote = 3', 'answer_vote = 5', 'answer_vote = 4']) {
    sources = cell.planWrites(sources, [tap]).sources;
  }
  assert.deepEqual(sources, ['answer_vote = 4']);
});

/** A run the test ends by hand, and what each run saw when it started. */
function fakeKernel(answer) {
  const seen = [];
  const pending = [];
  const job = () => {
    seen.push(answer.text); // the kernel runs the text the cell has when the run starts
    return new Promise(resolve => pending.push(resolve));
  };
  const finish = async () => {
    pending.shift()();
    await new Promise(resolve => setTimeout(resolve, 0));
  };
  return { seen, job, finish, pending };
}

test('taps during a run: the cell runs once more, after it, with the newest text', async () => {
  const answer = { text: 'answer_vote = 3' };
  const runs = new RunAgain();
  const kernel = fakeKernel(answer);
  const first = runs.run(answer, kernel.job);
  for (const text of ['answer_vote = 5', 'answer_vote = 4']) { // a slider, moved on
    answer.text = text;
    await runs.run(answer, kernel.job); // only asks again: returns at once
  }
  assert.deepEqual(kernel.seen, ['answer_vote = 3']); // never two runs at once
  await kernel.finish();
  assert.deepEqual(kernel.seen, ['answer_vote = 3', 'answer_vote = 4']); // once, the newest
  await kernel.finish();
  await first;
  assert.equal(kernel.pending.length, 0);
  // the key is free again: a later tap runs at once
  answer.text = 'answer_vote = 2';
  const later = runs.run(answer, kernel.job);
  assert.deepEqual(kernel.seen.at(-1), 'answer_vote = 2');
  await kernel.finish();
  await later;
});

test('cells run independently, and a failed run does not block the next one', async () => {
  const runs = new RunAgain();
  const a = { text: 'answer_a = 1' };
  const b = { text: 'answer_b = 1' };
  const ka = fakeKernel(a);
  const kb = fakeKernel(b);
  const runA = runs.run(a, ka.job);
  const runB = runs.run(b, kb.job);
  assert.deepEqual([ka.seen, kb.seen], [['answer_a = 1'], ['answer_b = 1']]);
  await ka.finish();
  await kb.finish();
  await Promise.all([runA, runB]);
  await assert.rejects(runs.run(a, () => Promise.reject(new Error('kernel gone'))));
  const again = runs.run(a, ka.job);
  assert.equal(ka.seen.length, 2);
  await ka.finish();
  await again;
});
