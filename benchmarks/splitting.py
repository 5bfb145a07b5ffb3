"""Sentence-boundary F1 of stanceclf's splitter against pysbd and syntok.

    python benchmarks/splitting.py --basil ../shared/data/basil/train_articles.jsonl

Gold sentences: the bundled corpus (claims grouped by sentence, body paragraphs) and, when
given, BASIL's sentence lists (paragraphs rebuilt by joining its sentences with a space).
PolNeAR is not used: its sentences came from pysbd. A boundary is a sentence's end offset.
Writes benchmarks/results/splitting.json.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from stanceclf.splitting import split

ROOT = Path(__file__).resolve().parent.parent


def ours(text: str) -> set[int]:
    ends: dict[int, int] = {}
    for s in split(text):
        ends[s.sentence] = s.end
    return set(ends.values())


def pysbd_ends(text: str) -> set[int]:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return {len(text[: s.end].rstrip()) for s in seg.segment(text)}


def syntok_ends(text: str) -> set[int]:
    from syntok import segmenter

    ends = set()
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            last = sentence[-1]
            ends.add(last.offset + len(last.value))
    return ends


def corpus_paragraphs() -> list[tuple[str, set[int]]]:
    out = []
    for line in (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines():
        rec = json.loads(line)
        paras: dict[int, list[dict]] = defaultdict(list)
        for c in rec["claims"]:
            if c["kind"] == "body":
                paras[c["paragraph"]].append(c)
        for claims in paras.values():
            start = claims[0]["start"]
            text = rec["text"][start : claims[-1]["end"]]
            ends: dict[int, int] = {}
            for c in claims:
                ends[c["sentence"]] = c["end"] - start
            out.append((text, set(ends.values())))
    return out


def basil_paragraphs(path: Path) -> list[tuple[str, set[int]]]:
    out = []
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        paras: dict[int, list[str]] = defaultdict(list)
        for s in rec["sentences"]:
            if s["kind"] == "body" and s["text"].strip():
                paras[s["paragraph"]].append(s["text"].strip())
        for sents in paras.values():
            text, ends = "", set()
            for s in sents:
                text = f"{text} {s}" if text else s
                ends.add(len(text))
            out.append((text, ends))
    return out


def f1(data: list[tuple[str, set[int]]], fn) -> dict:
    tp = fp = fn_ = 0
    started = time.perf_counter()
    for text, gold in data:
        pred = fn(text)
        gold_inner, pred_inner = gold - {len(text)}, pred - {len(text)}
        tp += len(gold_inner & pred_inner)
        fp += len(pred_inner - gold_inner)
        fn_ += len(gold_inner - pred_inner)
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn_)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(1e-9, p + r), "boundaries": tp + fn_,
            "seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--basil", type=Path, help="BASIL train_articles.jsonl")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "splitting.json")
    args = parser.parse_args()
    sets = {"corpus": corpus_paragraphs()}
    if args.basil:
        sets["basil"] = basil_paragraphs(args.basil)
    results = {name: {"stanceclf": f1(data, ours), "pysbd": f1(data, pysbd_ends), "syntok": f1(data, syntok_ends)}
               for name, data in sets.items()}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1))
    for name, r in results.items():
        row = (f"{k} F1 {v['f1']:.3f} (P {v['precision']:.3f} R {v['recall']:.3f})" for k, v in r.items())
        print(name, "  ".join(row))


if __name__ == "__main__":
    main()
