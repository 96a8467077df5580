// What each benchmark measures and how, for bench/RESULTS.md. The numbers themselves come only
// from the figures (bench/results.json); this text says what they mean.

export interface SectionText {
  bench: string;
  title: string;
  /** Before the table: the set-up and the method. */
  intro: string;
  /** After the table: how to read it, caveats. */
  after?: string;
}

export const SECTIONS: readonly SectionText[] = [
  {
    bench: 'runtime',
    title: 'Runtime: 1,000 CostGuards (operator in its own process)',
    intro: `
The operator runs from \`dist/\` as a separate process with the chart's \`nodeOptions\`
(\`--max-semi-space-size=1 --max-old-space-size=128\`), against kube-apiserver + etcd on
loopback, with a 30 s resync period. 1,000 guards (Enforce, one Deployment ceiling each) are
created 16 at a time. RSS and CPU come from /proc, the heap from the operator's /metrics. The
idle baselines are the same process before the first guard exists.`,
  },
  {
    bench: 'asg-calls',
    title: 'Ceilings: AWS calls per resync cycle (1,000 Auto Scaling groups across 200 guards, moto)',
    intro: `
One resync cycle's observation of 1,000 groups named by 200 guards, 4 reconciles at a time
(the operator's default), DescribeAutoScalingGroups calls counted at a proxy in front of
moto, median of 3: CostGuard's shared snapshot, one batched call per guard, and one call per
group (the naive way). Then the operator itself (DryRun, resync 10 s), end to end.`,
  },
  {
    bench: 'detector',
    title: 'Runaway detection: three independently built trace families vs the PromQL alert and a naive rule',
    intro: `
Every labelled trace of each family (test/traces/: the queueing model; test/traces/des/: the
per-message discrete-event simulation; test/traces/demo/: recorded from the real worker fleet
of make demo, one sample per simulated minute) is replayed with a 30 min window
through CostGuard's detector, the PromQL alert a user would write (retry share above the budget
over 5 min AND capacity above its value 10 min earlier, for 1m: the baseline column) and the
naive "capacity doubled within the window" rule (in the notes). Onset is labelled from the
cause: the first capacity added after the downstream degraded. "In time" is by the later of
onset + 5 min and the moment capacity doubles from its value at onset. The detector's two free
settings were chosen on one family and measured on each of the others ("chosen on A, measured
on B").`,
    after: `
AWS Cost Anomaly Detection runs approximately three times a day (AWS Cost Management User
Guide), so about 8 h is its best case before it can see a spike at all.`,
  },
  {
    bench: 'deployments-rss',
    title: 'Informers: operator memory with 5,000 Deployments in the cluster',
    intro: `
5,000 Deployments (2 containers, 12 env vars, probes, Helm annotations) and no CostGuard, so
only the informer caches differ. The operator runs from \`dist/\` in its own process, first with
no Deployment (the floor), then alternately with whole-object informers
(\`--metadata-only-informers=false\`, the baseline) and with metadata-only informers, two fresh
processes each; medians.`,
    after: `
Compare both with the floor: what a sync adds to RSS is decided by its peak, because V8 keeps
a heap it has grown, so the saving shows most in the live heap and the list size.`,
  },
  {
    bench: 'demo',
    title: 'The incident demo: onset → clamp and onset → Slack',
    intro: `
The scenario of \`make demo\` (compressed time), guarded run: from the labelled onset of the
retry loop to the first clamp CostGuard applied, and to the Slack message at the local sink.`,
  },
  {
    bench: 'fleet-scrape',
    title: 'Fleet breaker view: one poll of 500 worker endpoints (loopback)',
    intro: `
Each worker pod is a real HTTP endpoint on its own loopback address serving the worker
library's metrics text; the operator's own scrapePods polls them with its shared limit (32 at
once, 2 s timeout per pod). The poll with hanging pods has 5 % of them never answering.`,
  },
  {
    bench: 'worker',
    title: 'Worker library (costguard/worker)',
    intro: `
Overhead per job, in process: a job that does nothing, through bare p-limit + bare opossum and
through the library (limiter, named breaker, retry-budget bookkeeping, metrics), alternating
rounds, median CPU time per job. The job does nothing, so this is the worst case: any real job
adds its own cost to both. SQS: jobs/s of a minimal consumer on bare p-limit + opossum and of
the example worker's consumer on the library (which also extends visibility timeouts and
settles every message), against moto, median of 3 alternating runs; moto is the bottleneck.
Config reload: a ConfigMap file swapped as the kubelet does (new folder, atomic \`..data\`
symlink rename) until the new limit is in effect.`,
    after: `
The kubelet's own delay comes before a config reload (its sync period, 1 min by default, plus
its ConfigMap cache TTL).`,
  },
  {
    bench: 'image',
    title: 'Container image (`make image`, run with podman)',
    intro: `
The image \`make image\` built, loaded into podman's store first: so the start figure is a new
container's runtime setup, Node start, loading the operator and informers synced against the
local API server, not the archive's import.`,
  },
];
