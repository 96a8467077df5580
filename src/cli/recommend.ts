// `costguard recommend <history>...`: a ceiling per Auto Scaling group from its history (one file
// per group: an export, a trace CSV or get-metric-data JSON), printed as a CostGuard in DryRun
// with the evidence in comments. Wiring only: the rule is recommend-math.ts, the manifest
// recommend-yaml.ts.
import { basename, extname } from 'node:path';
import { MAX_SCALING_GROUPS } from '../api/v1alpha1/index.ts';
import { SHIPPED_PRICES } from '../cloud/pricing/prices.ts';
import { ConfigError } from '../runtime/index.ts';
import { numberFlag, parseFlags, spanSeconds } from './flags.ts';
import { readHistory, type History } from './history.ts';
import { recommendCeiling, RecommendError, type Recommendation, type RecommendOptions } from './recommend-math.ts';
import { runawayDays, type DetectorSettings } from './recommend-flagged.ts';
import { resolvePrice, type Price } from './recommend-price.ts';
import { renderManifest, type GroupProposal } from './recommend-yaml.ts';

export const RECOMMEND_USAGE = [
  'recommend <history>... [flags]   propose a ceiling per Auto Scaling group (one history file per group)',
  '  --percentile=<1-100>      percentile of desired capacity over normal days (default 99)',
  '  --headroom=<factor>       multiplied onto the percentile (default 1.2)',
  '  --below-normal-peak       allow a ceiling below the highest normal day (default: never)',
  '  --unusual-peak=<factor>   a day peaking above this × the median day is left out (default 1.5)',
  '  --instance-type=<type>    price the worst case with this type (default: from the export)',
  '  --price-per-hour=<USD>    price per instance-hour instead of the shipped table',
  '  --region=<region>         region of the groups (default: from the export, then AWS_REGION)',
  '  --group=<name>            the group\'s name, with one history file (default: from the export, else the file name)',
  '  --name=<name> --namespace=<ns>   metadata of the printed CostGuard (default: the first group, "default")',
  '  --window=<duration> --retry-budget=<0-100>   the detector that marks runaway days (as backtest)',
].join('\n');

const FLAGS = {
  values: ['percentile', 'headroom', 'unusual-peak', 'instance-type', 'price-per-hour', 'region', 'group', 'name', 'namespace', 'window', 'retry-budget'],
  switches: ['below-normal-peak'],
};

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes name from a group name: "Orders_ASG" → "orders-asg". */
export function objectNameFor(group: string): string {
  const name = group.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return DNS_NAME.test(name) ? name : 'recommended';
}

interface GroupInput {
  group: string;
  file: string;
  history: History;
}

function groupsOf(files: readonly string[], flagGroup: string | undefined): GroupInput[] {
  if (files.length === 0) throw new ConfigError('recommend needs at least one history file: costguard recommend <history>...');
  if (files.length > MAX_SCALING_GROUPS) throw new ConfigError(`one CostGuard holds at most ${MAX_SCALING_GROUPS} scaling groups; got ${files.length} history files: run recommend in parts`);
  if (flagGroup !== undefined && files.length > 1) throw new ConfigError('--group names the group of one history file; with several, each export names its group');
  const inputs = files.map((file) => {
    const history = readHistory(file);
    return { file, history, group: flagGroup ?? history.meta.group ?? basename(file, extname(file)) };
  });
  const names = inputs.map((i) => i.group);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`two history files are for group "${dup}": give one file per group`);
  return inputs;
}

type Flags = ReturnType<typeof parseFlags>;
type CeilingOptions = Omit<RecommendOptions, 'startMs' | 'flaggedDays'>;

function detectorOf(flags: Flags): DetectorSettings {
  return {
    windowSeconds: spanSeconds('window', flags.values.get('window') ?? '30m'),
    retryBudgetPercent: numberFlag('retry-budget', flags.values.get('retry-budget') ?? '10', 0, 100),
  };
}

function optionsOf(flags: Flags): CeilingOptions {
  return {
    percentile: numberFlag('percentile', flags.values.get('percentile') ?? '99', 1, 100),
    headroom: numberFlag('headroom', flags.values.get('headroom') ?? '1.2', 1, 10),
    unusualPeakFactor: numberFlag('unusual-peak', flags.values.get('unusual-peak') ?? '1.5', 1.01, 100),
    belowNormalPeak: flags.switches.has('below-normal-peak'),
  };
}

/** A flag, else the export's comment, else the environment: where region and types come from. */
function regionOf(flags: Flags, meta: Readonly<Record<string, string>>): string | undefined {
  return flags.values.get('region') ?? meta.region ?? process.env.AWS_REGION;
}

function priceOf(history: History, flags: Flags): Price {
  const types = flags.values.get('instance-type') ?? history.meta.instance_types ?? history.meta.instance_type ?? '';
  const instanceTypes = types.split(',').map((s) => s.trim()).filter(Boolean);
  const region = regionOf(flags, history.meta);
  const pricePerHour = flags.values.get('price-per-hour');
  return resolvePrice({ instanceTypes, ...(region ? { region } : {}), ...(pricePerHour !== undefined ? { pricePerHour } : {}) }, SHIPPED_PRICES);
}

function ceilingOf(input: GroupInput, options: CeilingOptions, detector: DetectorSettings): Recommendation {
  const { history } = input;
  const samples = history.trace.samples.flatMap((s) => (s.desired === undefined ? [] : [{ t: s.t, desired: s.desired }]));
  const flaggedDays = runawayDays(history.trace.samples, history.startMs, detector);
  try {
    return recommendCeiling(samples, { ...options, flaggedDays, ...(history.startMs !== undefined ? { startMs: history.startMs } : {}) });
  } catch (err) {
    if (err instanceof RecommendError) throw new ConfigError(`${input.file}: ${err.message}`);
    throw err;
  }
}

/** The manifest recommend prints for these arguments. */
export function recommendText(argv: readonly string[]): string {
  const flags = parseFlags('recommend', argv, FLAGS);
  const pricePerHour = flags.values.get('price-per-hour');
  if (pricePerHour !== undefined && !/^\d+(\.\d+)?$/.test(pricePerHour)) throw new ConfigError(`invalid --price-per-hour="${pricePerHour}": expected USD per instance-hour, e.g. 0.096`);
  const options = optionsOf(flags);
  const detector = detectorOf(flags);
  const inputs = groupsOf(flags.args, flags.values.get('group'));
  const proposals = inputs.map((i): GroupProposal => ({
    group: i.group,
    source: basename(i.file),
    recommendation: ceilingOf(i, options, detector),
    price: priceOf(i.history, flags),
    ...(pricePerHour !== undefined ? { pricePerHour } : {}),
  }));
  const region = regionOf(flags, inputs.find((i) => i.history.meta.region)?.history.meta ?? {});
  const name = flags.values.get('name') ?? objectNameFor(proposals[0]!.group);
  const rule = `p${options.percentile} of desired capacity on normal days × ${options.headroom}${options.belowNormalPeak ? '' : ', never below the highest normal day'}`;
  return renderManifest(proposals, { name, namespace: flags.values.get('namespace') ?? 'default', rule, ...(region ? { region } : {}) });
}

export function recommend(argv: readonly string[]): void {
  process.stdout.write(recommendText(argv));
}
