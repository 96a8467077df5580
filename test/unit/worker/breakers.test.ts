import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import { BreakerSet, isBreakerOpenError, type Breaker } from '../../../src/worker/breakers.ts';
import type { BreakerSettings } from '../../../src/worker/settings.ts';
import { recordingLog, TempDir } from './fixtures.ts';

const SETTINGS: BreakerSettings = { errorThresholdPercentage: 50, volumeThreshold: 4, resetTimeoutMs: 60_000, fleetOpenPercent: 50 };

function breakerSet(clock: FakeClock, overrides: { stateDir?: string; settings?: Partial<BreakerSettings> } = {}): BreakerSet {
  return new BreakerSet(
    { clock, log: recordingLog().log, rotate: new EventEmitter(), rollingWindowMs: 10_000, rollingBuckets: 10, stateDir: overrides.stateDir },
    { ...SETTINGS, ...overrides.settings },
  );
}

class Downstream {
  failing = true;
  calls = 0;
  readonly call = (status = 500): Promise<string> => {
    this.calls++;
    if (!this.failing) return Promise.resolve('ok');
    return Promise.reject(Object.assign(new Error(`HTTP ${status}`), { status }));
  };
}

async function fireTimes(breaker: Breaker<[number?], string>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.fire().catch(() => undefined);
}

