// A real Prometheus server (built by `make prometheus`) for the integration tests: it scrapes
// the targets a test names, on a short interval, and answers PromQL over HTTP. A test adds or
// replaces scrape jobs while it runs (the config is rewritten, then reloaded).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assets } from './assets.ts';
import { freePort } from './ports.ts';
import { ManagedProcess } from './process.ts';
import { waitUntilReady } from './wait.ts';

/** One scrape job: `targets` are host:port; the metrics path defaults to /metrics. */
export interface ScrapeJob {
  job: string;
  targets: readonly string[];
  metricsPath?: string;
  /** Labels added to every series of the job's targets (e.g. the namespace Kubernetes discovery would add). */
  labels?: Record<string, string>;
}

/** One series of an instant query's vector result. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export class PrometheusServer {
  readonly dir: string;
  /** Seconds between scrapes; short so a test sees a rate within seconds. */
  readonly scrapeIntervalSeconds: number;
  url = '';
  proc: ManagedProcess | undefined;
  private jobs: ScrapeJob[] = [];

  constructor(dir: string, opts: { scrapeIntervalSeconds?: number } = {}) {
    this.dir = dir;
    this.scrapeIntervalSeconds = opts.scrapeIntervalSeconds ?? 1;
  }

  private get configPath(): string {
    return join(this.dir, 'prometheus.yml');
  }

  async start(jobs: readonly ScrapeJob[] = []): Promise<void> {
    this.jobs = [...jobs];
    await this.writeConfig();
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.proc = new ManagedProcess({
      name: 'prometheus',
      command: assets.prometheus(),
      args: [
        `--config.file=${this.configPath}`,
        `--storage.tsdb.path=${join(this.dir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // POST /-/reload picks up the jobs a test adds.
        '--web.enable-lifecycle',
      ],
      logFile: join(this.dir, 'prometheus.log'),
    });
    this.proc.start();
    const ready = async (): Promise<boolean> => (await fetch(`${this.url}/-/ready`)).ok;
    await waitUntilReady(this.proc, { what: 'prometheus', timeoutMs: 60_000, check: ready });
  }

  /** Adds a scrape job (or replaces the one of the same name) and reloads the config. */
  async scrape(job: ScrapeJob): Promise<void> {
    this.jobs = [...this.jobs.filter((j) => j.job !== job.job), job];
    await this.writeConfig();
    const res = await fetch(`${this.url}/-/reload`, { method: 'POST' });
    if (!res.ok) throw new Error(`prometheus reload failed: HTTP ${res.status}: ${await res.text()}`);
  }

  /** An instant query's vector (a scalar comes back as one series without labels). */
  async query(expr: string): Promise<PromSample[]> {
    const url = new URL('/api/v1/query', this.url);
    url.searchParams.set('query', expr);
    const res = await fetch(url);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new Error(`prometheus query ${expr} failed: ${body.error ?? `HTTP ${res.status}`}`);
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: Number((body.data.result as [number, string])[1]) }];
    const series = (body.data?.result ?? []) as { metric: Record<string, string>; value: [number, string] }[];
    return series.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  private async writeConfig(): Promise<void> {
    const interval = `${this.scrapeIntervalSeconds}s`;
    const config = {
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      scrape_configs: this.jobs.map((j) => ({
        job_name: j.job,
        metrics_path: j.metricsPath ?? '/metrics',
        // The operator's own `namespace` and `name` labels (a CostGuard's) are kept, as the
        // chart's ServiceMonitor does with honorLabels.
        honor_labels: true,
        static_configs: [{ targets: j.targets, labels: j.labels ?? {} }],
      })),
    };
    // JSON is YAML: no YAML writer needed for a config this small.
    await writeFile(this.configPath, JSON.stringify(config, null, 2));
  }
}
