import { ConfigError, describeError } from "../core/errors.js";
import { mergeResults, parseResults, RESULTS_LIMITS, type Results } from "../core/results.js";
import type { ArtifactInfo, BotGitHub } from "./github.js";
import { isSafeEntryName, listZipEntries, readZipEntry } from "./zip.js";

/**
 * Caps for a run's results artifact. It is untrusted: a fork's pull request ran code in the
 * job that uploaded it. Only results.json files are inflated, each capped like any results.
 */
export const ARTIFACT_LIMITS = {
  /** The zip as downloaded. */
  maxZipBytes: 64 * 1024 * 1024,
  maxEntries: 10_000,
  /** What all entries claim to inflate to. */
  maxUncompressedBytes: 1024 * 1024 * 1024,
  /** results.json files (a sharded run's artifact may hold one per shard). */
  maxResultsFiles: 64,
  maxDepth: 8,
} as const;

export type ArtifactLimits = { readonly [K in keyof typeof ARTIFACT_LIMITS]: number };

export type ArtifactResults =
  | { kind: "results"; results: Results; missing: number[]; artifact: ArtifactInfo }
  /** Nothing to report: no such artifact (a mining run), or it expired. */
  | { kind: "none"; reason: string }
  /** The artifact is there but cannot be believed: too large, not a zip, bad results. */
  | { kind: "refused"; reason: string };

/** Results from a zip's bytes (pure): every check, then the results.json files parsed and merged. */
export function resultsFromZip(
  zip: Uint8Array,
  where: string,
  limits: ArtifactLimits = ARTIFACT_LIMITS,
): { results: Results; missing: number[] } {
  const entries = listZipEntries(zip, where);
  if (entries.length > limits.maxEntries) {
    throw new ConfigError(`${entries.length} entries, above the limit of ${limits.maxEntries}`, where);
  }
  const unsafe = entries.find((e) => !isSafeEntryName(e.name));
  if (unsafe) throw new ConfigError(`an entry escapes its folder: ${JSON.stringify(unsafe.name)}`, where);
  const claimed = entries.reduce((total, e) => total + e.uncompressedSize, 0);
  if (claimed > limits.maxUncompressedBytes) {
    throw new ConfigError(`claims ${claimed} bytes inflated, above ${limits.maxUncompressedBytes}`, where);
  }
  const files = entries
    .filter((e) => e.name === "results.json" || e.name.endsWith("/results.json"))
    .filter((e) => e.name.split("/").length - 1 <= limits.maxDepth)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (files.length === 0) throw new ConfigError("no results.json in it", where);
  if (files.length > limits.maxResultsFiles) {
    throw new ConfigError(`${files.length} results.json files, above ${limits.maxResultsFiles}`, where);
  }
  const parts = files.map((entry) => {
    const file = `${where}:${entry.name}`;
    if (entry.uncompressedSize > RESULTS_LIMITS.maxBytes) {
      throw new ConfigError(
        `${entry.uncompressedSize} bytes, above the ${RESULTS_LIMITS.maxBytes}-byte limit`,
        file,
      );
    }
    return parseResults(Buffer.from(readZipEntry(zip, entry, RESULTS_LIMITS.maxBytes, where)), file);
  });
  return parts.length === 1 ? { results: parts[0]!, missing: [] } : mergeResults(parts);
}

/**
 * The results a workflow run uploaded as the artifact `name`: listed through the API, the
 * newest unexpired one downloaded (capped), read in memory and checked as untrusted data.
 */
export async function readRunResults(
  gh: BotGitHub,
  input: { runId: number; name: string; limits?: ArtifactLimits },
): Promise<ArtifactResults> {
  const limits = input.limits ?? ARTIFACT_LIMITS;
  const artifacts = (await gh.runArtifacts(input.runId, input.name)).filter((a) => a.name === input.name);
  if (artifacts.length === 0) {
    return { kind: "none", reason: `run ${input.runId} uploaded no artifact named ${input.name}` };
  }
  const live = artifacts
    .filter((a) => !a.expired)
    .sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "") || b.id - a.id);
  const artifact = live[0];
  if (!artifact)
    return { kind: "none", reason: `the ${input.name} artifact of run ${input.runId} has expired` };
  const where = `artifact ${input.name} (run ${input.runId})`;
  if (artifact.sizeInBytes > limits.maxZipBytes) {
    return {
      kind: "refused",
      reason: `${where} is ${artifact.sizeInBytes} bytes, above the ${limits.maxZipBytes}-byte limit`,
    };
  }
  try {
    const zip = await gh.downloadArtifact(artifact.id, limits.maxZipBytes);
    const { results, missing } = resultsFromZip(zip, where, limits);
    return { kind: "results", results, missing, artifact };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: "refused", reason: describeError(error) };
    throw error;
  }
}
