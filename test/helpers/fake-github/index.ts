/**
 * A fake GitHub REST API for tests: a loopback HTTP server that checks every request against
 * GitHub's OpenAPI description (`@octokit/openapi`) and answers from an in-memory model.
 *
 * ```ts
 * await using fake = await startFakeGitHub();
 * fake.addToken("ghs_write", { contents: "write", issues: "write", pull_requests: "write" });
 * const repo = fake.createRepo({ owner: "octo", name: "demo", files: { "README.md": "hi\n" } });
 * const octokit = getOctokit("ghs_write", { baseUrl: fake.url });
 * ...
 * expect(fake.violations).toEqual([]);
 * ```
 */
export { EMPTY_TREE_SHA, type GitSignature, GitStore } from "./git.js";
export type { Reply } from "./handler.js";
export {
  formatSchemaErrors,
  type OpenApiOperation,
  openApiIndex,
  type RequestValidation,
  type ValidationProblem,
  validateRequest,
  validateResponse,
} from "./openapi.js";
export {
  type BeforeHandleHook,
  FakeGitHub,
  type FakeGitHubOptions,
  type Fault,
  type FaultHandle,
  IMPLEMENTED_OPERATIONS,
  type RecordedRequest,
  type ResponseViolation,
  startFakeGitHub,
  type Violation,
  type ViolationKind,
} from "./server.js";
export type {
  AddPullOptions,
  ArtifactState,
  CheckRunState,
  CommentState,
  CreateRepoOptions,
  FakeAccount,
  FakeInstallation,
  FakeRepo,
  FakeState,
  IssueState,
  PermissionLevel,
  PermissionName,
  Permissions,
  RepoRole,
  TokenGrant,
  WorkflowState,
} from "./state.js";
