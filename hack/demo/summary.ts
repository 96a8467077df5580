// The short summary printed after both runs. Pure: text from the results.
import type { DemoResult } from './run.ts';
import type { RunResult } from './scenario.ts';

export interface Figures {
  onsetToClampMinutes?: number;
  onsetToSlackMinutes?: number;
  costRatio: number;
  unguardedRatio: number;
  guardedRatio: number;
}

export function figuresOf(r: DemoResult): Figures {
  const onset = r.guarded.timing.onset;
  const firstSlack = r.slack.find((m) => m.minute >= onset)?.minute;
  return {
    ...(r.guarded.brakeAt !== undefined ? { onsetToClampMinutes: r.guarded.brakeAt - onset } : {}),
    ...(firstSlack !== undefined ? { onsetToSlackMinutes: Math.round((firstSlack - onset) * 10) / 10 } : {}),
    costRatio: ratio(r.guarded.cost, r.unguarded.cost),
    unguardedRatio: ratio(r.unguarded.cost, r.unguarded.normalCost),
    guardedRatio: ratio(r.guarded.cost, r.guarded.normalCost),
  };
}

function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 100) / 100 : 0;
}

function runLines(r: RunResult): string[] {
  const t = r.totals;
  return [
    `  ${r.label.padEnd(9)}  peak instances ${String(r.peakInstances).padStart(2)}   attempts ${String(t.attempts).padStart(5)}   retries ${String(t.retries).padStart(5)}` +
      ` (${t.attempts ? Math.round((t.retries / t.attempts) * 100) : 0} %)   orders done ${String(t.deleted).padStart(5)}   est. cost $${r.cost.toFixed(2)}` +
      ` = ${ratio(r.cost, r.normalCost).toFixed(2)} × the normal bill ($${r.normalCost.toFixed(2)})`,
  ];
}

function releaseLine(g: RunResult): string {
  if (g.brakeAt === undefined) return '  nothing to release';
  if (g.releasedAt === undefined) return `  brake still engaged at the end of the run${g.releaseStartAt !== undefined ? ` (releasing since minute ${g.releaseStartAt})` : ''}`;
  const start = g.releaseStartAt !== undefined ? `release steps from minute ${g.releaseStartAt}, ` : '';
  return `  ${start}brake released at minute ${g.releasedAt}: every hold lifted, the originals back (RESOLVED sent)`;
}

export function summaryText(r: DemoResult): string {
  const f = figuresOf(r);
  const g = r.guarded;
  const lines = [
    '',
    `==> summary (${g.timing.ticks} simulated minutes each; the downstream was slow from minute ${g.timing.onset} to ${g.timing.onset + g.timing.slowMinutes})`,
    ...runLines(r.unguarded),
    ...runLines(g),
    `  guarded / unguarded cost: ${f.costRatio.toFixed(2)}`,
    g.detectedAt !== undefined ? `  loop detected at minute ${g.detectedAt} (${g.detectedAt - g.timing.onset} min after onset)` : '  loop NOT detected',
    g.brakeAt !== undefined ? `  brake engaged at minute ${g.brakeAt} (${f.onsetToClampMinutes} min after onset): ${g.guard?.brakeReason ?? ''}` : '  brake NOT engaged',
    releaseLine(g),
  ];
  for (const s of g.guard?.saved ?? []) lines.push(`    froze ${s.target} ${s.field} at ${s.held ?? '?'} (original ${s.original} saved in status.brake)`);
  if (g.guard?.evidence.length) lines.push(`  evidence at the brake: ${g.guard.evidence.join('; ')}`);
  lines.push(`  Slack messages the sink received (${r.slack.length}):`);
  for (const m of r.slack) lines.push(`    minute ${m.minute.toFixed(1).padStart(4)}  ${m.text}`);
  return lines.join('\n');
}
