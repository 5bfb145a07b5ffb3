"""The benchmark workloads: real published articles (the default) and the bundled corpus.

`real`: the 84 PolNeAR dev articles, whole, read from the public data directory (never copied
into this repository), cycled to the size asked for. `corpus`: the project's own articles
(`seeds/corpus.jsonl`), cycled likewise. `describe` gives the shape of a workload that the speed
tables print next to the speeds: characters, claims and tokens per article and per claim.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PUBLIC = ROOT.parent / "shared" / "data"
WORKLOADS = ("real", "corpus")


def articles(name: str, n: int | None = None, public: Path | None = None) -> list[str]:
    """`n` article texts of workload `name` (all of it once when `n` is None), in a fixed order."""
    if name == "real":
        path = (public or DEFAULT_PUBLIC) / "polnear" / "dev_articles.jsonl"
        if not path.exists():
            raise SystemExit(f"the real-news workload reads {path}: pass --public-data DIR "
                             "(the shared data directory), or --workload corpus")
        rows = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    elif name == "corpus":
        rows = [json.loads(line)["text"] for line in (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines()]
    else:
        raise SystemExit(f"unknown workload {name!r}: one of {WORKLOADS}")
    n = len(rows) if n is None else n
    return [rows[i % len(rows)] for i in range(n)]


def long_article(name: str, words: int = 50_000, public: Path | None = None) -> str:
    """One article of about `words` words: the workload's articles joined, paragraphs kept."""
    out, count = [], 0
    for text in articles(name, 10_000, public):
        out.append(text)
        count += len(text.split())
        if count >= words:
            break
    return "\n\n".join(out)


def describe(clf: Any, texts: list[str]) -> dict[str, float]:
    """Characters, claims and tokens per article and tokens per claim of `texts` (one pass of them)."""
    from stanceclf.classifier import context_pairs

    docs = [clf.segment(t) for t in texts]
    _, claims, _ = context_pairs(docs)
    tokens = sum(len(ids) for ids in clf.tokenizer(claims, add_special_tokens=False)["input_ids"])
    n = max(len(texts), 1)
    return {"articles": len(texts), "chars_per_article": sum(map(len, texts)) / n,
            "claims_per_article": len(claims) / n, "tokens_per_claim": tokens / max(len(claims), 1),
            "words_per_article": sum(len(t.split()) for t in texts) / n}
