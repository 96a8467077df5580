import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RequestContext, HttpMethod } from '@kubernetes/client-node/dist/gen/http/http.js';
import { fromKubeconfig, LightAccess, loadKubeAccess } from '../../../src/runtime/kube/load-access.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return stringify({
    'current-context': 'c',
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }, { name: 'other', context: { cluster: 'x', user: 'y' } }],
    clusters: [{ name: 'k', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': b64('CA'), ...cluster } }],
    users: [{ name: 'u', user }],
  });
}

describe('loading API server access', () => {
  it('reads client certificates and the CA of the current context', () => {
    const creds = fromKubeconfig(kubeconfig({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }));
    assert.deepEqual(creds, { server: 'https://10.0.0.1:6443', ca: 'CA', insecure: false, cert: 'CERT', key: 'KEY', token: undefined, tokenFile: undefined });
  });

  it('reads a bearer token', () => {
    assert.equal(fromKubeconfig(kubeconfig({ token: 'abc' }))?.token, 'abc');
  });

  it('leaves exec plugins, auth providers, basic auth and proxies to the full KubeConfig', () => {
    assert.equal(fromKubeconfig(kubeconfig({ exec: { command: 'aws', args: ['eks', 'get-token'] } })), undefined);
    assert.equal(fromKubeconfig(kubeconfig({ 'auth-provider': { name: 'oidc' } })), undefined);
    assert.equal(fromKubeconfig(kubeconfig({ username: 'a', password: 'b' })), undefined);
    assert.equal(fromKubeconfig(kubeconfig({ token: 'abc' }, { 'proxy-url': 'http://proxy:3128' })), undefined);
  });

  it('signs requests with the bearer token, re-read from a token file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'access-'));
    writeFileSync(join(dir, 'token'), 'tok-1\n');
    const access = new LightAccess({ server: 'https://k:443', tokenFile: join(dir, 'token') });
    const ctx = new RequestContext('https://k:443/api', HttpMethod.GET);
    await access.applySecurityAuthentication(ctx);
    assert.equal(ctx.getHeaders().Authorization, 'Bearer tok-1');
    assert.ok(ctx.getDispatcher(), 'a TLS dispatcher is attached');
    const again = new RequestContext('https://k:443/api', HttpMethod.GET);
    await access.applySecurityAuthentication(again);
    assert.equal(again.getDispatcher(), ctx.getDispatcher(), 'one connection pool for every request');
  });

  it('uses the file KUBECONFIG names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'access-'));
    writeFileSync(join(dir, 'config'), kubeconfig({ token: 'abc' }));
    const access = await loadKubeAccess({ KUBECONFIG: join(dir, 'config') });
    assert.ok(access instanceof LightAccess);
    assert.equal(access.getCurrentCluster().server, 'https://10.0.0.1:6443');
  });
});
