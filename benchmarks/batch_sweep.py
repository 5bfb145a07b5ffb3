"""Model batch size sweep: claims/s of `predict_pairs` at several batch sizes, fp32 and int8.

    python benchmarks/batch_sweep.py --model runs/window6 [--sizes 4 8 16 32] [--claims 3000]

The workload is the first `--claims` (claim, previous claim) pairs of the bundled corpus; each
size runs `--repeats` times, sizes interleaved so that drift in machine speed hits them alike.
Writes benchmarks/results/batch_sweep_<context>.json; the engine's defaults
(`engine.default_batch_size`) were picked from it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch

from stanceclf.classifier import ClaimClassifier, context_pairs
from stanceclf.results import Claim, Document
from training.attribution_eval import load_corpus

ROOT = Path(__file__).resolve().parents[1]


def corpus_pairs(n: int) -> tuple[list[str], list[str]]:
    """The first `n` non-meta claims of the bundled corpus with their previous claims."""
    docs = [Document(text=r["text"], claims=[Claim(c["text"], c["start"], c["end"], c["kind"]) for c in r["claims"]])
            for r in load_corpus()]
    _, claims, contexts = context_pairs(docs)
    return claims[:n], contexts[:n]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(ROOT / "models" / "default"))
    p.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16, 32])
    p.add_argument("--claims", type=int, default=3000)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--output")
    args = p.parse_args()
    claims, contexts = corpus_pairs(args.claims)
    runs: dict[str, dict[str, list[float]]] = {}
    context = "pair"
    for precision in ("fp32", "int8"):
        clf = ClaimClassifier.from_pretrained(args.model, precision=precision)
        context = clf.config.context
        clf.predict_pairs(claims[:200], contexts[:200])  # warm-up
        for _ in range(args.repeats):
            for size in args.sizes:
                start = time.perf_counter()
                clf.predict_pairs(claims, contexts, batch_size=size)
                rate = round(len(claims) / (time.perf_counter() - start), 1)
                runs.setdefault(precision, {}).setdefault(str(size), []).append(rate)
                print(f"{precision} batch {size}: {rate} claims/s", flush=True)
    result = {"model": args.model, "context": context, "claims": len(claims), "threads": torch.get_num_threads(),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
              "claims_per_s": runs}
    out = Path(args.output or ROOT / "benchmarks" / "results" / f"batch_sweep_{context}.json")
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
