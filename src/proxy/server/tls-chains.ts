import type tls from 'node:tls';
import type { FilterChainConfig, ListenerConfig } from '../config/listener.ts';
import type { ConfigView } from './context.ts';

/**
 * Envoy's filter-chain choice by SNI: an exact server name first, then wildcards from the most
 * specific (`*.b.example.com` before `*.example.com`), then the chain without `server_names`, then
 * the listener's `default_filter_chain`. No SNI ⇒ the chain without server names.
 */
export function chainForServerName(config: ListenerConfig, serverName: string | undefined): FilterChainConfig {
  const chains = config.filterChains;
  if (serverName !== undefined && serverName !== '') {
    const name = serverName.toLowerCase();
    for (const c of chains) if (c.serverNames.includes(name)) return c;
    let dot = name.indexOf('.');
    while (dot !== -1) {
      const wildcard = `*${name.slice(dot)}`;
      for (const c of chains) if (c.serverNames.includes(wildcard)) return c;
      dot = name.indexOf('.', dot + 1);
    }
  }
  const open = chains.find((c) => c.serverNames.length === 0);
  const chosen = open ?? config.defaultChain ?? chains[0];
  if (chosen === undefined) throw new Error(`listener ${config.name} has no filter chain`);
  return chosen;
}

/** TLS options of a chain with its certificates resolved (inline or SDS); undefined if SDS is not there yet. */
export function secureContextOptions(chain: FilterChainConfig, view: ConfigView): tls.SecureContextOptions | undefined {
  const t = chain.tls;
  if (t === undefined) return undefined;
  const certs = [...t.certificates];
  for (const name of t.sdsNames) {
    const s = view.secret(name);
    if (s === undefined) return undefined;
    certs.push(s);
  }
  return {
    cert: certs.map((c) => c.chain),
    key: certs.map((c) => c.key),
    ...(t.minVersion !== undefined ? { minVersion: t.minVersion } : {}),
    ...(t.maxVersion !== undefined ? { maxVersion: t.maxVersion } : {}),
    ...(t.ciphers !== undefined ? { ciphers: t.ciphers } : {}),
  };
}