describe('breakers', () => {
  let clock: FakeClock;
  let set: BreakerSet;
  beforeEach(() => {
    clock = new FakeClock();
  });
  afterEach(() => set.close());

  it('stays closed below volumeThreshold even when every call fails', async () => {
    set = breakerSet(clock, { settings: { volumeThreshold: 5 } });
    const downstream = new Downstream();
    const breaker = set.create('downstream', downstream.call, { timeoutMs: false });
    await fireTimes(breaker, 4);
    assert.equal(breaker.state, 'closed', '4 failures of 4 calls, but fewer calls than volumeThreshold');
    await fireTimes(breaker, 1);
    assert.equal(breaker.state, 'open', 'the 5th failure reaches volumeThreshold at 100 % failures');
    assert.equal(downstream.calls, 5);
    await assert.rejects(breaker.fire(), (err) => isBreakerOpenError(err));
    assert.equal(downstream.calls, 5, 'an open breaker does not call the downstream');
  });

  it('opens when the failure share passes errorThresholdPercentage, not at it', async () => {
    set = breakerSet(clock, { settings: { volumeThreshold: 4, errorThresholdPercentage: 50 } });
    const downstream = new Downstream();
    const breaker = set.create('downstream', downstream.call, { timeoutMs: false });
    downstream.failing = false;
    await fireTimes(breaker, 2);
    downstream.failing = true;
    await fireTimes(breaker, 2);
    assert.equal(breaker.state, 'closed', '2 of 4 failed: 50 % is not above 50 %');
    await fireTimes(breaker, 1);
    assert.equal(breaker.state, 'open', '3 of 5 failed: 60 %');
  });

  it('errorFilter keeps expected errors out of the failure count but still rethrows them', async () => {
    set = breakerSet(clock, { settings: { volumeThreshold: 2 } });
    const breaker = set.create('downstream', (status: number) => Promise.reject(Object.assign(new Error('bad'), { status })), {
      timeoutMs: false,
      errorFilter: (err) => (err as { status: number }).status < 500,
    });
    for (let i = 0; i < 10; i++) await assert.rejects(breaker.fire(422), /bad/);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.stats.failures, 0);
    await breaker.fire(503).catch(() => undefined);
    await breaker.fire(503).catch(() => undefined);
    await breaker.fire(503).catch(() => undefined);
    assert.equal(breaker.stats.failures, 3);
  });

  it('counts only the rolling window, which moves on the injected clock', async () => {
    set = breakerSet(clock, { settings: { volumeThreshold: 4 } });
    const downstream = new Downstream();
    const breaker = set.create('downstream', downstream.call, { timeoutMs: false });
    await fireTimes(breaker, 3);
    await clock.advance(11_000);
    assert.equal(breaker.stats.fires, 0, 'the window moved past the first 3 calls');
    await fireTimes(breaker, 3);
    assert.equal(breaker.state, 'closed', 'only 3 calls in the window');
    await fireTimes(breaker, 1);
    assert.equal(breaker.state, 'open');
  });

  it('keeps an open breaker open across a restart (state file)', async () => {
    const dir = new TempDir();
    try {
      set = breakerSet(clock, { stateDir: dir.path });
      const breaker = set.create('payments api', new Downstream().call, { timeoutMs: false });
      await fireTimes(breaker, 4);
      assert.equal(breaker.state, 'open');
      set.close();
      const saved = JSON.parse(readFileSync(dir.file('payments%20api.json'), 'utf8')) as { state: { open: boolean } };
      assert.equal(saved.state.open, true);

      set = breakerSet(clock, { stateDir: dir.path });
      const downstream = new Downstream();
      const restarted = set.create('payments api', downstream.call, { timeoutMs: false });
      assert.equal(restarted.state, 'open');
      await assert.rejects(restarted.fire(), (err) => isBreakerOpenError(err));
      assert.equal(downstream.calls, 0, 'the restarted worker does not hammer the downstream');
    } finally {
      dir.remove();
    }
  });

  it('a restored breaker whose resetTimeout already passed comes back half-open', async () => {
    const dir = new TempDir();
    try {
      set = breakerSet(clock, { stateDir: dir.path });
      const breaker = set.create('downstream', new Downstream().call, { timeoutMs: false });
      await fireTimes(breaker, 4);
      set.close();
      // opossum compares the saved lastTimerAt with Date.now(): age the file instead of waiting
      const file = dir.file('downstream.json');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { state: { lastTimerAt: number } };
      saved.state.lastTimerAt -= SETTINGS.resetTimeoutMs + 1_000;
      writeFileSync(file, JSON.stringify(saved));

      set = breakerSet(clock, { stateDir: dir.path });
      const downstream = new Downstream();
      downstream.failing = false;
      const restarted = set.create('downstream', downstream.call, { timeoutMs: false });
      assert.equal(restarted.state, 'halfOpen');
      assert.equal(await restarted.fire(), 'ok');
      assert.equal(restarted.state, 'closed', 'a good trial call closes it');
    } finally {
      dir.remove();
    }
  });

  it('new published settings apply to existing breakers and keep their state', async () => {
    set = breakerSet(clock, { settings: { volumeThreshold: 100 } });
    const downstream = new Downstream();
    const breaker = set.create('downstream', downstream.call, { timeoutMs: false });
    await fireTimes(breaker, 5);
    assert.equal(breaker.state, 'closed');
    set.update({ ...SETTINGS, volumeThreshold: 6 });
    assert.equal(breaker.stats.failures, 5, 'counts survive the rebuild');
    await fireTimes(breaker, 1);
    assert.equal(breaker.state, 'open', 'the new volumeThreshold is in effect');
    set.update({ ...SETTINGS, volumeThreshold: 50 });
    assert.equal(breaker.state, 'open', 'the open state survives the rebuild');
  });

  it('throws a TypeError naming the option for bad breaker arguments', () => {
    set = breakerSet(clock);
    const action = (): Promise<number> => Promise.resolve(1);
    assert.throws(() => set.create('', action), { name: 'TypeError', message: /`name`/ });
    assert.throws(() => set.create('x', 42 as unknown as typeof action), { name: 'TypeError', message: /`action`/ });
    assert.throws(() => set.create('x', action, { errorFilter: 'yes' as never }), { name: 'TypeError', message: /`errorFilter`/ });
    assert.throws(() => set.create('x', action, { timeoutMs: -5 }), { name: 'TypeError', message: /`timeoutMs`/ });
    set.create('x', action);
    assert.throws(() => set.create('x', action), { name: 'TypeError', message: /already exists/ });
  });
});
