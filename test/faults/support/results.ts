// The suite's results table: each fault test records what it injected, what held and its
// figures; the root hook prints the table once every fault ran.
export interface FaultResult {
  fault: string;
  held: string[];
  figures: Record<string, string>;
}

export const results: FaultResult[] = [];

export function record(result: FaultResult): void {
  results.push(result);
}

/** A markdown table (it reads as plain text in a terminal, and pastes into docs/faults.md). */
export function resultsTable(rows: readonly FaultResult[]): string {
  const lines = ['| Fault injected | What held | Figures |', '| --- | --- | --- |'];
  for (const r of rows) {
    const figures = Object.entries(r.figures).map(([k, v]) => `${k}: ${v}`).join('; ');
    lines.push(`| ${r.fault} | ${r.held.join('; ')} | ${figures} |`);
  }
  return lines.join('\n');
}
