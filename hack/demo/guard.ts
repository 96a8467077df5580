// The guarded run's CostGuard (Enforce, runaway.action Freeze, a ceiling, a cost ceiling and
// Slack alerts to the local sink), and what the demo reads back from its status.
import type { CostGuard, CostGuardStatus } from '../../src/api/v1alpha1/index.ts';
import type { RestClient } from '../../src/runtime/kube/rest.ts';
import { WORKLOAD } from './kube.ts';

export const GUARD = 'orders-worker';
const GUARDS = (ns: string): string => `/apis/costguard.io/v1alpha1/namespaces/${encodeURIComponent(ns)}/costguards`;

export interface GuardInputs {
  ns: string;
  group: string;
  queueUrl: string;
  webhookUrl: string;
  metricsPort: number;
  ceiling: number;
}

/** The guard, with durations in real time: one simulated minute is one real second. */
export function guardManifest(g: GuardInputs): CostGuard {
  return {
    apiVersion: 'costguard.io/v1alpha1',
    kind: 'CostGuard',
    metadata: { name: GUARD, namespace: g.ns },
    spec: {
      mode: 'Enforce',
      scalingGroups: [{ name: g.group, maxSize: g.ceiling }],
      concurrency: { workload: { kind: 'Deployment', name: WORKLOAD }, fleetMax: 12, perReplicaMax: 2 },
      runaway: {
        signals: { sqs: { queueUrl: g.queueUrl }, workers: { metricsPort: g.metricsPort, path: '/metrics' } },
        retryBudgetPercent: 10,
        window: '20s',
        action: 'Freeze',
        // Five simulated minutes of healthy signals before the stepped release: the run shows the
        // whole incident, the release and the RESOLVED message included.
        cooldown: '5s',
      },
      cost: { hourlyCeiling: '1.50' },
      alerts: { slack: { webhookSecretRef: { name: 'slack-webhook', key: 'url' } }, repeatInterval: '1h' },
    },
  } as unknown as CostGuard;
}

export async function applyGuard(rest: RestClient, g: GuardInputs): Promise<void> {
  await rest.create(`/api/v1/namespaces/${encodeURIComponent(g.ns)}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'slack-webhook' },
    stringData: { url: g.webhookUrl },
  });
  await rest.create(GUARDS(g.ns), guardManifest(g));
}

export interface GuardView {
  runawayState?: string;
  braking: boolean;
  evidence: string[];
  brakeReason?: string;
  saved: { target: string; field: string; original: string; held?: string }[];
  estimatedHourly?: string;
  conditions: { type: string; status: string; reason: string }[];
}

export async function readGuard(rest: RestClient, ns: string): Promise<GuardView> {
  return viewOf((await rest.get<CostGuard>(`${GUARDS(ns)}/${GUARD}`)).status ?? {});
}

function viewOf(s: CostGuardStatus): GuardView {
  const view: GuardView = {
    braking: s.brake !== undefined,
    evidence: s.runaway?.evidence ?? [],
    saved: (s.brake?.saved ?? []).map((x) => ({ target: x.target, field: x.field, original: x.original, ...(x.held ? { held: x.held } : {}) })),
    conditions: (s.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason })),
  };
  if (s.runaway?.state) view.runawayState = s.runaway.state;
  if (s.brake?.reason) view.brakeReason = s.brake.reason;
  if (s.cost?.estimatedHourly) view.estimatedHourly = s.cost.estimatedHourly;
  return view;
}
