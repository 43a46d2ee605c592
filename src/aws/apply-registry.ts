import type { ActualStack } from './actual.ts';
import { ApplyError } from './errors.ts';
import { secretOfCertKey } from './plan-normal.ts';
import type { CertKey } from './plan-normal.ts';
import type { RuleRef, SecurityGroupRef } from './plan-operations.ts';

/**
 * Stable keys → ARNs during one apply, seeded from the actual state and filled in as resources are
 * created. It is also the ownership guard: apply only modifies or deletes what is registered here,
 * which is only what carries this cluster's tag (or was created by this apply).
 */
export class ApplyRegistry {
  loadBalancerArn: string | undefined;
  dnsName: string | undefined;
  managedSecurityGroupId: string | undefined;
  /** The cluster's backend security group, once known (read, created or adopted). */
  backendSecurityGroupId: string | undefined;
  readonly targetGroups = new Map<string, string>();
  readonly listeners = new Map<number, string>();
  readonly certificates = new Map<string, string>();
  readonly rules = new Map<string, string>();
  /** Load balancers and target groups created by this apply, to verify before use. */
  readonly created: string[] = [];
  readonly #owned = new Set<string>();

  constructor(actual: ActualStack, keepLoadBalancerName: string | undefined) {
    for (const lb of actual.loadBalancers) {
      this.#owned.add(lb.arn);
      if (lb.name === keepLoadBalancerName) {
        this.loadBalancerArn = lb.arn;
        this.dnsName = lb.dnsName;
      }
    }
    for (const l of actual.listeners) {
      this.#owned.add(l.arn);
      if (l.loadBalancerArn === this.loadBalancerArn) this.listeners.set(l.port, l.arn);
    }
    for (const t of actual.targetGroups) {
      this.#owned.add(t.arn);
      this.targetGroups.set(t.name, t.arn);
    }
    for (const c of actual.certificates) {
      this.#owned.add(c.arn);
      if (!this.certificates.has(c.secret)) this.certificates.set(c.secret, c.arn);
    }
    for (const s of actual.securityGroups) {
      this.#owned.add(s.id);
      this.managedSecurityGroupId ??= s.id;
    }
  }

  own(arnOrId: string): void {
    this.#owned.add(arnOrId);
  }

  /** Throws unless `arnOrId` is owned; a rule is owned when its listener is. */
  assertOwned(operation: string, arnOrId: string): void {
    if (this.#owned.has(arnOrId)) return;
    const rule = /^(.*):listener-rule\/(.*)\/[^/]+$/.exec(arnOrId);
    if (rule !== null && this.#owned.has(`${rule[1]}:listener/${rule[2]}`)) return;
    throw new ApplyError(operation, `refusing to touch ${arnOrId}: it is not owned by this stack`, false);
  }

  lb(operation: string): string {
    if (this.loadBalancerArn === undefined) throw new ApplyError(operation, 'the load balancer does not exist yet');
    return this.loadBalancerArn;
  }

  tg(operation: string, name: string): string {
    const arn = this.targetGroups.get(name);
    if (arn === undefined) throw new ApplyError(operation, `target group ${name} does not exist`);
    return arn;
  }

  listener(operation: string, port: number): string {
    const arn = this.listeners.get(port);
    if (arn === undefined) throw new ApplyError(operation, `listener on port ${port} does not exist`);
    return arn;
  }

  cert(operation: string, key: CertKey): string {
    const secret = secretOfCertKey(key);
    if (secret === undefined) return key;
    const arn = this.certificates.get(secret);
    if (arn === undefined) throw new ApplyError(operation, `certificate for Secret ${secret} was not imported`);
    return arn;
  }

  rule(operation: string, ref: RuleRef): string {
    if ('arn' in ref) return ref.arn;
    const arn = this.rules.get(ref.created);
    if (arn === undefined) throw new ApplyError(operation, `rule ${ref.created} was not created`);
    return arn;
  }

  securityGroup(operation: string, ref: SecurityGroupRef): string {
    if ('id' in ref) return ref.id;
    if ('backend' in ref) {
      if (this.backendSecurityGroupId === undefined)
        throw new ApplyError(operation, 'the backend security group does not exist');
      return this.backendSecurityGroupId;
    }
    if (this.managedSecurityGroupId === undefined)
      throw new ApplyError(operation, 'the managed security group does not exist');
    return this.managedSecurityGroupId;
  }
}
