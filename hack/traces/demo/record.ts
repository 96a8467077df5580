// The third trace family, recorded rather than simulated: the real worker fleet of `make demo`
// (real costguard/worker instances consuming real SQS messages from moto, against the demo's
// downstream; target tracking simulated as in the demo), run UNGUARDED so the loop plays out,
// with the slowdown varied. One simulated minute per sample (t in seconds = minute × 60): the
// queue as SQS counts it (the fleet's receive and delete calls, the depth moto reports) and the
// workers' own counters as the demo measures them. Onset from the cause: the first scale-out
// at or after the minute the downstream turned slow. The normal scenarios are the family's hard
// negatives: benign situations (a variation of the demo's world) in which some legs of the
// loop's signature hold for a good reason. Needs the local environment's tools
// (make testenv). Run: node --conditions=costguard-source hack/traces/demo/record.ts [outDir] [name filter]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { demoAws } from '../../demo/aws.ts';
import { runIncident, type Tick, type Timing } from '../../demo/scenario.ts';
import { during, ramp, type Variation } from '../../demo/variation.ts';
import { freePort, startLocalEnv } from '../../localenv/index.ts';
import { RestClient } from '../../../src/runtime/kube/rest.ts';
import type { Sample, SignalColumn } from '../../../src/signals/sample.ts';
import { formatTrace } from '../../../src/signals/trace.ts';
import { onsetFromCause, onsetSample, scaleOutsOf } from '../label.ts';

const SECONDS_PER_TICK = 60;

export interface DemoScenario {
  name: string;
  description: string;
  /** A loop: the downstream turns slow at timing.onset for timing.slowMinutes. Normal: no slowdown (slowMinutes 0). */
  kind: 'runaway' | 'normal';
  timing: Timing;
  /** What the scenario changes in the demo's world (normal scenarios). */
  variation?: Variation;
}

const T = (slowMinutes: number, onset = 6): Timing => ({ ticks: 36, onset, slowMinutes, tickMs: 1000 });
const loop = (name: string, description: string, timing: Timing): DemoScenario => ({ name, description, kind: 'runaway', timing });
const normal = (name: string, description: string, variation?: Variation): DemoScenario => ({ name, description, kind: 'normal', timing: T(0), ...(variation ? { variation } : {}) });
/** A downstream with room for what the scenario asks of it: no overload, so added workers add throughput. */
const ROOMY = { capacity: 32 };

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  loop('demo-runaway-slow-6m', 'The demo\'s downstream 4× slower for 6 minutes from minute 6.', T(6)),
  loop('demo-runaway-slow-12m', 'The demo\'s downstream 4× slower for 12 minutes from minute 6.', T(12)),
  loop('demo-runaway-slow-20m', 'The demo\'s downstream 4× slower for 20 minutes from minute 6.', T(20)),
  loop('demo-runaway-late-onset', 'The demo\'s downstream 4× slower for 10 minutes from minute 14.', T(10, 14)),
  normal('demo-normal-steady', 'The demo\'s fleet with no slowdown: steady traffic.'),
  normal('demo-normal-flash-crowd-throttled', 'Traffic 3× for 8 minutes from minute 8 while a downstream with room for it throttles a quarter of its calls (HTTP 429, retried): the fleet grows and does more useful work.', {
    downstream: ROOMY,
    messagesAt: during(8, 8, 18, 6),
    errorsAt: during(8, 8, { share: 0.25, status: 429 }, undefined),
  }),
  normal('demo-normal-heavier-mix', 'Jobs turn heavier from minute 8, each call 2.2× as long by minute 18, on a downstream with room for them: the fleet grows to keep up, without errors.', {
    downstream: ROOMY,
    jobWeightAt: ramp(8, 10, 1, 2.2),
  }),
  normal('demo-normal-scheduled-blip', 'A scheduled action raises the group\'s minimum from 4 to 10 for minutes 10–21, and in minute 10 the downstream fails 60 % of its calls fast (HTTP 503, retried) for 3 minutes.', {
    scheduled: { at: 10, until: 22, min: 10 },
    errorsAt: during(10, 3, { share: 0.6, status: 503 }, undefined),
  }),
  normal('demo-normal-load-growth', 'Traffic grows 2.5× (6 to 15 messages a minute) over minutes 8–23 and stays there, on a downstream with room for it: the fleet grows and keeps up.', {
    downstream: ROOMY,
    messagesAt: (t) => Math.round(ramp(8, 15, 6, 15)(t)),
  }),
  normal('demo-normal-refresh', 'Traffic grows 2.5× over minutes 6–21 while an instance refresh at minute 15 replaces 3 instances with new ones that fail half their calls (cold caches, retried) for their first 2.5 minutes.', {
    downstream: ROOMY,
    messagesAt: (t) => Math.round(ramp(6, 15, 6, 15)(t)),
    refresh: { at: 15, count: 3, coldMinutes: 2.5, failShare: 0.5 },
  }),
];

