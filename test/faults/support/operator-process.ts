// The operator in a process of its own, so the fault suite can kill -9 it, SIGSTOP it, or run
// two replicas that elect a leader. It runs the operator unchanged; only intervals are short.
// Argument: a JSON ProcessArgs. KUBECONFIG and the AWS_* variables (AWS_ENDPOINT_URL may be a
// gate in front of moto) come from the parent. It prints "started" once the manager runs and
// "leading" once it leads, and exits 1 when it loses leadership (as the real binary does).
import { startOperator } from '../../../src/cli/operator.ts';
import { parseConfig } from '../../../src/runtime/index.ts';

export interface ProcessArgs {
  namespace: string;
  identity: string;
  metricsPort: number;
  /** Lease namespace and name when two replicas share leadership; no election otherwise. */
  lease?: { namespace: string; name: string };
  /**
   * The user's settings instead of the suite's short intervals: the default resync period
   * (30 s) and runaway sampling interval (30 s).
   */
  defaults?: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ProcessArgs;
const election = args.lease
  ? [
      '--leader-elect=true',
      `--leader-election-namespace=${args.lease.namespace}`,
      `--leader-election-id=${args.lease.name}`,
      '--leader-election-lease-duration=4s',
      '--leader-election-renew-deadline=3s',
      '--leader-election-retry-period=500ms',
    ]
  : ['--leader-elect=false'];
const { config } = parseConfig(
  [`--namespaces=${args.namespace}`, ...election, `--metrics-bind-address=127.0.0.1:${args.metricsPort}`, '--health-probe-bind-address=127.0.0.1:0', ...(args.defaults ? [] : ['--resync-period=1s']), '--log-level=error'],
  {},
  { hostname: args.identity },
);
const running = await startOperator({
  config,
  defaultRegion: 'us-east-1',
  ...(args.defaults ? {} : { runawaySampleIntervalMs: 1000 }),
  // Slack's breaker re-probes after 2 s instead of 30 s, to keep the suite short.
  alerts: { sender: { resetTimeoutMs: 2000, timeoutMs: 5000 } },
});
process.stdout.write('started\n');
const leading = setInterval(() => {
  if (!running.manager.isLeader()) return;
  clearInterval(leading);
  process.stdout.write('leading\n');
}, 100);
const reason = await running.manager.done;
clearInterval(leading);
await running.stop();
process.stdout.write(`stopped ${reason}\n`);
process.exit(reason === 'leadership-lost' ? 1 : 0);
