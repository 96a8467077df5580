// Which requests go first when the client-side limit is saturated (see token-bucket.ts).
// Classified by verb and path here, so controllers need not tag their requests:
// - high: writes to objects (patches that hold or clamp a Deployment, HPA, ScaledObject or
//   NodePool; finalizers; creates and deletes). These are the writes that protect a cluster,
//   and a late one lets a runaway run on.
// - normal: reads (a reconcile's live GET, informer lists) and /status writes. Status carries
//   state the controllers rely on (holds, originals to restore), so it is not demoted below
//   reads; it only yields to the writes above.
// - low: Events. They may be dropped when the limiter is saturated; the recorder never fails
//   a reconcile for a lost event, and its 2-minute dedupe already coalesces repeats.
// The leader Lease has its own unlimited client and never meets this limiter.
import type { Priority } from './token-bucket.ts';

const EVENT_PATH = /^\/(?:apis\/events\.k8s\.io\/v1|api\/v1)\/(?:namespaces\/[^/]+\/)?events(?:\/|$)/;

export function requestPriority(method: string, path: string): Priority {
  if (EVENT_PATH.test(path)) return 'low';
  if (method === 'GET' || path.endsWith('/status')) return 'normal';
  return 'high';
}
