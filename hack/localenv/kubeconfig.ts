import { stringify } from 'yaml';
import type { ControlPlaneCerts } from './certs.ts';

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

/** An admin kubeconfig (client certificate in system:masters) for the local API server. */
export function kubeconfigYaml(server: string, certs: ControlPlaneCerts): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'costguard-local', cluster: { server, 'certificate-authority-data': b64(certs.ca.cert) } }],
    users: [{ name: 'costguard-admin', user: { 'client-certificate-data': b64(certs.admin.cert), 'client-key-data': b64(certs.admin.key) } }],
    contexts: [{ name: 'costguard-local', context: { cluster: 'costguard-local', user: 'costguard-admin' } }],
    'current-context': 'costguard-local',
  });
}
