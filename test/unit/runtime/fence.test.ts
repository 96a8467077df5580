import assert from 'node:assert/strict';
import { FencedError, WriteFence } from '../../../src/runtime/fence.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import type { Clock, TimerHandle } from '../../../src/runtime/clock.ts';

/** A clock whose timers never fire: what a blocked event loop looks like to a deadline. */
class StalledClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
  setTimeout(): TimerHandle {
    return { __timer: true };
  }
  clearTimeout(): void {}
}

describe('WriteFence (a deadline)', () => {
  it('stays open without a deadline, as for a manager without leader election', async () => {
    const clock = new FakeClock(0);
    const fence = new WriteFence(clock);
    await clock.advance(3_600_000);
    assert.equal(fence.closed, false);
    assert.doesNotThrow(() => fence.check('PATCH /x'));
    assert.equal(clock.pendingTimers, 0);
  });

  it('closes at the deadline on the clock: its signal aborts then, with no renewal answering', async () => {
    const clock = new FakeClock(0);
    const fence = new WriteFence(clock);
    fence.openUntil(10_000);
    await clock.advance(9_999);
    assert.equal(fence.signal.aborted, false);
    await clock.advance(1);
    assert.equal(fence.signal.aborted, true, 'aborted by its own timer at the deadline');
    assert.equal(fence.closedAt, 10_000);
    assert.throws(() => fence.check('PATCH /apis/apps/v1/namespaces/a/deployments/w'), FencedError);
  });

  it('moves with each renewal, one timer at a time', async () => {
    const clock = new FakeClock(0);
    const fence = new WriteFence(clock);
    fence.openUntil(10_000);
    await clock.advance(2_000);
    fence.openUntil(12_000);
    await clock.advance(2_000);
    fence.openUntil(14_000);
    assert.equal(clock.pendingTimers, 1);
    await clock.advance(9_999);
    assert.equal(fence.closed, false, 'the first timer re-armed for the moved deadline');
    await clock.advance(1);
    assert.equal(clock.now(), 14_000);
    assert.equal(fence.signal.aborted, true);
    assert.equal(clock.pendingTimers, 0);
  });

  it('refuses a write sent past the deadline even when its timer has not run', () => {
    const clock = new StalledClock();
    const fence = new WriteFence(clock);
    fence.openUntil(10_000);
    clock.t = 9_999;
    assert.doesNotThrow(() => fence.check('POST /x'));
    clock.t = 10_000;
    assert.throws(() => fence.check('POST /x'), FencedError);
    assert.equal(fence.signal.aborted, true, 'the check closed it, so calls in flight abort too');
  });

  it('never reopens: a late renewal does not move a deadline that has passed', async () => {
    const clock = new FakeClock(0);
    const fence = new WriteFence(clock);
    fence.openUntil(10_000);
    await clock.advance(10_500);
    fence.openUntil(19_000);
    assert.equal(fence.closed, true);
    fence.close('leadership lost');
    assert.equal(fence.closedAt, 10_000);
  });

  it('close() clears the deadline timer (no timer keeps a stopped process alive)', () => {
    const clock = new FakeClock(0);
    const fence = new WriteFence(clock);
    fence.openUntil(10_000);
    fence.close('stopping');
    assert.equal(clock.pendingTimers, 0);
    assert.match((fence.signal.reason as Error).message, /stopping/);
  });
});
