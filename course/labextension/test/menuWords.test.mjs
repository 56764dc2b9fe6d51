// The Japanese of the menu entries other extensions add in English (menuWords.ts): every entry the
// browser test (tests/test_japanese_everywhere.py) found English, and only whole labels.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const words = await load('menuWords');

test('the English menu entries of a Japanese course have Japanese', () => {
  const expected = {
    'Assignment List': 'レッスン一覧',
    'Duplicate Notebook': 'ノートブックを複製',
    'Save Widget State Automatically': 'ウィジェットの状態を自動で保存',
    'Render Notebook with Voilà': 'Voilà で表示',
    'NumPy Reference': 'NumPy リファレンス（英語）'
  };
  for (const [english, japanese] of Object.entries(expected)) {
    assert.equal(words.translateMenuLabel(english), japanese);
    assert.equal(words.translateMenuLabel(` ${english}\n`), japanese, 'spaces around it');
  }
});

test('every entry is found, and a Japanese label is never translated again', () => {
  const table = Object.entries(words.MENU_JA);
  assert.ok(table.length >= 18);
  for (const [english, japanese] of table) {
    assert.equal(english, english.trim(), `${english}: keys are the trimmed text`);
    assert.equal(words.translateMenuLabel(english), japanese);
    assert.ok(/[\u3040-\u30ff\u4e00-\u9fff]/.test(japanese), `${japanese}: Japanese`);
    assert.equal(words.translateMenuLabel(japanese), null, japanese);
  }
});

test('only whole labels: a part of one, a file name or an empty label stays', () => {
  for (const text of ['Assignment', 'Assignment List 2', 'e03.ipynb', '', '   ', 'toString']) {
    assert.equal(words.translateMenuLabel(text), null, text);
  }
});
