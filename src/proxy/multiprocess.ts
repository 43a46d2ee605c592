import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { Logger } from '../log.ts';

/**
 * Multi-process mode: the primary forks one worker per core; every worker loads the same bootstrap
 * and binds the same ports with SO_REUSEPORT, so the kernel spreads connections across processes
 * without the primary relaying them. A worker that dies is replaced (with a short delay so a crash
 * loop cannot spin). Each worker runs its own xDS stream and health checks, as separate Envoy
 * instances would.
 */
export interface PrimaryOptions {
  readonly workers: number;
  readonly log: Logger;
}

export function isWorker(): boolean {
  return cluster.isWorker;
}

/** Runs the primary until SIGINT/SIGTERM; resolves with the exit status. */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const { log } = options;
  let stopping = false;
  const fork = (): Worker => cluster.fork();
  for (let i = 0; i < options.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.warn({ pid: worker.process.pid, code, signal }, 'proxy worker exited; starting another');
    setTimeout(fork, 500).unref();
  });
  return new Promise((resolve) => {
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      let left = workers.length;
      if (left === 0) resolve(0);
      for (const w of workers) {
        w.once('exit', () => {
          left--;
          if (left === 0) resolve(0);
        });
        w.process.kill('SIGTERM');
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
