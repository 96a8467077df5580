// The chart's PrometheusRule meets Prometheus's own tooling: the rule groups are rendered with
// helm, written as a plain rules file, checked with `promtool check rules` and unit-tested with
// `promtool test rules` (test/prometheus/*.test.yaml). A test file must show every alert both
// firing and not firing; an alert added to the chart without a test of each kind fails.
//
//   node hack/prometheus/rules.ts      (make verify runs it)
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { assets, repoRoot } from '../localenv/assets.ts';
import { run } from '../localenv/command.ts';

export const RULE_TESTS_DIR = join(repoRoot, 'test', 'prometheus');
/** The name the test files' `rule_files` expect the rendered rules under. */
export const RULES_FILE = 'costguard-rules.yaml';

interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string }[];
}

/** The rule groups of the chart's PrometheusRule, rendered with default values (release costguard). */
export async function renderChartRules(): Promise<RuleGroup[]> {
  const chart = join(repoRoot, 'charts', 'costguard');
  const args = ['template', 'costguard', chart, '--namespace', 'costguard-system', '--set', 'prometheusRule.enabled=true', '--show-only', 'templates/prometheusrule.yaml'];
  const res = await run(assets.helm(), args);
  if (res.code !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${res.stderr}`);
  const doc = parseAllDocuments(res.stdout).map((d) => d.toJS() as { kind?: string; spec?: { groups?: RuleGroup[] } }).find((d) => d?.kind === 'PrometheusRule');
  if (!doc?.spec?.groups?.length) throw new Error('the chart rendered no PrometheusRule groups');
  return doc.spec.groups;
}

export function alertNames(groups: readonly RuleGroup[]): string[] {
  return groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
}

interface RuleTestFile {
  tests?: { alert_rule_test?: { alertname?: string; exp_alerts?: unknown[] }[] }[];
}

/** Which alerts a promtool test file shows firing (some expected alert) and quiet (none). */
export function testedAlerts(files: readonly RuleTestFile[]): { firing: Set<string>; quiet: Set<string> } {
  const firing = new Set<string>();
  const quiet = new Set<string>();
  for (const t of files.flatMap((f) => f.tests ?? []).flatMap((t) => t.alert_rule_test ?? [])) {
    if (!t.alertname) continue;
    (t.exp_alerts?.length ? firing : quiet).add(t.alertname);
  }
  return { firing, quiet };
}

/** One line per alert that lacks a firing or a not-firing test; empty when every alert has both. */
export function untestedAlerts(alerts: readonly string[], tested: { firing: Set<string>; quiet: Set<string> }): string[] {
  return alerts.flatMap((a) => [
    ...(tested.firing.has(a) ? [] : [`${a}: no test shows it firing`]),
    ...(tested.quiet.has(a) ? [] : [`${a}: no test shows it not firing`]),
  ]);
}

export interface RulesReport {
  alerts: string[];
  check: { code: number; output: string };
  test: { code: number; output: string };
  untested: string[];
}

/** Renders the rules, runs promtool check and test on them, and lists untested alerts. */
export async function checkChartRules(): Promise<RulesReport> {
  const groups = await renderChartRules();
  const dir = await mkdtemp(join(tmpdir(), 'costguard-rules-'));
  try {
    await writeFile(join(dir, RULES_FILE), JSON.stringify({ groups }, null, 2));
    const testFiles = (await readdir(RULE_TESTS_DIR)).filter((f) => f.endsWith('.test.yaml')).sort();
    if (!testFiles.length) throw new Error(`no promtool test files (*.test.yaml) in ${RULE_TESTS_DIR}`);
    // rule_files are resolved next to each test file: the tests run from the temp folder.
    for (const f of testFiles) await copyFile(join(RULE_TESTS_DIR, f), join(dir, f));
    const promtool = assets.promtool();
    const check = await run(promtool, ['check', 'rules', join(dir, RULES_FILE)]);
    const test = await run(promtool, ['test', 'rules', ...testFiles.map((f) => join(dir, f))]);
    const parsed = await Promise.all(testFiles.map(async (f) => parse(await readFile(join(RULE_TESTS_DIR, f), 'utf8')) as RuleTestFile));
    const alerts = alertNames(groups);
    return { alerts, check: { code: check.code, output: check.stdout + check.stderr }, test: { code: test.code, output: test.stdout + test.stderr }, untested: untestedAlerts(alerts, testedAlerts(parsed)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const r = await checkChartRules();
  process.stdout.write(`${r.check.output}${r.test.output}`);
  for (const line of r.untested) process.stderr.write(`untested alert: ${line}\n`);
  if (r.check.code !== 0 || r.test.code !== 0 || r.untested.length) {
    process.stderr.write('the chart\'s PrometheusRule failed promtool (check rules, test rules) or has untested alerts\n');
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`every alert of the chart (${r.alerts.length}) is tested firing and not firing\n`);
}

if (import.meta.main) await main();
