// A real kube-apiserver backed by a real etcd on free loopback ports, started the way
// controller-runtime's envtest starts them (RBAC on, certificate auth, service-account keys).
import { request } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assets } from './assets.ts';
import { createControlPlaneCerts, type ControlPlaneCerts } from './certs.ts';
import { freePort } from './ports.ts';
import { ManagedProcess } from './process.ts';
import { waitUntilReady } from './wait.ts';
import { kubeconfigYaml } from './kubeconfig.ts';

const START_TIMEOUT_MS = 90_000;

export class ControlPlane {
  readonly dir: string;
  etcd: ManagedProcess | undefined;
  apiServer: ManagedProcess | undefined;
  apiServerUrl = '';
  kubeconfigPath = '';
  private certs: ControlPlaneCerts | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  async start(): Promise<void> {
    this.certs = await createControlPlaneCerts();
    await this.writeCertFiles(this.certs);
    const etcdUrl = await this.startEtcd();
    const port = await freePort();
    this.apiServerUrl = `https://127.0.0.1:${port}`;
    this.apiServer = new ManagedProcess({
      name: 'kube-apiserver',
      command: assets.kubeApiServer(),
      args: this.apiServerArgs(etcdUrl, port),
      logFile: join(this.dir, 'kube-apiserver.log'),
    });
    await this.startApiServer();
    this.kubeconfigPath = join(this.dir, 'kubeconfig');
    await writeFile(this.kubeconfigPath, kubeconfigYaml(this.apiServerUrl, this.certs), { mode: 0o600 });
  }

  /** Stops and starts kube-apiserver on the same port, keeping etcd: cuts every watch. */
  async restartApiServer(): Promise<void> {
    await this.apiServer?.stop();
    await this.startApiServer();
  }

  async stop(): Promise<void> {
    await this.apiServer?.stop();
    await this.etcd?.stop();
  }

  logTails(lines = 30): string {
    return [this.etcd, this.apiServer]
      .filter((p): p is ManagedProcess => p !== undefined)
      .map((p) => `--- ${p.spec.name} (last ${lines} lines) ---\n${p.tail(lines)}`)
      .join('\n');
  }

  private async startApiServer(): Promise<void> {
    const proc = this.apiServer!;
    proc.start();
    await waitUntilReady(proc, { what: 'kube-apiserver', timeoutMs: START_TIMEOUT_MS, check: () => this.readyz() });
  }

  private async startEtcd(): Promise<string> {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    this.etcd = new ManagedProcess({
      name: 'etcd',
      command: assets.etcd(),
      args: [
        '--name=costguard-local',
        `--data-dir=${join(this.dir, 'etcd')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=costguard-local=${peer}`,
        // Test data is disposable: skipping fsync makes etcd fast on shared CI disks.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      logFile: join(this.dir, 'etcd.log'),
    });
    this.etcd.start();
    const health = async (): Promise<boolean> => (await fetch(`${client}/health`)).ok;
    await waitUntilReady(this.etcd, { what: 'etcd', timeoutMs: START_TIMEOUT_MS, check: health });
    return client;
  }

  private apiServerArgs(etcdUrl: string, port: number): string[] {
    const f = (name: string): string => join(this.dir, name);
    return [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${f('apiserver-certs')}`,
      `--tls-cert-file=${f('serving.crt')}`,
      `--tls-private-key-file=${f('serving.key')}`,
      `--client-ca-file=${f('ca.crt')}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=https://127.0.0.1:${port}`,
      `--service-account-key-file=${f('sa.pub')}`,
      `--service-account-signing-key-file=${f('sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // No controller-manager runs, so nothing would create the default ServiceAccounts.
      '--disable-admission-plugins=ServiceAccount',
      // Loopback addresses are not valid endpoints for the `kubernetes` Service; nothing here needs it.
      '--endpoint-reconciler-type=none',
      '--v=1',
    ];
  }

  private async writeCertFiles(certs: ControlPlaneCerts): Promise<void> {
    const files: Record<string, string> = {
      'ca.crt': certs.ca.cert,
      'serving.crt': certs.serving.cert,
      'serving.key': certs.serving.key,
      'sa.pub': certs.serviceAccount.publicKey,
      'sa.key': certs.serviceAccount.privateKey,
    };
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(this.dir, name), content, { mode: 0o600 });
    }
  }

  private readyz(): Promise<boolean> {
    const certs = this.certs!;
    return new Promise((resolve) => {
      const req = request(`${this.apiServerUrl}/readyz`, { ca: certs.ca.cert, cert: certs.admin.cert, key: certs.admin.key, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }
}
