// podman as the image tests run it: rootful, with the repository's containers.conf (runc, the
// cgroupfs manager, low default ulimits), as `make image` builds with it. A missing podman is
// a failure, never a skip.
import { join } from 'node:path';
import { repoRoot, run, type CommandResult } from '../../../hack/localenv/index.ts';

const containersConf = join(repoRoot, 'hack', 'image', 'containers.conf');

export function podman(args: string[]): Promise<CommandResult> {
  return run('podman', args, { env: { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? containersConf } });
}

/** podman's stdout, or an error with its exit code and stderr (ENOENT when it is missing). */
export async function podmanOk(args: string[]): Promise<string> {
  const res = await podman(args);
  if (res.code !== 0) throw new Error(`podman ${args.join(' ')} failed (exit ${res.code}; is podman installed? make image-tools):\n${res.stderr}${res.stdout}`);
  return res.stdout;
}

/** Loads the oci-archive into podman's store and returns the image ID. */
export async function loadArchive(path: string): Promise<string> {
  const id = (await podmanOk(['pull', '--quiet', `oci-archive:${path}`])).trim().split('\n').pop() ?? '';
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`podman pull printed no image ID: ${id}`);
  return id;
}
