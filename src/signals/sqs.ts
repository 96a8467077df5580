// SQS signals: queue depth from GetQueueAttributes (any rate, always current), DLQ inflow as the
// growth of the dead-letter queue's depth between samples (CloudWatch's NumberOfMessagesSent
// does not count messages SQS moves to a DLQ), and the sent/received/deleted counters from
// CloudWatch through a batch shared by every guard of the region (see queue-metrics.ts).
import type { QueueCounters, Queues } from '../cloud/queues.ts';
import { queueNameOf } from '../cloud/queues.ts';
import type { SampleContext, SignalSource, SignalValues } from './source.ts';

export function sqsDepthSource(queues: Queues, queueUrl: string, dlqUrl?: string): SignalSource {
  let lastDlq: number | undefined;
  return {
    name: 'sqs',
    read: async () => {
      const depth = await queues.depth(queueUrl);
      const out: SignalValues = { sqs_visible: depth.visible, sqs_not_visible: depth.notVisible };
      if (dlqUrl) {
        const dlq = await queues.depth(dlqUrl);
        if (lastDlq !== undefined) out.dlq_in = Math.max(0, dlq.visible - lastDlq);
        lastDlq = dlq.visible;
      }
      return out;
    },
  };
}

export interface QueueCountersReader {
  counters(queueName: string, nowMs: number): Promise<QueueCounters | undefined>;
}

export function sqsCountersSource(reader: QueueCountersReader, queueUrl: string): SignalSource {
  const name = queueNameOf(queueUrl);
  return {
    name: 'cloudwatch',
    read: async (ctx: SampleContext) => {
      const c = await reader.counters(name, ctx.nowMs);
      if (!c) return {};
      // A one-minute sum, scaled to the sampling interval.
      const scale = ctx.intervalSeconds / c.periodSeconds;
      const out: SignalValues = {};
      if (c.sent !== undefined) out.sqs_sent = Math.round(c.sent * scale);
      if (c.received !== undefined) out.sqs_received = Math.round(c.received * scale);
      if (c.deleted !== undefined) out.sqs_deleted = Math.round(c.deleted * scale);
      return out;
    },
  };
}
