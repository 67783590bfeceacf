import { describe, expect, it } from "vitest";
import { openApiIndex, validateRequest, validateResponse } from "../helpers/fake-github/index.js";

describe("OpenAPI request validation", () => {
  it("parses the description once and reports how long it took", () => {
    const first = openApiIndex();
    expect(openApiIndex()).toBe(first);
    expect(first.operations.length).toBeGreaterThan(800);
    console.info(
      `[fake-github] api.github.com.json: parse ${first.parseMs.toFixed(0)} ms, route table ${first.indexMs.toFixed(0)} ms`,
    );
  });

  it("matches path templates and decodes parameters", () => {
    const comments = validateRequest("POST", "/repos/octo/demo/issues/12/comments", {}, { body: "hi" });
    expect(comments.ok).toBe(true);
    expect(comments.operationId).toBe("issues/create-comment");
    expect(comments.route).toBe("/repos/{owner}/{repo}/issues/{issue_number}/comments");
    expect(comments.params).toEqual({ owner: "octo", repo: "demo", issue_number: 12 });

    // Literal segments beat parameters: comments/{comment_id} is not issues/{issue_number}.
    expect(validateRequest("GET", "/repos/octo/demo/issues/comments/5").operationId).toBe(
      "issues/get-comment",
    );
  });

  it("accepts multi-segment refs and paths, encoded or not", () => {
    const encoded = validateRequest(
      "PATCH",
      "/repos/o/r/git/refs/heads%2Ffeature%2Fx",
      {},
      { sha: "a".repeat(40) },
    );
    expect(encoded.ok).toBe(true);
    expect(encoded.params.ref).toBe("heads/feature/x");
    const plain = validateRequest("GET", "/repos/o/r/git/ref/heads/feature/x");
    expect(plain.operationId).toBe("git/get-ref");
    expect(plain.params.ref).toBe("heads/feature/x");
    const contents = validateRequest("GET", "/repos/o/r/contents/src/lib/a.ts", { ref: "main" });
    expect(contents.operationId).toBe("repos/get-content");
    expect(contents.params.path).toBe("src/lib/a.ts");
  });

  it("rejects a comment without body, accepts a ref update with sha", () => {
    const missing = validateRequest("POST", "/repos/o/r/issues/1/comments", {}, { text: "hi" });
    expect(missing.ok).toBe(false);
    expect(missing.problems.map((p) => p.kind)).toEqual(["body"]);
    expect(missing.problems[0]?.message).toContain("must have required property 'body'");
    expect(missing.problems[0]?.rejects).toBe(true);

    expect(validateRequest("PATCH", "/repos/o/r/git/refs/heads/main", {}, { sha: "a".repeat(40) }).ok).toBe(
      true,
    );
    expect(
      validateRequest("PATCH", "/repos/o/r/git/refs/heads/main", {}, { sha: "a".repeat(40), force: true }).ok,
    ).toBe(true);
    const noSha = validateRequest("PATCH", "/repos/o/r/git/refs/heads/main", {}, { force: true });
    expect(noSha.problems[0]?.kind).toBe("body");
  });

  it("checks types, enums, nullable fields and formats", () => {
    expect(validateRequest("POST", "/repos/o/r/issues/1/comments", {}, { body: 42 }).ok).toBe(false);
    const reaction = validateRequest(
      "POST",
      "/repos/o/r/issues/comments/1/reactions",
      {},
      { content: "party" },
    );
    expect(reaction.problems[0]?.message).toContain("must be equal to one of the allowed values");
    // tree entries may set sha: null to delete a path (OpenAPI `nullable`).
    const tree = validateRequest(
      "POST",
      "/repos/o/r/git/trees",
      {},
      {
        base_tree: "b".repeat(40),
        tree: [{ path: "gone.txt", mode: "100644", type: "blob", sha: null }],
      },
    );
    expect(tree.ok).toBe(true);
    const badMode = validateRequest(
      "POST",
      "/repos/o/r/git/trees",
      {},
      {
        tree: [{ path: "a", mode: "644", type: "blob", content: "x" }],
      },
    );
    expect(badMode.ok).toBe(false);
    const badDate = validateRequest(
      "POST",
      "/repos/o/r/check-runs",
      {},
      {
        name: "repogym",
        head_sha: "a".repeat(40),
        started_at: "yesterday",
      },
    );
    expect(badDate.problems[0]?.message).toContain('must match format "date-time"');
  });

  it("reports unknown routes, wrong methods, bad path and query parameters", () => {
    expect(validateRequest("GET", "/repos/o/r/nonsense").problems[0]?.kind).toBe("unknown-route");
    expect(validateRequest("DELETE", "/repos/o/r/pulls/1").problems[0]?.kind).toBe("method-not-allowed");
    const badNumber = validateRequest("GET", "/repos/o/r/issues/abc/comments");
    expect(badNumber.problems[0]?.kind).toBe("path-param");
    const badState = validateRequest("GET", "/repos/o/r/pulls", { state: "merged" });
    expect(badState.problems[0]?.kind).toBe("query-param");
    const badPage = validateRequest("GET", "/repos/o/r/issues/1/comments", { per_page: "lots" });
    expect(badPage.problems[0]?.kind).toBe("query-param");
    const unknown = validateRequest("GET", "/repos/o/r/issues/1/comments", { perpage: "100" });
    expect(unknown.problems).toMatchObject([{ kind: "unknown-query-param", rejects: false }]);
  });

  it("requires required query parameters", () => {
    const missing = validateRequest("GET", "/orgs/acme/copilot/metrics/reports/repos-1-day");
    expect(missing.problems).toMatchObject([
      { kind: "query-param", message: expect.stringContaining("day") },
    ]);
    expect(
      validateRequest("GET", "/orgs/acme/copilot/metrics/reports/repos-1-day", { day: "2025-01-01" }).ok,
    ).toBe(true);
  });

  it("flags bodies the operation does not take, unknown top-level properties and content types", () => {
    const unexpected = validateRequest("DELETE", "/repos/o/r/git/refs/heads/x", {}, { sha: "x" });
    expect(unexpected.problems.map((p) => p.kind)).toEqual(["unexpected-body"]);
    const typo = validateRequest("PATCH", "/repos/o/r/issues/comments/1", {}, { body: "x", bdy: "y" });
    expect(typo.problems).toMatchObject([{ kind: "unknown-body-property", rejects: false }]);
    const text = validateRequest(
      "POST",
      "/repos/o/r/issues/1/comments",
      {},
      { body: "x" },
      { contentType: "text/plain" },
    );
    expect(text.problems.map((p) => p.kind)).toEqual(["content-type"]);
    const missing = validateRequest("POST", "/repos/o/r/issues/1/comments");
    expect(missing.problems.map((p) => p.kind)).toEqual(["missing-body"]);
  });

  it("checks response bodies too", () => {
    expect(validateResponse("git/create-blob", 201, { url: "http://x/", sha: "a".repeat(40) })).toEqual([]);
    expect(validateResponse("git/create-blob", 201, { sha: "a".repeat(40) })).not.toEqual([]);
  });
});
