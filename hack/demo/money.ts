// The demo's cost estimate uses the operator's own shipped price table (on-demand, us-east-1).
import { SHIPPED_PRICES } from '../../src/cloud/pricing/prices.ts';
import { INSTANCE_TYPE, REGION } from './aws.ts';

/** USD per instance-hour of the demo's instance type. */
export function pricePerInstanceHour(): number {
  const micros = SHIPPED_PRICES.hourly(REGION, INSTANCE_TYPE);
  if (micros === undefined) throw new Error(`the price table has no ${INSTANCE_TYPE} in ${REGION}`);
  return micros / 1_000_000;
}
