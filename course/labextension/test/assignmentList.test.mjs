// nbgrader's Assignment List and its dialogs in Japanese, and the run bar after an aborted run: the pure logic,
// on the compiled JavaScript (lib/). The relabelling of the real panel is checked in Chromium
// (tests/test_my_lessons_browser.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

async function load(name) {
  const source = readFileSync(new URL(`../lib/${name}.js`, import.meta.url), 'utf8');
  return import('data:text/javascript,' + encodeURIComponent(source));
}

const words = await load('assignmentListWords');
const run = await load('runState');

test('translateLabel gives the Japanese and keeps the spaces nbgrader puts around it', () => {
  assert.equal(words.translateLabel('Fetch'), 'もらう');
  assert.equal(words.translateLabel('Submit'), '先生に 出す');
  assert.equal(words.translateLabel('Validate'), 'たしかめる');
  assert.equal(words.translateLabel('\n        Released assignments\n      '),
    '\n        もらえる レッスン\n      ');
  assert.equal(words.translateLabel(' (view feedback)'), ' （おへんじを 見る）');
  assert.equal(words.translateLabel(' There are no submitted assignments. '),
    ' 出した レッスンは ないよ。 ');
});

test('translateLabel leaves ids, times, Japanese and blank text alone', () => {
  for (const text of ['e03', '2026-12-03 18:20:00', 'もらう', '先生に 出す', '', '  \n ']) {
    assert.equal(words.translateLabel(text), null, text);
  }
});

test('every label nbgrader 0.9 writes into the Assignment List has Japanese', () => {
  for (const english of ['Assignments', 'Fetching...', 'submitting...', 'Validating...',
    'Fetch Feedback', 'Fetching Feedback...', '(feedback available to fetch)',
    'Refresh assignments list', 'Loading, please wait...',
    'Released, downloaded, and submitted assignments for course:',
    'Error fetching assignment.', 'Error submitting assignment.',
    'Error validating assignment.', 'Error fetching feedback.', 'No courses found.']) {
    const japanese = words.translateLabel(english);
    assert.ok(japanese && !/[A-Za-z]/.test(japanese), `${english} -> ${japanese}`);
  }
});

test('nbgrader\'s dialogs are Japanese: validation results, a refused submission', () => {
  assert.equal(words.translateLabel('Validation Results'), 'たしかめた けっか');
  assert.equal(words.translateLabel('Invalid Submission'), '出せなかったよ');
  assert.equal(words.translateLabel('Success! Your notebook passes all the tests.'),
    'チェックは ぜんぶ 通ったよ。あっているかは 先生が たしかめるよ。');
  for (const english of ['Assignment not submitted:', 'The following cell failed:',
    'The following cell passed:', 'Validation failed', 'Cannot save notebook', 'Version Mismatch',
    'There was an error running the validate command:',
    'The source of the following cell has changed, but it should not have!']) {
    const japanese = words.translateLabel(english);
    assert.ok(japanese && !/[A-Za-z]/.test(japanese), `${english} -> ${japanese}`);
  }
});

test('nbgrader\'s sentences with a detail in them are Japanese whatever the detail', () => {
  for (const [oldType, newType] of [['code', 'markdown'], ['markdown', 'code'], ['raw', 'code']]) {
    assert.equal(words.translateLabel(
      `The following ${oldType} cell has changed to a ${newType} cell, but it should not have!`),
    'この セルの しゅるいが かわったよ。先生に 言ってね:');
  }
  assert.equal(words.translateLabel('Cannot validate: TypeError: Failed to fetch'),
    'たしかめられなかったよ。先生に 言ってね。');
  assert.equal(words.translateLabel('Cannot check version: Error: 404'),
    'うまく 動かないよ。先生に 言ってね。');
  // nbgrader's own text when it finds no exchange (a server without Manabu's fix)
  assert.equal(words.translateLabel('The exchange directory does not exist and could\n  not be ' +
    'created. The "release" and "collect" functionality will not be available.'),
  'レッスンが 見つからないよ。先生に 言ってね。');
  // a detail alone, or a sentence that only looks alike, stays as it is
  for (const text of ['TypeError: Failed to fetch', 'The following cell failed: x',
    'constructor', 'toString', '__proto__']) {
    assert.equal(words.translateLabel(text), null, text);
  }
});

test('nbgrader\'s Validate button in a lesson\'s toolbar is Japanese while it works', () => {
  assert.equal(words.translateLabel('Validate'), 'たしかめる');
  assert.equal(words.translateLabel('Validate Assignment'), 'レッスンを たしかめる');
  assert.equal(words.translateLabel('Saving...'), 'ほぞん しているよ…');
  assert.equal(words.translateLabel('Validating...'), 'たしかめているよ…');
});

test('the short sentences Manabu\'s server sends instead of nbgrader\'s errors are Japanese', () => {
  assert.equal(words.translateLabel('Could not hand it in. Please tell your teacher.'),
    '出せなかったよ。先生に 言ってね。');
  assert.equal(words.translateLabel('Could not find your lessons. Please tell your teacher.'),
    'レッスンが 見つからないよ。先生に 言ってね。');
});

test('an aborted run is told apart from a run that ended, well or with an error', () => {
  assert.equal(run.wasAborted({ content: { status: 'aborted' } }), true);
  for (const reply of [{ content: { status: 'ok' } }, { content: { status: 'error' } },
    { content: {} }, {}, null, undefined]) {
    assert.equal(run.wasAborted(reply), false, JSON.stringify(reply));
  }
});

test('the run bar shows [*] only while running: an aborted cell marked idle shows not run', () => {
  assert.equal(run.runCountText('running', null), '[*]');
  assert.equal(run.runCountText('idle', null), '[ ]');  // aborted: JupyterLab gave no count
  assert.equal(run.runCountText('idle', 7), '[7]');
  assert.equal(run.runCountText(undefined, null), '[ ]');
});
