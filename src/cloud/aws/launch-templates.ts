// The LaunchTemplates port on EC2 DescribeLaunchTemplateVersions.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { LaunchTemplates } from '../launch-templates.ts';
import { lazy, type AwsClients, type AwsService, type AwsTarget } from './clients.ts';

// The largest SDK package by far (about 80 MiB resident): loaded only when a group's launch
// template must be read to price it.
const sdk = lazy(() => import('@aws-sdk/client-ec2'));

export const EC2: AwsService<EC2Client> = { name: 'ec2', create: async (config) => new (await sdk()).EC2Client(config) };

export function awsLaunchTemplates(clients: AwsClients, target: AwsTarget): LaunchTemplates {
  return {
    async instanceType(ref) {
      const [client, { DescribeLaunchTemplateVersionsCommand }] = await Promise.all([clients.client(EC2, target), sdk()]);
      const out = await clients.call(EC2.name, 'DescribeLaunchTemplateVersions', () =>
        client.send(new DescribeLaunchTemplateVersionsCommand({
          ...(ref.id ? { LaunchTemplateId: ref.id } : { LaunchTemplateName: ref.name }),
          Versions: [ref.version ?? '$Default'],
        })),
      );
      return out.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.InstanceType;
    },
  };
}
