// docs/iam-policy.json must grant exactly the AWS actions the code calls: a new SDK command
// without a policy line fails here, and so does a policy line nothing calls any more.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/assets.ts';

/** SDK client package → IAM service prefix. */
const SERVICE_PREFIX: Record<string, string> = { 'auto-scaling': 'autoscaling', budgets: 'budgets', sts: 'sts', 'cost-explorer': 'ce', sqs: 'sqs', cloudwatch: 'cloudwatch', ec2: 'ec2' };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
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
  }
  return actions;
}

function actionsGranted(): Set<string> {
  const policy = JSON.parse(readFileSync(join(repoRoot, 'docs', 'iam-policy.json'), 'utf8')) as { Statement: { Effect: string; Action: string[] }[] };
  return new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
}

describe('docs/iam-policy.json', () => {
  const called = actionsCalled(sourceFiles(join(repoRoot, 'src')));

  it('finds the AWS calls in the code (the scan itself works)', () => {
    assert.ok(called.has('autoscaling:DescribeAutoScalingGroups'));
    assert.ok(called.has('autoscaling:UpdateAutoScalingGroup'));
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
});
