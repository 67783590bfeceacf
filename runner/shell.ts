/**
 * Quotes one value for a POSIX shell command line. Plain words (paths, ids) stay as they are
 * so rendered commands read naturally; anything else is single-quoted.
 */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
