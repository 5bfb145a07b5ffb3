"""How well web pages are reduced to their article: today's reader, trafilatura, readability-lxml, stanceclf.

    python benchmarks/html_extraction.py --data ../shared/data

Data (never copied into this repository; the run is skipped when neither set is there):
- `article_extraction/`: 181 real pages with hand-checked article bodies (`ground-truth.json`,
  paragraphs separated by blank lines). The one to trust.
- `readability_pages/`: 73 pages whose reference is Mozilla Readability's own output
  (`expected.html`, read into paragraph lines with `html_to_text`) and metadata (title, byline).

Metrics, on text normalised for case and whitespace, averaged over pages:
- paragraph precision: share of the extracted paragraphs (lines) of 5+ words found inside the
  reference body; recall: share of the reference paragraphs of 5+ words found inside the
  extracted text; F1 of the two. An extraction with no 5+-word paragraph has precision 0.
- word precision, recall, F1: multiset overlap of whitespace tokens.
- title right: token F1 with the reference title >= 0.8 (no title found and none expected is
  right); byline the same, reported for information.
For stanceclf the body is scored (the text after its title line); the title is scored apart.
Writes benchmarks/results/html_extraction.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from stanceclf.reading import html_to_text, read_html

ROOT = Path(__file__).resolve().parent.parent
BAR = {"article_extraction": {"paragraph_f1": 0.90, "paragraph_precision": 0.88, "word_f1": 0.95},
       "readability_pages": {"title_right": 0.85}}
# (text, title, byline) of a page
Extracted = tuple[str, str | None, str | None]
Page = dict[str, Any]


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def token_f1(a: str | None, b: str | None) -> float:
    x, y = Counter(norm(a or "").split()), Counter(norm(b or "").split())
    if not x and not y:
        return 1.0
    common = sum((x & y).values())
    return 2 * common / (sum(x.values()) + sum(y.values())) if common else 0.0


def _prf(found: tuple[int, int], n_pred: int, n_ref: int) -> tuple[float, float, float]:
    p = found[0] / n_pred if n_pred else 0.0
    r = found[1] / n_ref if n_ref else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def score(extracted: str, page: Page) -> dict[str, float]:
    """Paragraph and word precision, recall and F1 of one extraction against the page's reference."""
    ref, ext = norm(page["reference"]), norm(extracted)
    pred_paras = [norm(p) for p in extracted.split("\n") if len(p.split()) >= 5]
    ref_paras = [norm(p) for p in page["paragraphs"] if len(p.split()) >= 5]
    para = _prf((sum(p in ref for p in pred_paras), sum(p in ext for p in ref_paras)), len(pred_paras), len(ref_paras))
    a, b = Counter(ext.split()), Counter(ref.split())
    common = sum((a & b).values())
    word = _prf((common, common), sum(a.values()), sum(b.values()))
    names = ("paragraph_precision", "paragraph_recall", "paragraph_f1", "word_precision", "word_recall", "word_f1")
    return dict(zip(names, (*para, *word)))


def article_extraction(root: Path) -> Iterator[Page]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, item in sorted(truth.items()):
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        body = item["articleBody"]
        yield {"id": page_id, "html": html, "url": item.get("url"), "reference": body,
               "paragraphs": re.split(r"\n\s*\n", body)}


def readability_pages(root: Path) -> Iterator[Page]:
    for folder in sorted(p for p in root.iterdir() if (p / "source.html").exists()):
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        reference = html_to_text((folder / "expected.html").read_text(encoding="utf-8"))
        yield {"id": folder.name, "html": (folder / "source.html").read_bytes(), "url": None,
               "reference": reference, "paragraphs": reference.split("\n"), "title": meta.get("title") or "",
               "byline": meta.get("byline") or ""}


def today(html: str, url: str | None) -> Extracted:
    """The reader before issue 18: every text outside nav/header/footer/aside; title = first line."""
    text = html_to_text(html)
    return text, text.split("\n", 1)[0], None


