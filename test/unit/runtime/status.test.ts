import assert from 'node:assert/strict';
import { deepEqual, mergePatchDiff } from '../../../src/runtime/equality.ts';
import { KubeStatusWriter, statusPatch } from '../../../src/runtime/status.ts';
import type { RestClient } from '../../../src/runtime/kube/rest.ts';

const cond = (type: string, status = 'True') => ({ type, status, reason: 'R', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' });

describe('status writes', () => {
  describe('deepEqual', () => {
    it('treats undefined fields as absent and type-keyed lists as unordered', () => {
      assert.ok(deepEqual({ a: 1, b: undefined }, { a: 1 }));
      assert.ok(deepEqual({ conditions: [cond('A'), cond('B')] }, { conditions: [cond('B'), cond('A')] }));
      assert.ok(!deepEqual({ conditions: [cond('A'), cond('B')] }, { conditions: [cond('B'), cond('A', 'False')] }));
      assert.ok(!deepEqual([1, 2], [2, 1]), 'plain arrays keep their order');
      assert.ok(!deepEqual({ conditions: [cond('A'), cond('A')] }, { conditions: [cond('A'), cond('B')] }));
    });
  });

  describe('mergePatchDiff', () => {
    it('sets removed fields to null, recurses into objects and replaces arrays whole', () => {
      const from = { a: 1, gone: 'x', nested: { keep: 1, change: 1, drop: 1 }, list: [1, 2] };
      const to = { a: 1, nested: { keep: 1, change: 2 }, list: [1, 2, 3], added: true };
      assert.deepEqual(mergePatchDiff(from, to), { gone: null, nested: { change: 2, drop: null }, list: [1, 2, 3], added: true });
    });

    it('is empty for equal objects', () => {
      assert.deepEqual(mergePatchDiff({ a: { b: [1] } }, { a: { b: [1] } }), {});
    });
  });

  describe('statusPatch', () => {
    const current = { metadata: { name: 'g', namespace: 'ns', resourceVersion: '42' }, status: { observedGeneration: 1, conditions: [cond('A'), cond('B')] } };

    it('is undefined when nothing changed, even if conditions were reordered', () => {
      assert.equal(statusPatch(current, { observedGeneration: 1, conditions: [cond('B'), cond('A')] }), undefined);
    });

    it('carries resourceVersion as the optimistic lock and only the changed fields', () => {
      const patch = statusPatch(current, { observedGeneration: 2, conditions: [cond('A'), cond('B')] });
      assert.deepEqual(patch, { metadata: { resourceVersion: '42' }, status: { observedGeneration: 2 } });
    });

    it('refuses to write without a resourceVersion', () => {
      assert.throws(() => statusPatch({ metadata: { name: 'g' }, status: {} }, { x: 1 }), TypeError);
    });
  });

  describe('KubeStatusWriter', () => {
    it('sends one merge patch to /status when changed, none when not', async () => {
      const sent: Array<{ path: string; body: unknown; contentType: string }> = [];
      const rest = {
        patch: (path: string, body: unknown, contentType: string) => {
          sent.push({ path, body, contentType });
          return Promise.resolve({ metadata: { resourceVersion: '43' } });
        },
      } as unknown as RestClient;
      const writer = new KubeStatusWriter(rest);
      const resource = { group: 'test.io', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
      const obj = { metadata: { name: 'w', namespace: 'ns', resourceVersion: '42' }, status: { phase: 'A' } };
      const same = await writer.update(resource, obj, { phase: 'A' });
      assert.equal(same.written, false);
      assert.equal(sent.length, 0);
      const changed = await writer.update(resource, obj, { phase: 'B' });
      assert.equal(changed.written, true);
      assert.deepEqual(sent, [
        { path: '/apis/test.io/v1/namespaces/ns/widgets/w/status', body: { metadata: { resourceVersion: '42' }, status: { phase: 'B' } }, contentType: 'application/merge-patch+json' },
      ]);
    });

    it('sends a write that changes holds or the brake ahead of cosmetic status (high priority)', async () => {
      const priorities: unknown[] = [];
      const rest = {
        patch: (_path: string, _body: unknown, _type: string, opts: { priority?: string } = {}) => {
          priorities.push(opts.priority);
          return Promise.resolve({ metadata: { resourceVersion: '43' } });
        },
      } as unknown as RestClient;
      const writer = new KubeStatusWriter(rest);
      const resource = { group: 'test.io', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
      const obj: { metadata: Record<string, string>; status: Record<string, unknown> } = { metadata: { name: 'w', namespace: 'ns', resourceVersion: '42' }, status: { phase: 'A', holds: [{ target: 'asg/a', value: 4 }] } };
      await writer.update(resource, obj, { ...obj.status, phase: 'B' });
      await writer.update(resource, obj, { ...obj.status, holds: [{ target: 'asg/a', value: 5 }] });
      await writer.update(resource, obj, { phase: 'A' });
      await writer.update(resource, obj, { ...obj.status, brake: { action: 'Freeze' } });
      assert.deepEqual(priorities, [undefined, 'high', 'high', 'high']);
    });
  });
});
