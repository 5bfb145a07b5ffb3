"""Source resolution time against article length: articles made of 1, 4, 16 and 64 corpus articles.

    python benchmarks/resolver_scaling.py [--label after] [--repeats 3]

For each size k, consecutive corpus articles (`seeds/corpus.jsonl`, cycled) are joined k at a time,
with a blank line between them and their gold source spans and meta claims moved along, into
articles of k times the corpus length; every size uses the same 192 corpus articles in all.
`stanceclf.sources.resolve` is timed on each joined article (best of --repeats passes). The
exponent is the least-squares slope of log(seconds per article) against log(source mentions per
article): 1 is linear. Results are merged under --label into benchmarks/results/resolver_scaling.json.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

from stanceclf.results import Claim, Source
from stanceclf.sources import resolve

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "resolver_scaling.json"
TOTAL = 192  # corpus articles per size: 192 of 1, 48 of 4, 12 of 16, 3 of 64


def joined(records: list[dict]) -> tuple[str, list[dict]]:
    """One article from several: texts joined by a blank line, claim and source offsets moved along."""
    text, claims = "", []
    for rec in records:
        shift = len(text) + 2 if text else 0
        text = text + "\n\n" + rec["text"] if text else rec["text"]
        for c in rec["claims"]:
            claims.append({**c, "start": c["start"] + shift, "end": c["end"] + shift,
                           "sources": [(s["start"] + shift, s["end"] + shift) for s in c.get("sources") or []]})
    return text, claims


def timed(text: str, claims: list[dict]) -> tuple[float, int]:
    """Seconds `resolve` takes on one article with its gold source spans, and its number of source mentions."""
    meta = [(c["start"], c["end"]) for c in claims if c["kind"] == "meta"]
    body = []
    for c in claims:
        if c["kind"] != "meta":
            claim = Claim(c["text"], c["start"], c["end"], kind=c["kind"], label=c["label"])
            claim.sources = [Source(text[s:e], s, e) for s, e in c["sources"]]
            body.append(claim)
    started = time.perf_counter()
    resolve(text, body, meta)
    return time.perf_counter() - started, sum(len(c.sources) for c in body)


def slope(xs: list[float], ys: list[float]) -> float:
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="current", help="key of this run in the results file")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16, 64])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    lines = (ROOT / "seeds" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = [json.loads(line) for line in lines if line.strip()]
    pool = [corpus[i % len(corpus)] for i in range(TOTAL)]
    rows = []
    for k in args.sizes:
        articles = [joined(pool[i : i + k]) for i in range(0, TOTAL - k + 1, k)]
        best, mentions = math.inf, 0
        for _ in range(args.repeats):
            runs = [timed(text, claims) for text, claims in articles]
            best, mentions = min(best, sum(t for t, _ in runs)), sum(m for _, m in runs)
        n = len(articles)
        rows.append({"corpus_articles_per_article": k, "articles": n,
                     "chars_per_article": round(sum(len(t) for t, _ in articles) / n),
                     "mentions_per_article": mentions / n, "seconds_per_article": best / n,
                     "ms_per_mention": 1000 * best / mentions})
        print(f"{k:>3}x  {n:>4} articles  {mentions / n:8.1f} mentions each  {1000 * best / n:9.2f} ms each  "
              f"{1000 * best / mentions:.3f} ms/mention", flush=True)
    exponent = slope([r["mentions_per_article"] for r in rows], [r["seconds_per_article"] for r in rows])
    print(f"exponent of time vs mentions: {exponent:.2f}")
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results[args.label] = {"exponent": round(exponent, 3), "sizes": rows, "repeats": args.repeats,
                           "python": platform.python_version(), "machine": platform.machine()}
    args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
