// docs/iam-policy.json grants exactly the IAM actions of src/cloud/aws/iam-actions.ts, and that
// table names every AWS call the code makes: a new SDK command without a line there fails here,
// and so does a line (or a policy action) nothing calls any more. Whether each action is one AWS
// knows is the offline IAM linter's job (hack/lint/iam-policies.py, in `make verify`).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../../hack/localenv/assets.ts';
import { SESSION_TAG_KEYS } from '../../../src/cloud/aws/credentials.ts';
import { CLI_ONLY_IAM_ACTIONS, IAM_ACTIONS, type AwsCall, type IamGrant } from '../../../src/cloud/aws/iam-actions.ts';
import { ASG_RECORD_KEYS } from '../../../src/controllers/targets/records.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every `new XCommand(` (or `new sdk.XCommand(`) in a file that imports an @aws-sdk client, as file + operation. */
function awsCallsIn(file: string, text: string): AwsCall[] {
  if (!/@aws-sdk\/client-/.test(text)) return [];
  return [...text.matchAll(/new (?:\w+\.)?(\w+)Command\(/g)].map((m) => ({ file, operation: m[1]! }));
}

const key = (c: AwsCall): string => `${c.file} ${c.operation}`;
const callsOf = (grants: readonly IamGrant[]): Set<string> => new Set(grants.flatMap((g) => g.usedBy.map(key)));

function policyActions(): string[] {
  const policy = JSON.parse(readFileSync(join(repoRoot, 'docs', 'iam-policy.json'), 'utf8')) as { Statement: { Effect: string; Action: string[] }[] };
  return policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action);
}

describe('src/cloud/aws/iam-actions.ts: every AWS call has its IAM action', () => {
  const calls = sourceFiles(join(repoRoot, 'src')).flatMap((f) => awsCallsIn(relative(repoRoot, f), readFileSync(f, 'utf8')));
  const listed = new Set([...callsOf(IAM_ACTIONS), ...callsOf(CLI_ONLY_IAM_ACTIONS)]);

  it('finds the AWS calls in the code (the scan itself works)', () => {
    const found = new Set(calls.map(key));
    assert.ok(found.has('src/cloud/aws/autoscaling.ts UpdateAutoScalingGroup'));
    assert.ok(found.has('src/cloud/aws/budgets.ts DescribeNotificationsForBudget'));
    assert.ok(found.has('src/cloud/aws/credentials.ts AssumeRole'));
  });

  it('the scan would catch a command no line names (not vacuous)', () => {
    const extra = awsCallsIn('src/cloud/aws/budgets.ts', "import('@aws-sdk/client-budgets'); c.send(new m.UpdateBudgetCommand({}))");
    assert.deepEqual(extra.map(key).filter((k) => !listed.has(k)), ['src/cloud/aws/budgets.ts UpdateBudget']);
  });

  it('names every SDK command the code sends', () => {
    const missing = [...new Set(calls.map(key))].filter((k) => !listed.has(k));
    assert.deepEqual(missing, [], `add to src/cloud/aws/iam-actions.ts: ${missing.join(', ')}`);
  });

  it('names only commands the code still sends', () => {
    const found = new Set(calls.map(key));
    const stale = [...listed].filter((k) => !found.has(k));
    assert.deepEqual(stale, [], `no longer in the code: ${stale.join(', ')}`);
  });

  it('lists each action once', () => {
    const actions = [...IAM_ACTIONS, ...CLI_ONLY_IAM_ACTIONS].map((g) => g.action);
    assert.deepEqual(actions.filter((a, i) => actions.indexOf(a) !== i), []);
  });

  it('ties Budgets operations to ViewBudget and ModifyBudget, the actions AWS authorizes them with', () => {
    const actionOf = (operation: string): string[] => IAM_ACTIONS.filter((g) => g.usedBy.some((c) => c.operation === operation)).map((g) => g.action);
    assert.deepEqual(actionOf('DescribeBudget'), ['budgets:ViewBudget']);
    assert.deepEqual(actionOf('DescribeNotificationsForBudget'), ['budgets:ViewBudget']);
    for (const op of ['CreateBudget', 'DeleteBudget', 'CreateNotification', 'DeleteNotification']) assert.deepEqual(actionOf(op), ['budgets:ModifyBudget'], op);
  });
});

describe('docs/iam-policy.json', () => {
  it('grants every action of the table', () => {
    const granted = new Set(policyActions());
    const missing = IAM_ACTIONS.map((g) => g.action).filter((a) => !granted.has(a));
    assert.deepEqual(missing, [], `add to docs/iam-policy.json: ${missing.join(', ')}`);
  });

  it('grants nothing the table does not list (least privilege), each action once', () => {
    const needed = new Set(IAM_ACTIONS.map((g) => g.action));
    const granted = policyActions();
    assert.deepEqual(granted.filter((a) => !needed.has(a)), [], 'remove from docs/iam-policy.json, or add its calls to iam-actions.ts');
    assert.deepEqual(granted.filter((a, i) => granted.indexOf(a) !== i), []);
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
    const missing = CLI_ONLY_IAM_ACTIONS.map((g) => g.action).filter((a) => !doc.includes(`\`${a}\``));
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
