import { readFile } from "node:fs/promises";

/** The JSON object `text` holds, or undefined when it is not JSON or not an object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON object in a file (a package.json, say), or undefined when it is missing or not one. */
export async function readJsonObject(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return parseJsonObject(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}
