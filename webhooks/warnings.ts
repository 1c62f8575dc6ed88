// Admission warnings the apiserver passes on intact. It drops a warning that holds a newline or a
// control character, and once the warnings of a request exceed 4,096 characters in all it cuts each
// to 256; so every warning is made a single line of fewer than 120 characters, and the list stops
// before the total budget is spent.

export const MAX_WARNING_LENGTH = 119;
export const MAX_WARNINGS_TOTAL = 4_000;

// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function sanitizeWarning(text: string): string {
  const line = text.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
  const chars = Array.from(line); // code points, so a cut never splits a surrogate pair
  return chars.length <= MAX_WARNING_LENGTH ? line : `${chars.slice(0, MAX_WARNING_LENGTH - 3).join('')}...`;
}

/** Sanitised, de-duplicated, non-empty warnings within the total budget; undefined when none remain. */
export function sanitizeWarnings(warnings: readonly string[] | undefined): string[] | undefined {
  if (!warnings || warnings.length === 0) return undefined;
  const out: string[] = [];
  let total = 0;
  for (const warning of warnings) {
    const clean = sanitizeWarning(warning);
    if (clean === '' || out.includes(clean)) continue;
    if (total + clean.length > MAX_WARNINGS_TOTAL) break;
    total += clean.length;
    out.push(clean);
  }
  return out.length > 0 ? out : undefined;
}
