/** `owner/repo` + source -> `owner__repo-<short sha>` or `owner__repo-pr<N>`. */
export function instanceIdFor(slug: string, sha: string, pullNumber?: number): string {
  const base = slug.replace("/", "__");
  return pullNumber === undefined ? `${base}-${sha.slice(0, 10)}` : `${base}-pr${pullNumber}`;
}
