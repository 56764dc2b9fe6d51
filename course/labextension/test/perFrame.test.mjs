// A code cell's output prompt icon is chosen once per frame (perFrame.ts, reflows.ts): the calls
// a run's outputs make in one frame become one call in the next, for each cell on its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { oncePerFrame } = await load('perFrame');

/** Frames the test draws by hand. */
function frames() {
  let callbacks = [];
  return {
    frame: callback => { callbacks.push(callback); },
    draw() {
      const now = callbacks;
      callbacks = [];
      now.forEach(callback => callback());
    },
    get waiting() { return callbacks.length; }
  };
}

class Cell {
  constructor(name, log) { this.name = name; this.log = log; this.isDisposed = false; }
  update() { this.log.push(this.name); }
}

test('many calls in a frame are one call in the next frame, for each cell', () => {
  const log = [];
  const clock = frames();
  class Proto extends Cell {}
  assert.equal(oncePerFrame(Proto.prototype, 'update', clock.frame), true);
  const [a, b] = [new Proto('a', log), new Proto('b', log)];
  for (let i = 0; i < 40; i++) { // 20 outputs: changed and stateChanged each
    a.update();
  }
  b.update();
  assert.deepEqual(log, []); // nothing measured while the outputs come in
  assert.equal(clock.waiting, 2);
  clock.draw();
  assert.deepEqual(log, ['a', 'b']);
  a.update(); // a later output: a new frame, a new call
  clock.draw();
  assert.deepEqual(log, ['a', 'b', 'a']);
});

test('a cell disposed before the frame is left alone', () => {
  const log = [];
  const clock = frames();
  class Proto extends Cell {}
  oncePerFrame(Proto.prototype, 'update', clock.frame);
  const cell = new Proto('gone', log);
  cell.update();
  cell.isDisposed = true;
  clock.draw();
  assert.deepEqual(log, []);
});

test('wrapped once; a missing method changes nothing', () => {
  const clock = frames();
  class Proto extends Cell {}
  assert.equal(oncePerFrame(Proto.prototype, 'update', clock.frame), true);
  const once = Proto.prototype.update;
  assert.equal(oncePerFrame(Proto.prototype, 'update', clock.frame), false);
  assert.equal(Proto.prototype.update, once);
  assert.equal(oncePerFrame(Proto.prototype, 'noSuchMethod', clock.frame), false);
  assert.equal('noSuchMethod' in Proto.prototype, false);
});
