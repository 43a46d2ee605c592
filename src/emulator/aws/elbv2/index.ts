import type { QueryOperations } from '../operations.ts';
import { listenerOperations } from './listeners.ts';
import { loadBalancerOperations } from './load-balancers.ts';
import { ruleOperations } from './rules.ts';
import { tagOperations } from './tags.ts';
import { targetGroupOperations } from './target-groups.ts';
import { targetOperations } from './targets.ts';

/** Every ELBv2 (awsQuery, Version 2015-12-01) operation the emulator serves, by `Action`. */
export const elbv2Operations: QueryOperations = {
  ...loadBalancerOperations,
  ...targetGroupOperations,
  ...targetOperations,
  ...listenerOperations,
  ...ruleOperations,
  ...tagOperations,
};

export const ELBV2_VERSION = '2015-12-01';
export const ELBV2_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
