// Prints what CostGuard does as it happens: its Events and its guards' condition changes,
// stamped in simulated minutes since the run began (one real second each).
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
  private readonly started: number;

  private readonly say: (line: string) => void;

  constructor(rest: RestClient, namespace: string, say: (line: string) => void, started = Date.now()) {
    this.rest = rest;
    this.say = say;
    this.namespace = namespace;
    this.started = started;
  }

  /** One pass: prints new events and condition flips; returns how many lines it printed. */
  async tick(): Promise<number> {
    return (await this.printEvents()) + (await this.printConditions());
  }

  private stamp(): string {
    return `  [guarded  ] minute ${String(Math.floor((Date.now() - this.started) / 1000)).padStart(2)}  CostGuard`;
  }

  private async printEvents(): Promise<number> {
    const list = await this.rest.get<{ items: KubeEvent[] }>(`/apis/events.k8s.io/v1/namespaces/${this.namespace}/events`);
    let printed = 0;
    for (const e of list.items) {
      const id = e.metadata?.name ?? '';
      if (this.seenEvents.has(id)) continue;
      this.seenEvents.add(id);
      this.say(`${this.stamp()} event ${e.type === 'Warning' ? '(Warning) ' : ''}[${e.reason}] ${e.note}`);
      printed += 1;
    }
    return printed;
  }

  private async printConditions(): Promise<number> {
    const list = await this.rest.get<{ items: CostGuard[] }>(`/apis/costguard.io/v1alpha1/namespaces/${this.namespace}/costguards`);
    let printed = 0;
    for (const guard of list.items) {
      for (const c of guard.status?.conditions ?? []) {
        if (!['CeilingReached', 'RunawaySuspected', 'BrakeEngaged'].includes(c.type)) continue;
        const key = `${guard.metadata.name}/${c.type}`;
        const value = `${c.status} (${c.reason})`;
        if (this.conditions.get(key) === value) continue;
        this.conditions.set(key, value);
        this.say(`${this.stamp()} ${c.type}=${value}: ${c.message}`);
        printed += 1;
      }
    }
    return printed;
  }
}