const COLUMNS: readonly SignalColumn[] = ['desired', 'in_service', 'sqs_sent', 'sqs_received', 'sqs_deleted', 'sqs_visible', 'sqs_not_visible', 'worker_attempts', 'worker_retries', 'worker_successes'];

/** The demo's minute records as trace samples: the group, the queue as SQS counts it (the fleet's receive and delete calls, the depth from moto), and the workers' own counters. */
export function samplesOf(ticks: readonly Tick[]): Sample[] {
  return ticks.map((k) => ({
    t: (k.t + 1) * SECONDS_PER_TICK,
    desired: k.desired,
    in_service: k.desired,
    sqs_sent: k.sent,
    sqs_received: k.received,
    sqs_deleted: k.deleted,
    sqs_visible: k.visible,
    sqs_not_visible: k.inFlight,
    worker_attempts: k.attempts,
    worker_retries: k.retries,
    worker_successes: k.successes,
  }));
}

export function labelOf(s: DemoScenario, samples: readonly Sample[]): string {
  if (s.kind === 'normal') return 'normal';
  // A minute's sample is stamped at its end; the first decision taken with the slow downstream
  // in play is at the end of the onset minute.
  const onset = onsetFromCause(scaleOutsOf(samples), (s.timing.onset + 1) * SECONDS_PER_TICK);
  const at = onset === undefined ? undefined : onsetSample(samples.map((x) => x.t), onset);
  return at === undefined ? 'normal' : `runaway onset=${at}`;
}

async function recordOne(s: DemoScenario): Promise<string> {
  const env = await startLocalEnv();
  const saved = { ...process.env };
  const aws = (Object.assign(process.env, env.env), demoAws());
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(env.controlPlane.kubeconfigPath);
    const ctx = { rest: new RestClient(kubeConfig), aws, dir: env.dir, metricsPort: await freePort(), webhookUrl: 'http://127.0.0.1:9/', say: () => undefined, signal: new AbortController().signal };
    const run = await runIncident(ctx, false, s.timing, s.variation);
    const samples = samplesOf(run.ticks);
    return formatTrace(COLUMNS, samples, [`label: ${labelOf(s, samples)}`, `scenario: ${s.name}: ${s.description}`, 'recorded by hack/traces/demo (the demo\'s real worker fleet, unguarded; one sample per simulated minute)']);
  } finally {
    aws.close();
    await env.stop();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

async function main(outDir: string, only?: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  for (const s of DEMO_SCENARIOS.filter((x) => !only || x.name.includes(only))) {
    writeFileSync(join(outDir, `${s.name}.csv`), await recordOne(s));
    process.stdout.write(`recorded ${s.name}\n`);
  }
}

if (import.meta.main) await main(process.argv[2] ?? join(import.meta.dirname, '..', '..', '..', 'test', 'traces', 'demo'), process.argv[3]);
