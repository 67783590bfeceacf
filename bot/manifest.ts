import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError } from "../core/errors.js";

export interface AppManifest {
  name: string;
  url: string;
  description?: string;
  hook_attributes: { url: string; active?: boolean };
  public?: boolean;
  redirect_url?: string;
  default_permissions: Record<string, "read" | "write">;
  default_events: string[];
}

const MANIFEST_FILES = [new URL("./app.yml", import.meta.url), new URL("../../bot/app.yml", import.meta.url)];

/** bot/app.yml, parsed. */
export function readManifest(): AppManifest {
  for (const file of MANIFEST_FILES) {
    try {
      return parse(readFileSync(file, "utf8")) as AppManifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new ConfigError("not found next to the app", "bot/app.yml");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page that registers the app from its manifest (GitHub's manifest flow): it posts the
 * manifest to GitHub's new-app page, for an organisation when `org` is given. GitHub then
 * redirects to `redirect_url` with a `code` to exchange for the app's id, key and secret.
 */
export function renderManifestForm(
  manifest: AppManifest,
  options: { org?: string; githubUrl?: string },
): string {
  const github = (options.githubUrl ?? "https://github.com").replace(/\/+$/, "");
  const action = options.org
    ? `${github}/organizations/${encodeURIComponent(options.org)}/settings/apps/new`
    : `${github}/settings/apps/new`;
  return [
    "<!doctype html>",
    '<meta charset="utf-8">',
    `<title>Register ${escapeHtml(manifest.name)}</title>`,
    `<form action="${escapeHtml(action)}" method="post">`,
    `  <input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">`,
    `  <button type="submit">Register ${escapeHtml(manifest.name)} on GitHub</button>`,
    "</form>",
    "",
  ].join("\n");
}
