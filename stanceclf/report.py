"""The HTML report: analysed articles in, one self-contained page out (as displaCy renders entities).

Design choices:
- One file with its CSS and JS inline, no network, no fonts to fetch (system font stacks), and
  standard HTML, CSS and JS only, so that it opens anywhere, can be mailed, and prints.
- Every text is escaped (`html.escape`), attributes too: an article is data, and one holding
  `<script>` shows it as text. Nothing from the article reaches the page unescaped.
- Each claim is marked by its label twice over: a colour and a pattern (fact: plain fill,
  attribution: dotted fill, opinion: striped fill, each with its own border style) and a text
  badge (FACT / ATTR / OPIN), so the marking survives greyscale, printing and colour blindness.
- Details are plain CSS: a claim is focusable (`tabindex`), and its tooltip shows on `:hover`
  and `:focus`, for mouse and keyboard alike; the JS only highlights the claims a source backs
  when that source's button is pressed.
- The article is drawn from the claims' offsets: claims grouped by paragraph, headline claims as
  a heading, meta items (byline, dateline, author, date) dimmed; source and cue spans inside an
  attribution are underlined (solid for sources, wavy for the cue).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from stanceclf.results import Claim, Document, Span

LABELS = {"fact": "FACT", "attribution": "ATTR", "opinion": "OPIN"}
WARNINGS = {
    "no-article": "No article text found: the page looks like navigation and page furniture only, so it gives "
                  "no claims.",
    "non-english": "The text does not look like English: the labels mean little.",
    "non-prose": "The text does not look like prose (code, a table, a list): the labels mean little.",
}

CSS = """
:root { --fact: #d4e6f9; --fact-b: #1f5fa8; --attr: #fde3b3; --attr-b: #a15c00; --opin: #f1d4ee; --opin-b: #7d2a78; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.6 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #fff; }
header.top, main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.5rem; }
header.top h1 { font: 600 1.2rem/1.3 system-ui, sans-serif; margin: 0 0 .5rem; }
.legend, .toc, aside, .tip, .badge, .docname, .warn, table, button { font-family: system-ui, sans-serif; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; font-size: .85rem; margin: 0;
  padding: 0; list-style: none; }
