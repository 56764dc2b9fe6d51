// The run bar's [*] / [n] / [ ] (runState.ts): a run the kernel skipped after an error ends the
// cell's [*], unless a newer run of the cell started since. In Chromium:
// tests/test_tap_browser.py (run_up_to_while_a_check_fails).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const run = await load('runState');
const ABORTED = { content: { status: 'aborted' } };

test('a skipped run ends [*] when it is still the cell\'s latest run', () => {
  assert.equal(run.endsSkippedRun(ABORTED, true), true);
  assert.equal(run.endsSkippedRun(ABORTED, false), false); // a newer run shows its own [*]
});

test('a run that ended, well or with an error, or was cancelled, is left to JupyterLab', () => {
  for (const reply of [{ content: { status: 'ok' } }, { content: { status: 'error' } },
    { content: {} }, {}, null, undefined]) {
    assert.equal(run.endsSkippedRun(reply, true), false, JSON.stringify(reply));
  }
});

test('the count shows what the cell last did', () => {
  assert.equal(run.runCountText('running', 3), '[*]'); // running again: the old count is stale
  assert.equal(run.runCountText('idle', 0), '[0]');
  assert.equal(run.runCountText('idle', 12), '[12]');
  assert.equal(run.runCountText('idle', undefined), '[ ]');
});
