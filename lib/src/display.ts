import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { argumentError, expectOptions, expectString } from "./errors.js";

/**
 * Shows rich output in a notebook, and plain text everywhere else. This is the only
 * module that knows about tslab: the rest of the library hands it SVG, HTML or Markdown
 * and it picks how to show it, like IPython's `display()`.
 *
 * SVG is shown as an `<img>` whose source is a base64 `data:image/svg+xml` URI, because
 * JupyterLab refuses inline SVG in a notebook that is not trusted (every notebook a
 * learner opens fresh) but allows images; nbconvert's HTML export keeps it as it is.
 *
 * @example
 * ```ts
 * import { showSvg, showMarkdown } from "asynclab";
 * showMarkdown("**Hello** from the library");
 * showSvg('<svg width="40" height="20"><rect width="40" height="20" fill="teal"/></svg>',
 *   { text: "a teal rectangle" });
 * ```
 * @module
 */

/** A MIME bundle: MIME type → content, as in Jupyter's `display_data` message. */
export type MimeBundle = Record<string, string>;

/** Where shown bundles go. `update` is true when an earlier output is being replaced. */
export type DisplaySink = (
  bundle: MimeBundle,
  displayId: string | undefined,
  update: boolean,
) => void;

/** Options shared by the `show*` functions. */
export interface ShowOptions {
  /** What to print outside a notebook (and the `text/plain` alternative inside one). */
  text?: string;
}

type TslabWriter = (
  msg: { data: MimeBundle; metadata: object; transient: { display_id?: string } },
  update: boolean,
) => void;

const requireHere = createRequire(import.meta.url);
let overrideSink: DisplaySink | undefined;

/**
 * tslab's display writer, but only when this process *is* a tslab kernel: we look in the
 * module cache rather than loading tslab, which would start its machinery for nothing.
 */
function tslabWriter(): TslabWriter | undefined {
  let path: string;
  try {
    path = requireHere.resolve("tslab/dist/jupyter.js");
  } catch {
    return undefined;
  }
  const loaded = requireHere.cache[path]?.exports as { lastWriteDisplayData?: TslabWriter | null };
  return loaded?.lastWriteDisplayData ?? undefined;
}

/**
 * True when output goes to a notebook (a tslab kernel, or a sink set for tests), like
 * checking for `get_ipython()` in Python.
 *
 * @example
 * ```ts
 * console.log(inNotebook() ? "rich output" : "plain text"); // "plain text" in a script
 * ```
 */
export function inNotebook(): boolean {
  return overrideSink !== undefined || tslabWriter() !== undefined;
}

/**
 * Sends every shown bundle to `sink` instead of the notebook or the console, until the
 * returned function is called. For tests, and for tools that collect output.
 *
 * @example
 * ```ts
 * const seen: MimeBundle[] = [];
 * const restore = setDisplaySink((bundle) => seen.push(bundle));
 * showHtml("<b>hi</b>");
 * restore();
 * seen[0]["text/html"]; // "<b>hi</b>"
 * ```
 */
export function setDisplaySink(sink: DisplaySink): () => void {
  if (typeof sink !== "function") throw argumentError("sink", "a function", sink);
  const previous = overrideSink;
  overrideSink = sink;
  return () => {
    overrideSink = previous;
  };
}

function emit(bundle: MimeBundle, displayId: string | undefined, update: boolean): void {
  if (overrideSink) {
    overrideSink(bundle, displayId, update);
    return;
  }
  const write = tslabWriter();
  if (write) {
    write(
      { data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} },
      update,
    );
    return;
  }
  console.log(bundle["text/plain"] ?? "");
}

/**
 * Shows a MIME bundle as it is: the notebook picks the richest type it can render;
 * outside a notebook its `text/plain` is printed.
 *
 * @example
 * ```ts
 * show({ "text/html": "<i>rich</i>", "text/plain": "plain" });
 * ```
 */
export function show(bundle: MimeBundle): void {
  checkBundle(bundle);
  emit(bundle, undefined, false);
}

function checkBundle(bundle: unknown): asserts bundle is MimeBundle {
  const ok =
    bundle !== null &&
    typeof bundle === "object" &&
    Object.keys(bundle).length > 0 &&
    Object.values(bundle).every((v) => typeof v === "string");
  if (!ok) throw argumentError("bundle", "an object of MIME type → string", bundle);
}

/**
 * Adds the SVG namespace when it is missing (Observable Plot leaves it out, and a
 * browser will not draw an SVG *image* without it).
 *
 * @example
 * ```ts
 * withSvgNamespace("<svg><g/></svg>"); // '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>'
 * ```
 */
