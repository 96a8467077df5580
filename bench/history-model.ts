// A month of one-minute desired capacity for a fleet of Auto Scaling groups, seeded: each group
// follows a daily curve (night trough at ~40 % of its peak, a lower weekend), ±8 % noise, and
// on a few days a normal flash crowd (+25 % for 20–40 minutes). One group has a runaway: from
// 02:00 on one night capacity climbs to 4× its usual peak within the hour and stays there
// until 09:00, when someone notices. What recommend sees is only this history.
import { rng } from '../hack/traces/model.ts';

export interface GroupHistory {
  name: string;
  /** One value per minute from `startMs`. */
  desired: number[];
  /** The runaway's day index, for scoring only (recommend never sees it). */
  runawayDay?: number;
}

export interface FleetOptions {
  groups: number;
  days: number;
  seed: number;
  /** Index of the group with the runaway, and the day it happens. */
  runaway: { group: number; day: number };
}

const MINUTES_PER_DAY = 1440;

/** The daily curve: 0.4 at 03:00, 1.0 at 15:00; weekends at 70 %. */
function shape(day: number, minute: number): number {
  const daily = 0.7 - 0.3 * Math.cos((2 * Math.PI * (minute - 180)) / MINUTES_PER_DAY);
  return day % 7 >= 5 ? daily * 0.7 : daily;
}

function flashCrowds(random: () => number, days: number): Map<number, { from: number; to: number }> {
  const out = new Map<number, { from: number; to: number }>();
  for (let d = 0; d < days; d++) {
    if (random() >= 0.2) continue;
    const from = 600 + Math.floor(random() * 480);
    out.set(d, { from, to: from + 20 + Math.floor(random() * 20) });
  }
  return out;
}

function runawayLevel(minute: number, peak: number): number | undefined {
  if (minute < 120 || minute >= 540) return undefined;
  return Math.round(peak * Math.min(4, 1 + (3 * (minute - 120)) / 60));
}

function groupHistory(index: number, o: FleetOptions, random: () => number): GroupHistory {
  const peak = 4 + Math.floor(random() * 20);
  const crowds = flashCrowds(random, o.days);
  const runawayDay = o.runaway.group === index ? o.runaway.day : undefined;
  const desired: number[] = [];
  for (let i = 0; i < o.days * MINUTES_PER_DAY; i++) {
    const day = Math.floor(i / MINUTES_PER_DAY);
    const minute = i % MINUTES_PER_DAY;
    const crowd = crowds.get(day);
    const boost = crowd && minute >= crowd.from && minute < crowd.to ? 1.25 : 1;
    const normal = Math.max(1, Math.round(peak * shape(day, minute) * boost * (0.92 + 0.16 * random())));
    desired.push(day === runawayDay ? (runawayLevel(minute, peak) ?? normal) : normal);
  }
  return { name: `worker-${String(index).padStart(2, '0')}`, desired, ...(runawayDay !== undefined ? { runawayDay } : {}) };
}

export function simulateFleet(o: FleetOptions): GroupHistory[] {
  const random = rng(o.seed);
  return Array.from({ length: o.groups }, (_, i) => groupHistory(i, o, random));
}

/** Instance-minutes per day with capacity held at or below `ceiling` (Infinity: no ceiling). */
export function dailyInstanceMinutes(desired: readonly number[], ceiling: number): number[] {
  const days: number[] = [];
  desired.forEach((d, i) => {
    const day = Math.floor(i / MINUTES_PER_DAY);
    days[day] = (days[day] ?? 0) + Math.min(d, ceiling);
  });
  return days;
}

/** Minutes per day the group asked for more than the ceiling. */
export function dailyBindingMinutes(desired: readonly number[], ceiling: number): number[] {
  const days: number[] = [];
  desired.forEach((d, i) => {
    const day = Math.floor(i / MINUTES_PER_DAY);
    days[day] = (days[day] ?? 0) + (d > ceiling ? 1 : 0);
  });
  return days;
}
