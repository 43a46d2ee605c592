import type { BootstrapConfig } from './config/bootstrap.ts';
import { ProxyRuntime } from './runtime.ts';
import type { RuntimeOptions } from './runtime.ts';
import { AdsClient } from './xds/ads-client.ts';
import type { AdsClientOptions } from './xds/ads-client.ts';

/**
 * One proxy process: static resources from the bootstrap are installed first (clusters before
 * listeners), then, when the bootstrap names an ADS server, the xDS client keeps the rest current.
 */
export interface RunningProxy {
  readonly runtime: ProxyRuntime;
  readonly ads?: AdsClient;
  stop(): Promise<void>;
}

export interface StartOptions extends RuntimeOptions {
  readonly onApplied?: AdsClientOptions['onApplied'];
  readonly onRejected?: AdsClientOptions['onRejected'];
}

export async function startProxy(bootstrap: BootstrapConfig, options: StartOptions = {}): Promise<RunningProxy> {
  const runtime = new ProxyRuntime(options);
  runtime.setClusters(bootstrap.clusters, false);
  runtime.setSecrets(bootstrap.secrets);
  await runtime.setListeners(bootstrap.listeners, false);
  let ads: AdsClient | undefined;
  if (bootstrap.ads !== undefined) {
    ads = new AdsClient({
      source: bootstrap.ads,
      runtime,
      ...(options.onApplied !== undefined ? { onApplied: options.onApplied } : {}),
      ...(options.onRejected !== undefined ? { onRejected: options.onRejected } : {}),
    });
    ads.start();
  }
  return {
    runtime,
    ...(ads !== undefined ? { ads } : {}),
    async stop() {
      ads?.stop();
      await runtime.stop();
    },
  };
}
