import os from 'node:os';
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { loadBootstrap } from '../proxy/config/bootstrap.ts';
import { startProxy } from '../proxy/proxy.ts';
import { isWorker, runPrimary } from '../proxy/multiprocess.ts';
import { createLogger } from '../log.ts';

/** `portico proxy -c <bootstrap>`: run the bundled Envoy-compatible data plane. */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'Run the bundled data plane from an Envoy v3 bootstrap (static resources or ADS)',
  options: {
    config: {
      type: 'string',
      short: 'c',
      valueName: 'FILE',
      description: 'Envoy v3 bootstrap, .json or .yaml (required)',
    },
    workers: {
      type: 'string',
      valueName: 'N',
      default: '1',
      description: "Processes sharing the listeners via SO_REUSEPORT; 'auto' = one per core",
    },
    'max-connections': {
      type: 'string',
      valueName: 'N',
      default: '10000',
      description: 'Connections per listener before new ones are refused',
    },
    'drain-seconds': {
      type: 'string',
      valueName: 'S',
      default: '30',
      description: 'Time a removed listener lets in-flight requests finish',
    },
  },
  details:
    'Validates the bootstrap first and exits 1 naming the field on bad input. Stops gracefully on SIGINT/SIGTERM.\nSee docs/proxy.md for the supported Envoy subset and the ALB behaviour reproduced.',
  async run(values) {
    const file = values['config'];
    if (typeof file !== 'string' || file === '') throw new UsageError('portico proxy: -c/--config FILE is required');
    const workersText = String(values['workers'] ?? '1');
    const workers = workersText === 'auto' ? os.availableParallelism() : Number(workersText);
    if (!Number.isInteger(workers) || workers < 1)
      throw new UsageError(`portico proxy: --workers must be a positive integer or 'auto', got '${workersText}'`);
    const maxConnections = Number(values['max-connections']);
    if (!Number.isInteger(maxConnections) || maxConnections < 1)
      throw new UsageError('portico proxy: --max-connections must be a positive integer');
    const drainSeconds = Number(values['drain-seconds']);
    if (!Number.isFinite(drainSeconds) || drainSeconds < 0)
      throw new UsageError('portico proxy: --drain-seconds must be a number of seconds');
    const log = createLogger({ base: { component: 'proxy', pid: process.pid } });
    // Parse in the primary too, so a bad bootstrap fails once, clearly, before any fork.
    const bootstrap = loadBootstrap(file);
    if (workers > 1 && !isWorker()) return runPrimary({ workers, log });
    const proxy = await startProxy(bootstrap, {
      log,
      limits: { maxConnections, drainMs: drainSeconds * 1000, reusePort: workers > 1 || isWorker() },
    });
    log.info(
      {
        listeners: proxy.runtime.listenerNames().map((n) => ({ name: n, port: proxy.runtime.listenerPort(n) })),
        ads: bootstrap.ads?.target,
      },
      'proxy started',
    );
    // With no listener yet (ADS still to deliver them) nothing else keeps the event loop alive.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    clearInterval(keepAlive);
    log.info('proxy stopping: draining listeners');
    await proxy.stop();
    // A worker's IPC channel to the primary would keep it alive after everything else closed.
    if (isWorker()) process.disconnect();
    return 0;
  },
};
