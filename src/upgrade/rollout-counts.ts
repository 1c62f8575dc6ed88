// How many Pods a rolling sidecar upgrade may hold back (partition) and leave unavailable
// (maxUnavailable), from an int or a percentage of the matched Pods, rounded the way Kruise >= 1.8
// rounds them (spec Part B §7.3 step 3).
import type { IntOrString } from '../api/sidecarset.ts';

/**
 * Kruise's CalculatePartitionReplicas: a percentage rounds up, but anything short of "100%" still lets
 * one Pod move when there are two or more; clamped to [0, total]. Unparsable values count as 0.
 */
export function partitionCount(partition: IntOrString | undefined, total: number): number {
  if (partition === undefined) return 0;
  let value: number;
  if (typeof partition === 'number') value = Math.trunc(partition);
  else {
    if (!partition.endsWith('%')) return 0;
    const percent = goParseFloat(partition.slice(0, -1));
    if (percent === undefined) return 0;
    value = Math.ceil((percent * total) / 100);
    if (total > 1 && value === total && partition !== '100%') value = total - 1;
  }
  return Math.max(Math.min(value, total), 0);
}

/**
 * intstr.GetValueFromIntOrPercent(value, total, roundUp=true) with Kruise's default of 1. Like
 * apimachinery's legacy parser, every '%' is dropped and the rest must be an integer; an unparsable
 * value yields 0 (Kruise ignores the error), which lets only not-ready Pods move.
 */
export function maxUnavailableCount(maxUnavailable: IntOrString | undefined, total: number): number {
  if (maxUnavailable === undefined) return 1;
  if (typeof maxUnavailable === 'number') return Math.trunc(maxUnavailable);
  const digits = maxUnavailable.replaceAll('%', '');
  if (!/^[+-]?\d+$/.test(digits)) return 0;
  return Math.ceil((Number(digits) * total) / 100);
}

/** strconv.ParseFloat for the decimal forms a percentage can take; undefined where Go fails. */
function goParseFloat(text: string): number | undefined {
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
