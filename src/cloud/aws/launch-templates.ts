// The LaunchTemplates port on EC2 DescribeLaunchTemplateVersions.
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { LaunchTemplates } from '../launch-templates.ts';
import type { AwsClients, AwsService, AwsTarget } from './clients.ts';

export const EC2: AwsService<EC2Client> = { name: 'ec2', create: (config) => new EC2Client(config) };

export function awsLaunchTemplates(clients: AwsClients, target: AwsTarget): LaunchTemplates {
  return {
    async instanceType(ref) {
      const client = clients.client(EC2, target);
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
