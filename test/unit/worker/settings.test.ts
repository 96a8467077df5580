import assert from 'node:assert/strict';
import { parseSettings, sameSettings } from '../../../src/worker/settings.ts';
import { published } from './fixtures.ts';

describe('worker settings (worker.json)', () => {
  it('reads every field of a published document and ignores unknown keys', () => {
    const result = parseSettings(JSON.stringify(published({ futureField: { x: 1 } })));
    assert.deepEqual(result, {
      ok: true,
      settings: {
        perReplicaLimit: 4, frozen: false, retryBudgetPercent: 10, guard: 'payments/orders-worker', publishedAt: '2025-01-01T00:00:00Z',
        breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 },
      },
    });
  });

  const rejected: Array<{ text: string; error: RegExp; comment: string }> = [
    { text: '{"version":1,', error: /^not JSON/, comment: 'truncated file (a write caught half-way)' },
    { text: '[]', error: /not a JSON object/, comment: 'an array' },
    { text: 'null', error: /not a JSON object/, comment: 'null' },
    { text: JSON.stringify(published({ version: 2 })), error: /version must be 1/, comment: 'a version this library does not know' },
    { text: JSON.stringify(published({ perReplicaLimit: 0 })), error: /perReplicaLimit must be between 1/, comment: 'limit 0 would stop all work' },
    { text: JSON.stringify(published({ perReplicaLimit: -3 })), error: /perReplicaLimit/, comment: 'negative limit' },
    { text: JSON.stringify(published({ perReplicaLimit: 2.5 })), error: /perReplicaLimit must be an integer/, comment: 'fractional limit' },
    { text: JSON.stringify(published({ perReplicaLimit: '8' })), error: /perReplicaLimit must be an integer/, comment: 'limit as a string' },
    { text: '{"version":1,"perReplicaLimit":1e400,"frozen":false,"retryBudgetPercent":1,"breaker":{}}', error: /perReplicaLimit must be an integer/, comment: 'infinity' },
    { text: JSON.stringify(published({ perReplicaLimit: undefined })), error: /perReplicaLimit must be an integer, got nothing/, comment: 'missing limit' },
    { text: JSON.stringify(published({ frozen: 'true' })), error: /frozen must be a boolean/, comment: 'frozen as a string' },
    { text: JSON.stringify(published({ retryBudgetPercent: 101 })), error: /retryBudgetPercent must be between 0 and 100/, comment: 'budget over 100 %' },
    { text: JSON.stringify(published({ breaker: { volumeThreshold: 0 } })), error: /breaker.volumeThreshold must be between 1/, comment: 'opossum\'s volumeThreshold 0 opens on the first failure' },
    { text: JSON.stringify(published({ breaker: { errorThresholdPercentage: 0 } })), error: /breaker.errorThresholdPercentage/, comment: 'threshold 0' },
    { text: JSON.stringify({ ...published(), breaker: 'on' }), error: /breaker must be an object/, comment: 'breaker not an object' },
  ];
  for (const { text, error, comment } of rejected) {
    it(`rejects the whole document: ${comment}`, () => {
      const result = parseSettings(text);
      assert.equal(result.ok, false);
      assert.match((result as { error: string }).error, error);
    });
  }

  it('two documents that differ only in publishedAt are the same settings', () => {
    const a = parseSettings(JSON.stringify(published()));
    const b = parseSettings(JSON.stringify(published({ publishedAt: '2026-01-01T00:00:00Z' })));
    const c = parseSettings(JSON.stringify(published({ breaker: { resetTimeoutMs: 5 } })));
    assert.ok(a.ok && b.ok && c.ok);
    assert.equal(sameSettings(a.settings, b.settings), true);
    assert.equal(sameSettings(a.settings, c.settings), false);
  });
});
