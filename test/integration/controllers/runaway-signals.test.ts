// The runaway signal ports against moto: SQS depth from GetQueueAttributes, and the AWS/SQS
// counters from one GetMetricData batch. moto does not publish AWS/SQS metrics for its queues
// (verified below: a busy queue has no datapoints), so the test publishes them the way SQS
// does, with PutMetricData, and reads them back through the adapter.
import assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Registry } from 'prom-client';
import { AwsClients } from '../../../src/cloud/aws/clients.ts';
import { awsQueueMetrics } from '../../../src/cloud/aws/cloudwatch.ts';
import { awsQueues } from '../../../src/cloud/aws/sqs.ts';
import { isCloudError } from '../../../src/cloud/errors.ts';
import { REGION } from '../cloud/fixtures.ts';

describe('runaway signals against moto', function () {
  this.timeout(30_000);
  const sqs = new SQSClient({ region: REGION });
  const cw = new CloudWatchClient({ region: REGION });
  const clients = new AwsClients({ registry: new Registry(), maxAttempts: 1 });
  const target = { region: REGION };
  const name = `signals-${Date.now()}`;
  let queueUrl: string;

  before(async () => {
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${i}` }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }));
  });

  after(() => {
    sqs.destroy();
    cw.destroy();
    clients.shutdown();
  });

  it('reads visible and in-flight messages with GetQueueAttributes', async () => {
    assert.deepEqual(await awsQueues(clients, target).depth(queueUrl), { visible: 2, notVisible: 1 });
  });

  it('reads a queue by its AWS URL through the endpoint the environment names (moto here), not the URL\'s host', async () => {
    // The URL a user copies from the console; with AWS_ENDPOINT_URL set, the call must still go to it.
    const awsUrl = `https://sqs.${REGION}.amazonaws.com/${new URL(queueUrl).pathname.split('/')[1]}/${name}`;
    assert.ok(process.env.AWS_ENDPOINT_URL, 'the test environment points the SDK at moto');
    assert.deepEqual(await awsQueues(clients, target).depth(awsUrl), { visible: 2, notVisible: 1 });
  });

  it('classifies a missing queue as NotFound', async () => {
    const missing = queueUrl.replace(name, `${name}-absent`);
    await assert.rejects(awsQueues(clients, target).depth(missing), (err: unknown) => isCloudError(err) && err.kind === 'NotFound');
  });

  it('reads AWS/SQS counters of several queues in one GetMetricData call; a queue without datapoints is absent', async () => {
    const now = Date.now();
    // moto publishes nothing for its queues by itself: the busy queue has no datapoints yet.
    assert.equal((await awsQueueMetrics(clients, target).latest([name], now)).size, 0);
    const minute = new Date(Math.floor(now / 60_000) * 60_000 - 60_000);
    const put = (metric: string, value: number) =>
      cw.send(new PutMetricDataCommand({ Namespace: 'AWS/SQS', MetricData: [{ MetricName: metric, Dimensions: [{ Name: 'QueueName', Value: name }], Timestamp: minute, Value: value, Unit: 'Count' }] }));
    await put('NumberOfMessagesReceived', 171);
    await put('NumberOfMessagesDeleted', 100);
    await put('NumberOfMessagesSent', 98);
    const counters = await awsQueueMetrics(clients, target).latest([name, `${name}-quiet`], now);
    assert.deepEqual([...counters.keys()], [name]);
    const c = counters.get(name)!;
    assert.deepEqual([c.sent, c.received, c.deleted, c.periodSeconds], [98, 171, 100, 60]);
  });
});
