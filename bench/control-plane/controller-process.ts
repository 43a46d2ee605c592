/**
 * `portico controller` as its own process, exactly as users run it (the real CLI, client-node and the
 * AWS SDK v3), so that the RSS measured is the controller's alone. The bench reads its /metrics and
 * /proc/<pid>/status.
 */
import { spawn } from 'node:child_process';
import { CONTROLLER_ENV, CONTROLLER_NODE_FLAGS } from '../../src/cli/node-flags.ts';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ControllerProcess {
  readonly pid: number;
  /** Base URL of /metrics. */
  readonly metricsUrl: string;
  /** Current and peak resident set size, in bytes. */
  memory(): Promise<{ rss: number; peak: number }>;
  /** Sum of a counter or gauge over all its label sets. */
  metric(name: string): Promise<number>;
  /** Hard kill (a crash: no graceful hand-over). */
  kill(): Promise<void>;
  /** Lines of stderr that were not JSON or were at warn level and above (the last 20). */
  readonly problems: string[];
}

export interface ControllerProcessOptions {
  readonly kubeconfig: string;
  readonly awsEndpoint: string;
  readonly clusterName: string;
  readonly extraFlags?: readonly string[];
}

export async function startControllerProcess(o: ControllerProcessOptions): Promise<ControllerProcess> {
  const args = [
    main,
    'controller',
    '--provider',
    'aws',
    '--kubeconfig',
    o.kubeconfig,
    '--cluster-name',
    o.clusterName,
    '--aws-region',
    'us-east-1',
    '--no-leader-election',
    '--metrics-address',
    '127.0.0.1:0',
    '--health-address',
    '127.0.0.1:0',
    '--log-level',
    'info',
    ...(o.extraFlags ?? []),
  ];
  // Started as the container image starts it (src/cli/node-flags.ts).
  const child: ChildProcess = spawn(process.execPath, [...CONTROLLER_NODE_FLAGS, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...CONTROLLER_ENV,
      AWS_ENDPOINT_URL: o.awsEndpoint,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
    },
  });
  // A controller must not outlive the benchmark that started it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const problems: string[] = [];
  const started = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`controller exited with ${String(code)}: ${problems.join('\n')}`)));
    const stderr = child.stderr;
    if (stderr === null) throw new Error('no stderr');
    createInterface({ input: stderr }).on('line', (line) => {
      let entry: { level?: number; msg?: string; endpoints?: string[] } | undefined;
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        entry = undefined;
      }
      if (entry?.msg === 'controller starting' && entry.endpoints?.[0] !== undefined) resolve(entry.endpoints[0]);
      if (entry === undefined || (entry.level ?? 0) >= 40) {
        problems.push(line.slice(0, 400));
        if (problems.length > 20) problems.shift();
      }
    });
  });
  const metricsUrl = await started;
  const pid = child.pid ?? 0;
  const text = async () => (await fetch(`${metricsUrl}/metrics`)).text();
  return {
    pid,
    metricsUrl,
    problems,
    async memory() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
      return { rss: kb('VmRSS'), peak: kb('VmHWM') };
    },
    async metric(name) {
      let sum = 0;
      for (const line of (await text()).split('\n')) {
        if (!line.startsWith(name)) continue;
        const rest = line.slice(name.length);
        if (rest[0] !== ' ' && rest[0] !== '{') continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await gone;
    },
  };
}
