import type tls from 'node:tls';
import type { FilterChainConfig, ListenerConfig } from '../config/listener.ts';
import type { ConfigView } from './context.ts';
import { cidrContains, parseCidr } from '../../model/match.ts';

/**
 * Envoy's filter-chain choice, as a pruning sequence: server name (an exact name, then wildcards
 * from the most specific, then chains without `server_names`), then source address (the longest
 * matching `source_prefix_ranges`, then chains without ranges). Nothing left ⇒ the listener's
 * `default_filter_chain`, else no chain (the connection is closed).
 */
export function selectChain(
  config: ListenerConfig,
  serverName: string | undefined,
  sourceIp: string | undefined,
): FilterChainConfig | undefined {
  const byName = chainsForServerName(config.filterChains, serverName);
  if (sourceIp === undefined)
    return byName.find((c) => c.sourceRanges.length === 0) ?? byName[0] ?? config.defaultChain;
  let best: FilterChainConfig | undefined;
  let bestLen = -1;
  for (const c of byName) {
    for (const range of c.sourceRanges) {
      const len = parseCidr(range)?.prefix ?? -1;
      if (len > bestLen && cidrContains(range, sourceIp)) {
        best = c;
        bestLen = len;
      }
    }
  }
  return best ?? byName.find((c) => c.sourceRanges.length === 0) ?? config.defaultChain;
}

function chainsForServerName(
  chains: readonly FilterChainConfig[],
  serverName: string | undefined,
): FilterChainConfig[] {
  if (serverName !== undefined && serverName !== '') {
    const name = serverName.toLowerCase();
    const exact = chains.filter((c) => c.serverNames.includes(name));
    if (exact.length > 0) return exact;
    let dot = name.indexOf('.');
    while (dot !== -1) {
      const wildcard = `*${name.slice(dot)}`;
      const hit = chains.filter((c) => c.serverNames.includes(wildcard));
      if (hit.length > 0) return hit;
      dot = name.indexOf('.', dot + 1);
    }
  }
  return chains.filter((c) => c.serverNames.length === 0);
}

/** The chain whose certificate a TLS handshake uses: chosen by server name only (the address comes later). */
export function chainForCertificate(
  config: ListenerConfig,
  serverName: string | undefined,
): FilterChainConfig | undefined {
  return selectChain(config, serverName, undefined);
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
