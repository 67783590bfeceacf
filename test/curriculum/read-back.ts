import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";

/** Every file under root, relative, posix, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(root, path).split("\\").join("/"));
    }
  };
  await walk(root);
  return out.sort();
}

export async function readJsonl(file: string): Promise<unknown[]> {
  const text = await readFile(file, "utf8");
  if (text !== "" && !text.endsWith("\n")) throw new Error(`${file} does not end with a newline`);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}

export async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, "utf8")) as unknown;
}

/** A Parquet file read by hyparquet (an independent reader): its rows and column names. */
export async function readParquet(
  file: string,
): Promise<{ rows: Record<string, unknown>[]; columns: string[] }> {
  const bytes = await readFile(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(buffer);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const rows = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  return { rows, columns };
}

export async function isExecutable(file: string): Promise<boolean> {
  return ((await stat(file)).mode & 0o111) !== 0;
}
