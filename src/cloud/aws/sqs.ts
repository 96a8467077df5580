// The Queues port on Amazon SQS: GetQueueAttributes for the two depth attributes, nothing else.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth, Queues } from '../queues.ts';
import { lazy, type AwsClients, type AwsService, type AwsTarget } from './clients.ts';

const sdk = lazy(() => import('@aws-sdk/client-sqs'));

/**
 * The SDK sends SQS calls to the queue URL's host unless the client was given an endpoint. An
 * endpoint from the environment (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SQS: moto, LocalStack, a
 * proxy) does not count as given, so `https://sqs.<region>.amazonaws.com/…` queue URLs would
 * bypass it; the endpoint chosen for the operator is the one every call must reach.
 */
function endpointFromEnv(): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL);
}

export const SQS: AwsService<SQSClient> = {
  name: 'sqs',
  create: async (config) => new (await sdk()).SQSClient({ ...config, ...(!config.endpoint && endpointFromEnv() ? { useQueueUrlAsEndpoint: false } : {}) }),
};

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
