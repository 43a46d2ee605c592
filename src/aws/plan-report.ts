import type { Action, Condition, Stack } from '../model/stack.ts';
import type { Plan } from './plan.ts';
import type { NormalAction } from './plan-normal.ts';
import type { Operation } from './plan-operations.ts';
import { permissionKey, PHASE } from './plan-operations.ts';

/**
 * What `portico plan` prints: per stack, the load balancer, the priority table of every listener
 * (so shadowing is visible), and the exact AWS calls apply would make, in order. Pure.
 */
export interface PlannedCall {
  readonly service: 'elbv2' | 'ec2' | 'acm';
  readonly operation: string;
  /** One line of the call's essential parameters. */
  readonly detail: string;
}

export interface PriorityRow {
  readonly port: number;
  readonly priority: number;
  readonly conditions: string;
  readonly actions: string;
  readonly sources: readonly string[];
}

export interface StackReport {
  readonly stackId: string;
  readonly loadBalancer: string;
  readonly scheme: string;
  readonly listeners: readonly string[];
  readonly priorityTable: readonly PriorityRow[];
  readonly calls: readonly PlannedCall[];
}

export function stackReport(stack: Stack, plan: Plan): StackReport {
  const tgName = new Map(stack.targetGroups.map((t) => [t.id, t.name]));
  const rows: PriorityRow[] = [];
  for (const l of stack.listeners) {
    for (const r of l.rules) {
      rows.push({
        port: l.port,
        priority: r.priority,
        conditions: r.conditions.map(conditionText).join(' AND '),
        actions: r.actions.map((a) => modelActionText(a, (id) => tgName.get(id) ?? id)).join(', '),
        sources: r.sources,
      });
    }
    rows.push({
      port: l.port,
      priority: 0,
      conditions: 'default',
      actions: l.defaultActions.map((a) => modelActionText(a, (id) => tgName.get(id) ?? id)).join(', '),
      sources: [],
    });
  }
  return {
    stackId: stack.id,
    loadBalancer: stack.loadBalancer.name,
    scheme: stack.loadBalancer.scheme,
    listeners: stack.listeners.map((l) => `${l.protocol}:${l.port}`),
    priorityTable: rows,
    calls: plannedCalls(plan.operations),
  };
}

/** The AWS calls of a plan, in apply order (within a phase, apply may run lanes concurrently). */
export function plannedCalls(operations: readonly Operation[]): PlannedCall[] {
  const out: PlannedCall[] = [];
  let created = 0;
  let phase = -1;
  const flushVerify = () => {
    for (let i = 0; i < created; i += 20) {
      out.push({
        service: 'elbv2',
        operation: 'DescribeTags',
        detail: `verify ownership of ${Math.min(20, created - i)} new resource(s)`,
      });
    }
    created = 0;
  };
  for (const op of operations) {
    if (op.phase !== phase) {
      if (phase === PHASE.create) flushVerify();
      phase = op.phase;
    }
    if (op.op === 'createLoadBalancer' || op.op === 'createTargetGroup') created++;
    out.push(...callsOf(op));
  }
  if (phase === PHASE.create) flushVerify();
  return out;
}

