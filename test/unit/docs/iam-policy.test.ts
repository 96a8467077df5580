// docs/iam-policy.json must grant exactly the AWS actions the code calls: a new SDK command
// without a policy line fails here, and so does a policy line nothing calls any more.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/assets.ts';
import { SESSION_TAG_KEYS } from '../../../src/cloud/aws/credentials.ts';
import { ASG_RECORD_KEYS } from '../../../src/controllers/targets/records.ts';

/** SDK client package → IAM service prefix. */
const SERVICE_PREFIX: Record<string, string> = { 'auto-scaling': 'autoscaling', budgets: 'budgets', sts: 'sts', 'cost-explorer': 'ce', sqs: 'sqs', cloudwatch: 'cloudwatch', ec2: 'ec2' };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** AWS adapters only the `costguard export` command uses: their actions are documented in docs/history.md, not granted to the operator. */
const CLI_ONLY = [join(repoRoot, 'src', 'cloud', 'aws', 'history-sources.ts')];

/**
 * Actions a call needs besides its own: AssumeRole with session tags (`Tags` in the same file)
 * needs sts:TagSession on the caller as well as in the role's trust policy.
 */
function impliedActions(text: string): string[] {
  return /new (?:\w+\.)?AssumeRoleCommand\(/.test(text) && /\bTags\b/.test(text) ? ['sts:TagSession'] : [];
}

/**
 * "autoscaling:UpdateAutoScalingGroup" for every `new XCommand(` (or `new sdk.XCommand(`) whose
 * import names its client: a static import of the command, or the one SDK package the file
 * loads lazily with `import('@aws-sdk/client-…')`.
 */
function actionsCalled(files: string[]): Set<string> {
  const actions = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const clients = new Map<string, string>();
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      for (const name of m[1]!.split(',').map((n) => n.replace(/\btype\b/, '').trim())) clients.set(name, m[2]!);
    }
    const lazy = [...new Set([...text.matchAll(/import\(\s*'@aws-sdk\/client-([a-z0-9-]+)'\s*\)/g)].map((m) => m[1]!))];
    assert.ok(lazy.length <= 1, `${file}: loads several SDK packages lazily (${lazy.join(', ')}); the scan cannot tell which command is whose`);
    for (const m of text.matchAll(/new (?:\w+\.)?(\w+)Command\(/g)) {
      const client = clients.get(`${m[1]}Command`) ?? lazy[0];
      assert.ok(client, `${file}: ${m[1]}Command is not imported from an @aws-sdk client`);
      const prefix = SERVICE_PREFIX[client];
      assert.ok(prefix, `${file}: no IAM prefix known for @aws-sdk/client-${client}; add it to SERVICE_PREFIX`);
      actions.add(`${prefix}:${m[1]}`);
    }
    for (const action of impliedActions(text)) actions.add(action);
  }
  return actions;
}

function actionsGranted(): Set<string> {
  const policy = JSON.parse(readFileSync(join(repoRoot, 'docs', 'iam-policy.json'), 'utf8')) as { Statement: { Effect: string; Action: string[] }[] };
  return new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
}

describe('docs/iam-policy.json', () => {
  const called = actionsCalled(sourceFiles(join(repoRoot, 'src')).filter((f) => !CLI_ONLY.includes(f)));

  it('finds the AWS calls in the code (the scan itself works)', () => {
    assert.ok(called.has('autoscaling:DescribeAutoScalingGroups'));
    assert.ok(called.has('autoscaling:UpdateAutoScalingGroup'));
    assert.ok(called.has('sts:TagSession'), 'AssumeRole passes session tags');
  });

  it('grants every action the code calls', () => {
    const granted = actionsGranted();
    const missing = [...called].filter((a) => !granted.has(a));
    assert.deepEqual(missing, [], `add to docs/iam-policy.json: ${missing.join(', ')}`);
  });

  it('grants nothing the code does not call (least privilege)', () => {
    const unused = [...actionsGranted()].filter((a) => !called.has(a));
    assert.deepEqual(unused, [], `remove from docs/iam-policy.json: ${unused.join(', ')}`);
  });

  it('lets CostGuard write exactly the record tags it writes on groups', () => {
    const policy = JSON.parse(readFileSync(join(repoRoot, 'docs', 'iam-policy.json'), 'utf8')) as { Statement: { Sid?: string; Condition?: Record<string, Record<string, string[]>> }[] };
    const tagging = policy.Statement.find((s) => s.Sid === 'RecordOriginalsOnGroups');
    assert.deepEqual([...(tagging?.Condition?.['ForAllValues:StringLike']?.['aws:TagKeys'] ?? [])].sort(), [...ASG_RECORD_KEYS].sort());
  });
});

describe('docs/history.md', () => {
  it('lists every AWS action the history commands call that the operator does not', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'history.md'), 'utf8');
    const missing = [...actionsCalled(CLI_ONLY)].filter((a) => !doc.includes(`\`${a}\``));
    assert.deepEqual(missing, [], `list in docs/history.md: ${missing.join(', ')}`);
  });
});

describe('docs/iam-guard-role-trust.json', () => {
  interface TrustStatement {
    Action: string[];
    Condition?: Record<string, Record<string, string>>;
  }
  const trust = JSON.parse(readFileSync(join(repoRoot, 'docs', 'iam-guard-role-trust.json'), 'utf8')) as { Statement: TrustStatement[] };

  it('lets the operator tag the session it assumes (AssumeRole passes Tags)', () => {
    assert.deepEqual(trust.Statement.flatMap((s) => s.Action).sort(), ['sts:AssumeRole', 'sts:TagSession']);
  });

  it("conditions on the namespace tag the operator really sends", () => {
    const keys = trust.Statement.flatMap((s) => Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c)));
    assert.deepEqual(keys, [`aws:RequestTag/${SESSION_TAG_KEYS.namespace}`]);
  });
});
