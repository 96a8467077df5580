// The Queues port on Amazon SQS: GetQueueAttributes for the two depth attributes, nothing else.
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth, Queues } from '../queues.ts';
import type { AwsClients, AwsService, AwsTarget } from './clients.ts';

export const SQS: AwsService<SQSClient> = { name: 'sqs', create: (config) => new SQSClient(config) };

export function awsQueues(clients: AwsClients, target: AwsTarget): Queues {
  return {
    depth: async (queueUrl: string): Promise<QueueDepth> => {
      const client = clients.client(SQS, target);
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
