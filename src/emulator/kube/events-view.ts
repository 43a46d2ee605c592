import type { JsonObject } from './json.ts';
import { objectAt, stringAt } from './json.ts';

/**
 * Events are stored once, in their core/v1 shape (the one `kubectl describe` reads), and shown
 * through events.k8s.io/v1 with the fields renamed: regarding ↔ involvedObject, note ↔ message,
 * reportingController ↔ reportingComponent, deprecated* ↔ the old counters and timestamps.
 */
const renames: ReadonlyArray<readonly [core: string, events: string]> = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

function rename(obj: JsonObject, from: 0 | 1, apiVersion: string): JsonObject {
  const out: JsonObject = { ...obj, apiVersion, kind: 'Event' };
  for (const pair of renames) {
    const src = pair[from];
    const dst = pair[from === 0 ? 1 : 0];
    delete out[src];
    if (obj[src] !== undefined) out[dst] = obj[src];
  }
  return out;
}

export function eventToStored(obj: JsonObject): JsonObject {
  const core = rename(obj, 1, 'v1');
  // core/v1 readers expect reportingComponent and source.component to agree when only one is set.
  const source = objectAt(core, 'source');
  if (core['reportingComponent'] !== undefined && source['component'] === undefined) {
    core['source'] = { ...source, component: core['reportingComponent'] };
  }
  return core;
}

export function eventFromStored(obj: JsonObject): JsonObject {
  const view = rename(obj, 0, 'events.k8s.io/v1');
  if (view['reportingController'] === undefined) {
    const component = stringAt(objectAt(obj, 'source'), 'component');
    if (component !== undefined) view['reportingController'] = component;
  }
  return view;
}
