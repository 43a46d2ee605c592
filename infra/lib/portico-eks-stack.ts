import { join } from 'node:path';
import {
  Stack,
  Tags,
  aws_ec2 as ec2,
  aws_ecr_assets as ecrAssets,
  aws_eks_v2 as eks,
  aws_s3_assets as s3Assets,
} from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import type { Construct } from 'constructs';
import { ControllerIdentity } from './controller-identity.ts';
import { exampleAppManifests } from './example-app.ts';
import { repoRoot } from './paths.ts';

/** Props of {@link PorticoEksStack}. */
export interface PorticoEksStackProps extends StackProps {
  /**
   * EKS cluster name; also Portico's `--cluster-name`, the value of its ownership tag.
   * @default 'portico-demo'
   */
  readonly clusterName?: string;
  /**
   * A prebuilt controller image (`repository:tag`).
   * @default the repository's Dockerfile, built and pushed to the CDK assets repository at deploy time
   */
  readonly image?: string;
  /**
   * Deploy the example application behind an Ingress.
   * @default true
   */
  readonly exampleApp?: boolean;
  /**
   * Worker nodes in the default managed node group.
   * @default 2
   */
  readonly nodes?: number;
}

/** Namespace and release of the Helm install; the ServiceAccount is `portico` for release `portico`. */
const NAMESPACE = 'portico-system';
const RELEASE = 'portico';

/**
 * A VPC whose subnets are tagged for load balancers, an EKS cluster, Portico's IAM role (the generated
 * policy, through EKS Pod Identity), Portico installed from manifests/helm/portico, and an example app.
 */
export class PorticoEksStack extends Stack {
  readonly cluster: eks.Cluster;
  readonly controller: ControllerIdentity;
  readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: PorticoEksStackProps = {}) {
    super(scope, id, props);
    const clusterName = props.clusterName ?? 'portico-demo';

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
    });
    // Subnet discovery: internet-facing load balancers go to subnets tagged role/elb, internal ones to
    // role/internal-elb; the cluster tag keeps another cluster's controller from picking them.
    for (const subnet of vpc.publicSubnets) Tags.of(subnet).add('kubernetes.io/role/elb', '1');
    for (const subnet of vpc.privateSubnets) Tags.of(subnet).add('kubernetes.io/role/internal-elb', '1');
    for (const subnet of [...vpc.publicSubnets, ...vpc.privateSubnets]) {
      Tags.of(subnet).add(`kubernetes.io/cluster/${clusterName}`, 'shared');
    }

    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName,
      version: eks.KubernetesVersion.V1_35,
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: props.nodes ?? 2,
      defaultCapacityInstance: new ec2.InstanceType('t3.medium'),
      kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(this, 'KubectlLayer') },
    });

    this.controller = new ControllerIdentity(this, 'Controller', {
      clusterName: this.cluster.clusterName,
      podIdentityAgent: this.cluster.eksPodIdentityAgent,
      namespace: NAMESPACE,
      serviceAccount: RELEASE,
    });

    this.chart = this.cluster.addHelmChart('Portico', {
      chartAsset: new s3Assets.Asset(this, 'ChartAsset', { path: join(repoRoot, 'manifests', 'helm', 'portico') }),
      release: RELEASE,
      namespace: NAMESPACE,
      createNamespace: true,
      wait: true,
      values: {
        clusterName,
        region: this.region,
        image: imageValues(this, props.image),
        // Standard Ingress TLS and the example app below use this class.
        ingressClass: { name: 'portico', default: false },
      },
    });
    // The role and its association must exist before the controller's first AWS call.
    this.chart.node.addDependency(this.controller);

    if (props.exampleApp ?? true) {
      const app = this.cluster.addManifest('ExampleApp', ...exampleAppManifests());
      // The Ingress needs the IngressClass (and a running controller) from the chart.
      app.node.addDependency(this.chart);
    }
  }
}

function imageValues(scope: Construct, image: string | undefined): { repository: string; tag: string } {
  if (image !== undefined) {
    const colon = image.lastIndexOf(':');
    if (colon <= image.lastIndexOf('/')) throw new Error(`portico:image must be repository:tag, got '${image}'`);
    return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  }
  const asset = new ecrAssets.DockerImageAsset(scope, 'ControllerImage', {
    directory: repoRoot,
    // Only what the Dockerfile copies: staging the whole repository (node_modules, .git) would be slow.
    exclude: ['*', '!Dockerfile', '!package.json', '!package-lock.json', '!src'],
    platform: ecrAssets.Platform.LINUX_AMD64,
  });
  return { repository: asset.repository.repositoryUri, tag: asset.imageTag };
}
