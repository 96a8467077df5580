// The costguard command as a user meets it: bad input is one clear line and exit code 2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, run } from '../../../hack/localenv/index.ts';

const cli = (...args: string[]) => run(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), ...args], { env: { ...process.env, KUBECONFIG: '/nonexistent' } });

describe('costguard CLI', function () {
  this.timeout(20_000);

  it('rejects a bad flag value with one line naming it, exit code 2, no stack trace', async () => {
    const res = await cli('operator', '--resync-period=abc');
    assert.equal(res.code, 2);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /^costguard: invalid --resync-period="abc"/);
    assert.doesNotMatch(res.stderr, /\n\s+at /);
  });

  it('rejects a bad environment variable the same way', async () => {
    const res = await run(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'operator'], { env: { ...process.env, MAX_CONCURRENT_RECONCILES: 'lots' } });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /MAX_CONCURRENT_RECONCILES/);
  });

  it('rejects an unknown command', async () => {
    const res = await cli('frobnicate');
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown command "frobnicate"/);
  });

  it('prints the package version and the usage', async () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal((await cli('version')).stdout.trim(), `costguard ${version}`);
    assert.match((await cli('help')).stdout, /--resync-period \(RESYNC_PERIOD, default "30s"\)/);
    assert.match((await cli('help')).stdout, /^ {2}help {7}print this text \(also --help, -h\)$/m, 'help is in its own usage');
  });

  it('an unknown flag points to help', async () => {
    const res = await cli('backtest', 'a.csv', '--colour=red');
    assert.equal(res.code, 2);
    assert.equal(res.stderr, 'costguard: unknown flag --colour for backtest (flags: --window, --retry-budget, --interval); run costguard help\n');
  });
});
