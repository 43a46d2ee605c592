import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aws_eks as eksCfn, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IDependable } from 'constructs';
import { repoRoot } from './paths.ts';

/** Props of {@link ControllerIdentity}. */
export interface ControllerIdentityProps {
  /** The EKS cluster's name. */
  readonly clusterName: string;
  /**
   * The EKS Pod Identity Agent add-on, which serves the credentials: the association waits for it.
   * @default no dependency (the agent is managed elsewhere)
   */
  readonly podIdentityAgent?: IDependable;
  /** Namespace of the controller's ServiceAccount (the Helm release namespace). */
  readonly namespace: string;
  /** Name of the controller's ServiceAccount (the chart's full name, `portico` for release `portico`). */
  readonly serviceAccount: string;
  /**
   * The policy document to attach.
   * @default manifests/iam/policy.json, generated from the AWS calls the code makes
   */
  readonly policyDocument?: Record<string, unknown>;
}

/** Reads the committed, generated IAM policy for the controller. */
export function loadControllerPolicy(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot, 'manifests', 'iam', 'policy.json'), 'utf8')) as Record<string, unknown>;
}

/**
 * The controller's AWS identity through EKS Pod Identity: a role only the EKS pod-identity service can
 * assume, carrying exactly the generated policy, associated with the controller's ServiceAccount. The
 * ServiceAccount itself is the Helm chart's, so the association needs no annotation on it.
 */
export class ControllerIdentity extends Construct {
  /** The role the controller's pods run as. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ControllerIdentityProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: 'Portico ingress controller',
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
    });
    const document = props.policyDocument ?? loadControllerPolicy();
    const statements = document['Statement'];
    // The generated document is empty only while no provider code calls AWS; IAM rejects an empty policy.
    if (Array.isArray(statements) && statements.length > 0) {
      new iam.ManagedPolicy(this, 'Policy', {
        description: 'Portico controller: generated from the AWS operations the code calls (manifests/iam/policy.json)',
        document: iam.PolicyDocument.fromJson(document),
        roles: [this.role],
      });
    }
    const association = new eksCfn.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.roleArn,
    });
    // Credentials are served by the agent; pods started before it exists would run without them.
    if (props.podIdentityAgent !== undefined) association.node.addDependency(props.podIdentityAgent);
  }
}
