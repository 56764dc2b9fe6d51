// A notebook connects to the session its server already has for it as it opens
// (connectEarly.ts), and leaves everything to JupyterLab when there is none.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { connectEarly } = await load('connectEarly');

/** A session context for `path`; the server's sessions are `listed` now and `later` after a refresh. */
function context(path, listed, { later = listed, session = null, disposed = false, shouldReuse } = {}) {
  const calls = [];
  let sessions = listed;
  return {
    calls,
    path,
    isDisposed: disposed,
    session,
    kernelPreference: shouldReuse === undefined ? {} : { shouldReuse },
    sessionManager: {
      ready: Promise.resolve(),
      running: () => sessions.map(p => ({ path: p })),
      refreshRunning: async () => { calls.push('refresh'); sessions = later; }
    },
    initialize: async () => { calls.push('initialize'); return false; }
  };
}

test('a session for the path: initialize now, with no extra request', async () => {
  const c = context('e03/e03.ipynb', ['other.ipynb', 'e03/e03.ipynb']);
  assert.equal(await connectEarly(c), true);
  assert.deepEqual(c.calls, ['initialize']);
});

test('a session the list did not have yet: found after one refresh', async () => {
  const c = context('e03/e03.ipynb', [], { later: ['e03/e03.ipynb'] });
  assert.equal(await connectEarly(c), true);
  assert.deepEqual(c.calls, ['refresh', 'initialize']);
});

test('no session for the path: JupyterLab is left to choose or start a kernel', async () => {
  const c = context('e03/e03.ipynb', ['e03/e03-copy.ipynb', 'e03']);
  assert.equal(await connectEarly(c), false);
  assert.deepEqual(c.calls, ['refresh']);
});

test('a context already connected, disposed, or told not to reuse a session: untouched', async () => {
  for (const options of [{ session: {} }, { disposed: true }, { shouldReuse: false }]) {
    const c = context('a.ipynb', ['a.ipynb'], options);
    assert.equal(await connectEarly(c), false, JSON.stringify(options));
    assert.ok(!c.calls.includes('initialize'), JSON.stringify(options));
  }
});
