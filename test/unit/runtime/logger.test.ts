// One JSON line, each key once: a child that names its component does not repeat a root one.
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/runtime/logger.ts';

describe('logger', () => {
  it('writes component once in a child\'s lines, and the guard\'s name as name', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    log.child({ component: 'notifier' }).child({ namespace: 'payments', name: 'orders' }).info('sent');
    const line = lines[0] ?? '';
    assert.equal(line.match(/"component":/g)?.length, 1, line);
    assert.equal(line.match(/"name":/g)?.length, 1, line);
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual([entry.service, entry.component, entry.name, entry.msg], ['costguard', 'notifier', 'orders', 'sent']);
  });
});
