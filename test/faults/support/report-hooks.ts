// Root hooks of the fault suite: after every fault ran, print the results table.
import { results, resultsTable } from './results.ts';

const started = Date.now();

export const mochaHooks = {
  afterAll(): void {
    if (results.length === 0) return;
    process.stdout.write(`\nfault suite results (${Math.round((Date.now() - started) / 1000)} s)\n\n${resultsTable(results)}\n`);
  },
};
