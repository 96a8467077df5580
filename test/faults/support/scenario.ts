// The guarded runaway every fault is injected into. An Auto Scaling group in moto starts far
// over its ceiling (MaxSize 150, ceiling 100); a scripted driver plays AWS target tracking
// (moto runs no scaling policies): every tick it adds capacity up to MaxSize while the
// retries of real costguard/worker instances climb, scraped by a real Prometheus the guard
// queries through a gate the test can close: the signature of a retry storm. A
// CostGuard in Enforce with runaway.action Freeze and Slack alerts (a local sink) guards it.
// The scenario samples the group and the guard's conditions throughout, so a test can say
// afterwards whether capacity ever went over the ceiling or the brake's hold, which
// conditions it saw, and how many alerts arrived per incident.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTagsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { PrometheusServer } from '../../../hack/localenv/index.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { outboxName, OUTBOX_KEY } from '../../../src/alerting/outbox-store.ts';
import { parseOutbox } from '../../../src/alerting/outbox.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { objectPath } from '../../../src/runtime/kube/resource.ts';
import { createGroups, directClient, readGroup } from '../../integration/cloud/fixtures.ts';
import { createGuard, createNamespace, getGuard, installCrds, rest } from '../../integration/controllers/helpers.ts';
import { WorkerFleet, workerRates } from '../../integration/prometheus/fleet.ts';
import { SlackSink } from '../../support/slack-sink.ts';
import { containmentOf, type Containment, type Sample } from './containment.ts';
import { poll } from '../../support/poll.ts';
import { TcpGate } from './tcp-gate.ts';

export const ORIGINAL_MAX = 150;
// Far enough above where the brake engages (10-25 instances here) that a detector slowed by a
// busy machine still brakes before target tracking reaches the ceiling: at one instance per
// tick the ceiling is 48 s of growth away, three times the slowest engagement CI has shown (16 s).
export const CEILING = 100;
const START_CAPACITY = 4;
const TICK_MS = 500;
const ORIGINAL_TAG = 'costguard.io/original-max-size';


