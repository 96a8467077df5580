// The image tests' pure helpers: the Dockerfile contract parser and the tar listing parser.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { instructions, parseDockerfile, parseEnv } from '../../integration/image/dockerfile.ts';
import { childrenOf, parseListing } from '../../integration/image/oci.ts';

const DOCKERFILE = `# syntax=docker/dockerfile:1
ARG BASE=node:24
FROM \${BASE} AS build
WORKDIR /src
COPY package.json ./
RUN npm ci

FROM \${BASE}
# comment
ENV A=1
ENV NODE_OPTIONS="--a --b" \\
    NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=build /src/node_modules/ node_modules/
COPY --chown=1:1 crds/ crds/
USER 65532:65532
EXPOSE 8080 8081/udp
ENTRYPOINT ["node", "dist/main.js"]
CMD ["operator"]
`;

describe('image test helpers', () => {
  describe('parseDockerfile', () => {
    it('reads the final stage only: user, folder, entrypoint, command, env, ports, copy destinations', () => {
      assert.deepEqual(parseDockerfile(DOCKERFILE), {
        user: '65532:65532',
        workdir: '/app',
        entrypoint: ['node', 'dist/main.js'],
        cmd: ['operator'],
        env: { A: '1', NODE_OPTIONS: '--a --b', NODE_ENV: 'production' },
        expose: ['8080', '8081/udp'],
        copied: ['/app/package.json', '/app/node_modules', '/app/crds'],
      });
    });

    it('fails on an instruction it does not understand, rather than ignoring it', () => {
      assert.throws(() => parseDockerfile('FROM x\nVOLUME /data\n'), /VOLUME is not understood/);
    });

    it('joins continuation lines and drops comments', () => {
      assert.deepEqual(instructions('# c\nRUN a \\\n  b\n\nUSER 1\n'), ['RUN a    b', 'USER 1']);
    });

    it('parses quoted and bare ENV values', () => {
      assert.deepEqual(parseEnv('A=1 B="x y" C="say \\"hi\\""'), { A: '1', B: 'x y', C: 'say "hi"' });
    });

    it('understands the repository\'s Dockerfile: /app, 65532, node dist/cli/main.js operator', () => {
      const d = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
      assert.deepEqual([d.workdir, d.user, d.entrypoint, d.cmd], ['/app', '65532:65532', ['node', 'dist/cli/main.js'], ['operator']]);
      assert.deepEqual(d.copied.sort(), ['/app/crds', '/app/dist', '/app/node_modules', '/app/package.json']);
    });
  });

  describe('parseListing', () => {
    it('reads type, permissions, owner and path of tar -tv --numeric-owner lines', () => {
      assert.deepEqual(parseListing('drwxr-xr-x 0/0               0 2026-11-30 02:02 ./app/'), { path: '/app', type: 'd', perms: 'rwxr-xr-x', uid: 0, gid: 0 });
      assert.deepEqual(parseListing('-rw-r--r-- 65532/65532    1799 2026-11-30 02:02 app/package.json'), { path: '/app/package.json', type: '-', perms: 'rw-r--r--', uid: 65532, gid: 65532 });
      assert.equal(parseListing('lrwxrwxrwx 0/0 0 2026-11-30 02:02 etc/os-release -> ../usr/lib/os-release')?.path, '/etc/os-release');
      assert.equal(parseListing('hrw-r--r-- 0/0 0 2026-11-30 02:02 a/b link to a/c')?.path, '/a/b');
      assert.equal(parseListing('not a listing'), undefined);
    });
  });

  describe('childrenOf', () => {
    it('names the entries directly under a folder', () => {
      assert.deepEqual(childrenOf(['/app', '/app/dist', '/app/dist/a.js', '/app/package.json', '/apps/x', '/etc/passwd'], '/app'), ['dist', 'package.json']);
    });
  });
});
