// How the runtime reaches the API server: the two things its REST client and watches need
// from a kubeconfig. @kubernetes/client-node's KubeConfig satisfies this; so does the light
// loader in load-access.ts, which avoids importing client-node's generated API bundle.
import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';

export interface KubeAccess {
  getCurrentCluster(): { server: string } | null;
  /** Adds credentials (headers) and the TLS dispatcher to a request. */
  applySecurityAuthentication(context: RequestContext): Promise<void>;
}
