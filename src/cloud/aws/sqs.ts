// The Queues port on Amazon SQS: GetQueueAttributes for the two depth attributes, nothing else.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth, Queues } from '../queues.ts';
import { lazy, type AwsClients, type AwsService, type AwsTarget } from './clients.ts';

const sdk = lazy(() => import('@aws-sdk/client-sqs'));

export const SQS: AwsService<SQSClient> = { name: 'sqs', create: async (config) => new (await sdk()).SQSClient(config) };

export function awsQueues(clients: AwsClients, target: AwsTarget): Queues {
  return {
    depth: async (queueUrl: string): Promise<QueueDepth> => {
      const [client, { GetQueueAttributesCommand }] = await Promise.all([clients.client(SQS, target), sdk()]);
      const out = await clients.call(SQS.name, 'GetQueueAttributes', () =>
        client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })),
      );
      return {
        visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
        notVisible: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    },
  };
}
