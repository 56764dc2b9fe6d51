// Tablets (narrowScreen.ts): under 1100 px the left sidebar folds away, when JupyterLab opens and
// when the screen turns narrow, but a child who opens it again keeps it. The rules, on lib/; the
// layout at 810 and 1024 px is checked in Chromium (tests/device_checks.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const screen = await load('screenWidth');

test('tablets are narrow, a Chromebook is not', () => {
  assert.equal(screen.NARROW_PX, 1100); // tests/device_checks.py says the same
  for (const width of [375, 810, 1024, 1099]) { // a phone, an iPad portrait and landscape
    assert.equal(screen.isNarrow(width), true, `${width}`);
  }
  for (const width of [1100, 1280, 1366, 1920]) {
    assert.equal(screen.isNarrow(width), false, `${width}`);
  }
});

test('the sidebar folds when the screen turns narrow, not while it stays narrow', () => {
  assert.equal(screen.collapsesOnResize(1366, 1024), true); // turned narrow
  assert.equal(screen.collapsesOnResize(1100, 1099), true);
  assert.equal(screen.collapsesOnResize(1024, 810), false); // still narrow: the child's choice
  assert.equal(screen.collapsesOnResize(810, 810), false);
  assert.equal(screen.collapsesOnResize(810, 1366), false); // turned wide
  assert.equal(screen.collapsesOnResize(1366, 1920), false);
});
