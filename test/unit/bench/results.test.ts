// bench/results.json and bench/RESULTS.md: the Markdown is rendered from the figures alone
// (so the committed pair must agree), every figure has a known unit and a baseline or a note
// saying why not, and a BENCH_ONLY run replaces only the benches it ran.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/assets.ts';
import { asgCallsFigures } from '../../../bench/asg-calls.ts';
import { detectorBench, detectorFigures } from '../../../bench/detector.ts';
import type { Figure } from '../../../bench/figures.ts';
import { fleetScrapeFigures } from '../../../bench/fleet-scrape.ts';
import { imageFigures } from '../../../bench/image.ts';
import { selectBenches } from '../../../bench/main.ts';
import { figureProblems, figureRow, formatValue, mergeFigures, renderResults } from '../../../bench/results.ts';
import { runtimeFigures } from '../../../bench/runtime-scale.ts';
import { workerFigures } from '../../../bench/worker.ts';

const fig = (id: string, bench: string, extra: Partial<Figure> = {}): Figure => ({ id, bench, name: `the ${id}`, value: 10, unit: 's', baseline: { name: 'naive', value: 40 }, ...extra });

/** Every figure each bench module makes, from made-up measurements (no environment). */
function everyModuleFigures(): Figure[] {
  return [
    ...runtimeFigures({ guards: 1000, resyncSeconds: 30, createToAllReconciledSeconds: 20, createSeconds: 15, unlimited: { createToAllReconciledSeconds: 16, createSeconds: 15 }, runs: [], eventsDropped: 0, limit: { qps: 200, burst: 300 }, cpuSecondsPerResyncCycle: 1.2, cpuSecondsPerCycleIdle: 0.1, reconcilesPerResyncCycle: 1000, rssMiBIdle: 80, rssMiBAfter: 120, heapUsedMiBIdle: 15, heapUsedMiBAfter: 30, nodeFlags: '--max-old-space-size=128' }),
    ...asgCallsFigures({
      groups: 1000,
      guards: 200,
      operatorDescribeCallsPerCycle: 10,
      operatorResyncSeconds: 10,
      strategies: [
        { strategy: 'shared snapshot (CostGuard)', describeCallsPerCycle: 10, groupsPerCall: 100, msPerCycle: 700 },
        { strategy: 'one batched call per guard', describeCallsPerCycle: 200, groupsPerCall: 5, msPerCycle: 1600 },
        { strategy: 'one call per group (naive)', describeCallsPerCycle: 1000, groupsPerCall: 1, msPerCycle: 5700 },
      ],
    }),
    ...detectorFigures(detectorBench()),
    ...fleetScrapeFigures({ pods: 500, concurrency: 32, timeoutMs: 2000, msPerPoll: 116, msPerPollSequential: 900, msPerPollWithHanging: 2005, hangingPods: 25 }),
    ...workerFigures({
      overhead: [{ concurrency: 1, bareNsPerJob: 3870, libraryNsPerJob: 4080, overhead: 0.054 }],
      sqs: { messages: 200, concurrency: 16, bareJobsPerSecond: 48, libraryJobsPerSecond: 62 },
      config: [
        { mode: 'fs.watch hint + 5 s poll (the default)', changes: 20, medianMs: 1.2, maxMs: 3 },
        { mode: 'poll only, every 1 s (fs.watch off)', changes: 8, medianMs: 291.8, maxMs: 979 },
      ],
    }),
    ...imageFigures({ archiveBytes: 71 * 2 ** 20, unpackedBytes: 269 * 2 ** 20, digest: 'sha256:abc', coldStartMs: [1580, 1980, 2180], versionMs: [870, 950, 960], runs: 3 }),
  ];
}

