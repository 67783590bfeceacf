/**
 * Number formatting shared by the markdown and HTML renderers (pure). Every function returns
 * plain text made of digits, signs, '.', ',', '%', '$' and unit letters; the caller escapes it
 * for its format like any other text.
 */

/** A fixed-point number, "n/a" for a missing one. */
export function fixed(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

/** A rate in [0, 1] as a percentage: 0.5 → "50.0%". */
export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? "n/a"
    : `${(value * 100).toFixed(digits)}%`;
}

/** A change with its sign: "+0.100", "-0.050"; a change that rounds to zero is "+0.000", never "-0.000". */
export function signed(value: number, digits = 3): string {
  const text = Math.abs(value).toFixed(digits);
  return Number(text) === 0 || value > 0 ? `+${text}` : `-${text}`;
}

/** A change of a rate in percentage points: 0.1 → "+10.0 pts". */
export function signedPoints(value: number, digits = 1): string {
  return `${signed(value * 100, digits)} pts`;
}

/** A duration people read at a glance: "850ms", "42s", "1m 05s", "2h 03m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "n/a";
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${pad2(minutes % 60)}m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** A cost in US dollars: four decimals below a dollar ("$0.0123"), two above ("$12.35"). */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "n/a";
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** A whole number with thousands separators: 1234567 → "1,234,567". Locale-independent. */
export function formatInteger(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const sign = value < 0 ? "-" : "";
  return sign + String(Math.round(Math.abs(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A token count, compact above ten thousand: 950 → "950", 12_345 → "12.3k", 4_200_000 → "4.2M". */
export function formatTokens(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value < 10_000) return formatInteger(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(1)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** The first seven characters of a commit sha; anything that is not hex becomes "unknown". */
export function shortSha(sha: string | undefined): string {
  return sha !== undefined && /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7).toLowerCase() : "unknown";
}

/** Cuts text to at most `max` characters, ending in "…" when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/** A count with its noun: "1 scenario", "3,000 scenarios". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${formatInteger(count)} ${count === 1 ? noun : nouns}`;
}