def trafilatura_text(html: str, url: str | None) -> Extracted:
    """trafilatura's own plain-text output (balanced mode, comments off) and metadata."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    return ((doc.text or "", doc.title, doc.author) if doc else ("", None, None))


def trafilatura_precision(html: str, url: str | None) -> Extracted:
    """trafilatura in precision mode, its HTML output read into lines by html_to_text."""
    import trafilatura

    out = trafilatura.extract(html, url=url, output_format="html", include_comments=False, include_formatting=True,
                              favor_precision=True, with_metadata=True) or ""
    meta = dict(re.findall(r'<meta name="(\w+)" content="([^"]*)"', out))
    return html_to_text(out), meta.get("title"), meta.get("author")


def readability(html: str, url: str | None) -> Extracted:
    """readability-lxml's article HTML read into lines by html_to_text; its cleaned short title."""
    from readability import Document

    doc = Document(html)
    return html_to_text(doc.summary(html_partial=True)), doc.short_title(), None


def stanceclf(html: str, url: str | None) -> Extracted:
    """stanceclf.reading.read_html: paragraphs readability and trafilatura agree on (see its doc)."""
    page = read_html(html, url=url)
    return page.body, page.title, page.author


EXTRACTORS: dict[str, Callable[[str, str | None], Extracted]] = {
    "today (html_to_text)": today, "trafilatura": trafilatura_text,
    "trafilatura precision, lines": trafilatura_precision, "readability-lxml, lines": readability,
    "stanceclf (read_html)": stanceclf}


def evaluate(pages: list[Page]) -> dict[str, Any]:
    from stanceclf.reading import decode_html

    out: dict[str, Any] = {"pages": len(pages), "extractors": {}}
    for name, extract in EXTRACTORS.items():
        rows, titles, bylines, seconds = [], [], [], 0.0
        for page in pages:
            html = decode_html(page["html"], page["id"], "replace")
            start = time.perf_counter()
            text, title, byline = extract(html, page["url"])
            seconds += time.perf_counter() - start
            rows.append(score(text, page))
            if "title" in page:
                titles.append(token_f1(title, page["title"]) >= 0.8)
                bylines.append(token_f1(byline, page["byline"]) >= 0.8 if byline is not None else False)
        result = {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in rows[0]}
        if titles:
            result["title_right"] = round(sum(titles) / len(titles), 4)
            if name in ("trafilatura", "trafilatura precision, lines", "stanceclf (read_html)"):
                result["byline_right"] = round(sum(bylines) / len(bylines), 4)
        result["ms_per_page"] = round(1000 * seconds / len(pages), 1)
        out["extractors"][name] = result
        print(f"{name:32s} " + "  ".join(f"{k} {v}" for k, v in result.items()), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"),
                        help="folder holding article_extraction/ and readability_pages/")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "html_extraction.json"))
    parser.add_argument("--limit", type=int, help="first N pages of each set (a quick look; not for the table)")
    args = parser.parse_args(argv)
    data = Path(args.data)
    sets = {"article_extraction": article_extraction, "readability_pages": readability_pages}
    present = {name: load for name, load in sets.items() if (data / name).is_dir()}
    if not present:
        print(f"skipped: neither {' nor '.join(sets)} is under {data}", file=sys.stderr)
        return 0
    results: dict[str, Any] = {"data": {name: str(data / name) for name in present}, "bar": BAR,
                               "versions": {p: version(p) for p in ("trafilatura", "readability-lxml", "lxml")}}
    for name, load in present.items():
        print(f"== {name}", flush=True)
        pages = list(load(data / name))[: args.limit]
        results[name] = evaluate(pages)
    ours = "stanceclf (read_html)"
    results["bar_met"] = {name: all(results[name]["extractors"][ours][k] >= v for k, v in BAR[name].items())
                          for name in present}
    if args.limit:
        results["limit"] = args.limit
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"bar met: {results['bar_met']}; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
