// Bulk creation and polling of CostGuards for the benchmarks.
import pLimit from 'p-limit';
import { setTimeout as delay } from 'node:timers/promises';
import type { RestClient } from '../src/runtime/kube/rest.ts';
import type { CostGuard } from '../src/api/v1alpha1/index.ts';

export async function createGuards(rest: RestClient, namespace: string, specs: Record<string, unknown>[]): Promise<void> {
  const limit = pLimit(16);
  await Promise.all(
    specs.map((spec, i) =>
      limit(() =>
        rest.create(`/apis/costguard.io/v1alpha1/namespaces/${namespace}/costguards`, {
          apiVersion: 'costguard.io/v1alpha1',
          kind: 'CostGuard',
          metadata: { name: `guard-${String(i).padStart(4, '0')}` },
          spec,
        }),
      ),
    ),
  );
}

/** Polls until every guard in the namespace has status.observedGeneration; returns when. */
export async function waitAllReconciled(rest: RestClient, namespace: string, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await rest.get<{ items: CostGuard[] }>(`/apis/costguard.io/v1alpha1/namespaces/${namespace}/costguards`);
    const done = list.items.filter((g) => g.status?.observedGeneration === g.metadata.generation).length;
    if (done >= count) return Date.now();
    if (Date.now() > deadline) throw new Error(`only ${done}/${count} guards reconciled in ${timeoutMs} ms`);
    await delay(250);
  }
}
