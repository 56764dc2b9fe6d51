// Tap to answer waits for the child to stop before it runs the answer cell (settle.ts): a drag
// sends many lines, the cell runs once, with the last one, and it never stays unrun.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { Settle, QUIET_MS } = await load('settle');
const cell = await load('answerCell');

/** A clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  let timers = [];
  return {
    set: (callback, ms) => {
      const timer = { at: now + ms, callback };
      timers.push(timer);
      return timer;
    },
    clear: timer => { timers = timers.filter(t => t !== timer); },
    tick(ms) {
      now += ms;
      for (const timer of timers.filter(t => t.at <= now)) {
        timers = timers.filter(t => t !== timer);
        timer.callback();
      }
    },
    get count() { return timers.length; }
  };
}

/** An answer cell the slider writes into (as writeAnswers does) and the runs the kernel saw. */
function slider(clock) {
  const answer = { text: 'answer_depth = ...' };
  const ran = [];
  const settle = new Settle((key, stopped) => ran.push(key.text + (stopped ? '' : ' (went elsewhere)')), QUIET_MS, clock);
  const move = value => {
    answer.text = cell.planWrites([answer.text], [`answer_depth = ${value}`]).sources[0];
    settle.later(answer);
  };
  return { answer, ran, settle, move };
}

test('a drag runs the answer cell once, with the last value, after the child stops', () => {
  const clock = fakeClock();
  const { answer, ran, move } = slider(clock);
  for (const value of [2, 3, 4, 5, 6]) {
    move(value);
    clock.tick(100); // a step every 100 ms: never quiet long enough
  }
  assert.equal(answer.text, 'answer_depth = 6'); // written at once, every step
  assert.deepEqual(ran, []);                       // but not run while dragging
  clock.tick(QUIET_MS);
  assert.deepEqual(ran, ['answer_depth = 6']);     // the child stopped mid-drag: the last value
  clock.tick(10 * QUIET_MS);
  assert.deepEqual(ran, ['answer_depth = 6']);     // once
  assert.equal(clock.count, 0);
});

test('leaving the widget or running another cell runs it at once', () => {
  const clock = fakeClock();
  const { ran, settle, move } = slider(clock);
  move(4);
  move(7);
  settle.now(); // focus left the slider / a check cell is about to run
  assert.deepEqual(ran, ['answer_depth = 7 (went elsewhere)']); // run, not shown (no scroll)
  assert.equal(clock.count, 0);
  clock.tick(QUIET_MS);
  assert.equal(ran.length, 1); // not again
  move(8);                     // a later move waits again, and runs
  clock.tick(QUIET_MS - 1);
  assert.equal(ran.length, 1);
  clock.tick(1);
  assert.deepEqual(ran.at(-1), 'answer_depth = 8');
});

test('a cell the child runs itself is not run again; the others still run, in order', () => {
  const clock = fakeClock();
  const ran = [];
  const settle = new Settle(key => ran.push(key.name), QUIET_MS, clock);
  const [a, b, c] = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
  settle.later(b);
  settle.later(a);
  settle.later(c);
  settle.drop(a);
  assert.equal(settle.has(a), false);
  assert.equal(settle.has(b), true);
  clock.tick(QUIET_MS);
  assert.deepEqual(ran, ['b', 'c']);
  settle.later(a);
  settle.drop(a);
  assert.equal(clock.count, 0); // nothing waits: no timer left behind
});

test('a run that throws does not keep the other cells from running', () => {
  const clock = fakeClock();
  const ran = [];
  const settle = new Settle(key => {
    if (key === 'gone') throw new Error('cell deleted');
    ran.push(key);
  }, QUIET_MS, clock);
  const error = console.error;
  console.error = () => {};
  try {
    settle.later('gone');
    settle.later('kept');
    settle.now();
  } finally {
    console.error = error;
  }
  assert.deepEqual(ran, ['kept']);
});
