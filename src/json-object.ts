// The one shape test every reader of decoded JSON needs.

/** A JSON object: neither null nor an array. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
