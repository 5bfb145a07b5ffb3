"""Where inference time goes, by stage, on real articles: a serial run (no background thread, so
stages never overlap) of the steps `analyze_batch` takes, each timed on its own.

    python benchmarks/profile_stages.py [--workload real|corpus] [--precision int8] [--public-data DIR]

Stages: read (the articles from disk), split (`segment`), tokenise (`engine.encode`), encoder (the
model's forward), engine other (padding, softmax, reading tags back), decode (span tags ->
spans), resolve (`sources.resolve`), other (labels onto claims, attaching spans, flags). Also the
encoder's own top operators (torch.profiler, on a slice of the workload) and the per-claim time of
each stage for the shortest, middle and longest third of the articles. Writes
benchmarks/results/profile_<workload>_<precision>.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import torch
from workloads import ROOT, articles, describe

from stanceclf import attribution, sources
from stanceclf.classifier import ClaimClassifier

Timers = dict[str, float]


def timed(timers: Timers, name: str, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timers[name] += time.perf_counter() - started
    return wrapper


def serial(clf: ClaimClassifier, texts: list[str]) -> tuple[Timers, int]:
    """Stage seconds of one serial pass over `texts`, and its number of labelled claims."""
    t: Timers = defaultdict(float)
    originals = (attribution.decode, sources.resolve, clf.model.forward)
    attribution.decode = timed(t, "decode", attribution.decode)
    sources.resolve = timed(t, "resolve", sources.resolve)
    clf.model.forward = timed(t, "encoder", clf.model.forward)
    try:
        with torch.inference_mode():
            started = time.perf_counter()
            docs = clf._segment_all(texts)
            t["split"] = time.perf_counter() - started
            started = time.perf_counter()
            targets, enc = clf._pairs(docs)
            t["tokenise"] = time.perf_counter() - started
            started = time.perf_counter()
            clf._apply(docs, targets, enc, None, False)
            t["apply"] = time.perf_counter() - started
    finally:
        attribution.decode, sources.resolve = originals[:2]
        del clf.model.forward
    return t, len(targets)


def breakdown(t: Timers, read: float = 0.0) -> dict[str, float]:
    """Exclusive seconds per stage (the encoder and decoding are parts of `apply`)."""
    run = t["apply"] - t["decode"] - t["resolve"]
    out = {"read": read, "split": t["split"], "tokenise": t["tokenise"], "encoder": t["encoder"],
           "decode": t["decode"], "resolve": t["resolve"], "engine_and_other": run - t["encoder"]}
    out["total"] = sum(out.values())
    return out


def top_ops(clf: ClaimClassifier, texts: list[str], n: int = 12) -> list[dict]:
    """The encoder's most expensive operators on `texts` (self CPU time, torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile

    docs = clf._segment_all(texts)
    targets, enc = clf._pairs(docs)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        clf._apply(docs, targets, enc, None, False)
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:n]
    total = sum(e.self_cpu_time_total for e in prof.key_averages())
    return [{"op": e.key, "self_s": e.self_cpu_time_total / 1e6, "share": e.self_cpu_time_total / total}
            for e in events]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(ROOT / "models" / "default"))
    p.add_argument("--workload", default="real", choices=["real", "corpus"])
    p.add_argument("--precision", default="int8", choices=["fp32", "int8"])
    p.add_argument("--public-data", type=Path)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--output")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    texts = articles(args.workload, None, args.public_data)
    read = time.perf_counter() - started
    clf = ClaimClassifier.from_pretrained(args.model, precision=args.precision)
    clf.analyze_batch(texts[:4])  # warm-up
    t, n = serial(clf, texts)
    whole = breakdown(t, read)
    shares = {k: v / whole["total"] for k, v in whole.items() if k != "total"}
    by_length = {}
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    thirds = [order[k * len(order) // 3 : (k + 1) * len(order) // 3] for k in range(3)]
    for name, part in zip(("short", "middle", "long"), thirds):
        sub = [texts[i] for i in part]
        tt, m = serial(clf, sub)
        b = breakdown(tt)
        by_length[name] = {"chars_per_article": sum(map(len, sub)) / len(sub), "claims": m,
                           "ms_per_claim": {k: 1000 * v / m for k, v in b.items()}}
    result = {"workload": args.workload, "workload_shape": describe(clf, texts), "precision": args.precision,
              "threads": args.threads, "claims": n, "seconds": whole, "share": shares,
              "by_length": by_length, "encoder_top_ops": top_ops(clf, texts[: max(8, len(texts) // 4)])}
    out = Path(args.output) if args.output else (
        ROOT / "benchmarks" / "results" / f"profile_{args.workload}_{args.precision}.json")
    out.write_text(json.dumps(result, indent=1))
    for k, v in whole.items():
        print(f"{k:<18} {v:7.2f} s  {v / whole['total']:6.1%}")
    for op in result["encoder_top_ops"][:8]:
        print(f"  {op['op']:<45} {op['share']:6.1%}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
