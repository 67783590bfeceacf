/**
 * Markdown building blocks for text GitHub renders (PR comments, job summaries). Results can
 * come from a fork's artifact, so every string that came from them goes through
 * `escapeMarkdown`: it cannot open HTML, links, images, emphasis, math or table cells, cannot
 * mention people or cross-reference issues, and cannot break out of its line.
 */

/** Line breaks, tabs and other control characters: each becomes one space. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** Zero-width and bidirectional-override characters, which can hide or reorder what people read. */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Backslash-escaped: the characters that start emphasis, code, links, tables, strikethrough, math. */
const PUNCTUATION = /[\\`*_[\]|~$]/g;
/** An invisible break that stops GitHub turning `@name` into a mention and `#12` into a reference. */
const ZWSP = "&#8203;";

/**
 * Escapes untrusted text for one line of GitHub markdown (a table cell, a list item, a sentence):
 * `&`, `<`, `>` become entities (no HTML, no comments that hide what follows); markdown
 * punctuation is backslash-escaped; `@` and `#<digit>` get a zero-width break so nobody is
 * pinged and no issue is cross-referenced; `://` and `www.` get one so no link is made from the
 * text; control characters become spaces and invisible ones are dropped. A line-start marker
 * (heading, list, quote, rule) is escaped too, so the text can start a line safely.
 */
export function escapeMarkdown(text: string): string {
  const flat = text.replace(CONTROL, " ").replace(INVISIBLE, "").trim();
  let out = flat
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(PUNCTUATION, (c) => `\\${c}`)
    // Before any other break is added: each break is itself `&#8203;`.
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZWSP}.`);
  // Block markers only count at the start of a line, where a caller may put this text.
  if (/^(#{1,6}|[-+=])(\s|$)/.test(out) || /^[-=]{2,}$/.test(out)) out = `\\${out}`;
  // A backslash before a digit is not an escape; an ordered-list marker is broken at its dot.
  else if (/^\d{1,9}[.)](\s|$)/.test(out)) out = out.replace(/^(\d+)/, "$1\\");
  return out;
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Inline code for identifiers (instance ids, run ids, shas). Only text made of letters, digits,
 * '.', '_' and '-' is put in a code span, where escapes do not apply; anything else is escaped.
 */
export function code(text: string): string {
  return IDENTIFIER.test(text) ? `\`${text}\`` : escapeMarkdown(text);
}

/**
 * An http(s) URL made safe for a markdown link destination, or null: no other scheme, no user
 * or password, and the characters that could end the destination or a table cell are
 * percent-encoded.
 */
export function safeUrl(url: string | undefined): string | null {
  if (url === undefined || url.length > 2000) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  if (parsed.username || parsed.password) return null;
  return parsed.href.replace(
    /[()[\]|`'"<>\\*_ ]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** `[label](url)` when the URL is safe, otherwise the label alone. `label` is markdown. */
export function link(label: string, url: string | undefined): string {
  const href = safeUrl(url);
  return href === null ? label : `[${label}](${href})`;
}

export type Align = "left" | "right" | "center";

const ALIGN_RULE: Record<Align, string> = { left: "---", right: "--:", center: ":-:" };

/**
 * A GitHub table. Cells are markdown (escape untrusted text first); a line break in a cell would
 * end the table, so any left over becomes a space.
 */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align: readonly Align[] = [],
): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => (c === "" ? " " : c.replace(/[\r\n]+/g, " "))).join(" | ")} |`;
  const rule = `|${header.map((_, i) => ALIGN_RULE[align[i] ?? "left"]).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
