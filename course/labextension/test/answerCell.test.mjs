// Unit tests of the extension's pure logic, on the compiled JavaScript (lib/, made by tsc in
// build.py). Run with `node --test test/`; tests/test_labextension_js.py runs them in `make test`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// lib/ is ES module code in a package without "type": "module": a data: URL is always read as
// an ES module, on every Node version, without flags
async function load(name) {
  const source = readFileSync(new URL(`../lib/${name}.js`, import.meta.url), 'utf8');
  return import('data:text/javascript,' + encodeURIComponent(source));
}

const cell = await load('answerCell');

test('assignedName finds the name a line assigns, not a comparison', () => {
  assert.equal(cell.assignedName('answer_vote = 5'), 'answer_vote');
  assert.equal(cell.assignedName('  answer_k=3'), 'answer_k');
  assert.equal(cell.assignedName('answer_k == 3'), null);
  assert.equal(cell.assignedName('# answer_k = 3'), null);
});

test('replaceAnswer puts the line in place of the placeholder or an older answer', () => {
  const source = '# Which one?\nanswer_x = ...\nprint(answer_x)';
  assert.equal(cell.replaceAnswer(source, 'answer_x', 'answer_x = "b"'),
    '# Which one?\nanswer_x = "b"\nprint(answer_x)');
  const grid = 'answer_grid = [\n  [0, 1],\n  [1, 0],\n]\nx = 1';
  assert.equal(cell.replaceAnswer(grid, 'answer_grid', 'answer_grid = [[1]]'),
    'answer_grid = [[1]]\nx = 1');
  assert.equal(cell.replaceAnswer(source, 'answer_y', 'answer_y = 1'), null);
  // a bracket inside a string does not open a block
  assert.equal(cell.replaceAnswer('a = "("\nb = 2', 'a', 'a = 1'), 'a = 1\nb = 2');
});

test('assignedNames reads the top level only, once each', () => {
  assert.deepEqual(cell.assignedNames('answer_k = 3\nanswer_k = 4\ndef f(x):\n    y = 1\n'),
    ['answer_k', 'f']);
  assert.deepEqual(cell.assignedNames('# answer_k = ...\nprint(1)'), []);
});

test('editedNames lists the answers whose text changed since their last run', () => {
  assert.deepEqual(cell.editedNames([
    { source: 'answer_k = 5', ran: 'answer_k = 3' },      // edited, not run again
    { source: 'answer_vote = "b"', ran: 'answer_vote = "b"' }, // ran as it is
    { source: 'answer_new = 1', ran: 'answer_old = 1' },  // renamed: both are not current
    { source: 'answer_x = 1', ran: null }                 // no known run: nothing to say
  ]), ['answer_k', 'answer_new', 'answer_old']);
  assert.deepEqual(cell.editedNames([]), []);
});
