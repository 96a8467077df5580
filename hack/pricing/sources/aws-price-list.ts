// The AWS Price List bulk API as a price source: the EC2 offer file per region, as CSV.
//
// Format (AWS docs, "Price List bulk API"): the region index
//   https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/region_index.json
// names, per region, `currentVersionUrl` (…/AmazonEC2/<version>/<region>/index.json). The same
// path ending in index.csv is the offer file as CSV: five lines of metadata ("FormatVersion",
// "Disclaimer", "Publication Date", "Version", "OfferCode"), then a header row, then one row
// per (SKU, term, rate). A row is an on-demand Linux price for a type when TermType=OnDemand,
// Unit=Hrs, Product Family=Compute Instance, Tenancy=Shared, Operating System=Linux,
// Pre Installed S/W=NA, License Model="No License required" and CapacityStatus=Used; the price
// is PricePerUnit (USD). The CSV is large (hundreds of MB for us-east-1), so it is streamed.
//
// It needs internet access to pricing.us-east-1.amazonaws.com, which the build machines do not
// have: the shipped table comes from the ec2instances.info source. Kept for whoever can reach AWS.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { PriceSource, Table, Wanted } from './source.ts';

const BASE = 'https://pricing.us-east-1.amazonaws.com';

const WANTED: Record<string, string> = {
  TermType: 'OnDemand',
  Unit: 'Hrs',
  'Product Family': 'Compute Instance',
  Tenancy: 'Shared',
  'Operating System': 'Linux',
  'Pre Installed S/W': 'NA',
  'License Model': 'No License required',
  CapacityStatus: 'Used',
  Currency: 'USD',
};

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines in this file). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

async function regionCsvUrl(region: string): Promise<string> {
  const index = (await (await fetch(`${BASE}/offers/v1.0/aws/AmazonEC2/current/region_index.json`)).json()) as { regions: Record<string, { currentVersionUrl: string }> };
  const url = index.regions[region]?.currentVersionUrl;
  if (!url) throw new Error(`the price list has no region ${region}`);
  return `${BASE}${url.replace(/index\.json$/, 'index.csv')}`;
}

/** Streams one region's offer CSV and returns type → USD/h for the wanted families. */
async function regionPrices(region: string, families: readonly string[]): Promise<Record<string, string>> {
  const res = await fetch(await regionCsvUrl(region));
  if (!res.ok || !res.body) throw new Error(`${region}: HTTP ${res.status}`);
  const lines = createInterface({ input: Readable.fromWeb(res.body) });
  let header: string[] | undefined;
  let skipped = 0;
  const prices: Record<string, string> = {};
  for await (const line of lines) {
    if (skipped < 5) {
      skipped++;
      continue;
    }
    const cells = splitCsv(line);
    if (!header) {
      header = cells;
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    if (!Object.entries(WANTED).every(([k, v]) => row[k] === v)) continue;
    const type = row['Instance Type'] ?? '';
    if (!families.some((f) => type.startsWith(f))) continue;
    const price = (row.PricePerUnit ?? '').replace(/0+$/, '').replace(/\.$/, '.0');
    if (Number(price) > 0) prices[type] = price;
  }
  return prices;
}

export const awsPriceList: PriceSource = {
  async load(wanted: Wanted) {
    const table: Table = {};
    for (const region of wanted.regions) table[region] = await regionPrices(region, wanted.families);
    const today = new Date().toISOString().slice(0, 10);
    return { table, version: today, source: `AWS Price List bulk API, ${BASE}/offers/v1.0/aws/AmazonEC2/current/<region>/index.csv, read ${today}` };
  },
};