.toc { font-size: .95rem; border: 1px solid #ccc; padding: .5rem 1rem; }
.toc ol { margin: .3rem 0; }
section.doc { display: grid; grid-template-columns: minmax(0, 1fr) 22rem; gap: 2rem; border-top: 2px solid #333;
  padding-top: 1rem; margin-bottom: 2.5rem; }
.docname { font-size: .8rem; color: #555; margin: 0; grid-column: 1 / -1; }
article h2 { font-size: 1.6rem; line-height: 1.3; margin: .2rem 0 .6rem; }
article p { margin: 0 0 .9rem; }
.meta-line { color: #666; font-size: .9rem; }
.warn { border: 2px solid #a00; background: #fff3f3; padding: .5rem .8rem; font-size: .9rem; }
.claim { position: relative; padding: .1em .15em; border-radius: 2px; print-color-adjust: exact; }
.claim:focus { outline: 3px solid #000; outline-offset: 1px; }
.fact { background: var(--fact); border-bottom: 2px solid var(--fact-b); }
.attribution { background-color: var(--attr); border-bottom: 2px dashed var(--attr-b);
  background-image: radial-gradient(rgba(0,0,0,.18) 1px, transparent 1.3px); background-size: 6px 6px; }
.opinion { background-color: var(--opin); border-bottom: 2px dotted var(--opin-b);
  background-image: repeating-linear-gradient(135deg, rgba(0,0,0,.10) 0 2px, transparent 2px 7px); }
.meta { color: #777; }
.claim.picked { outline: 3px solid #000; box-shadow: 0 0 0 6px #ffd400; }
.badge { font-size: .62rem; font-weight: 700; letter-spacing: .04em; vertical-align: .25em; padding: 0 .25em;
  margin-right: .2em; border: 1px solid currentColor; border-radius: 2px; background: #fff; }
.fact > .badge { color: var(--fact-b); }
.attribution > .badge { color: var(--attr-b); border-style: dashed; }
.opinion > .badge { color: var(--opin-b); border-style: dotted; }
.meta > .badge { color: #777; }
.src { text-decoration: underline 2px solid; text-underline-offset: .18em; }
.cue { text-decoration: underline 1.5px wavy; text-underline-offset: .2em; }
.tip { display: none; position: absolute; left: 0; top: 100%; z-index: 10; width: 21rem; margin-top: .3rem;
  padding: .5rem .7rem; background: #fff; color: #111; border: 1px solid #333; border-radius: 4px;
  box-shadow: 0 2px 8px rgba(0,0,0,.25); font-size: .8rem; line-height: 1.4; font-weight: 400; }
.claim:hover > .tip, .claim:focus > .tip, .claim:focus-within > .tip { display: block; }
.tip b { font-size: .85rem; }
.tip .row { display: block; padding-left: 1rem; text-indent: -.6rem; }
aside h3 { font-size: .95rem; margin: 0 0 .4rem; }
aside table { width: 100%; border-collapse: collapse; font-size: .82rem; margin-bottom: 1.2rem; }
aside th, aside td { text-align: left; padding: .25rem .3rem; border-bottom: 1px solid #ddd; vertical-align: top; }
aside td.n { text-align: right; white-space: nowrap; }
.bar { display: inline-block; height: .6em; background: #555; vertical-align: middle; }
button { font-size: .78rem; cursor: pointer; border: 1px solid #555; background: #f4f4f4; border-radius: 3px; }
button[aria-pressed="true"] { background: #ffd400; border-color: #000; }
@media (max-width: 60rem) { section.doc { grid-template-columns: 1fr; } }
@media print {
  body { font-size: 11pt; } .tip, button { display: none !important; } .toc { display: none; }
  section.doc { grid-template-columns: 1fr; } section.doc + section.doc { break-before: page; }
  .claim:focus { outline: none; }
}
"""

JS = """
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-claims]");
  if (!button) { return; }
  var section = button.closest("section");
  var turnOn = button.getAttribute("aria-pressed") !== "true";
  section.querySelectorAll(".claim.picked").forEach(function (el) { el.classList.remove("picked"); });
  section.querySelectorAll("button[data-claims]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
  if (!turnOn) { return; }
  button.setAttribute("aria-pressed", "true");
  var claims = button.getAttribute("data-claims").split(" ").map(function (id) { return document.getElementById(id); });
  claims.forEach(function (el) { if (el) { el.classList.add("picked"); } });
  if (claims[0]) { claims[0].scrollIntoView({block: "center"}); }
});
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _text_of(doc: Document, claim: Claim) -> str:
    """The string a claim's offsets index: the text, the title, or the metadata field it names."""
    if claim.field == "text":
        return doc.text
    if claim.field == "title":
        return doc.title or ""
    value = doc.metadata.get(claim.field)
    return value if isinstance(value, str) else claim.text


def _marked(base: str, claim: Claim) -> str:
    """The claim's text, escaped, with its source spans and cue underlined (overlaps skipped)."""
    spans: list[tuple[Span, str]] = [(s, "src") for s in claim.sources]
    if claim.cue is not None:
        spans.append((claim.cue, "cue"))
    out, at = [], claim.start
    for span, kind in sorted(spans, key=lambda x: x[0].start):
        if span.start < at or span.end > claim.end or base[span.start : span.end] != span.text:
            continue
        what = "source" if kind == "src" else "cue"
        out.append(_e(base[at : span.start]))
        out.append(f'<span class="{kind}" title="{what}">{_e(span.text)}</span>')
        at = span.end
    out.append(_e(base[at : claim.end]))
    return "".join(out)


def _tip(claim: Claim, tip_id: str) -> str:
    if claim.label is None:
        what = {"headline": "headline"}.get(claim.kind, "meta: byline, dateline, credit or date; not labelled")
        return f'<span class="tip" role="tooltip" id="{tip_id}"><b>{_e(what)}</b></span>'
    probs = claim.probs or {}
    parts = [f'<b>{_e(claim.label)}</b> &middot; confidence {claim.confidence or 0:.2f}',
             "<br>" + " &middot; ".join(f"{_e(k)} {v:.2f}" for k, v in probs.items())]
    if claim.label == "attribution":
        parts.append(f"<br>cue: {_e(claim.cue.text) if claim.cue else '<i>none found</i>'}")
        items = [f'<span class="row">{_e(s.text)} &rarr; <b>{_e(s.resolved or s.text)}</b> '
                 f"({_e(s.type or 'type unknown')})</span>" for s in claim.sources]
        parts.append(f"<br>sources:{''.join(items)}" if items else "<br>sources: <i>none found</i>")
    if claim.flags:
        parts.append(f"<br>flags: {_e(', '.join(claim.flags))}")
    return f'<span class="tip" role="tooltip" id="{tip_id}">{"".join(parts)}</span>'


def _claim(doc: Document, claim: Claim, claim_id: str) -> str:
    label = claim.label or "meta"
    badge = LABELS.get(claim.label or "", "META" if claim.kind == "meta" else "HEAD")
    return (f'<span class="claim {_e(label)}" id="{claim_id}" tabindex="0" data-label="{_e(label)}" '
            f'data-kind="{_e(claim.kind)}" aria-describedby="{claim_id}-tip">'
            f'<span class="badge" aria-hidden="true">{badge}</span>'
            f'<span class="ct">{_marked(_text_of(doc, claim), claim)}</span>{_tip(claim, claim_id + "-tip")}</span>')


def _article(doc: Document, n: int) -> str:
    """The article as written: headline claims as a heading, meta dimmed, one <p> per paragraph."""
    blocks: list[str] = []
    groups: list[tuple[tuple[str, int], list[int]]] = []
    for i, claim in enumerate(doc.claims):
        # the text by paragraph; the title apart; author and date (metadata fields) on one line
        key = (claim.field, claim.paragraph) if claim.field == "text" else (
            "title" if claim.field == "title" else "metadata", -1)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(i)
        else:
            groups.append((key, [i]))
    for (field, _), indices in groups:
        claims = [doc.claims[i] for i in indices]
        base = _text_of(doc, claims[0])
        html = ""
        for k, (i, claim) in enumerate(zip(indices, claims)):
            if k:
                html += _e(base[claims[k - 1].end : claim.start]) if field == "text" else " &middot; "
            html += _claim(doc, claim, f"d{n}-c{i}")
        if all(c.kind == "headline" for c in claims):
            blocks.append(f"<h2>{html}</h2>")
        elif all(c.kind == "meta" for c in claims):
            blocks.append(f'<p class="meta-line">{html}</p>')
        else:
            blocks.append(f"<p>{html}</p>")
    return "\n".join(blocks)


def _profile(doc: Document) -> str:
    p = doc.profile()
    rows = [f'<tr><th>{_e(name)}</th><td class="n">{share:.0%}</td><td><span class="bar" '
            f'style="width:{share * 6:.2f}rem"></span></td></tr>' for name, share in p["label_share"].items()]
    counts = [("claims labelled", p["claims"]), ("distinct sources", p["distinct_sources"]),
              ("named sources", p["named_sources"]), ("anonymous sources", p["anonymous_sources"]),
              ("claims on anonymous sources", p["claims_on_anonymous_sources"]),
              ("claims resting on a single source", p["claims_on_single_source"]),
              ("attributions with no source found", p["attribution_without_source"])]
    rows += [f'<tr><th>{_e(name)}</th><td class="n">{value}</td><td></td></tr>' for name, value in counts]
    return f'<h3>Sourcing profile</h3><table class="profile">{"".join(rows)}</table>'


def _sources(doc: Document, n: int) -> str:
    sources = doc.sources()
    if not sources:
        return '<h3>Sources</h3><p class="nosources">No attributed sources in this article.</p>'
    rows = []
    for s in sources:
        ids = " ".join(f"d{n}-c{i}" for i in s["claims"])
        forms = sorted({m["text"] for m in s["mentions"]} - {s["name"]})
        also = f'<br><small>as: {_e(", ".join(forms))}</small>' if forms else ""
        k = len(s["claims"])
        rows.append(f'<tr class="source"><td>{_e(s["name"])}{also}</td><td>{_e(s["type"] or "?")}</td>'
                    f'<td class="n"><button type="button" data-claims="{_e(ids)}" aria-pressed="false" '
                    f'title="highlight the claims this source backs">{k} claim{"s" if k != 1 else ""}</button>'
                    "</td></tr>")
    return ('<h3>Sources</h3><table class="sources"><tr><th>source</th><th>type</th><th class="n">backs</th></tr>'
            f'{"".join(rows)}</table>')


def _section(doc: Document, n: int, name: str | None) -> str:
    notes = [f'<p class="warn">{_e(WARNINGS.get(w, w))}</p>' for w in doc.warnings]
    if doc.error:
        notes.append(f'<p class="warn">Not analysed: {_e(doc.error)}</p>')
    if not doc.claims and not doc.error and not doc.warnings:
        notes.append('<p class="warn">This document has no claims.</p>')
    meta = {k: doc.metadata[k] for k in ("site", "url", "date") if isinstance(doc.metadata.get(k), str)}
    where = " &middot; ".join(_e(v) for v in meta.values())
    label = f'<p class="docname">{_e(name) if name else ""}{" &middot; " if name and where else ""}{where}</p>'
    return (f'<section class="doc" id="doc-{n}" aria-label="{_e(name or f"article {n}")}">{label}'
            f'<article>{"".join(notes)}{_article(doc, n)}</article>'
            f"<aside>{_profile(doc)}{_sources(doc, n)}</aside></section>")


def _heading(doc: Document, name: str | None, n: int) -> str:
    head = next((c.text for c in doc.claims if c.kind == "headline"), None)
    return head or doc.metadata.get("title") or name or f"article {n}"


def _legend() -> str:
    items = [f'<li><span class="claim {label}"><span class="badge">{badge}</span>{label}</span></li>'
             for label, badge in LABELS.items()]
    items += ['<li><span class="claim meta"><span class="badge">META</span>meta (byline, dateline)</span></li>',
              '<li><span class="src">source</span></li><li><span class="cue">cue</span></li>',
              "<li>hover or focus (Tab) a claim for its details; press a source&rsquo;s button to highlight "
              "its claims</li>"]
    return f'<ul class="legend" aria-label="legend">{"".join(items)}</ul>'


def render(docs: Document | Sequence[Document], names: Sequence[str | None] | None = None,
           title: str = "stanceclf report") -> str:
    """One self-contained HTML page for one or more analysed documents; with several, a table of
    contents and one section per document. `names` label the sections (e.g. the input files)."""
    docs = [docs] if isinstance(docs, Document) else list(docs)
    names = list(names) if names is not None else [None] * len(docs)
    if len(names) != len(docs):
        raise ValueError(f"render() got {len(docs)} documents but {len(names)} names")
    toc = ""
    if len(docs) > 1:
        items = "".join(f'<li><a href="#doc-{n}">{_e(_heading(d, name, n))}</a> <small>({_e(name or "")}, '
                        f'{sum(c.label is not None for c in d.claims)} claims)</small></li>'
                        for n, (d, name) in enumerate(zip(docs, names), 1))
        toc = f'<nav class="toc" aria-label="contents"><b>Contents</b><ol>{items}</ol></nav>'
    sections = "\n".join(_section(d, n, name) for n, (d, name) in enumerate(zip(docs, names), 1))
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1"><title>{_e(title)}</title><link rel="icon" href="data:,">'
            f"<style>{CSS}</style></head>\n<body><header class=\"top\"><h1>{_e(title)}</h1>{_legend()}</header>\n"
            f"<main>{toc}\n{sections}</main>\n<script>{JS}</script></body></html>\n")