export function withSvgNamespace(svg: string): string {
  expectString("svg", svg);
  const open = /^(\s*(?:<\?xml[^>]*>\s*)?)<svg\b([^>]*)>/.exec(svg);
  if (!open) throw argumentError("svg", "SVG markup starting with <svg", svg);
  let attributes = open[2] ?? "";
  if (!/\sxmlns\s*=/.test(attributes)) {
    attributes = ` xmlns="http://www.w3.org/2000/svg"${attributes}`;
  }
  if (/\sxlink:/.test(svg) && !/\sxmlns:xlink\s*=/.test(attributes)) {
    attributes = ` xmlns:xlink="http://www.w3.org/1999/xlink"${attributes}`;
  }
  return `${open[1]}<svg${attributes}>${svg.slice(open[0].length)}`;
}

/**
 * The SVG as a `data:image/svg+xml;base64,…` URI, namespace added, ready for `<img src>`.
 *
 * @example
 * ```ts
 * svgDataUri("<svg/>").startsWith("data:image/svg+xml;base64,"); // true
 * ```
 */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(withSvgNamespace(svg), "utf8").toString("base64")}`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function svgSize(svg: string): string {
  const w = /\swidth="([\d.]+)/.exec(svg)?.[1];
  const h = /\sheight="([\d.]+)/.exec(svg)?.[1];
  return w && h ? ` ${w}×${h}` : "";
}

/**
 * The bundle `showSvg` sends: an `<img>` with the SVG inline as base64, and text.
 *
 * @example
 * ```ts
 * Object.keys(svgBundle("<svg/>", { text: "empty" })); // ["text/html", "text/plain"]
 * ```
 */
export function svgBundle(svg: string, options: ShowOptions = {}): MimeBundle {
  expectOptions("options", options);
  const text = options.text ?? `[SVG image${svgSize(svg)}: open this in a notebook to see it]`;
  const src = svgDataUri(svg);
  return {
    "text/html": `<img src="${src}" alt="${escapeAttribute(text)}" style="max-width:100%">`,
    "text/plain": text,
  };
}

/**
 * Shows an SVG drawing (for example a Plot chart's `outerHTML`).
 * Outside a notebook prints `options.text`, or a one-line note that an image was made.
 *
 * @example
 * ```ts
 * showSvg('<svg width="10" height="10"><circle r="5" cx="5" cy="5"/></svg>', { text: "a dot" });
 * ```
 */
export function showSvg(svg: string, options: ShowOptions = {}): void {
  emit(svgBundle(svg, options), undefined, false);
}

/**
 * Shows HTML (JupyterLab sanitizes it in untrusted notebooks: no scripts, no inline SVG).
 * Outside a notebook prints `options.text`, or the HTML with its tags removed.
 *
 * @example
 * ```ts
 * showHtml("<table><tr><td>1.7 s</td></tr></table>", { text: "1.7 s" });
 * ```
 */
export function showHtml(html: string, options: ShowOptions = {}): void {
  expectString("html", html, { allowEmpty: true });
  expectOptions("options", options);
  const text = options.text ?? html.replace(/<[^>]*>/g, "").trim();
  emit({ "text/html": html, "text/plain": text }, undefined, false);
}

/**
 * Shows Markdown; outside a notebook the Markdown source is printed, which reads fine.
 *
 * @example
 * ```ts
 * showMarkdown("Total elapsed time: **1.7 s**");
 * ```
 */
export function showMarkdown(markdown: string, options: ShowOptions = {}): void {
  expectString("markdown", markdown, { allowEmpty: true });
  expectOptions("options", options);
  emit({ "text/markdown": markdown, "text/plain": options.text ?? markdown }, undefined, false);
}

/** One output area that can be replaced in place, for progress and live views. */
export interface LiveDisplay {
  /** Replaces what this display shows (the first call creates it). */
  update(bundle: MimeBundle): void;
}

/**
 * An output that later calls replace instead of appending to, like IPython's
 * `display(..., display_id=True)`. Outside a notebook each update prints a line.
 *
 * @example
 * ```ts
 * const progress = liveDisplay();
 * for (let done = 1; done <= 3; done++) {
 *   progress.update({ "text/plain": `${done}/3 done` });
 * }
 * ```
 */
export function liveDisplay(): LiveDisplay {
  const id = randomBytes(8).toString("hex");
  let shown = false;
  return {
    update(bundle: MimeBundle) {
      checkBundle(bundle);
      emit(bundle, id, shown);
      shown = true;
    },
  };
}
