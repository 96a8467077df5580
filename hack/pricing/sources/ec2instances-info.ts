// ec2instances.info's data set as a price source. The Go module
// github.com/cristim/ec2-instances-info ships it (data/instances.json, refreshed from the AWS
// Price List by its maintainers), so it is reachable through the Go module proxy where AWS is
// not. Each entry is one instance type:
//   { "instance_type": "m5.large", "pricing": { "us-east-1": { "linux": { "ondemand": "0.096", … }, … }, … } }
// `linux.ondemand` is the on-demand, Linux, shared-tenancy price in USD per hour.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PriceSource, Table, Wanted } from './source.ts';

export const MODULE = 'github.com/cristim/ec2-instances-info';
/** The module version the shipped table was generated from (bump it to refresh the table). */
export const MODULE_VERSION = 'v0.0.0-20250528091325-32acf84f42eb';

interface Instance {
  instance_type?: string;
  pricing?: Record<string, { linux?: { ondemand?: string } } | undefined>;
}

/** "0.0960" → "0.096"; undefined for a missing, unreadable or zero price. */
export function normalPrice(text: string | undefined): string | undefined {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) return undefined;
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Pure: the wanted regions and families out of the data set, types sorted by name. */
export function pricesFromInstances(instances: readonly Instance[], wanted: Wanted): Table {
  const table: Table = {};
  for (const region of wanted.regions) {
    const rows = instances.flatMap((i) => {
      const type = i.instance_type ?? '';
      const price = normalPrice(i.pricing?.[region]?.linux?.ondemand);
      return wanted.families.some((f) => type.startsWith(f)) && price ? [[type, price] as const] : [];
    });
    table[region] = Object.fromEntries(rows.sort(([a], [b]) => a.localeCompare(b)));
  }
  return table;
}

interface Downloaded {
  Dir: string;
  Info: string;
  Version: string;
}

/** `go mod download` the module into a throwaway cache and read its data set and date. */
function download(version: string): { instances: Instance[]; time: string } {
  const cache = mkdtempSync(join(tmpdir(), 'ec2-prices-'));
  try {
    const env = { ...process.env, GOMODCACHE: cache, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
    const out = execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${version}`], { cwd: cache, env, maxBuffer: 1 << 20 }).toString();
    const mod = JSON.parse(out) as Downloaded;
    const instances = JSON.parse(readFileSync(join(mod.Dir, 'data', 'instances.json'), 'utf8')) as Instance[];
    const info = JSON.parse(readFileSync(mod.Info, 'utf8')) as { Time: string };
    return { instances, time: info.Time };
  } finally {
    // The module cache is written read-only; go's own clean empties it.
    execFileSync('go', ['clean', '-modcache'], { env: { ...process.env, GOMODCACHE: cache } });
    rmSync(cache, { recursive: true, force: true });
  }
}

export function ec2InstancesInfo(version = MODULE_VERSION): PriceSource {
  return {
    load(wanted: Wanted) {
      const { instances, time } = download(version);
      const date = time.slice(0, 10);
      const source = `ec2instances.info data (data/instances.json, pricing.<region>.linux.ondemand) in the Go module ${MODULE}@${version}, published ${date}`;
      return Promise.resolve({ table: pricesFromInstances(instances, wanted), version: date, source });
    },
  };
}
