// metav1.Time in JSON: RFC 3339, always written in UTC with whole seconds ("2026-11-23T10:00:00Z").

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Formats a time the way metav1.Time marshals it (fractional seconds dropped, not rounded). */
export function formatMetaTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Parses what Go's time.Parse(RFC3339) accepts; undefined for anything else. */
export function parseMetaTime(text: string): Date | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const offsetMinutes = match[7] ? (match[7] === '-' ? -1 : 1) * (Number(match[8]) * 60 + Number(match[9])) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || Number(match[8] ?? 0) > 23 || Number(match[9] ?? 0) > 59) {
    return undefined;
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years below 100 literal, unlike Date.UTC
  if (date.getUTCDate() !== day) return undefined; // e.g. February 30th
  date.setUTCHours(hour, minute - offsetMinutes, second, 0);
  return date;
}

/** Re-renders an RFC 3339 timestamp as metav1.Time would after a decode/encode round trip. */
export function normalizeMetaTime(text: string): string | undefined {
  const date = parseMetaTime(text);
  return date === undefined ? undefined : formatMetaTime(date);
}
