/**
 * Writes a page that registers the app from bot/app.yml (GitHub's manifest flow):
 *
 *   node dist/bot/register.js [organisation] > register.html
 *
 * Open it, press the button, confirm on GitHub. GitHub then sends you to the manifest's
 * `redirect_url` (REDIRECT_URL, default the app's `url`) with `?code=...`; exchange the code
 * within an hour for the app's id, private key and webhook secret:
 *
 *   curl -X POST https://api.github.com/app-manifests/CODE/conversions
 */
import { readManifest, renderManifestForm } from "./manifest.js";

const org = process.argv[2];
const manifest = readManifest();
const redirect = process.env.REDIRECT_URL ?? manifest.redirect_url ?? manifest.url;
process.stdout.write(renderManifestForm({ ...manifest, redirect_url: redirect }, org ? { org } : {}));
