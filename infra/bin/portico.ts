/**
 * The CDK app: `npx cdk synth` (offline) or `npx cdk deploy`. Context (`-c key=value`):
 *   portico:clusterName   EKS cluster name and Portico's --cluster-name (default portico-demo)
 *   portico:image         prebuilt controller image repository:tag (default: build the Dockerfile)
 *   portico:exampleApp    'false' to skip the example application
 */
import { App } from 'aws-cdk-lib';
import { PorticoEksStack } from '../lib/portico-eks-stack.ts';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
new PorticoEksStack(app, 'PorticoEks', {
  clusterName: context('portico:clusterName'),
  image: context('portico:image'),
  exampleApp: context('portico:exampleApp') !== 'false',
  env: { account: process.env['CDK_DEFAULT_ACCOUNT'], region: process.env['CDK_DEFAULT_REGION'] },
});
app.synth();
