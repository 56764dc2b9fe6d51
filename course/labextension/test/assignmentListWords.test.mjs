// The whole word table of nbgrader's Assignment List in Japanese (assignmentListWords.ts), entry
// by entry. The single labels are in assignmentList.test.mjs; kana, grade 1-3 kanji and no English
// are checked in tests/test_my_lessons.py, the relabelled panel in Chromium
// (tests/test_my_lessons_browser.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const words = await load('assignmentListWords');
const table = Object.entries(words.ASSIGNMENT_LIST_JA);

test('every entry is found as nbgrader writes it, with spaces around or not', () => {
  assert.ok(table.length >= 20);
  for (const [english, japanese] of table) {
    assert.equal(english, english.trim(), `${english}: keys are the trimmed text`);
    assert.equal(words.translateLabel(english), japanese);
    assert.equal(words.translateLabel(`\n    ${english}  `), `\n    ${japanese}  `);
  }
});

test('a Japanese label is never translated again', () => {
  // the panel relabels on every change it sees, its own changes too: a label must stay put
  for (const [english, japanese] of table) {
    assert.ok(japanese.trim(), english);
    assert.equal(words.translateLabel(japanese), null, japanese);
  }
});
