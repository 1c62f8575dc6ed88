// Go compares strings byte by byte (UTF-8), which is code point order. JavaScript's `<` compares UTF-16 code
// units; the two disagree only between astral characters (surrogate pairs) and U+E000..U+FFFF.

/** Orders strings as Go's `<` does; use it wherever Kruise sorts names or map keys. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (code points >= U+10000) above U+E000..U+FFFF while keeping every other order. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Sorted copy, Go order. */
export function sortedGoStrings(values: Iterable<string>): string[] {
  return [...values].sort(compareGoStrings);
}
