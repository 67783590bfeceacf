import { Inflate } from "fflate";
import { ConfigError } from "../core/errors.js";

/**
 * Reading a zip that came from elsewhere (a workflow run's artifact, which a fork's code may
 * have written) in memory: the central directory is parsed here so every entry's sizes and
 * name are checked before a byte is inflated, and inflating stops as soon as the output passes
 * its cap, whatever the headers claim. Nothing is written to disk.
 */

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflate. */
  compression: number;
  compressedSize: number;
  /** As the archive claims; inflating never trusts it. */
  uncompressedSize: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const CHUNK = 16 * 1024;

/** Every entry of the central directory, checked against the archive's bounds. */
export function listZipEntries(zip: Uint8Array, where: string): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const bad = (what: string) => new ConfigError(`not a readable zip archive (${what})`, where);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad("no end of central directory");
  const count = view.getUint16(eocd + 10, true);
  const size = view.getUint32(eocd + 12, true);
  const offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new ConfigError("a ZIP64 archive (over 4 GB or 65,535 entries); refusing to read it", where);
  }
  if (offset + size > eocd) throw bad("central directory out of bounds");
  const entries: ZipEntry[] = [];
  let at = offset;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL) throw bad(`entry ${i + 1}`);
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength > eocd) throw bad(`entry ${i + 1}'s name`);
    const entry: ZipEntry = {
      name: decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)),
      compression: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
      encrypted: (flags & 1) === 1,
    };
    if (entry.compressedSize === 0xffffffff || entry.uncompressedSize === 0xffffffff) {
      throw new ConfigError("a ZIP64 entry (over 4 GB); refusing to read it", where);
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** True for a name that could not escape a folder: relative, no `..`, no backslash or drive. */
export function isSafeEntryName(name: string): boolean {
  if (name === "" || name.includes("\\") || name.includes("\0")) return false;
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return false;
  return !name.split("/").some((part) => part === "..");
}

/** One entry's bytes; refused once the output passes `maxBytes`, whatever the entry claims. */
export function readZipEntry(zip: Uint8Array, entry: ZipEntry, maxBytes: number, where: string): Uint8Array {
  const tooLarge = () =>
    new ConfigError(`${entry.name} inflates past ${maxBytes} bytes; refusing to read it`, where);
  if (entry.encrypted) throw new ConfigError(`${entry.name} is encrypted`, where);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || view.getUint32(at, true) !== LOCAL) {
    throw new ConfigError(`not a readable zip archive (${entry.name}'s header)`, where);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new ConfigError(`not a readable zip archive (${entry.name} is cut)`, where);
  const data = zip.subarray(start, end);
  if (entry.compression === 0) {
    if (data.length > maxBytes) throw tooLarge();
    return data;
  }
  if (entry.compression !== 8) {
    throw new ConfigError(`${entry.name} uses compression method ${entry.compression}, not deflate`, where);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  let finished = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) over = true;
    else chunks.push(chunk);
    if (final) finished = true;
  });
  try {
    // Small pieces: the output of one piece is bounded, and the first piece past the cap stops it.
    for (let offset = 0; offset < data.length && !over; offset += CHUNK) {
      inflater.push(data.subarray(offset, offset + CHUNK), offset + CHUNK >= data.length);
    }
    if (data.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    throw new ConfigError(`${entry.name} does not inflate: ${(error as Error).message}`, where);
  }
  if (over) throw tooLarge();
  if (!finished) throw new ConfigError(`${entry.name} is cut short`, where);
  return Buffer.concat(chunks);
}
