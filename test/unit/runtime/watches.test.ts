import assert from 'node:assert/strict';
import { enqueueMapped, enqueueObject, ownerKeys, specOrMetadataChanged } from '../../../src/runtime/watches.ts';
import type { KubeObject } from '../../../src/runtime/keys.ts';

const guard = (over: Partial<NonNullable<KubeObject['metadata']>> = {}, status: unknown = {}): KubeObject & { status: unknown } => ({
  metadata: { name: 'g', namespace: 'ns', generation: 1, resourceVersion: '1', annotations: { a: '1' }, ...over },
  status,
});

describe('watch handlers', () => {
  describe('specOrMetadataChanged', () => {
    it('ignores a status-only write (new resourceVersion, same generation)', () => {
      assert.equal(specOrMetadataChanged(guard(), guard({ resourceVersion: '2' }, { phase: 'X' })), false);
    });
    const changes: Array<[string, Partial<NonNullable<KubeObject['metadata']>>]> = [
      ['generation', { generation: 2 }],
      ['annotations', { annotations: { a: '1', 'costguard.io/paused': 'true' } }],
      ['labels', { labels: { team: 'x' } }],
      ['finalizers', { finalizers: ['costguard.io/finalizer'] }],
      ['deletionTimestamp', { deletionTimestamp: '2025-01-01T00:00:00Z' }],
    ];
    for (const [what, over] of changes) {
      it(`passes a change to ${what}`, () => assert.equal(specOrMetadataChanged(guard(), guard({ resourceVersion: '2', ...over })), true));
    }
    it('treats missing and empty metadata maps alike', () => {
      assert.equal(specOrMetadataChanged(guard({ labels: undefined }), guard({ labels: {} })), false);
    });
  });

  it('enqueueObject enqueues namespace/name on add, meaningful update and delete', () => {
    const keys: string[] = [];
    const h = enqueueObject((k) => keys.push(k));
    h.add?.(guard());
    h.update?.(guard(), guard({ resourceVersion: '2' }, { written: true }));
    h.update?.(guard(), guard({ generation: 2 }));
    h.delete?.(guard());
    assert.deepEqual(keys, ['ns/g', 'ns/g', 'ns/g']);
  });

  it('enqueueObject drops adds and updates of objects that do not concern the controller, never deletes', () => {
    const keys: string[] = [];
    const concerns = (o: KubeObject) => o.metadata?.name !== 'other';
    const h = enqueueObject((k) => keys.push(k), specOrMetadataChanged, concerns);
    h.add?.(guard({ name: 'other' }));
    h.update?.(guard({ name: 'other' }), guard({ name: 'other', generation: 2 }));
    h.add?.(guard());
    h.update?.(guard(), guard({ generation: 2 }));
    h.delete?.(guard({ name: 'other' }));
    assert.deepEqual(keys, ['ns/g', 'ns/g', 'ns/other']);
  });

  it('enqueueMapped wakes the primaries of both the old and the new object', () => {
    const keys: string[] = [];
    const byLabel = (o: KubeObject): string[] => (o.metadata?.labels?.guard ? [`ns/${o.metadata.labels.guard}`] : []);
    const h = enqueueMapped(byLabel, (k) => keys.push(k));
    const dep = (guardName: string, rv: string): KubeObject => ({ metadata: { name: 'd', namespace: 'ns', resourceVersion: rv, labels: { guard: guardName } } });
    h.update?.(dep('a', '1'), dep('b', '2'));
    h.update?.(dep('b', '2'), dep('b', '2'));
    assert.deepEqual(keys, ['ns/a', 'ns/b']);
  });

  it('ownerKeys maps owned objects to their owner of the given kind', () => {
    const map = ownerKeys('test.io/v1', 'Widget');
    const cm: KubeObject = {
      metadata: {
        name: 'cm',
        namespace: 'ns',
        ownerReferences: [
          { apiVersion: 'test.io/v1', kind: 'Widget', name: 'w1', uid: 'u1' },
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u2' },
        ],
      },
    };
    assert.deepEqual(map(cm), ['ns/w1']);
  });
});
