import type { QueryOperations } from '../operations.ts';
import { ec2DescribeOperations } from './describe.ts';
import { instanceOperations } from './instances.ts';
import { networkInterfaceOperations } from './network-interfaces.ts';
import { securityGroupOperations } from './security-groups.ts';

/** The EC2 (ec2 query protocol, Version 2016-11-15) operations an ALB controller needs. */
export const ec2Operations: QueryOperations = {
  ...ec2DescribeOperations,
  ...securityGroupOperations,
  ...networkInterfaceOperations,
  ...instanceOperations,
};

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
