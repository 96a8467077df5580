// The operator in a process of its own, for the kill -9 test: it runs until it is killed.
// Arguments: <namespace>. KUBECONFIG and the AWS_* variables come from the parent.
import { startOperator } from '../../../src/cli/operator.ts';
import { parseConfig } from '../../../src/runtime/index.ts';

const namespace = process.argv[2] ?? '';
const { config } = parseConfig(
  [`--namespaces=${namespace}`, '--leader-elect=false', '--metrics-bind-address=127.0.0.1:0', '--health-probe-bind-address=127.0.0.1:0', '--resync-period=1s', '--log-level=error'],
  {},
  { hostname: 'child' },
);
await startOperator({ config, defaultRegion: 'us-east-1', runawaySampleIntervalMs: 1000 });
process.stdout.write('started\n');
