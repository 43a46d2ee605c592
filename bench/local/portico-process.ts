/**
 * Runs `portico local` as its own process (as a user does) for the local benchmarks, and the small
 * clients they measure with: one HTTP/HTTPS request on a fresh connection, and kubectl.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { toolPath } from '../../scripts/setup-tools.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');

export interface PorticoProcess {
  readonly child: ChildProcess;
  /** performance.now() just before the spawn. */
  readonly spawnedAt: number;
  /** Resolves with performance.now() when stdout first contains `text`. */
  when(text: string, timeoutMs?: number): Promise<number>;
  output(): string;
  /** Ctrl-C to the whole process group (npm and node), then waits for the exit. */
  stop(): Promise<void>;
}

/** Spawns `command args` in the repository, in its own process group so npm's child gets the signal too. */
export function spawnPortico(command: string, args: readonly string[]): PorticoProcess {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: (t: number) => void }> = [];
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    const now = performance.now();
    for (const w of [...waiters]) {
      if (stdout.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(now);
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    spawnedAt,
    when(text, timeoutMs = 120_000) {
      if (stdout.includes(text)) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no '${text}' in ${timeoutMs} ms\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
        });
      });
    },
    output: () => `${stdout}\n${stderr}`,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      process.kill(-child.pid, 'SIGINT');
      const kill = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

export interface Probe {
  readonly address: string;
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly tls?: { readonly ca: string };
}

/** One GET on a fresh connection; resolves with the status, or 0 when the connection fails. */
export function probe(p: Probe): Promise<number> {
  return new Promise((resolve) => {
    const options = {
      host: p.address,
      port: p.port,
      path: p.path,
      headers: { host: p.host },
      agent: false,
      timeout: 2000,
    };
    const onResponse = (res: http.IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    };
    const req =
      p.tls === undefined
        ? http.get(options, onResponse)
        : https.get({ ...options, servername: p.host, ca: p.tls.ca }, onResponse);
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Polls until `probe` answers `status`; returns performance.now() at the answer. */
export async function pollUntil(p: Probe, status: number, gapMs: number, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await probe(p)) === status) return performance.now();
    if (performance.now() > deadline) throw new Error(`${p.host}${p.path} did not answer ${status} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

export function kubectl(kubeconfig: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath('kubectl'), ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${err}`))));
    child.stdin.end(input ?? '');
  });
}

/** Nearest-rank percentile of a sample. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
