// Shared set-up for the runtime integration tests: the Widget CRD, a namespace per suite,
// a Manager configured for tests (ephemeral ports, fast timings) and polling helpers.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { testEnv } from '../../harness/env.ts';
import { parseConfig, type RuntimeConfig } from '../../../src/runtime/config.ts';
import { createLogger, silentLogger, type Logger, type LogLevel } from '../../../src/runtime/logger.ts';
import { Manager, type ManagerOptions } from '../../../src/runtime/manager.ts';
import { RestClient } from '../../../src/runtime/kube/rest.ts';
import { collectionPath, objectPath, type ResourceType } from '../../../src/runtime/kube/resource.ts';
import type { KubeObject } from '../../../src/runtime/keys.ts';

export const WIDGETS: ResourceType = { group: 'test.costguard.io', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };

export interface Widget extends KubeObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const CRD_FILE = fileURLToPath(new URL('./fixtures/widgets.yaml', import.meta.url));

export async function kubectl(args: string[], input?: string): Promise<string> {
  const res = await testEnv().kubectl(args, input === undefined ? {} : { input });
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

let crdInstalled: Promise<void> | undefined;

export function installWidgetCrd(): Promise<void> {
  crdInstalled ??= (async () => {
    await kubectl(['apply', '-f', CRD_FILE]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/widgets.test.costguard.io']);
  })();
  return crdInstalled;
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 6)}`;
  await kubectl(['create', 'namespace', name]);
  return name;
}

export function rest(): RestClient {
  return new RestClient(testEnv().kubeConfig);
}

export function testLogger(): Logger {
  const level = process.env.RUNTIME_TEST_LOG as LogLevel | undefined;
  return level ? createLogger(level) : silentLogger();
}

/** Runtime config for tests: one namespace, ephemeral ports, no leader election, slow resync. */
export function testConfig(namespace: string, argv: string[] = []): RuntimeConfig {
  const base = [
    `--namespaces=${namespace}`,
    '--leader-elect=false',
    '--metrics-bind-address=127.0.0.1:0',
    '--health-probe-bind-address=127.0.0.1:0',
    '--resync-period=1h',
    '--graceful-shutdown-timeout=5s',
  ];
  return parseConfig([...base, ...argv], {}, { hostname: 'it' }).config;
}

export function newManager(config: RuntimeConfig, opts: Partial<ManagerOptions> = {}): Manager {
  return new Manager({ config, kubeConfig: testEnv().kubeConfig, log: testLogger(), ...opts });
}

export async function createWidget(namespace: string, name: string, spec: Record<string, unknown> = { size: 1 }): Promise<Widget> {
  const body = { apiVersion: 'test.costguard.io/v1', kind: 'Widget', metadata: { name, namespace }, spec };
  return rest().create<Widget>(collectionPath(WIDGETS, namespace), body);
}

export async function patchWidgetSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<Widget> {
  return rest().patch<Widget>(objectPath(WIDGETS, namespace, name), { spec }, 'application/merge-patch+json');
}

export async function getWidget(namespace: string, name: string): Promise<Widget> {
  return rest().get<Widget>(objectPath(WIDGETS, namespace, name));
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a truthy value; fails with `what` after the timeout. */
export async function eventually<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}
