/**
 * A tiny in-memory git: blobs, trees, commits and refs, hashed exactly like git does (so a
 * SHA from the fake equals `git hash-object` / `git commit-tree` for the same content).
 */
import { createHash } from "node:crypto";

export type FileMode = "100644" | "100755" | "040000" | "160000" | "120000";
export type GitObjectType = "blob" | "tree" | "commit";

export interface GitSignature {
  name: string;
  email: string;
  /** ISO 8601, e.g. 2025-01-01T00:00:00Z. */
  date: string;
}

/** One entry of a tree object (a name within that tree, not a path). */
export interface TreeEntry {
  name: string;
  mode: FileMode;
  type: GitObjectType;
  sha: string;
}

export interface BlobObject {
  type: "blob";
  sha: string;
  content: Buffer;
}
export interface TreeObject {
  type: "tree";
  sha: string;
  entries: TreeEntry[];
}
export interface CommitObject {
  type: "commit";
  sha: string;
  tree: string;
  parents: string[];
  author: GitSignature;
  committer: GitSignature;
  message: string;
}
export type GitObject = BlobObject | TreeObject | CommitObject;

/** A leaf of a flattened tree: a file (blob), or a submodule (commit). */
export interface FlatEntry {
  mode: FileMode;
  type: GitObjectType;
  sha: string;
}

export const EMPTY_TREE_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

function hashObject(type: GitObjectType, body: Buffer): string {
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest("hex");
}

function gitTime(signature: GitSignature): string {
  const millis = Date.parse(signature.date);
  if (Number.isNaN(millis)) throw new Error(`bad date ${signature.date}`);
  const match = /([+-])(\d\d):?(\d\d)$/.exec(signature.date);
  const zone = match ? `${match[1]}${match[2]}${match[3]}` : "+0000";
  return `${Math.floor(millis / 1000)} ${zone}`;
}

/** git's tree order: byte order of names, a tree's name compared as if it ended with "/". */
function compareEntries(a: TreeEntry, b: TreeEntry): number {
  const key = (e: TreeEntry) => Buffer.from(e.type === "tree" ? `${e.name}/` : e.name);
  return Buffer.compare(key(a), key(b));
}

export function isSha(text: string): boolean {
  return /^[0-9a-f]{40}$/.test(text);
}

export class GitStore {
  /** Full ref name (`refs/heads/main`) → commit SHA. */
  readonly refs = new Map<string, string>();

