import semver from "semver";

/**
 * Explains a failure that may come from running a project on a Node version it does not
 * support: returns a note when package.json's `engines.node` excludes `nodeVersion`, else "".
 * Engines are often advisory, so this never skips anything by itself.
 */
export function engineNote(
  packageJson: Record<string, unknown> | undefined,
  nodeVersion = process.version,
): string {
  const engines = packageJson?.engines;
  const range =
    typeof engines === "object" && engines !== null ? (engines as Record<string, unknown>).node : undefined;
  if (typeof range !== "string" || semver.validRange(range) === null) return "";
  if (semver.satisfies(nodeVersion, range, { includePrerelease: true })) return "";
  return ` (package.json engines.node is "${range}", and this is Node ${nodeVersion})`;
}
