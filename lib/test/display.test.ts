import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  inNotebook,
  liveDisplay,
  type MimeBundle,
  setDisplaySink,
  show,
  showHtml,
  showMarkdown,
  showSvg,
  svgBundle,
  svgDataUri,
  withSvgNamespace,
} from "../src/index.js";

function capture(
  run: () => void,
): { bundle: MimeBundle; id: string | undefined; update: boolean }[] {
  const seen: { bundle: MimeBundle; id: string | undefined; update: boolean }[] = [];
  const restore = setDisplaySink((bundle, id, update) => seen.push({ bundle, id, update }));
  try {
    run();
  } finally {
    restore();
  }
  return seen;
}

function captureConsole(run: () => void): string[] {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    run();
  } finally {
    console.log = original;
  }
  return lines;
}

const plotLike = '<svg class="plot" width="640" height="120" viewBox="0 0 640 120"><rect/></svg>';

describe("withSvgNamespace()", () => {
  test("adds xmlns when Plot left it out", () => {
    assert.equal(
      withSvgNamespace("<svg><g/></svg>"),
      '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>',
    );
  });
  test("keeps an existing xmlns and adds xlink only when used", () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><use xlink:href="#a"/></svg>';
    const out = withSvgNamespace(svg);
    assert.equal(out.match(/xmlns="/g)?.length, 1);
    assert.match(out, /xmlns:xlink="http:\/\/www.w3.org\/1999\/xlink"/);
  });
  test("rejects what is not SVG, naming the argument", () => {
    assert.throws(() => withSvgNamespace("<div/>"), {
      name: "TypeError",
      message: 'Expected `svg` to be SVG markup starting with <svg, got "<div/>"',
    });
    assert.throws(
      () => withSvgNamespace(42 as unknown as string),
      /Expected `svg` to be a non-empty string, got 42/,
    );
  });
});

describe("svgDataUri()", () => {
  test("round-trips through base64 with the namespace added", () => {
    const uri = svgDataUri(plotLike);
    assert.match(uri, /^data:image\/svg\+xml;base64,/);
    const decoded = Buffer.from(uri.split(",")[1]!, "base64").toString("utf8");
    assert.equal(decoded, withSvgNamespace(plotLike));
    assert.match(decoded, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="plot"/);
  });
  test("keeps non-ASCII text intact", () => {
    const uri = svgDataUri("<svg><text>τ → 1.7 s</text></svg>");
    assert.match(Buffer.from(uri.split(",")[1]!, "base64").toString("utf8"), /τ → 1.7 s/);
  });
});

describe("showSvg()", () => {
  test("sends an <img> with a data URI (shown even in untrusted notebooks) and text", () => {
    const [out] = capture(() => showSvg(plotLike, { text: "two lanes" }));
    assert.ok(out);
    assert.match(
      out.bundle["text/html"]!,
      /^<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="two lanes"/,
    );
    assert.equal(out.bundle["text/plain"], "two lanes");
    assert.equal(
      out.bundle["image/svg+xml"],
      undefined,
      "inline SVG is refused by untrusted JupyterLab",
    );
    assert.equal(out.update, false);
  });
  test("escapes the alt text", () => {
    const bundle = svgBundle(plotLike, { text: 'a "quoted" <b>' });
    assert.match(bundle["text/html"]!, /alt="a &quot;quoted&quot; &lt;b>"/);
  });
  test("outside a notebook prints the text, or says an image was made and its size", () => {
    assert.equal(inNotebook(), false);
    assert.deepEqual(
      captureConsole(() => showSvg(plotLike, { text: "chart" })),
      ["chart"],
    );
    assert.deepEqual(
      captureConsole(() => showSvg(plotLike)),
      ["[SVG image 640×120: open this in a notebook to see it]"],
    );
  });
});

describe("showHtml() and showMarkdown()", () => {
  test("HTML goes with a tag-free text alternative", () => {
    const [out] = capture(() => showHtml("<p>1.7 <b>s</b></p>"));
    assert.deepEqual(out?.bundle, { "text/html": "<p>1.7 <b>s</b></p>", "text/plain": "1.7 s" });
  });
  test("Markdown prints as itself outside a notebook", () => {
    assert.deepEqual(
      captureConsole(() => showMarkdown("**3.2 s**")),
      ["**3.2 s**"],
    );
    const [out] = capture(() => showMarkdown("# Hi", { text: "Hi" }));
    assert.deepEqual(out?.bundle, { "text/markdown": "# Hi", "text/plain": "Hi" });
  });
  test("bad input names the argument", () => {
    assert.throws(
      () => showHtml(undefined as unknown as string),
      /Expected `html` to be a string, got undefined/,
    );
    assert.throws(
      () => showMarkdown("x", 3 as never),
      /Expected `options` to be an options object, got 3/,
    );
  });
});

describe("show()", () => {
  test("passes a bundle through unchanged", () => {
    const [out] = capture(() => show({ "text/plain": "p", "text/html": "<i>h</i>" }));
    assert.deepEqual(out?.bundle, { "text/plain": "p", "text/html": "<i>h</i>" });
  });
  test("refuses an empty or non-string bundle", () => {
    assert.throws(
      () => show({}),
      /Expected `bundle` to be an object of MIME type → string, got an object/,
    );
    assert.throws(() => show({ "text/plain": 1 } as never), TypeError);
  });
});

describe("liveDisplay()", () => {
  test("the first update shows, later ones replace the same display id", () => {
    const outs = capture(() => {
      const live = liveDisplay();
      live.update({ "text/plain": "1/3" });
      live.update({ "text/plain": "2/3" });
    });
    assert.equal(outs.length, 2);
    assert.deepEqual(
      outs.map((o) => o.update),
      [false, true],
    );
    assert.ok(outs[0]?.id && outs[0].id === outs[1]?.id);
  });
  test("two live displays do not share an id", () => {
    const outs = capture(() => {
      liveDisplay().update({ "text/plain": "a" });
      liveDisplay().update({ "text/plain": "b" });
    });
    assert.notEqual(outs[0]?.id, outs[1]?.id);
  });
});

describe("setDisplaySink()", () => {
  test("restoring brings back the previous sink", () => {
    const outer: MimeBundle[] = [];
    const inner: MimeBundle[] = [];
    const restoreOuter = setDisplaySink((b) => outer.push(b));
    const restoreInner = setDisplaySink((b) => inner.push(b));
    show({ "text/plain": "inner" });
    restoreInner();
    show({ "text/plain": "outer" });
    restoreOuter();
    assert.deepEqual(inner, [{ "text/plain": "inner" }]);
    assert.deepEqual(outer, [{ "text/plain": "outer" }]);
  });
  test("requires a function", () => {
    assert.throws(
      () => setDisplaySink(null as never),
      /Expected `sink` to be a function, got null/,
    );
  });
});