/** One condition as it changed: when the scenario first saw this status and reason. */
export interface ConditionSeen {
  at: number;
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** What feeds the guard's retry signal: the fleet, the Prometheus scraping it, and the gate in front of it. */
interface RetrySignal {
  fleet: WorkerFleet;
  prom: PrometheusServer;
  promDir: string;
  gate: TcpGate;
  queries: ReturnType<typeof workerRates>;
}

/** Three real workers at a steady rate, a real Prometheus scraping them, and a gate (open) in front of it. */
async function startRetrySignal(ns: string): Promise<RetrySignal> {
  const fleet = new WorkerFleet();
  await fleet.start(3);
  const promDir = mkdtempSync(join(tmpdir(), 'costguard-fault-prom-'));
  const prom = new PrometheusServer(promDir);
  await prom.start([{ job: 'orders-workers', targets: fleet.targets, labels: { namespace: ns } }]);
  const queries = workerRates(ns);
  // The guard's baseline must be the fleet's steady throughput, not a rate still warming up.
  await fleet.steadyIn(prom, queries.throughput);
  const gate = new TcpGate(prom.url);
  await gate.open();
  return { fleet, prom, promDir, gate, queries };
}

/** "FIRING runaway" for a Slack message CostGuard sent: its state and incident key. */
export function alertKey(body: unknown): string {
  const blocks = (body as { blocks?: { text?: { text: string }; elements?: { text: string }[] }[] }).blocks ?? [];
  const state = /^(FIRING|RESOLVED):/.exec(blocks[0]?.text?.text ?? '')?.[1] ?? '?';
  const incident = /incident `([^`]+)`/.exec(blocks[1]?.elements?.[0]?.text ?? '')?.[1] ?? '?';
  return `${state} ${incident}`;
}

export class RunawayScenario {
  readonly guard = 'orders';
  readonly samples: Sample[] = [];
  readonly conditions: ConditionSeen[] = [];
  readonly aws = directClient();
  /** The MaxSize the freeze landed at on the group (never below what ran then). */
  hold: number | undefined;
  /** The value the brake sampled for its hold (status.holds), before the actuator resolved it. */
  sampledHold: number | undefined;
  /** When the freeze was first seen applied on the group. */
  holdAppliedAt: number | undefined;
  /** When target tracking started adding capacity: the loop's onset. */
  loopStartedAt: number | undefined;
  /** Closes (true) or reopens (false) the way to Prometheus: closed, the guard has no retry data. */
  async prometheusOutage(down: boolean): Promise<void> {
    await (down ? this.signal.gate.close() : this.signal.gate.open());
  }
  /** Target tracking calmed down: retries back within budget, no more capacity asked for. */
  private recovered = false;
  private driving = false;
  private watching = true;
  private loops: Promise<void>[] = [];
  private lastConditions = new Map<string, string>();
  /** The driver talks to moto directly; a failure there is the test's, and fails it at the end. */
  private readonly driverErrors: string[] = [];

  readonly ns: string;
  readonly asg: string;
  readonly sink: SlackSink;
  /** The workers, the Prometheus scraping them and the gate in front of it; the driver raises the workers' failures. */
  private readonly signal: RetrySignal;
  /** Instances target tracking adds per tick. */
  step = 1;
  /** The driver's tick. */
  tickMs = TICK_MS;

  private constructor(parts: { ns: string; asg: string; sink: SlackSink; signal: RetrySignal }) {
    this.ns = parts.ns;
    this.asg = parts.asg;
    this.sink = parts.sink;
    this.signal = parts.signal;
  }

  /** Namespace, group, signals, sink and Secret; the guard comes with createGuard(). */
  static async prepare(prefix: string): Promise<RunawayScenario> {
    await installCrds();
    const ns = await createNamespace(prefix);
    const asg = `${ns}-asg`;
    await createGroups(directClient(), [{ name: asg, maxSize: ORIGINAL_MAX, desired: START_CAPACITY }]);
    const sink = await new SlackSink().start();
    const signal = await startRetrySignal(ns);
    const s = new RunawayScenario({ ns, asg, sink, signal });
    await rest().create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slack', namespace: ns }, stringData: { url: sink.url } });
    return s;
  }

  /** The guard, then the clamp to the ceiling and a healthy baseline verdict; starts sampling. */
  async createGuard(opts: { cooldown?: string; timeoutMs?: number } = {}): Promise<void> {
    await createGuard(this.ns, this.guard, {
      mode: 'Enforce',
      onDelete: 'Restore',
      scalingGroups: [{ name: this.asg, maxSize: CEILING }],
      runaway: { signals: { prometheus: { url: this.signal.gate.endpoint, ...this.signal.queries } }, action: 'Freeze', cooldown: opts.cooldown ?? '10m' },
      alerts: { slack: { webhookSecretRef: { name: 'slack', key: 'url' } } },
    });
    this.loops.push(this.watchConditions());
    const timeoutMs = opts.timeoutMs ?? 60_000;
    await poll('the clamp to the ceiling', async () => (await readGroup(this.aws, this.asg))?.MaxSize === CEILING, timeoutMs);
    await poll('a baseline verdict', async () => (await this.status())?.conditions?.some((c) => c.type === 'RunawaySuspected' && c.reason === 'NoLoop'), timeoutMs);
  }

  /** The downstream recovers: the workers' first attempts succeed again, no more scale-out. */
  recover(): void {
    this.recovered = true;
    this.signal.fleet.load.failShare = 0;
  }

  /** Starts the loop: target tracking adds capacity while retries climb. */
  startLoop(): void {
    this.loopStartedAt = Date.now();
    this.driving = true;
    this.loops.push(this.drive());
  }

  /**
   * Waits for the brake and for the freeze applied on the group (the first sample below the
   * ceiling); returns the MaxSize it landed at. The actuator resolves a hold at current when it
   * writes, so the freeze lands at or above what the brake sampled, never below what runs.
   */
  async waitForBrake(timeoutMs = 90_000): Promise<number> {
    const guard = await poll('the brake engages', async () => ((await this.status())?.brake ? await getGuard(this.ns, this.guard) : undefined), timeoutMs);
    const hold = guard.status?.holds?.find((h) => h.owner === 'runaway' && h.target === `asg/${this.asg}`);
    assert.ok(hold?.value !== undefined && hold.value < CEILING && hold.atCurrent === true, `the brake holds the group below the ceiling, at current (hold ${JSON.stringify(hold)}); verdicts since the onset: ${this.verdictsSinceOnset()}`);
    this.sampledHold = hold.value;
    const applied = await poll('the freeze applied on the group', () => this.samples.find((s) => s.maxSize < CEILING), timeoutMs);
    assert.ok(applied.maxSize >= hold.value, `the freeze landed at ${applied.maxSize}, at or above the sampled ${hold.value}`);
    this.hold = applied.maxSize;
    this.holdAppliedAt = applied.at;
    return applied.maxSize;
  }

  /** "+3.1 s True/Watching, +5.0 s …": the runaway conditions seen since the onset, for a failure's message. */
  private verdictsSinceOnset(): string {
    const onset = this.loopStartedAt ?? 0;
    const seen = this.conditions.filter((c) => c.at >= onset && (c.type === 'RunawaySuspected' || c.type === 'RunawayWatched'));
    return seen.map((c) => `+${((c.at - onset) / 1000).toFixed(1)} s ${c.type} ${c.status}/${c.reason}: ${c.message}`).join('; ') || 'none';
  }

  async status(): Promise<CostGuard['status']> {
    return (await getGuard(this.ns, this.guard)).status;
  }

  /** Reasons seen for one condition type, in order, without repeats. */
  reasons(type: string): string[] {
    return this.conditions.filter((c) => c.type === type).map((c) => `${c.status}/${c.reason}`);
  }

  /** The figures and checks of containment over every sample so far. */
  containment(): Containment {
    return containmentOf(this.samples, CEILING, this.hold, this.holdAppliedAt);
  }

  /** "16 before the freeze applied, 16 after (froze at 16 4.1 s after the onset, sampled 14; ceiling 100; …)", for the table. */
  capacityFigure(): string {
    const c = this.containment();
    const onsetToFreeze = this.holdAppliedAt !== undefined && this.loopStartedAt !== undefined ? `${((this.holdAppliedAt - this.loopStartedAt) / 1000).toFixed(1)} s after the onset, ` : '';
    return `${c.maxDesired} before the freeze applied, ${c.maxAfterHold} after (froze at ${this.hold} ${onsetToFreeze}sampled ${this.sampledHold}; ceiling ${CEILING}; ${c.scaleIns.length} scale-ins; ${c.samples} samples)`;
  }

  /**
   * A harmless spec change (the cooldown, while the signals stay bad): resolves once the
   * operator reports it in status.observedGeneration, the positive signal that it sees the API
   * server's changes again. Returns how long that took.
   */
  async specChangeSeen(timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    const cooldown = `${11 + Math.floor(Math.random() * 40)}m`;
    const path = objectPath(COSTGUARD_RESOURCE, this.ns, this.guard);
    const patched = await poll('the spec change accepted', () => rest().patch<CostGuard>(path, { spec: { runaway: { cooldown } } }, 'application/merge-patch+json'), timeoutMs);
    const generation = patched.metadata.generation;
    await poll('the spec change seen by the operator', async () => (await this.status())?.observedGeneration === generation, timeoutMs);
    return Date.now() - started;
  }

  /** Deliveries Slack accepted, counted by "FIRING <incident>" / "RESOLVED <incident>". */
  deliveries(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.sink.delivered()) counts.set(alertKey(r.body), (counts.get(alertKey(r.body)) ?? 0) + 1);
    return counts;
  }

  async pendingAlerts(): Promise<number> {
    const cm = await rest().get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${this.ns}/configmaps/${outboxName(this.guard)}`);
    return parseOutbox(cm.data?.[OUTBOX_KEY]).outbox.pending.length;
  }

  /** The original MaxSize the ceilings actuator recorded on the group itself. */
  async originalTag(): Promise<string | undefined> {
    return (await readGroup(this.aws, this.asg))?.Tags?.find((t) => t.Key === ORIGINAL_TAG)?.Value;
  }

  /**
   * The end of every fault: stop the loop, check that containment held, that every alert
   * arrived exactly once (the outbox drained first), that the original survived on the group,
   * and that deleting the guard puts it back. Returns the alerts as "sent/expected".
   */
  async verifyAndRestore(): Promise<{ alerts: string; restoreMs: number }> {
    // Target tracking keeps pushing for a few more ticks after recovery: the hold must hold then too.
    const seen = this.samples.length;
    await poll('four more samples after the fault', () => this.samples.length >= seen + 4, 30_000);
    await this.stopLoop();
    assert.deepEqual(this.driverErrors, [], 'the driver read and drove the group throughout');
    const c = this.containment();
    assert.deepEqual(c.overCeiling, [], `capacity above the ceiling ${CEILING}`);
    assert.deepEqual(c.overHold, [], `capacity above the freeze ${this.hold}`);
    assert.deepEqual(c.scaleIns, [], 'no instance terminated: no write ever set MaxSize below what ran');
    // The hold is checked over the fault, not over a moment: samples span it.
    assert.ok(c.samplesAfterHold >= 5, `only ${c.samplesAfterHold} samples once the hold applied`);
    assert.equal(await this.originalTag(), String(ORIGINAL_MAX), 'the original MaxSize is still recorded on the group');
    await poll('the outbox drained', async () => (await this.pendingAlerts()) === 0, 60_000);
    const counts = this.deliveries();
    assert.equal(counts.get('FIRING runaway'), 1, `the runaway alert, exactly once: ${JSON.stringify([...counts])}`);
    for (const [key, n] of counts) assert.equal(n, 1, `${key} delivered ${n} times`);
    const started = Date.now();
    await rest().delete(objectPath(COSTGUARD_RESOURCE, this.ns, this.guard));
    await poll('the original MaxSize restored on delete', async () => (await readGroup(this.aws, this.asg))?.MaxSize === ORIGINAL_MAX, 60_000);
    const restoreMs = Date.now() - started;
    await poll('the record removed with the restore', async () => (await this.originalTag()) === undefined, 30_000);
    for (const [key, n] of this.deliveries()) assert.equal(n, 1, `${key} delivered ${n} times after the delete`);
    return { alerts: `${[...counts.values()].reduce((a, b) => a + b, 0)}/${counts.size} (${[...counts.keys()].join(', ')})`, restoreMs };
  }

  async stopLoop(): Promise<void> {
    this.driving = false;
    this.watching = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  async close(): Promise<void> {
    await this.stopLoop();
    await this.signal.gate.close();
    await this.signal.fleet.stop();
    await this.signal.prom.stop();
    rmSync(this.signal.promDir, { recursive: true, force: true });
    await this.sink.stop();
    // A guard left behind (a failed test) must not keep a record on a group nobody reads.
    await this.aws.send(new DeleteTagsCommand({ Tags: [{ ResourceId: this.asg, ResourceType: 'auto-scaling-group', Key: ORIGINAL_TAG }] })).catch(() => undefined);
    this.aws.destroy();
  }

  /** Target tracking, played: capacity up to MaxSize (never past it, as AWS), retries up. */
  private async drive(): Promise<void> {
    while (this.driving) {
      await this.driveOnce().catch((err: unknown) => this.driverErrors.push(String(err)));
      await tick(this.tickMs);
    }
  }

  private async driveOnce(): Promise<void> {
    const group = await readGroup(this.aws, this.asg);
    const sample = { at: Date.now(), desired: group?.DesiredCapacity ?? 0, maxSize: group?.MaxSize ?? 0 };
    this.samples.push(sample);
    if (this.recovered) return;
    this.signal.fleet.load.failShare = Math.min(0.9, this.signal.fleet.load.failShare + 0.06);
    const want = Math.min(sample.maxSize, sample.desired + this.step);
    if (want > sample.desired && !(await this.writeUnderWay(sample))) await this.aws.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: this.asg, DesiredCapacity: want }));
  }

  /**
   * A runaway hold in status that the group does not show yet: the actuator is reading the group
   * live and about to write. AWS has no conditional write, so a scale-out landing between that
   * read and the write is clipped by the new MaxSize (docs/operations.md); the played autoscaler
   * waits a tick instead of racing the write the suite checks. A status it cannot read counts as
   * a write under way. Once the freeze is on the group no read is needed (faults come after).
   */
  private async writeUnderWay(sample: Sample): Promise<boolean> {
    if (this.hold !== undefined || sample.maxSize < CEILING) return false;
    const status = await this.status().catch(() => undefined);
    return status === undefined || (status.holds ?? []).some((h) => h.owner === 'runaway' && h.target === `asg/${this.asg}`);
  }

  /** Records each change of each condition (a fault may make the API server unreadable: skipped). */
  private async watchConditions(): Promise<void> {
    while (this.watching) {
      const status = await this.status().catch(() => undefined);
      for (const c of status?.conditions ?? []) {
        const seen = `${c.status}/${c.reason}`;
        if (this.lastConditions.get(c.type) === seen) continue;
        this.lastConditions.set(c.type, seen);
        this.conditions.push({ at: Date.now(), type: c.type, status: c.status, reason: c.reason, message: c.message });
      }
      await tick();
    }
  }
}

/** The driver's pace: one tick of simulated target tracking (a schedule, not a wait for a result). */
function tick(ms = TICK_MS): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
