// Which guards each concern's controller is queued for (the operator passes these as the
// controllers' `concerns`): its own section; after the section is removed, as long as status
// still carries what the controller wrote (so the cleanup runs once and then the guard drops
// out); and a deletion. A guard with none of these is never queued by the resync.
import assert from 'node:assert/strict';
import type { CostGuard, CostGuardStatus } from '../../../src/api/v1alpha1/index.ts';
import { alertsConcern } from '../../../src/controllers/alerts/controller.ts';
import { breakerConcerns } from '../../../src/controllers/breaker/controller.ts';
import { concurrencyConcerns } from '../../../src/controllers/concurrency/controller.ts';
import { costConcerns } from '../../../src/controllers/cost/controller.ts';
import { runawayConcerns } from '../../../src/controllers/runaway/controller.ts';

function guard(spec: Record<string, unknown>, status?: CostGuardStatus, deleting = false): CostGuard {
  return {
    apiVersion: 'costguard.io/v1alpha1',
    kind: 'CostGuard',
    metadata: { name: 'g', namespace: 'team', ...(deleting ? { deletionTimestamp: '2026-11-30T00:00:00Z' } : {}) },
    spec: { mode: 'Enforce', workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 10 }], ...spec },
    ...(status ? { status } : {}),
  } as CostGuard;
}

const condition = (type: string) => ({ type, status: 'True', reason: 'R', message: '', lastTransitionTime: '2026-11-30T00:00:00Z' });
const hold = (owner: 'breaker' | 'runaway') => ({ owner, target: 'Deployment/w', value: 1, reason: 'r', since: '2026-11-30T00:00:00Z' });

const cases: { name: string; concerns: (g: CostGuard) => boolean; section: Record<string, unknown>; leftovers: CostGuardStatus[] }[] = [
  {
    name: 'concurrency',
    concerns: concurrencyConcerns,
    section: { concurrency: { workload: { kind: 'Deployment', name: 'w' }, maxInFlight: 10 } },
    leftovers: [{ concurrency: { perReplicaLimit: 5 } } as CostGuardStatus, { conditions: [condition('ConcurrencyPublished')] } as CostGuardStatus],
  },
  {
    name: 'breaker',
    concerns: breakerConcerns,
    section: { breaker: {} },
    leftovers: [{ breaker: { state: 'Closed' } } as CostGuardStatus, { holds: [hold('breaker')] }, { conditions: [condition('BreakerOpen')] } as CostGuardStatus],
  },
  {
    name: 'runaway',
    concerns: runawayConcerns,
    section: { runaway: { signals: {} } },
    leftovers: [
      { runaway: { state: 'Normal' } },
      { brake: { engagedAt: '2026-11-30T00:00:00Z' } } as CostGuardStatus,
      { holds: [hold('runaway')] },
      { conditions: [condition('RunawayWatched')] } as CostGuardStatus,
      { conditions: [condition('BrakeEngaged')] } as CostGuardStatus,
    ],
  },
  {
    name: 'alerts',
    concerns: alertsConcern,
    section: { alerts: { slack: { webhookSecretRef: { name: 's', key: 'url' } } } },
    leftovers: [{ conditions: [condition('AlertsReady')] } as CostGuardStatus],
  },
  { name: 'cost', concerns: costConcerns, section: { cost: {} }, leftovers: [] },
];

describe('which guards concern each controller', () => {
  for (const c of cases) {
    describe(c.name, () => {
      it('its section: yes', () => assert.equal(c.concerns(guard(c.section)), true));
      it('no section and nothing of its own in status: no (the resync skips the guard)', () => {
        assert.equal(c.concerns(guard({})), false);
        assert.equal(c.concerns(guard({}, { observedGeneration: 1, conditions: [condition('CeilingsEnforced')] } as CostGuardStatus)), false);
      });
      for (const status of c.leftovers) {
        it(`section removed, status still has ${JSON.stringify(Object.keys(status))} ${JSON.stringify(status.conditions?.[0]?.type ?? status.holds?.[0]?.owner ?? '')}: yes, to clean it once`, () => {
          assert.equal(c.concerns(guard({}, status)), true);
        });
      }
      it('being deleted: yes', () => assert.equal(c.concerns(guard({}, undefined, true)), true));
    });
  }

  it('cost: a guard with scaling groups to price concerns it without a cost section', () => {
    assert.equal(costConcerns(guard({ scalingGroups: [{ name: 'asg', maxSize: 3 }] })), true);
  });
});
