// The demo's report: one self-contained HTML page (uPlot's script and stylesheet inlined, the
// data embedded, no network needed) with three charts — capacity, retry ratio, $/h — both runs
// on one axis of simulated minutes, the onset, the detection and the brake marked.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { DemoResult } from './run.ts';
import { figuresOf, summaryText } from './summary.ts';

const require = createRequire(import.meta.url);

async function uplotAssets(): Promise<{ js: string; css: string }> {
  const js = await readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = await readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { js, css };
}

export interface ReportData {
  minutes: number[];
  charts: { id: string; title: string; unit: string; unguarded: number[]; guarded: number[] }[];
  marks: { minute: number; label: string; color: string }[];
}

export function reportData(r: DemoResult): ReportData {
  const u = r.unguarded.ticks;
  const g = r.guarded.ticks;
  const n = Math.max(u.length, g.length);
  const minutes = Array.from({ length: n }, (_, i) => i);
  const series = (ticks: typeof u, pick: (k: (typeof u)[number]) => number): number[] => minutes.map((i) => (ticks[i] ? pick(ticks[i]) : NaN));
  const marks = [{ minute: r.guarded.timing.onset, label: 'downstream slows (onset)', color: '#888' }];
  if (r.guarded.detectedAt !== undefined) marks.push({ minute: r.guarded.detectedAt, label: 'loop detected', color: '#d97706' });
  if (r.guarded.brakeAt !== undefined) marks.push({ minute: r.guarded.brakeAt, label: 'brake: Freeze', color: '#7c3aed' });
  if (r.guarded.releaseStartAt !== undefined) marks.push({ minute: r.guarded.releaseStartAt, label: 'release steps begin', color: '#0d9488' });
  if (r.guarded.releasedAt !== undefined) marks.push({ minute: r.guarded.releasedAt, label: 'brake released (RESOLVED)', color: '#16a34a' });
  return {
    minutes,
    charts: [
      { id: 'capacity', title: 'Capacity (instances, ASG desired)', unit: 'instances', unguarded: series(u, (k) => k.desired), guarded: series(g, (k) => k.desired) },
      { id: 'retries', title: 'Retry ratio (retries / attempts, %)', unit: '%', unguarded: series(u, (k) => Math.round(k.retryRatio * 100)), guarded: series(g, (k) => Math.round(k.retryRatio * 100)) },
      { id: 'cost', title: 'Estimated cost ($/h)', unit: '$/h', unguarded: series(u, (k) => k.costPerHour), guarded: series(g, (k) => k.costPerHour) },
    ],
    marks,
  };
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Runs in the page. Draws each chart with uPlot and the marks with a draw hook; exposes the
// charts' data on window.__demoCharts for the report test.
const PAGE_SCRIPT = `
const data = JSON.parse(document.getElementById('demo-data').textContent);
const marksPlugin = { hooks: { draw: [(u) => {
  const ctx = u.ctx; ctx.save();
  data.marks.forEach((m, i) => {
    const x = Math.round(u.valToPos(m.minute, 'x', true));
    ctx.strokeStyle = m.color; ctx.lineWidth = 2 * devicePixelRatio; ctx.setLineDash([6, 4]);
    ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
    ctx.fillStyle = m.color; ctx.font = (11 * devicePixelRatio) + 'px sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic'; ctx.fillText(m.label, x + 4, u.bbox.top + (12 + 13 * i) * devicePixelRatio);
  });
  ctx.restore();
}] } };
window.__demoCharts = data.charts.map((c) => {
  const el = document.getElementById(c.id);
  const plot = new uPlot({
    title: c.title, width: Math.min(960, window.innerWidth - 40), height: 240, plugins: [marksPlugin],
    scales: { x: { time: false } },
    axes: [{ label: 'simulated minute', incrs: [1, 2, 5, 10, 20] }, { label: c.unit }],
    series: [{ label: 'minute' }, { label: 'unguarded', stroke: '#dc2626', width: 2 }, { label: 'guarded', stroke: '#2563eb', width: 2 }],
  }, [data.minutes, c.unguarded, c.guarded], el);
  return { id: c.id, points: c.unguarded.filter(Number.isFinite).length + c.guarded.filter(Number.isFinite).length, plot };
});
`;

export async function renderReport(r: DemoResult): Promise<string> {
  const { js, css } = await uplotAssets();
  const f = figuresOf(r);
  const data = JSON.stringify(reportData(r)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CostGuard demo: the incident, unguarded vs guarded</title>
<style>${css}
body { font: 14px/1.45 system-ui, sans-serif; margin: 20px; color: #111; }
.figures span { display: inline-block; margin-right: 24px; } .chart { margin: 12px 0 24px; }
pre { background: #f6f6f6; padding: 10px; white-space: pre-wrap; font-size: 12px; }</style></head>
<body>
<h1>The incident, unguarded vs guarded</h1>
<p>One simulated minute per real second. Real: kube-apiserver + etcd, moto (SQS messages, the Auto Scaling group), the worker library, the CostGuard operator.
Simulated: the order traffic, the downstream that slows under load, AWS target tracking, and the kubelet (worker instances are in-process worker-library instances).</p>
<p class="figures"><span>guarded / unguarded cost: <b>${f.costRatio.toFixed(2)}</b></span>
<span>unguarded: <b>${f.unguardedRatio.toFixed(2)}×</b> the normal bill</span><span>guarded: <b>${f.guardedRatio.toFixed(2)}×</b></span>
<span>onset → brake: <b>${f.onsetToClampMinutes ?? '–'}</b> min</span><span>onset → first Slack message: <b>${f.onsetToSlackMinutes ?? '–'}</b> min</span></p>
<div id="capacity" class="chart"></div><div id="retries" class="chart"></div><div id="cost" class="chart"></div>
<h2>Summary</h2><pre>${escape(summaryText(r))}</pre>
<script id="demo-data" type="application/json">${data}</script>
<script>${js}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
