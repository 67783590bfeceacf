import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of repogym's own package.json, from source (vitest) or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "repogym") return dir;
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  throw new Error("cannot find repogym's package.json");
}

let cached: string | undefined;
export function toolVersion(): string {
  cached ??= `repogym ${(JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version}`;
  return cached;
}
