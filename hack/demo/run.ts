// The whole demo as a function (make demo and the benchmark both call it): starts the local
// environment (kube-apiserver + etcd, moto, the Slack sink), installs the CRD, runs the
// CostGuard operator in this process with shortened intervals, then the incident twice —
// unguarded, then guarded — and stops everything, also when `signal` aborts (Ctrl-C).
import { KubeConfig } from '@kubernetes/client-node';
import { startOperator, type RunningOperator } from '../../src/cli/operator.ts';
import { parseConfig } from '../../src/runtime/config.ts';
import { RestClient } from '../../src/runtime/kube/rest.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { freePort, SlackSink, startLocalEnv, type LocalEnv, type SlackPayload } from '../localenv/index.ts';
import { demoAws, REGION } from './aws.ts';
import { Narrator } from './narrate.ts';
import { runIncident, type RunResult, type Timing } from './scenario.ts';

export interface SlackMessage {
  /** Simulated minute of the guarded run when the sink received it. */
  minute: number;
  text: string;
}

export interface DemoResult {
  unguarded: RunResult;
  guarded: RunResult;
  slack: SlackMessage[];
}

export interface DemoOptions {
  timing: Timing;
  say: (line: string) => void;
  signal: AbortSignal;
}

/** The operator's flags, unchanged except for the intervals: one simulated minute per second. */
function operatorArgs(namespace: string): string[] {
  return [`--namespaces=${namespace}`, '--leader-elect=false', '--metrics-bind-address=0', '--health-probe-bind-address=0', '--resync-period=1s', '--log-level=error'];
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const say = o.say;
  say('==> starting the local environment: kube-apiserver + etcd, moto (AWS API), a local Slack webhook sink');
  const env = await startLocalEnv();
  const sink = await new SlackSink().start();
  const saved = { ...process.env };
  let operator: RunningOperator | undefined;
  const aws = (Object.assign(process.env, env.env), demoAws());
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(env.controlPlane.kubeconfigPath);
    const rest = new RestClient(kubeConfig);
    await env.installCostGuardCrd();
    say('==> CRD installed; starting the CostGuard operator (resync 1s = one simulated minute; runaway sampling every 0.5 s = its default 30 s)');
    operator = await startOperator({
      config: parseConfig(operatorArgs('demo-guarded'), {}, { hostname: 'demo' }).config,
      kubeConfig,
      defaultRegion: REGION,
      log: createLogger('error'),
      // 30 simulated seconds: the detector's default 30 s sampling, in the demo's time.
      runawaySampleIntervalMs: 500,
    });
    const ctx = { rest, aws, dir: env.dir, metricsPort: await freePort(), webhookUrl: sink.url, say, signal: o.signal };
    say(`==> run 1 of 2: UNGUARDED — ${o.timing.ticks} simulated minutes, the downstream turns slow at minute ${o.timing.onset}`);
    const unguarded = await runIncident(ctx, false, o.timing);
    interrupted(o.signal);
    say(`==> run 2 of 2: GUARDED — the same incident with a CostGuard in Enforce, runaway.action Freeze`);
    let narrator: Narrator | undefined;
    const onTick = async (_label: string, startedAt: number): Promise<void> => {
      narrator ??= new Narrator(rest, 'demo-guarded', say, startedAt);
      await narrator.tick().catch(() => 0);
    };
    const guarded = await runIncident({ ...ctx, onTick }, true, o.timing);
    interrupted(o.signal);
    return { unguarded, guarded, slack: slackMessages(sink, guarded.startedAt) };
  } finally {
    say('==> stopping the operator, the workers and the local environment');
    await operator?.stop().catch(() => undefined);
    aws.close();
    await sink.stop();
    await stopEnv(env);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

function interrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('interrupted');
}

async function stopEnv(env: LocalEnv): Promise<void> {
  await env.stop();
}

/** What reached Slack (the sink answered 200), as one line each, in simulated minutes. */
function slackMessages(sink: SlackSink, startedAt: number): SlackMessage[] {
  return sink.delivered().map((r) => ({ minute: Math.max(0, Math.round((r.at - startedAt) / 100) / 10), text: firstLine(r.body as SlackPayload) }));
}

function firstLine(p: SlackPayload | undefined): string {
  const header = p?.blocks?.find((b) => b.type === 'header')?.text?.text;
  return (header ?? p?.text ?? '(no text)').split('\n')[0]!.slice(0, 200);
}
