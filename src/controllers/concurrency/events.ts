// Event constructors of the concurrency controller.
import { normalEvent, warningEvent, type EventSpec, type ObjectReference } from '../../runtime/events.ts';
import type { ConcurrencyDecision } from './decide.ts';

export function newsEvent(regarding: ObjectReference, news: NonNullable<ConcurrencyDecision['news']>): EventSpec {
  if (news.reason === 'FleetCapUnreachable') return warningEvent(regarding, news.reason, news.message);
  return normalEvent(regarding, news.reason, news.message);
}

export function publishFailedEvent(regarding: ObjectReference, message: string): EventSpec {
  return warningEvent(regarding, 'PublishFailed', message);
}
