import assert from 'node:assert/strict';
import { KubeEventRecorder, normalEvent, objectReference, truncateNote, warningEvent } from '../../../src/runtime/events.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import type { RestClient } from '../../../src/runtime/kube/rest.ts';

const resource = { group: 'test.io', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
const widget = { metadata: { name: 'w', namespace: 'ns', uid: 'uid-1' } };

function recorder(fail = false): { rec: KubeEventRecorder; clock: FakeClock; posted: Array<{ path: string; body: Record<string, unknown> }> } {
  const clock = new FakeClock();
  const posted: Array<{ path: string; body: Record<string, unknown> }> = [];
  const rest = {
    create: (path: string, body: unknown): Promise<unknown> => {
      if (fail) return Promise.reject(new Error('apiserver down'));
      posted.push({ path, body: body as Record<string, unknown> });
      return Promise.resolve({});
    },
  } as unknown as Pick<RestClient, 'create'>;
  return { rec: new KubeEventRecorder({ rest, clock, log: silentLogger(), reportingInstance: 'costguard-abc' }), clock, posted };
}

describe('events', () => {
  it('builds an events.k8s.io/v1 Event for the object', async () => {
    const { rec, posted } = recorder();
    const ref = objectReference(resource, widget);
    assert.equal(await rec.publish(warningEvent(ref, 'CeilingClamped', 'Clamped MaxSize 40 → 20.')), 'emitted');
    const [event] = posted;
    assert.equal(event?.path, '/apis/events.k8s.io/v1/namespaces/ns/events');
    assert.match(String((event?.body.metadata as { name: string }).name), /^w\.[0-9a-f]+$/);
    assert.deepEqual(
      { ...event?.body, eventTime: undefined, metadata: { ...(event?.body.metadata as object), name: undefined } },
      {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: undefined, namespace: 'ns' },
        eventTime: undefined,
        reportingController: 'costguard.io/operator',
        reportingInstance: 'costguard-abc',
        action: 'CeilingClamped',
        reason: 'CeilingClamped',
        note: 'Clamped MaxSize 40 → 20.',
        type: 'Warning',
        regarding: { apiVersion: 'test.io/v1', kind: 'Widget', name: 'w', namespace: 'ns', uid: 'uid-1' },
      },
    );
    assert.equal(event?.body.eventTime, '2025-01-01T00:00:00.000000Z', 'MicroTime has six fractional digits');
  });

  it('dedupes by (uid, reason, message) within 2 minutes', async () => {
    const { rec, clock, posted } = recorder();
    const ref = objectReference(resource, widget);
    const e = normalEvent(ref, 'Synced', 'All good.');
    assert.equal(await rec.publish(e), 'emitted');
    await clock.advance(60_000);
    assert.equal(await rec.publish(e), 'deduped');
    assert.equal(await rec.publish(normalEvent(ref, 'Synced', 'Something else.')), 'emitted', 'a new message is a new event');
    assert.equal(await rec.publish(normalEvent({ ...ref, uid: 'uid-2' }, 'Synced', 'All good.')), 'emitted', 'another object is a new event');
    await clock.advance(60_000);
    assert.equal(await rec.publish(e), 'emitted', 'the window is over');
    assert.equal(posted.length, 4);
  });

  it('never throws and lets a failed event through on the next try', async () => {
    const { rec } = recorder(true);
    const e = normalEvent(objectReference(resource, widget), 'Synced', 'All good.');
    assert.equal(await rec.publish(e), 'failed');
    assert.equal(await rec.publish(e), 'failed', 'not deduped: it never landed');
  });

  it('puts events for cluster-scoped objects in the default namespace', async () => {
    const { rec, posted } = recorder();
    const pools = { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', kind: 'NodePool', namespaced: false };
    await rec.publish(normalEvent(objectReference(pools, { metadata: { name: 'default', uid: 'u' } }), 'LimitClamped', 'x'));
    assert.equal(posted[0]?.path, '/apis/events.k8s.io/v1/namespaces/default/events');
  });
});

describe('truncateNote', () => {
  it('keeps a note within 1024 bytes of UTF-8, not 1024 characters', () => {
    const arrows = 'MaxSize 20 → 50; '.repeat(200);
    const note = truncateNote(arrows);
    assert.ok(Buffer.byteLength(note, 'utf8') <= 1024, String(Buffer.byteLength(note, 'utf8')));
    assert.ok(note.endsWith('...'));
    assert.equal(truncateNote('short → note'), 'short → note');
  });
});
