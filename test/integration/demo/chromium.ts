// Opens an HTML file in headless Chromium (Debian's `chromium`): the DOM after its scripts
// ran, what the page logged to the console, and a screenshot.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM;
  for (const p of fromEnv ? [fromEnv, ...CANDIDATES] : CANDIDATES) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

function baseArgs(userDataDir: string): string[] {
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  return ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars', `--user-data-dir=${userDataDir}`, '--window-size=1040,1500', '--virtual-time-budget=5000'];
}

function runChromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(chromiumPath() ?? 'chromium', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The DOM after the page's scripts ran, and the console lines Chromium logged. */
export async function dumpDom(file: string, userDataDir: string): Promise<{ dom: string; console: string[] }> {
  const res = await runChromium([...baseArgs(userDataDir), '--enable-logging=stderr', '--v=0', '--dump-dom', pathToFileURL(file).href]);
  if (res.code !== 0) throw new Error(`chromium exited ${res.code}: ${res.stderr.slice(-2000)}`);
  return { dom: res.stdout, console: res.stderr.split('\n').filter((l) => /CONSOLE/.test(l)) };
}

export async function screenshot(file: string, png: string, userDataDir: string): Promise<void> {
  const res = await runChromium([...baseArgs(userDataDir), `--screenshot=${png}`, pathToFileURL(file).href]);
  if (res.code !== 0) throw new Error(`chromium exited ${res.code}: ${res.stderr.slice(-2000)}`);
}
