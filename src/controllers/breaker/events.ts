// Event constructors of the fleet breaker view.
import { normalEvent, warningEvent, type EventSpec, type ObjectReference } from '../../runtime/events.ts';

export function breakerOpenedEvent(regarding: ObjectReference, message: string): EventSpec {
  return warningEvent(regarding, 'FleetBreakerOpened', message);
}

export function breakerClosedEvent(regarding: ObjectReference, message: string): EventSpec {
  return normalEvent(regarding, 'FleetBreakerClosed', message);
}
