import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HANDLED_EVENTS } from "../../bot/app.js";
import { DISPATCH_INPUTS } from "../../bot/dispatch.js";
import { readManifest, renderManifestForm } from "../../bot/manifest.js";
import { runNameFor } from "../../bot/report.js";
import { loadTemplates } from "../../bot/templates.js";
import { defaultConfig, parseConfig } from "../../core/config.js";
import { PROJECT_ROOT } from "../helpers/fixture-repo.js";

describe("bot/app.yml", () => {
  it("subscribes to exactly the events the app handles", () => {
    const handled = new Set(
      HANDLED_EVENTS.map((e) => e.split(".")[0]!).filter((e) => !e.startsWith("installation")),
    );
    expect([...readManifest().default_events].sort()).toEqual([...handled].sort());
  });

  it("asks for the least privilege the app's calls need", () => {
    const manifest = readManifest();
    expect(manifest.default_permissions).toEqual({
      actions: "write",
      checks: "write",
      contents: "write",
      workflows: "write",
      pull_requests: "write",
      issues: "write",
      metadata: "read",
    });
    expect(manifest.public).toBe(false);
    expect(manifest.hook_attributes.url).toMatch(/^https:\/\/.*\/api\/github\/webhooks$/);
  });

  it("becomes a registration form with the manifest escaped", () => {
    const html = renderManifestForm({ ...readManifest(), name: `x"><script>` }, { org: "acme corp" });
    expect(html).toContain('action="https://github.com/organizations/acme%20corp/settings/apps/new"');
    expect(html).not.toContain("<script>");
    const value = /name="manifest" value="([^"]*)"/.exec(html)?.[1] ?? "";
    const decoded = value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    expect(JSON.parse(decoded).default_permissions.actions).toBe("write");
  });
});

describe("bot/templates", () => {
  it("the workflow is the published example, declares the dispatch inputs and names runs as the app reads them", async () => {
    const { workflow } = loadTemplates();
    expect(await readFile(join(PROJECT_ROOT, "examples", "workflows", "repogym.yml"), "utf8")).toBe(workflow);
    const doc = parse(workflow) as {
      name: string;
      "run-name": string;
      on: { workflow_dispatch: { inputs: Record<string, unknown> } };
    };
    expect(Object.keys(doc.on.workflow_dispatch.inputs)).toEqual([...DISPATCH_INPUTS]);
    expect(defaultConfig().bot.report_workflows).toContain(doc.name);
    expect(doc["run-name"]).toContain(
      "format('repogym {0} #{1} @ {2}', inputs.command, inputs.pr, inputs.sha)",
    );
    expect(runNameFor("run", 12, "a".repeat(40))).toBe(`repogym run #12 @ ${"a".repeat(40)}`);
  });

  it("the starter config parses and writes out the defaults", () => {
    const config = parseConfig(loadTemplates().config, "bot/templates/config.yml");
    expect(config).toEqual(defaultConfig());
  });
});
