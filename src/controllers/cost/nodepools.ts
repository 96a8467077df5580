// A Karpenter NodePool's cost: its nodes × the price of their instance types. The nodes are
// read from Karpenter's NodeClaims (cluster-scoped, karpenter.sh/v1), listed by the label
// `karpenter.sh/nodepool=<name>`: each carries `node.kubernetes.io/instance-type`,
// `karpenter.sh/capacity-type` and `topology.kubernetes.io/region` once launched. Listing
// NodeClaims needs only `list` on nodeclaims.karpenter.sh, and never Nodes cluster-wide.
import type { CostGuard, NodePoolSpec } from '../../api/v1alpha1/index.ts';
import { quantity } from '../targets/quantity.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { collectionPath, objectPath, Resources } from '../../runtime/kube/resource.ts';
import type { KubeList, RestClient } from '../../runtime/kube/rest.ts';
import type { PricedTarget } from './estimate-decide.ts';

export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
export const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';
export const REGION_LABEL = 'topology.kubernetes.io/region';

export interface NodeClaim {
  metadata?: { name?: string; labels?: Record<string, string> };
}

interface Requirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface KarpenterNodePool {
  spec?: { template?: { spec?: { requirements?: Requirement[] } } };
}

/** The instance types a NodePool's requirements allow by name (`In`), if it names them. */
function allowedTypes(pool: KarpenterNodePool | undefined): string[] {
  const requirements = pool?.spec?.template?.spec?.requirements ?? [];
  return requirements.flatMap((r) => (r.key === INSTANCE_TYPE_LABEL && r.operator === 'In' ? (r.values ?? []) : []));
}

/**
 * Pure: what to price for one NodePool. Running = launched NodeClaims by instance type (one
 * still launching has no type yet and costs nothing yet). The worst case is CostGuard's
 * `limits.nodes` ceiling × the dearest type it runs or its requirements name; without a nodes
 * ceiling there is no instance count to multiply, so no worst case (reported, not guessed).
 * Spot nodes are priced at the on-demand price: an upper bound.
 */
export function pricedNodePool(spec: NodePoolSpec, claims: readonly NodeClaim[], pool: KarpenterNodePool | undefined): PricedTarget {
  const running: Record<string, number> = {};
  let region: string | undefined;
  for (const claim of claims) {
    const labels = claim.metadata?.labels ?? {};
    const type = labels[INSTANCE_TYPE_LABEL];
    if (!type) continue;
    running[type] = (running[type] ?? 0) + 1;
    region ??= labels[REGION_LABEL];
  }
  const nodes = quantity(spec.limits.nodes);
  const ceiling = nodes !== undefined && Number.isFinite(nodes) ? Math.floor(nodes) : undefined;
  const mayLaunch = [...new Set([...allowedTypes(pool), ...Object.keys(running)])].sort();
  return { target: `NodePool/${spec.name}`, ...(ceiling !== undefined ? { ceiling } : {}), running, mayLaunch, ...(region ? { region } : {}) };
}

async function getPool(rest: RestClient, name: string): Promise<KarpenterNodePool | undefined> {
  try {
    return await rest.get<KarpenterNodePool>(objectPath(Resources.karpenterNodePools, undefined, name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function listClaims(rest: RestClient, name: string): Promise<NodeClaim[]> {
  try {
    const list = await rest.get<KubeList<NodeClaim>>(collectionPath(Resources.karpenterNodeClaims), { query: { labelSelector: `${NODEPOOL_LABEL}=${name}` } });
    return list.items;
  } catch (err) {
    // Karpenter not installed: nothing runs, so nothing costs (the ceilings controller reports the missing CRD).
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** I/O: every NodePool of the guard, priced from its NodeClaims. */
export async function observeNodePools(rest: RestClient, guard: CostGuard): Promise<PricedTarget[]> {
  return Promise.all((guard.spec.nodePools ?? []).map(async (spec) => pricedNodePool(spec, await listClaims(rest, spec.name), await getPool(rest, spec.name))));
}
