// The operator as a real child process (runaway-operator-process.ts), for tests that kill -9
// it: resolves once the process says it started, rejects if it exits first.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testEnv } from '../../harness/env.ts';

export function operatorProcess(namespace: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'runaway-operator-process.ts'), namespace], {
    env: { ...process.env, KUBECONFIG: testEnv().kubeconfigPath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('started')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`operator exited with ${code}`)));
  });
}
