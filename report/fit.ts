/**
 * Fitting a rendered report into a size limit (pure): the renderer is called with fewer rows
 * until the text fits, dropping detail in a fixed order, and the renderer itself says what it
 * left out. Only if even the shortest rendering is too long is the text cut, with a note.
 */

/** How many rows a renderer may show: per-scenario details, and rows of each change table. */
export interface RowBudget {
  details: number;
  changes: number;
}

export interface FitOptions {
  render: (budget: RowBudget) => string;
  /** The size GitHub counts: characters for comments, UTF-8 bytes for job summaries. */
  size: (text: string) => number;
  limit: number;
  /** The row counts that show everything. */
  full: RowBudget;
  /** Appended when the text had to be cut anyway. */
  cutNote: string;
}

/** The largest n in [low, high] with fits(n), assuming fits is monotone; low - 1 when none fits. */
function largestFitting(low: number, high: number, fits: (n: number) => boolean): number {
  let best = low - 1;
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) {
      best = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

/**
 * Renders in full if that fits; otherwise shows as many per-scenario detail rows as fit; then,
 * with no detail rows, as many change rows as fit; then cuts the shortest rendering at a line
 * boundary and appends `cutNote`. The result is never over `limit`.
 */
export function fitToLimit(options: FitOptions): string {
  const { render, size, limit, full } = options;
  const fits = (text: string) => size(text) <= limit;
  const whole = render(full);
  if (fits(whole)) return whole;

  const details = largestFitting(0, full.details - 1, (n) => fits(render({ ...full, details: n })));
  if (details >= 0) return render({ ...full, details });

  const changes = largestFitting(0, full.changes - 1, (n) => fits(render({ details: 0, changes: n })));
  if (changes >= 0) return render({ details: 0, changes });

  return cut(render({ details: 0, changes: 0 }), options);
}

function cut(text: string, { size, limit, cutNote }: FitOptions): string {
  const note = `\n\n${cutNote}`;
  const room = limit - size(note);
  const chars = Array.from(text);
  const prefix = (n: number) => chars.slice(0, n).join("");
  const keep = largestFitting(0, chars.length, (n) => size(prefix(n)) <= room);
  if (keep < 0) return prefix(largestFitting(0, chars.length, (n) => size(prefix(n)) <= limit));
  const head = prefix(keep);
  const lineEnd = head.lastIndexOf("\n");
  return `${lineEnd > 0 ? head.slice(0, lineEnd) : head}${note}`;
}
