import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { onShutdownSignal } from '../../../src/runtime/signals.ts';
import { flushPromises } from '../../../src/runtime/testing/fake-clock.ts';

describe('onShutdownSignal', () => {
  it('stops gracefully on the first SIGTERM and exits on the second', async () => {
    let stops = 0;
    const exits: number[] = [];
    const off = onShutdownSignal(
      () => {
        stops++;
        return new Promise(() => undefined); // a drain that takes its time
      },
      silentLogger(),
      (code) => exits.push(code),
    );
    try {
      process.emit('SIGTERM');
      await flushPromises();
      assert.equal(stops, 1);
      assert.deepEqual(exits, []);
      process.emit('SIGINT');
      assert.deepEqual(exits, [1]);
      assert.equal(stops, 1);
    } finally {
      off();
    }
  });
});