describe('bench results', () => {
  it('every bench module makes figures with a known unit, a unique id and a baseline (or a note why not)', () => {
    const figures = everyModuleFigures();
    assert.deepEqual(figureProblems(figures), []);
    for (const bench of ['runtime', 'asg-calls', 'detector', 'fleet-scrape', 'worker', 'image']) assert.ok(figures.some((f) => f.bench === bench), bench);
    const rss = figures.find((f) => f.id === 'runtime.rss_mib');
    assert.deepEqual([rss?.value, rss?.unit, rss?.baseline?.value], [120, 'MiB', 80]);
  });

  it('names what is wrong with a figure unfit to publish', () => {
    const problems = figureProblems([fig('a', 'x', { unit: '' }), fig('a', 'x'), fig('b', 'x', { baseline: undefined }), fig('c', 'x', { value: NaN })]);
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /a: unit "" is not one of/);
    assert.match(problems.join('\n'), /a: duplicate id/);
    assert.match(problems.join('\n'), /b: no baseline and no note/);
    assert.match(problems.join('\n'), /c: value NaN/);
  });

  it('renders one row per figure: value with unit, baseline with its name, the ratio and the target', () => {
    const f = fig('runtime.rss_mib', 'runtime', { name: 'RSS', value: 120, unit: 'MiB', baseline: { name: 'idle', value: 80 }, target: 'under 150 MiB' });
    assert.equal(figureRow(f), '| RSS | 120 MiB | idle: 80 MiB | 1.5× | under 150 MiB |');
    assert.equal(figureRow(fig('n', 'x', { baseline: undefined, note: 'none exists', unit: 'count', value: 1000 })), '| the n | 1,000 | — |  |  |');
    assert.equal(formatValue(0.954, 's'), '0.95 s');
    assert.equal(formatValue(24.44, 's'), '24.4 s');
    assert.equal(formatValue(3, 'ratio'), '3×');
    assert.equal(formatValue(1.03 / 427, 'ratio'), '0.0024×');
    assert.equal(formatValue(0.05, 'ratio'), '0.05×');
  });

  it('renders sections in a fixed order with their text, the run they come from and their notes', () => {
    const figures = [fig('w', 'worker', { run: '2026-11-30, 2 cores' }), fig('r', 'runtime', { note: 'a note' }), fig('z', 'zzz-new')];
    const md = renderResults(figures);
    const at = (s: string) => md.indexOf(s);
    assert.ok(at('## Runtime') < at('## Worker library') && at('## Worker library') < at('## zzz-new'), 'runtime, then worker, then benches without text');
    assert.match(md, /Measured 2026-11-30, 2 cores\./);
    assert.match(md, /- the r: a note/);
    for (const f of figures) assert.ok(md.includes(figureRow(f)), f.id);
  });

  it('a BENCH_ONLY run replaces the figures of the benches it ran and keeps the others', () => {
    const previous = [fig('r.old', 'runtime'), fig('d.a', 'detector'), fig('w.a', 'worker')];
    const merged = mergeFigures(previous, [fig('r.new', 'runtime')], ['runtime']);
    assert.deepEqual(merged.map((f) => f.id), ['r.new', 'd.a', 'w.a']);
    assert.deepEqual(mergeFigures(previous, [], ['worker']).map((f) => f.id), ['r.old', 'd.a'], 'a bench that ran and made no figure has none left');
  });

  it('BENCH_ONLY selects benches by name and refuses unknown ones', () => {
    const all = ['runtime', 'detector', 'image'].map((name) => ({ name, about: '', needsEnv: false, run: () => Promise.resolve([]) }));
    assert.deepEqual(selectBenches(all, undefined).map((b) => b.name), ['runtime', 'detector', 'image']);
    assert.deepEqual(selectBenches(all, ' image,runtime ').map((b) => b.name), ['runtime', 'image']);
    assert.deepEqual(selectBenches(all, 'demo', ['runtime', 'detector', 'image', 'demo']), [], 'a known bench whose module is absent runs nothing');
    assert.throws(() => selectBenches(all, 'runtimee'), /unknown bench runtimee; known: runtime, detector, image/);
  });

  it('the committed bench/RESULTS.md is exactly what bench/results.json renders to', () => {
    const jsonPath = join(repoRoot, 'bench', 'results.json');
    assert.ok(existsSync(jsonPath), 'bench/results.json is committed');
    const figures = JSON.parse(readFileSync(jsonPath, 'utf8')) as Figure[];
    assert.deepEqual(figureProblems(figures), []);
    assert.equal(readFileSync(join(repoRoot, 'bench', 'RESULTS.md'), 'utf8'), renderResults(figures));
  });
});