function callsOf(op: Operation): PlannedCall[] {
  const elb = (operation: string, detail: string): PlannedCall => ({ service: 'elbv2', operation, detail });
  switch (op.op) {
    case 'importCertificate':
      return op.reimportArn === undefined
        ? [{ service: 'acm', operation: 'ImportCertificate', detail: `Secret ${op.secret}` }]
        : [
            {
              service: 'acm',
              operation: 'ImportCertificate',
              detail: `re-import Secret ${op.secret} into ${op.reimportArn}`,
            },
            {
              service: 'acm',
              operation: 'AddTagsToCertificate',
              detail: `${op.reimportArn} config-hash=${op.configHash}`,
            },
          ];
    case 'deleteCertificate':
      return [{ service: 'acm', operation: 'DeleteCertificate', detail: `${op.arn} (Secret ${op.secret})` }];
    case 'createSecurityGroup':
      return [{ service: 'ec2', operation: 'CreateSecurityGroup', detail: op.name }];
    case 'authorizeIngress':
      return [
        {
          service: 'ec2',
          operation: 'AuthorizeSecurityGroupIngress',
          detail: op.permissions.map(permissionKey).join(' '),
        },
      ];
    case 'revokeIngress':
      return [
        {
          service: 'ec2',
          operation: 'RevokeSecurityGroupIngress',
          detail: `${op.groupId} ${op.permissions.map(permissionKey).join(' ')}`,
        },
      ];
    case 'deleteSecurityGroup':
      return [{ service: 'ec2', operation: 'DeleteSecurityGroup', detail: op.groupId }];
    case 'createBackendSecurityGroup':
      return [
        { service: 'ec2', operation: 'CreateSecurityGroup', detail: `${op.name} (backend, shared by the cluster)` },
      ];
    case 'authorizeBackendRules':
      return [
        {
          service: 'ec2',
          operation: 'AuthorizeSecurityGroupIngress',
          detail: `${op.groupId} tcp:${op.ports.join(',')} from ${'id' in op.source ? op.source.id : 'the backend group'}`,
        },
      ];
    case 'revokeBackendRules':
      return [
        {
          service: 'ec2',
          operation: 'RevokeSecurityGroupIngress',
          detail: `${op.groupId} tcp:${op.ports.join(',')} from ${op.sourceGroupId}`,
        },
      ];
    case 'deleteBackendSecurityGroup':
      return [{ service: 'ec2', operation: 'DeleteSecurityGroup', detail: `${op.groupId} (backend)` }];
    case 'createLoadBalancer':
      return [
        elb(
          'CreateLoadBalancer',
          `${op.name} ${op.scheme} ${op.ipAddressType} subnets=${op.subnetIds.join(',') || '(discovered)'}`,
        ),
      ];
    case 'setSubnets':
      return [elb('SetSubnets', op.subnetIds.join(','))];
    case 'setSecurityGroups':
      return [elb('SetSecurityGroups', op.securityGroups.map((g) => ('id' in g ? g.id : 'managed')).join(','))];
    case 'setIpAddressType':
      return [elb('SetIpAddressType', op.ipAddressType)];
    case 'modifyLoadBalancerAttributes':
      return [elb('ModifyLoadBalancerAttributes', op.attributes.map((a) => `${a.key}=${a.value}`).join(' '))];
    case 'deleteLoadBalancer':
      return [elb('DeleteLoadBalancer', op.name)];
    case 'createTargetGroup':
      return [elb('CreateTargetGroup', `${op.name} ${op.protocol}:${op.port} ${op.targetType} (${op.id})`)];
    case 'modifyTargetGroup':
      return [elb('ModifyTargetGroup', `${op.name} health check ${op.healthCheck.path}`)];
    case 'modifyTargetGroupAttributes':
      return [
        elb('ModifyTargetGroupAttributes', `${op.name} ${op.attributes.map((a) => `${a.key}=${a.value}`).join(' ')}`),
      ];
    case 'registerTargets':
    case 'deregisterTargets': {
      const calls: PlannedCall[] = [];
      for (let i = 0; i < op.targets.length; i += 200) {
        const batch = op.targets.slice(i, i + 200).map((t) => `${t.id}:${t.port}`);
        calls.push(
          elb(op.op === 'registerTargets' ? 'RegisterTargets' : 'DeregisterTargets', `${op.name} ${batch.join(' ')}`),
        );
      }
      return calls;
    }
    case 'tagTargetGroup': {
      const calls: PlannedCall[] = [];
      if (Object.keys(op.tags).length > 0) calls.push(elb('AddTags', `${op.name} ${Object.keys(op.tags).join(' ')}`));
      if ((op.removeKeys ?? []).length > 0)
        calls.push(elb('RemoveTags', `${op.name} ${(op.removeKeys ?? []).join(' ')}`));
      return calls;
    }
    case 'deleteTargetGroup':
      return [elb('DeleteTargetGroup', op.name)];
    case 'createListener':
      return [
        elb(
          'CreateListener',
          `${op.protocol}:${op.port} default: ${op.defaultActions.map(normalActionText).join(', ')}`,
        ),
      ];
    case 'modifyListener':
      return [
        elb(
          'ModifyListener',
          `${op.protocol}:${op.port} default: ${op.defaultActions.map(normalActionText).join(', ')}`,
        ),
      ];
    case 'modifyListenerAttributes':
      return [elb('ModifyListenerAttributes', `port ${op.port}`)];
    case 'addListenerCertificates':
      return [elb('AddListenerCertificates', `port ${op.port} ${op.certificates.join(' ')}`)];
    case 'removeListenerCertificates':
      return [elb('RemoveListenerCertificates', `port ${op.port} ${op.certificates.join(' ')}`)];
    case 'deleteListener':
      return [elb('DeleteListener', `port ${op.port}`)];
    case 'createRule':
      return [
        elb(
          'CreateRule',
          `port ${op.port} priority ${op.priority}: ${op.conditions.map(conditionText).join(' AND ')} → ${op.actions.map(normalActionText).join(', ')}`,
        ),
      ];
    case 'setRulePriorities':
      return [
        elb(
          'SetRulePriorities',
          `port ${op.port}: ${op.priorities.map((p) => `${'arn' in p.rule ? shortArn(p.rule.arn) : `new ${p.rule.created}`}→${p.priority}`).join(' ')}`,
        ),
      ];
    case 'deleteRule':
      return [elb('DeleteRule', `port ${op.port} priority ${op.priority}`)];
    case 'tagLoadBalancer': {
      const calls = [elb('AddTags', `load balancer ${Object.keys(op.tags).join(' ')}`)];
      if ((op.removeKeys ?? []).length > 0)
        calls.push(elb('RemoveTags', `load balancer ${(op.removeKeys ?? []).join(' ')}`));
      return calls;
    }
  }
}

function shortArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function conditionText(c: Condition): string {
  const vals = (v: readonly string[]) => v.join('|');
  switch (c.field) {
    case 'host-header':
    case 'path-pattern':
      return `${c.field}=${vals([...c.values, ...(c.regexValues ?? []).map((r) => `~${r}`)])}`;
    case 'http-header':
      return `http-header ${c.headerName}=${vals(c.values)}`;
    case 'http-request-method':
    case 'source-ip':
      return `${c.field}=${vals(c.values)}`;
    case 'query-string':
      return `query-string=${c.values.map((v) => `${v.key ?? ''}:${v.value}`).join('|')}`;
  }
}

function modelActionText(a: Action, tgName: (id: string) => string): string {
  if (a.type === 'forward') {
    return `forward ${a.targetGroups.map((t) => (a.targetGroups.length > 1 ? `${tgName(t.targetGroupId)}@${t.weight}` : tgName(t.targetGroupId))).join(' ')}`;
  }
  return terminalText(a);
}

function normalActionText(a: NormalAction): string {
  if (a.type === 'forward') {
    return `forward ${a.targetGroups.map((t) => (a.targetGroups.length > 1 ? `${t.name}@${t.weight}` : t.name)).join(' ')}`;
  }
  return terminalText(a);
}

function terminalText(a: {
  type: string;
  statusCode?: string;
  protocol?: string;
  host?: string;
  port?: string;
  path?: string;
}): string {
  if (a.type === 'redirect') {
    return `redirect ${a.statusCode ?? ''} ${a.protocol ?? '#{protocol}'}://${a.host ?? '#{host}'}:${a.port ?? '#{port}'}${a.path ?? '/#{path}'}`;
  }
  if (a.type === 'fixed-response') return `fixed-response ${a.statusCode ?? ''}`;
  return a.type;
}

export function reportText(report: StackReport): string {
  const lines = [
    `Stack ${report.stackId}: load balancer ${report.loadBalancer} (${report.scheme}), listeners ${report.listeners.join(', ') || 'none'}`,
    '',
    'Priority table:',
  ];
  for (const r of report.priorityTable) {
    const prio = r.priority === 0 ? 'default' : String(r.priority);
    const src = r.sources.length > 0 ? `  [${r.sources.join(', ')}]` : '';
    lines.push(`  ${String(r.port).padStart(5)} ${prio.padStart(7)}  ${r.conditions} → ${r.actions}${src}`);
  }
  lines.push('', `AWS calls (${report.calls.length}):`);
  report.calls.forEach((c, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${c.service}:${c.operation} ${c.detail}`));
  if (report.calls.length === 0) lines.push('  none: AWS already holds this stack');
  return `${lines.join('\n')}\n`;
}
