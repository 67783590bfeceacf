/**
 * One benchmark figure: what repogym took beside a baseline measured in the same run, the
 * ratio between them, and the target the ratio is judged against. Figures are plain data;
 * report.ts renders them.
 */
export interface Figure {
  /** Short key: "a", "b", "c", "materialize", or a diagnostic id. */
  id: string;
  title: string;
  /** What repogym's number is and what its baseline is, in a sentence each. */
  measured: string;
  baselineDefinition: string;
  valueMs: number;
  baselineMs: number;
  /** What valueMs and baselineMs hold when they are not milliseconds: bytes (peak memory). */
  unit?: "bytes";
  /**
   * `value/baseline` when repogym should be at most N times the baseline (costs),
   * `baseline/value` when repogym should be at least N times faster (speed-ups).
   */
  ratioOf: "value/baseline" | "baseline/value";
  ratio: number;
  target?: { comparison: "at-most" | "at-least"; ratio: number; source: "issue" | "bench" };
  /** Diagnostic rows explain a headline figure; they carry no target. */
  diagnostic?: boolean;
  details?: Record<string, unknown>;
}

export function makeFigure(input: Omit<Figure, "ratio">): Figure {
  const ratio =
    input.ratioOf === "value/baseline" ? input.valueMs / input.baselineMs : input.baselineMs / input.valueMs;
  return { ...input, ratio };
}

export function targetMet(figure: Figure): boolean | undefined {
  if (!figure.target) return undefined;
  return figure.target.comparison === "at-most"
    ? figure.ratio <= figure.target.ratio
    : figure.ratio >= figure.target.ratio;
}
