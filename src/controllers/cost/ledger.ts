// I/O: which AWS Budgets CostGuard created, kept where only the operator writes. Ownership used
// to be an annotation on the CostGuard itself, which its author can write: naming another
// team's budget there made CostGuard rewrite or delete it. AWS Budgets has a tagging API, but
// moto (the emulator every test runs against) does not implement it, so a tag could not be
// tested; the record is instead one ConfigMap per guard in the operator's own namespace
// (costguard-budgets-<guard UID>), which guard authors have no access to. It is written before
// CreateBudget, so a crash between the two never leaves a budget CostGuard cannot claim; a
// claim whose budget never got created only means a later "create" finds nothing to adopt.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { isConflict, isNotFound } from '../../runtime/errors.ts';
import { collectionPath, objectPath, Resources } from '../../runtime/kube/resource.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';
import { ownerOf } from '../targets/records.ts';

/** A budget one guard created: by name, in one account. */
export interface BudgetClaim {
  name: string;
  account: string;
}

/** What the budget sync needs of the record. */
export interface BudgetLedger {
  /** The budgets this guard created (by UID: a guard deleted and re-created under the same name owns nothing). */
  owned(guard: CostGuard): Promise<BudgetClaim[]>;
  /** Records that this guard is about to create `claim`. */
  claim(guard: CostGuard, claim: BudgetClaim): Promise<void>;
  /** Drops a claim (its budget is gone, or was never created). */
  release(guard: CostGuard, claim: BudgetClaim): Promise<void>;
}

interface ConfigMap {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

const DATA_KEY = 'budgets.json';

function parseClaims(cm: ConfigMap | undefined): BudgetClaim[] {
  try {
    const value: unknown = JSON.parse(cm?.data?.[DATA_KEY] ?? '[]');
    if (!Array.isArray(value)) return [];
    return value.filter((c: unknown): c is BudgetClaim => {
      const claim = c as Partial<BudgetClaim> | null;
      return typeof claim?.name === 'string' && typeof claim.account === 'string';
    });
  } catch {
    return [];
  }
}

const same = (a: BudgetClaim, b: BudgetClaim): boolean => a.name === b.name && a.account === b.account;

export class ConfigMapBudgetLedger implements BudgetLedger {
  private readonly rest: RestClient;
  private readonly namespace: string;

  /** `namespace`: the operator's own (the leader-election namespace), where guard authors cannot write. */
  constructor(rest: RestClient, namespace: string) {
    this.rest = rest;
    this.namespace = namespace;
  }

  async owned(guard: CostGuard): Promise<BudgetClaim[]> {
    return parseClaims(await this.read(guard));
  }

  async claim(guard: CostGuard, claim: BudgetClaim): Promise<void> {
    const cm = await this.read(guard);
    const claims = parseClaims(cm);
    if (claims.some((c) => same(c, claim))) return;
    await this.write(guard, cm, [...claims, claim]);
  }

  async release(guard: CostGuard, claim: BudgetClaim): Promise<void> {
    const cm = await this.read(guard);
    if (!cm) return;
    const claims = parseClaims(cm).filter((c) => !same(c, claim));
    if (claims.length) return this.write(guard, cm, claims);
    try {
      await this.rest.delete(this.path(guard), { body: { preconditions: { resourceVersion: cm.metadata?.resourceVersion } } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private name(guard: CostGuard): string {
    return `costguard-budgets-${guard.metadata.uid ?? ''}`;
  }

  private path(guard: CostGuard): string {
    return objectPath(Resources.configMaps, this.namespace, this.name(guard));
  }

  private async read(guard: CostGuard): Promise<ConfigMap | undefined> {
    if (!guard.metadata.uid) throw new Error('the guard has no UID yet');
    try {
      return await this.rest.get<ConfigMap>(this.path(guard));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new Error(`cannot read CostGuard's budget record in namespace ${this.namespace} (the operator's namespace): ${(err as Error).message}`, { cause: err });
    }
  }

  /** Create or replace with the resourceVersion lock; a 409 propagates (the reconcile is retried). */
  private async write(guard: CostGuard, cm: ConfigMap | undefined, claims: BudgetClaim[]): Promise<void> {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.name(guard),
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'costguard', 'costguard.io/record': 'budgets' },
        annotations: { 'costguard.io/guard': ownerOf(guard) },
        ...(cm?.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}),
      },
      data: { [DATA_KEY]: JSON.stringify(claims) },
    };
    try {
      if (cm) await this.rest.replace(this.path(guard), body);
      else await this.rest.create(collectionPath(Resources.configMaps, this.namespace), body);
    } catch (err) {
      if (isConflict(err)) throw err;
      if (isNotFound(err)) throw new Error(`cannot record budget ownership: namespace ${this.namespace} (the operator's namespace, --leader-election-namespace) does not exist`, { cause: err });
      throw err;
    }
  }
}
