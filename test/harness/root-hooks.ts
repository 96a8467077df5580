// Mocha root hooks for the integration suite: start a real kube-apiserver + etcd and moto
// once per run, point clients at them through the environment, print the servers' logs
// when a test fails, and tear everything down at the end. A failure to start fails the run.
import type { Context } from 'mocha';
import { startLocalEnv, type LocalEnv } from '../../hack/localenv/index.ts';
import { bindTestEnv, testEnv } from './env.ts';

let local: LocalEnv | undefined;
let failures = 0;

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    this.timeout(180_000);
    const started = Date.now();
    local = await startLocalEnv();
    Object.assign(process.env, local.env);
    bindTestEnv(local);
    // The operator's own namespace (the default --leader-election-namespace): the operator keeps
    // its budget records there, as it does in the namespace the chart installs it into.
    const ns = await testEnv().kubectl(['create', 'namespace', 'costguard-system']);
    if (ns.code !== 0) throw new Error(`creating the operator namespace failed: ${ns.stderr}`);
    console.log(`test environment ready in ${Date.now() - started} ms (${local.controlPlane.apiServerUrl}, moto ${local.moto.endpoint})`);
  },
  afterEach(this: Context): void {
    if (this.currentTest?.state !== 'failed' || !local) return;
    failures += 1;
    if (failures <= 3) console.log(`\n${local.logTails(25)}\n`);
  },
  async afterAll(this: Context): Promise<void> {
    this.timeout(60_000);
    bindTestEnv(undefined);
    await local?.stop({ keepDir: failures > 0 });
    if (failures > 0 && local) console.log(`server logs kept in ${local.dir}`);
  },
};