  /** `objects` may be shared with forks, as GitHub shares one object store per network. */
  constructor(readonly objects: Map<string, GitObject> = new Map()) {}

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }
  blob(sha: string): BlobObject | undefined {
    const object = this.objects.get(sha);
    return object?.type === "blob" ? object : undefined;
  }
  tree(sha: string): TreeObject | undefined {
    if (sha === EMPTY_TREE_SHA && !this.objects.has(sha)) this.writeTree([]);
    const object = this.objects.get(sha);
    return object?.type === "tree" ? object : undefined;
  }
  commit(sha: string): CommitObject | undefined {
    const object = this.objects.get(sha);
    return object?.type === "commit" ? object : undefined;
  }

  writeBlob(content: Buffer | string): string {
    const buffer = typeof content === "string" ? Buffer.from(content) : content;
    const sha = hashObject("blob", buffer);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "blob", sha, content: buffer });
    return sha;
  }

  writeTree(entries: TreeEntry[]): string {
    const sorted = [...entries].sort(compareEntries);
    const body = Buffer.concat(
      sorted.flatMap((e) => [
        Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`),
        Buffer.from(e.sha, "hex"),
      ]),
    );
    const sha = hashObject("tree", body);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "tree", sha, entries: sorted });
    return sha;
  }

  writeCommit(commit: Omit<CommitObject, "type" | "sha">): string {
    const lines = [`tree ${commit.tree}`, ...commit.parents.map((p) => `parent ${p}`)];
    lines.push(`author ${commit.author.name} <${commit.author.email}> ${gitTime(commit.author)}`);
    lines.push(`committer ${commit.committer.name} <${commit.committer.email}> ${gitTime(commit.committer)}`);
    const sha = hashObject("commit", Buffer.from(`${lines.join("\n")}\n\n${commit.message}`));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "commit", sha, ...commit });
    return sha;
  }

  /** Every file (and submodule) under a tree, keyed by path. */
  flatten(treeSha: string, prefix = "", out = new Map<string, FlatEntry>()): Map<string, FlatEntry> {
    const tree = this.tree(treeSha);
    if (!tree) throw new Error(`no tree ${treeSha}`);
    for (const entry of tree.entries) {
      const path = prefix + entry.name;
      if (entry.type === "tree") this.flatten(entry.sha, `${path}/`, out);
      else out.set(path, { mode: entry.mode, type: entry.type, sha: entry.sha });
    }
    return out;
  }

  /** Like `git ls-tree -r -t`: every entry, trees included, in tree order. */
  listRecursive(treeSha: string, prefix = ""): Array<FlatEntry & { path: string }> {
    const tree = this.tree(treeSha);
    if (!tree) throw new Error(`no tree ${treeSha}`);
    const out: Array<FlatEntry & { path: string }> = [];
    for (const entry of tree.entries) {
      const path = prefix + entry.name;
      out.push({ path, mode: entry.mode, type: entry.type, sha: entry.sha });
      if (entry.type === "tree") out.push(...this.listRecursive(entry.sha, `${path}/`));
    }
    return out;
  }

  /** Writes the nested trees for a flat path → entry map; returns the root tree SHA. */
  buildTree(files: Map<string, FlatEntry>): string {
    const here: TreeEntry[] = [];
    const children = new Map<string, Map<string, FlatEntry>>();
    for (const [path, entry] of files) {
      const slash = path.indexOf("/");
      if (slash < 0) {
        here.push({ name: path, ...entry });
      } else {
        const dir = path.slice(0, slash);
        let child = children.get(dir);
        if (!child) {
          child = new Map();
          children.set(dir, child);
        }
        child.set(path.slice(slash + 1), entry);
      }
    }
    for (const [dir, child] of children) {
      here.push({ name: dir, mode: "040000", type: "tree", sha: this.buildTree(child) });
    }
    return this.writeTree(here);
  }

  /** The entry at a path inside a tree (the root tree itself for ""). */
  entryAt(treeSha: string, path: string): (FlatEntry & { name: string }) | undefined {
    const parts = path.split("/").filter((p) => p !== "");
    let current: FlatEntry & { name: string } = { name: "", mode: "040000", type: "tree", sha: treeSha };
    for (const part of parts) {
      if (current.type !== "tree") return undefined;
      const entry = this.tree(current.sha)?.entries.find((e) => e.name === part);
      if (!entry) return undefined;
      current = entry;
    }
    return current;
  }

  /** Whether `ancestor` is `descendant` or reachable through its parents. */
  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const queue = [descendant];
    for (let sha = queue.shift(); sha !== undefined; sha = queue.shift()) {
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commit(sha)?.parents ?? []));
    }
    return false;
  }

  /**
   * A commit SHA for a SHA, full ref (`refs/heads/x`), short ref (`heads/x`, `tags/v1`),
   * or a bare branch or tag name — what `?ref=` accepts.
   */
  resolve(refish: string): string | undefined {
    if (isSha(refish)) return this.commit(refish) ? refish : undefined;
    const candidates = refish.startsWith("refs/")
      ? [refish]
      : [`refs/${refish}`, `refs/heads/${refish}`, `refs/tags/${refish}`];
    for (const name of candidates) {
      const sha = this.refs.get(name);
      if (sha) return sha;
    }
    return undefined;
  }

  /**
   * One commit on `branch` changing `files` (string/Buffer writes, null deletes) on top of the
   * branch's head (or of `from`, or nothing, when the branch does not exist yet).
   */
  commitFiles(
    branch: string,
    files: Record<string, string | Buffer | null>,
    options: { message: string; author: GitSignature; committer?: GitSignature; from?: string },
  ): string {
    const refName = `refs/heads/${branch}`;
    const parent = this.refs.get(refName) ?? (options.from ? this.resolve(options.from) : undefined);
    const parentCommit = parent ? this.commit(parent) : undefined;
    const flat = parentCommit ? this.flatten(parentCommit.tree) : new Map<string, FlatEntry>();
    for (const [path, content] of Object.entries(files)) {
      if (content === null) flat.delete(path);
      else flat.set(path, { mode: "100644", type: "blob", sha: this.writeBlob(content) });
    }
    const sha = this.writeCommit({
      tree: this.buildTree(flat),
      parents: parent ? [parent] : [],
      author: options.author,
      committer: options.committer ?? options.author,
      message: options.message,
    });
    this.refs.set(refName, sha);
    return sha;
  }

  /** Text of every file at a commit-ish (for test assertions). */
  files(refish: string): Record<string, string> {
    const sha = this.resolve(refish);
    const commit = sha ? this.commit(sha) : undefined;
    if (!commit) throw new Error(`no commit for ${refish}`);
    const out: Record<string, string> = {};
    for (const [path, entry] of this.flatten(commit.tree)) {
      const blob = this.blob(entry.sha);
      if (blob) out[path] = blob.content.toString("utf8");
    }
    return out;
  }

  /** One file's text at a commit-ish, or undefined. */
  readFile(refish: string, path: string): string | undefined {
    const sha = this.resolve(refish);
    const commit = sha ? this.commit(sha) : undefined;
    if (!commit) return undefined;
    const entry = this.entryAt(commit.tree, path);
    return entry?.type === "blob" ? this.blob(entry.sha)?.content.toString("utf8") : undefined;
  }
}
