// The leader record stored in a coordination.k8s.io/v1 Lease, behind a narrow interface so
// the elector can be tested against an in-memory lock with a fake clock.
import { isNotFound } from './errors.ts';
import { microTime } from './events.ts';
import { objectPath, collectionPath, Resources } from './kube/resource.ts';
import type { RestClient } from './kube/rest.ts';

export interface LeaderElectionRecord {
  /** '' when nobody holds the lease (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

export interface LockState {
  record: LeaderElectionRecord;
  resourceVersion: string;
}

/** Every call takes an optional signal: the elector aborts a call still hanging at its renew deadline. */
export interface LeaseLock {
  /** The current record, or undefined when the Lease does not exist. */
  get(signal?: AbortSignal): Promise<LockState | undefined>;
  /** Creates the Lease; throws a 409 error if it exists. Returns the new resourceVersion. */
  create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<string>;
  /** Replaces the record if resourceVersion still matches; throws a 409 error otherwise. */
  update(record: LeaderElectionRecord, resourceVersion: string, signal?: AbortSignal): Promise<string>;
  describe(): string;
}

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

function parseTime(t: string | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Creating the Lease answered 404: its namespace does not exist (a Lease that is missing is a
 * 404 on get, handled there). Typical out of cluster, where no chart made costguard-system.
 * Retrying cannot help until someone creates the namespace or points the operator elsewhere,
 * so the message names both ways.
 */
export class LeaseNamespaceMissingError extends Error {
  readonly namespace: string;

  constructor(namespace: string) {
    super(
      `leader election: namespace "${namespace}" does not exist, so the leader Lease cannot be created; ` +
        `create it (kubectl create namespace ${namespace}) or set --leader-election-namespace ` +
        `(LEADER_ELECTION_NAMESPACE, or POD_NAMESPACE) to a namespace that exists, or run with --leader-elect=false`,
    );
    this.name = 'LeaseNamespaceMissingError';
    this.namespace = namespace;
  }
}

export class KubeLeaseLock implements LeaseLock {
  private readonly rest: RestClient;
  private readonly namespace: string;
  private readonly name: string;
  private readonly timeoutMs: number;

  constructor(rest: RestClient, namespace: string, name: string, requestTimeoutMs = 10_000) {
    this.rest = rest;
    this.namespace = namespace;
    this.name = name;
    this.timeoutMs = requestTimeoutMs;
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(signal?: AbortSignal): Promise<LockState | undefined> {
    try {
      const lease = await this.rest.get<LeaseObject>(objectPath(Resources.leases, this.namespace, this.name), this.options(signal));
      const s = lease.spec ?? {};
      const record = {
        holderIdentity: s.holderIdentity ?? '',
        leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
        acquireTime: parseTime(s.acquireTime),
        renewTime: parseTime(s.renewTime),
        leaseTransitions: s.leaseTransitions ?? 0,
      };
      return { record, resourceVersion: lease.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<string> {
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec: toSpec(record) };
    try {
      const lease = await this.rest.create<LeaseObject>(collectionPath(Resources.leases, this.namespace), body, this.options(signal));
      return lease.metadata?.resourceVersion ?? '';
    } catch (err) {
      if (isNotFound(err)) throw new LeaseNamespaceMissingError(this.namespace);
      throw err;
    }
  }

  async update(record: LeaderElectionRecord, resourceVersion: string, signal?: AbortSignal): Promise<string> {
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace, resourceVersion },
      spec: toSpec(record),
    };
    const lease = await this.rest.replace<LeaseObject>(objectPath(Resources.leases, this.namespace, this.name), body, this.options(signal));
    return lease.metadata?.resourceVersion ?? '';
  }

  private options(signal: AbortSignal | undefined): { timeoutMs: number; signal?: AbortSignal } {
    return signal ? { timeoutMs: this.timeoutMs, signal } : { timeoutMs: this.timeoutMs };
  }
}

function toSpec(r: LeaderElectionRecord): Record<string, unknown> {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: microTime(r.acquireTime),
    renewTime: microTime(r.renewTime),
    leaseTransitions: r.leaseTransitions,
  };
}
