// Who a guard is on the targets' records, and what this operator can see of the other holders
// (actuator/holders-decide.ts): a guard of this cluster is acting, idle (DryRun, paused,
// being deleted) or gone; one in a namespace this operator does not watch is not judged.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { acts } from '../actuator/peers.ts';
import type { Holding, LocalGuard } from '../actuator/holders-decide.ts';
import { ownerOf } from '../targets/records.ts';
import { permittedGuard, type TenancyPolicy } from '../targets/tenancy.ts';

export interface RecordsIdentity {
  clusterId: string;
  /** The operator's --namespaces; empty: all. */
  watchedNamespaces: readonly string[];
}

function watches(identity: RecordsIdentity, guard: string): boolean {
  const namespace = guard.split('/')[0] ?? '';
  return identity.watchedNamespaces.length === 0 || identity.watchedNamespaces.includes(namespace);
}

/**
 * The Holding of `guard`. The informer's guards are listed only when a holder other than this
 * guard has to be judged: most targets have none, and the list is a pass over every guard.
 */
export function holdingOf(guard: CostGuard, identity: RecordsIdentity | undefined, guards: () => readonly CostGuard[], policy: TenancyPolicy): Holding | undefined {
  const uid = guard.metadata.uid;
  if (!identity || !uid) return undefined;
  let byUid: Map<string, LocalGuard> | undefined;
  const local = (holder: string, label: string): LocalGuard | undefined => {
    byUid ??= new Map(guards().flatMap((g) => (g.metadata.uid ? [[g.metadata.uid, acts(permittedGuard(g, policy)) ? 'acting' : 'idle'] as const] : [])));
    return byUid.get(holder) ?? (watches(identity, label) ? 'gone' : undefined);
  };
  return { cluster: identity.clusterId, uid, guard: ownerOf(guard), local };
}
