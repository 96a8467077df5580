import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type RuntimeConfig } from '../../../src/runtime/config.ts';
import { formatDuration, parseDuration } from '../../../src/runtime/duration.ts';

describe('configuration', () => {
  describe('parseDuration', () => {
    const good: Array<[string, number]> = [
      ['0', 0],
      ['500ms', 500],
      ['30s', 30_000],
      ['1m30s', 90_000],
      ['1.5s', 1500],
      ['2h', 7_200_000],
      ['1h2m3s4ms', 3_723_004],
      [' 15s ', 15_000],
    ];
    for (const [input, ms] of good) it(`"${input}" is ${ms} ms`, () => assert.equal(parseDuration(input), ms));

    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['30', /missing unit/],
      ['30x', /invalid duration/],
      ['s', /invalid duration/],
      ['-5s', /invalid duration/],
      ['1m 30s', /invalid duration/],
    ];
    for (const [input, why] of bad) it(`"${input}" is rejected`, () => assert.throws(() => parseDuration(input), why));

    it('formats back', () => {
      assert.equal(formatDuration(90_000), '1m30s');
      assert.equal(formatDuration(250), '250ms');
      assert.equal(formatDuration(0), '0s');
    });
  });

  describe('parseConfig', () => {
    const parse = (argv: string[], env: Record<string, string> = {}): RuntimeConfig => parseConfig(argv, env, { hostname: 'host-1' }).config;

    it('has production defaults', () => {
      assert.deepEqual(parse([]), {
        namespaces: [],
        resyncPeriodMs: 30_000,
        maxConcurrentReconciles: 4,
        kubeApiQps: 200,
        kubeApiBurst: 300,
        metadataOnlyInformers: true,
        awsSessionTags: true,
        clusterId: '',
        leaderElect: true,
        leaderElectionNamespace: 'costguard-system',
        leaderElectionId: 'costguard-operator',
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2000,
        metricsBindAddress: { host: '', port: 8080 },
        healthProbeBindAddress: { host: '', port: 8081 },
        logLevel: 'info',
        gracefulShutdownTimeoutMs: 20_000,
        podName: 'host-1',
        nodePoolNamespaces: ['*'],
        awsNamespaces: ['*'],
        roleArnPattern: '*',
      });
    });

    const table: Array<{ comment: string; argv?: string[]; env?: Record<string, string>; expect: Partial<RuntimeConfig> }> = [
      { comment: 'namespaces from a flag, trimmed', argv: ['--namespaces', 'a, b ,c'], expect: { namespaces: ['a', 'b', 'c'] } },
      { comment: 'namespaces from the environment', env: { WATCH_NAMESPACES: 'payments' }, expect: { namespaces: ['payments'] } },
      { comment: 'empty WATCH_NAMESPACES means all', env: { WATCH_NAMESPACES: '' }, expect: { namespaces: [] } },
      { comment: 'tenancy from flags', argv: ['--nodepool-namespaces=platform', '--aws-namespaces=platform,team-a', '--role-arn-pattern=arn:aws:iam::*:role/costguard-{namespace}-*'], expect: { nodePoolNamespaces: ['platform'], awsNamespaces: ['platform', 'team-a'], roleArnPattern: 'arn:aws:iam::*:role/costguard-{namespace}-*' } },
      { comment: 'the flag wins over the environment', argv: ['--resync-period=1m'], env: { RESYNC_PERIOD: '10s' }, expect: { resyncPeriodMs: 60_000 } },
      { comment: 'RESYNC_PERIOD', env: { RESYNC_PERIOD: '45s' }, expect: { resyncPeriodMs: 45_000 } },
      { comment: 'bare bool flag', argv: ['--leader-elect'], env: { LEADER_ELECT: 'false' }, expect: { leaderElect: true } },
      { comment: 'bool flag =false', argv: ['--leader-elect=false'], expect: { leaderElect: false } },
      { comment: 'bool from env', env: { LEADER_ELECT: '0' }, expect: { leaderElect: false } },
      { comment: 'POD_NAMESPACE is the default lease namespace', env: { POD_NAMESPACE: 'ops' }, expect: { leaderElectionNamespace: 'ops' } },
      { comment: 'explicit lease namespace wins', argv: ['--leader-election-namespace', 'x'], env: { POD_NAMESPACE: 'ops' }, expect: { leaderElectionNamespace: 'x' } },
      {
        comment: 'lease timings',
        argv: ['--leader-election-lease-duration=4s', '--leader-election-renew-deadline=3s', '--leader-election-retry-period=500ms'],
        expect: { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 },
      },
      { comment: 'metrics disabled with 0', argv: ['--metrics-bind-address=0'], expect: { metricsBindAddress: undefined } },
      { comment: 'host:port', argv: ['--health-probe-bind-address', '127.0.0.1:0'], expect: { healthProbeBindAddress: { host: '127.0.0.1', port: 0 } } },
      { comment: 'IPv6 host', argv: ['--metrics-bind-address=[::1]:9000'], expect: { metricsBindAddress: { host: '::1', port: 9000 } } },
      { comment: 'log level, any case', env: { LOG_LEVEL: 'DEBUG' }, expect: { logLevel: 'debug' } },
      { comment: 'POD_NAME is the pod name', env: { POD_NAME: 'costguard-7d9f' }, expect: { podName: 'costguard-7d9f' } },
      { comment: 'max concurrent reconciles', argv: ['--max-concurrent-reconciles', '8'], expect: { maxConcurrentReconciles: 8 } },
    ];
    for (const row of table) {
      it(row.comment, () => {
        const config = parse(row.argv ?? [], row.env);
        for (const [key, value] of Object.entries(row.expect)) assert.deepEqual(config[key as keyof RuntimeConfig], value, key);
      });
    }

    const errors: Array<{ comment: string; argv?: string[]; env?: Record<string, string>; message: string }> = [
      { comment: 'unknown flag points to help', argv: ['--nope'], message: 'unknown flag --nope; run costguard help' },
      { comment: 'missing value', argv: ['--resync-period'], message: 'flag --resync-period needs a value' },
      { comment: 'missing value before another flag', argv: ['--namespaces', '--leader-elect'], message: 'flag --namespaces needs a value' },
      { comment: 'bad duration', argv: ['--resync-period=soon'], message: 'invalid --resync-period="soon": invalid duration "soon" (examples: 500ms, 30s, 1m30s, 2h)' },
      { comment: 'bad env duration names the variable', env: { RESYNC_PERIOD: '30' }, message: 'invalid RESYNC_PERIOD="30": missing unit in duration "30" (use ms, s, m or h)' },
      { comment: 'zero workers', argv: ['--max-concurrent-reconciles=0'], message: 'invalid --max-concurrent-reconciles="0": expected a positive integer' },
      { comment: 'bad bool', argv: ['--leader-elect=maybe'], message: 'invalid --leader-elect="maybe": expected true or false' },
      { comment: 'bad address', argv: ['--metrics-bind-address=8080'], message: 'invalid --metrics-bind-address="8080": expected host:port, :port, or 0 to disable' },
      { comment: 'bad level', env: { LOG_LEVEL: 'loud' }, message: 'invalid LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent' },
      { comment: 'bad namespace', argv: ['--namespaces=Payments'], message: 'invalid namespace "Payments" in --namespaces: expected a DNS-1123 label' },
      { comment: 'resync too short', argv: ['--resync-period=10ms'], message: '--resync-period must be at least 1s' },
      { comment: 'burst below the rate', argv: ['--kube-api-qps=500'], message: '--kube-api-burst (300) must be at least --kube-api-qps (500)' },
      { comment: 'zero QPS', env: { KUBE_API_QPS: '0' }, message: 'invalid KUBE_API_QPS="0": expected a positive integer' },
      {
        comment: 'renew deadline not under lease duration',
        argv: ['--leader-election-renew-deadline=15s'],
        message: '--leader-election-renew-deadline must be shorter than --leader-election-lease-duration',
      },
      {
        comment: 'retry period too close to the renew deadline',
        argv: ['--leader-election-retry-period=9s'],
        message: '--leader-election-renew-deadline must be more than 1.2 × --leader-election-retry-period',
      },
      {
        comment: 'lease duration must be whole seconds',
        argv: ['--leader-election-lease-duration=15500ms'],
        message: '--leader-election-lease-duration must be a whole number of seconds, at least 1s (a Lease stores seconds)',
      },
      { comment: 'lease id', argv: ['--leader-election-id=Bad_Id'], message: 'invalid --leader-election-id="Bad_Id": expected a DNS-1123 subdomain' },
    ];
    for (const row of errors) {
      it(`rejects: ${row.comment}`, () => {
        assert.throws(
          () => parse(row.argv ?? [], row.env),
          (err: unknown) => err instanceof ConfigError && err.message === row.message && !err.message.includes('\n'),
        );
      });
    }

    it('passes positional arguments and, when allowed, unknown flags through', () => {
      const { config, remaining } = parseConfig(['run', '--log-level=debug', '--aws-region', 'us-east-1'], {}, { allowUnknown: true });
      assert.equal(config.logLevel, 'debug');
      assert.deepEqual(remaining, ['run', '--aws-region', 'us-east-1']);
    });
  });
});
