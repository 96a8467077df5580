// The example SQS worker's pure parts: what happens to a failed message, its environment,
// and the Deployment manifest that mounts the guard's ConfigMap.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readSettings } from '../../../examples/sqs-worker/env.ts';
import { DownstreamError, isClientError } from '../../../examples/sqs-worker/downstream.ts';
import { releaseFor, type FailureKind } from '../../../examples/sqs-worker/release.ts';

const TIMES = { parkSeconds: 60, breakerResetSeconds: 30 };

describe('example SQS worker: releasing a failed message', () => {
  const table: Array<{ kind: FailureKind; granted: boolean; visibility: number; retry: boolean; asks: number; comment: string }> = [
    { kind: 'failed', granted: true, visibility: 0, retry: true, asks: 1, comment: 'a downstream failure with budget left is retried at once' },
    { kind: 'failed', granted: false, visibility: 60, retry: false, asks: 1, comment: 'without budget (or frozen) it is parked' },
    { kind: 'breakerOpen', granted: true, visibility: 30, retry: false, asks: 0, comment: 'an open breaker: wait out the reset, spend no budget' },
    { kind: 'rejected', granted: true, visibility: 60, retry: false, asks: 0, comment: 'a 4xx is not retried now, whatever the budget' },
    { kind: 'backlogFull', granted: false, visibility: 0, retry: false, asks: 0, comment: 'never attempted: back at once, not a retry' },
  ];
  for (const row of table) {
    it(row.comment, () => {
      let asks = 0;
      const release = releaseFor(row.kind, () => (asks++, row.granted), TIMES);
      assert.equal(release.visibilityTimeout, row.visibility);
      assert.equal(release.retry, row.retry);
      assert.equal(asks, row.asks, 'the budget is asked only when a retry could help, at most once');
    });
  }

  it('a 4xx other than 429 is the message\'s fault; 5xx, 429 and other errors are the downstream\'s', () => {
    assert.equal(isClientError(new DownstreamError(422)), true);
    assert.equal(isClientError(new DownstreamError(429)), false);
    assert.equal(isClientError(new DownstreamError(503)), false);
    assert.equal(isClientError(new Error('ECONNREFUSED')), false);
  });
});

describe('example SQS worker: environment', () => {
  const base = { QUEUE_URL: 'http://q', DOWNSTREAM_URL: 'http://d' };

  it('has defaults for everything but the queue and the downstream', () => {
    const s = readSettings(base);
    assert.equal(s.metricsPort, 9464);
    assert.equal(s.visibilityTimeoutSeconds, 30);
    assert.equal(s.waitTimeSeconds, 20);
    assert.equal(s.breakerStateDir, undefined);
  });

  it('names the variable that is missing or bad', () => {
    assert.throws(() => readSettings({ DOWNSTREAM_URL: 'x' }), /QUEUE_URL is required/);
    assert.throws(() => readSettings({ ...base, WAIT_TIME_SECONDS: '30' }), /WAIT_TIME_SECONDS must be an integer between 0 and 20/);
    assert.throws(() => readSettings({ ...base, METRICS_PORT: 'http' }), /METRICS_PORT/);
  });
});

describe('example SQS worker: Deployment manifest', () => {
  const file = join(dirname(fileURLToPath(import.meta.url)), '../../../examples/sqs-worker/deployment.yaml');
  const text = readFileSync(file, 'utf8');
  interface Manifest {
    kind: string;
    spec: { template: { spec: {
      containers: Array<{ env: Array<{ name: string; value: string }>; ports: Array<{ containerPort: number; name: string }>; volumeMounts: Array<{ name: string; mountPath: string; subPath?: string }> }>;
      volumes: Array<{ name: string; configMap?: { name: string; items: Array<{ key: string; path: string }> } }>;
    } } };
  }
  const manifest = parse(text) as Manifest;
  const pod = manifest.spec.template.spec;
  const container = pod.containers[0]!;

  it('mounts the guard\'s ConfigMap (costguard-<guard>, key worker.json) at /etc/costguard/ without subPath', () => {
    const volume = pod.volumes.find((v) => v.configMap)!;
    assert.equal(volume.configMap!.name, 'costguard-orders-worker');
    assert.deepEqual(volume.configMap!.items, [{ key: 'worker.json', path: 'worker.json' }]);
    const mount = container.volumeMounts.find((m) => m.name === volume.name)!;
    assert.equal(mount.mountPath, '/etc/costguard');
    assert.equal(mount.subPath, undefined, 'a subPath mount would never see an update');
    assert.equal(container.env.find((e) => e.name === 'COSTGUARD_CONFIG')?.value, '/etc/costguard/worker.json');
  });

  it('exposes the metrics port the guard scrapes', () => {
    assert.deepEqual(container.ports.map((p) => [p.name, p.containerPort]), [['metrics', 9464]]);
    assert.match(text, /^# \S.{20,}/, 'starts with a comment saying what it is');
  });
});
