// Prints what CostGuard does as it happens: its Events and its guards' condition changes.
import type { RestClient } from '../../src/runtime/kube/rest.ts';
import type { CostGuard } from '../../src/api/v1alpha1/index.ts';

interface KubeEvent {
  metadata?: { name?: string };
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { name?: string };
}

export class Narrator {
  private readonly rest: RestClient;
  private readonly namespace: string;
  private readonly seenEvents = new Set<string>();
  private readonly conditions = new Map<string, string>();
  private readonly started = Date.now();

  constructor(rest: RestClient, namespace: string) {
    this.rest = rest;
    this.namespace = namespace;
  }

  /** One pass: prints new events and condition flips; returns how many lines it printed. */
  async tick(): Promise<number> {
    return (await this.printEvents()) + (await this.printConditions());
  }

  private stamp(): string {
    return `+${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)}s`;
  }

  private async printEvents(): Promise<number> {
    const list = await this.rest.get<{ items: KubeEvent[] }>(`/apis/events.k8s.io/v1/namespaces/${this.namespace}/events`);
    let printed = 0;
    for (const e of list.items) {
      const id = e.metadata?.name ?? '';
      if (this.seenEvents.has(id)) continue;
      this.seenEvents.add(id);
      process.stdout.write(`${this.stamp()}  ${e.type === 'Warning' ? '!' : ' '} ${e.regarding?.name}: [${e.reason}] ${e.note}\n`);
      printed += 1;
    }
    return printed;
  }

  private async printConditions(): Promise<number> {
    const list = await this.rest.get<{ items: CostGuard[] }>(`/apis/costguard.io/v1alpha1/namespaces/${this.namespace}/costguards`);
    let printed = 0;
    for (const guard of list.items) {
      for (const c of guard.status?.conditions ?? []) {
        if (!['CeilingsEnforced', 'CeilingReached', 'Ready'].includes(c.type)) continue;
        const key = `${guard.metadata.name}/${c.type}`;
        const value = `${c.status} (${c.reason})`;
        if (this.conditions.get(key) === value) continue;
        this.conditions.set(key, value);
        process.stdout.write(`${this.stamp()}    ${guard.metadata.name}: ${c.type}=${value}: ${c.message}\n`);
        printed += 1;
      }
    }
    return printed;
  }
}
