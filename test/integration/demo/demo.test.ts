// The README's first command must keep working: run the demo end to end (its own local
// environment, separate from the suite's) in its shortened scenario, check that it tells the
// incident — the unguarded fleet runs away, the guard freezes it and alerts Slack — and that
// its HTML report draws every chart in headless Chromium without a console error.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run, type CommandResult } from '../../../hack/localenv/index.ts';
import type { DemoResult } from '../../../hack/demo/run.ts';
import { chromiumPath, dumpDom, screenshot } from './chromium.ts';

// Injected into a copy of the report: collect page errors first, then, once it has loaded,
// read each chart's data from uPlot and count the pixels drawn in the runs' colours.
const ERRORS_FIRST = `<script>window.__probeErrors = []; addEventListener('error', (e) => __probeErrors.push(String(e.message)));
const __ce = console.error; console.error = (...a) => { __probeErrors.push(a.join(' ')); __ce(...a); };</script>`;
const PROBE = `<script>addEventListener('load', () => setTimeout(() => {
  const charts = (window.__demoCharts || []).map((c) => {
    const ctx = c.plot.ctx; const d = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data;
    let red = 0, blue = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 200 && d[i] > 190 && d[i + 1] < 90 && d[i + 2] < 90) red++;
      if (d[i + 3] > 200 && d[i + 2] > 190 && d[i] < 90 && d[i + 1] < 140) blue++;
    }
    return { id: c.id, points: c.plot.data.slice(1).flat().filter(Number.isFinite).length, red, blue };
  });
  const pre = document.createElement('pre'); pre.id = 'probe';
  pre.textContent = JSON.stringify({ errors: window.__probeErrors, charts });
  document.body.appendChild(pre);
}, 200));</script>`;

describe('make demo', function () {
  this.timeout(280_000);
  let dir: string;
  let res: CommandResult;
  let result: DemoResult;

  before(async function () {
    this.timeout(280_000);
    dir = await mkdtemp(join(tmpdir(), 'costguard-demo-test-'));
    res = await run(process.execPath, [join(repoRoot, 'hack', 'demo', 'main.ts'), '--short', '--report', join(dir, 'report.html'), '--json', join(dir, 'demo.json')]);
    assert.equal(res.code, 0, `demo failed:\n${res.stdout}\n${res.stderr}`);
    result = JSON.parse(await readFile(join(dir, 'demo.json'), 'utf8')) as DemoResult;
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs away unguarded: capacity to MaxSize, retries dominate, the bill about triples', () => {
    const u = result.unguarded;
    assert.equal(u.peakInstances, 16);
    assert.equal(u.brakeAt, undefined);
    assert.ok(u.totals.retries > u.totals.attempts / 2, `retries ${u.totals.retries} of ${u.totals.attempts} attempts`);
    assert.ok(u.cost >= 2.2 * u.normalCost, `unguarded cost ${u.cost} vs normal ${u.normalCost}`);
    assert.match(res.stdout, /SIMULATED parts/);
    assert.match(res.stdout, /\[unguarded\] minute {2}0 {2}instances {2}4\/16/);
  });

  it('guarded: detects the loop, freezes the group, stops the retries and alerts Slack', () => {
    const g = result.guarded;
    assert.ok(g.detectedAt !== undefined && g.detectedAt >= g.timing.onset, `detected at ${g.detectedAt}`);
    assert.ok(g.brakeAt !== undefined && g.brakeAt - g.timing.onset <= 10, `brake at ${g.brakeAt}`);
    assert.ok(g.peakInstances <= 12, `guarded peak ${g.peakInstances} above the ceiling`);
    assert.ok(g.guard?.saved.some((s) => s.target === 'asg/orders-worker-guarded' && s.field === 'MaxSize'));
    // While the brake holds: no retries at all (frozen), and the fleet scales back in.
    const held = g.ticks.filter((k) => k.t > g.brakeAt! + 2 && (g.releasedAt === undefined || k.t < g.releasedAt));
    assert.ok(held.length > 3 && held.every((k) => k.retries === 0), 'retries while the brake holds');
    assert.equal(g.ticks.at(-1)!.desired, 4, 'scaled back to the baseline');
    assert.ok(g.cost < 0.6 * result.unguarded.cost, `guarded ${g.cost} vs unguarded ${result.unguarded.cost}`);
    assert.ok(result.slack.some((m) => /FIRING: Runaway feedback loop suspected on demo-guarded\/orders-worker/.test(m.text)), JSON.stringify(result.slack));
    assert.match(res.stdout, /\[BrakeEngaged\] Runaway feedback loop suspected/);
    assert.match(res.stdout, /brake engaged at minute \d+/);
    assert.match(res.stdout, /minute +[\d.]+ {2}FIRING: Runaway feedback loop suspected/);
    assert.match(res.stdout, /demo: ok/);
  });

  it('ends the incident inside the run: release steps, the brake released, RESOLVED in Slack', () => {
    const g = result.guarded;
    assert.ok(g.releaseStartAt !== undefined && g.releaseStartAt > g.brakeAt!, `release started at ${g.releaseStartAt}`);
    assert.ok(g.releasedAt !== undefined && g.releasedAt >= g.releaseStartAt && g.releasedAt < g.timing.ticks, `released at ${g.releasedAt}`);
    assert.match(res.stdout, /\[BrakeReleasing\] Signals healthy: release step 1\/4/);
    assert.match(res.stdout, /brake released at minute \d+: every hold lifted/);
    const firing = result.slack.findIndex((m) => /FIRING: Runaway feedback loop suspected/.test(m.text));
    const resolved = result.slack.findIndex((m) => /RESOLVED: Runaway feedback loop suspected/.test(m.text));
    assert.ok(firing >= 0 && resolved > firing, `FIRING then RESOLVED: ${JSON.stringify(result.slack)}`);
    assert.equal(result.slack.filter((m) => /Runaway feedback loop/.test(m.text)).length, 2, 'each delivered once');
  });

  it('writes a self-contained report that headless Chromium draws without errors', async function () {
    assert.ok(chromiumPath(), 'chromium is not installed: make chromium');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'the report loads nothing from outside');
    const probe = join(dir, 'probe.html');
    await writeFile(probe, html.replace('<head>', `<head>${ERRORS_FIRST}`).replace('</body>', `${PROBE}</body>`));
    const { dom, console: consoleLines } = await dumpDom(probe, join(dir, 'chromium'));
    const found = /<pre id="probe">([^<]*)<\/pre>/.exec(dom);
    assert.ok(found, `the probe did not run:\n${consoleLines.join('\n')}`);
    const out = JSON.parse(found[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { errors: string[]; charts: { id: string; points: number; red: number; blue: number }[] };
    assert.deepEqual(out.errors, []);
    assert.deepEqual(consoleLines.filter((l) => /error/i.test(l)), []);
    assert.deepEqual(out.charts.map((c) => c.id), ['capacity', 'retries', 'cost']);
    const expected = result.unguarded.ticks.length + result.guarded.ticks.length;
    for (const c of out.charts) {
      assert.equal(c.points, expected, `${c.id}: points`);
      assert.ok(c.red > 200 && c.blue > 200, `${c.id}: lines drawn (red ${c.red}, blue ${c.blue} pixels)`);
    }
    await screenshot(join(dir, 'report.html'), join(dir, 'report.png'), join(dir, 'chromium'));
    await mkdir(join(repoRoot, 'dist', 'demo'), { recursive: true });
    await copyFile(join(dir, 'report.png'), join(repoRoot, 'dist', 'demo', 'report-test.png'));
  });
});
