/**
 * What `portico local` puts in the embedded API server before anything else (DESIGN.md): the
 * `portico` IngressClass marked default and one Node, `local-node`, whose InternalIP is 127.0.0.1.
 * The namespaces `default` and `kube-system` are the server's own seed.
 */

export const LOCAL_NODE = 'local-node';
export const LOCAL_NODE_ADDRESS = '127.0.0.1';
/** A syntactically valid EC2 instance ID, so the node can be an instance target. */
export const LOCAL_INSTANCE_ID = 'i-0000000000000000a';
export const LOCAL_CLUSTER_NAME = 'local';
export const LOCAL_REGION = 'us-east-1';

export function localSeed(): Array<Record<string, unknown>> {
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'portico', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'portico.dev/ingress-controller' },
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: LOCAL_NODE,
        labels: {
          'kubernetes.io/hostname': LOCAL_NODE,
          'topology.kubernetes.io/region': LOCAL_REGION,
          'topology.kubernetes.io/zone': `${LOCAL_REGION}a`,
        },
      },
      spec: { providerID: `aws:///${LOCAL_REGION}a/${LOCAL_INSTANCE_ID}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: LOCAL_NODE_ADDRESS },
          { type: 'Hostname', address: LOCAL_NODE },
        ],
        conditions: [{ type: 'Ready', status: 'True', reason: 'PorticoLocal', message: 'portico local node' }],
      },
    },
  ];
}
