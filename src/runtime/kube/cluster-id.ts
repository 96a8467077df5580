// The cluster's name on the records CostGuard leaves on AWS targets (holder keys, see
// controllers/targets/records.ts): two clusters guarding one account must tell their guards
// apart. The operator flag wins; otherwise the kube-system namespace's UID, which is created
// with the cluster and never changes, gives a stable id (its first 8 hex digits: the holder
// key must fit a 63-character annotation name with the guard's UID).
import { errorMessage } from '../errors.ts';
import type { RestClient } from './rest.ts';

const UID_DIGITS = 8;

export async function clusterIdOf(rest: RestClient, configured: string): Promise<string> {
  if (configured) return configured;
  try {
    const ns = await rest.get<{ metadata?: { uid?: string } }>('/api/v1/namespaces/kube-system');
    const uid = ns.metadata?.uid?.replaceAll('-', '').toLowerCase();
    if (!uid || !/^[0-9a-f]+$/.test(uid)) throw new Error('it has no UID');
    return uid.slice(0, UID_DIGITS);
  } catch (err) {
    throw new Error(`cannot derive the cluster id from the kube-system namespace (${errorMessage(err)}): set --cluster-id (Helm value clusterId), or grant get on namespaces/kube-system`, { cause: err });
  }
}
