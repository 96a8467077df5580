// Out of cluster, where no chart created the Lease's namespace: the real API server answers 404
// to creating the Lease. The operator logs that once, naming the namespace and the flags to set,
// instead of a warning every retry; and it leads as soon as the namespace exists.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../../src/runtime/logger.ts';
import { eventually, kubectl, newManager, testConfig } from './helpers.ts';

describe('leader election when the Lease namespace does not exist', function () {
  this.timeout(60_000);

  it('logs one error naming the namespace and the flag, then leads once the namespace is created', async () => {
    const ns = `no-lease-${randomUUID().slice(0, 6)}`;
    const lines: { level: number; msg: string }[] = [];
    const log = createLogger('debug', { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
    const manager = newManager(testConfig('default', ['--leader-elect=true', `--leader-election-namespace=${ns}`, '--leader-election-retry-period=200ms', '--leader-election-renew-deadline=1s', '--leader-election-lease-duration=2s']), { log });
    await manager.start();
    try {
      const tries = (): number => lines.filter((l) => l.msg === 'leader lease namespace still missing').length;
      await eventually('several retries', () => tries() >= 3);
      const errors = lines.filter((l) => l.level >= 50);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0]!.msg, new RegExp(`namespace "${ns}" does not exist`));
      assert.match(errors[0]!.msg, /--leader-election-namespace/);
      assert.equal(lines.filter((l) => l.msg === 'leader lease acquire/renew failed').length, 0, 'no warning per retry');
      await kubectl(['create', 'namespace', ns]);
      await eventually('leads', () => manager.isLeader(), 20_000);
    } finally {
      await manager.stop();
    }
  });
});
