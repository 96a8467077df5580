// The CostGuard resource as the runtime addresses it.
import { GROUP, KIND, PLURAL, VERSION, type CostGuard } from '../api/v1alpha1/index.ts';
import type { ResourceType } from '../runtime/kube/resource.ts';
import type { AwsTarget } from '../cloud/aws/clients.ts';

export const COSTGUARD_RESOURCE: ResourceType = { group: GROUP, version: VERSION, plural: PLURAL, kind: KIND, namespaced: true };

/** The guard's AWS account access: its own region/role, else the operator's default region. */
export function awsTargetOf(guard: CostGuard, defaultRegion: string): AwsTarget {
  const aws = guard.spec.aws;
  const session = { namespace: guard.metadata.namespace ?? '', name: guard.metadata.name ?? '' };
  return { region: aws?.region ?? defaultRegion, ...(aws?.roleArn ? { roleArn: aws.roleArn, session } : {}) };
}
