"""Throughput of the Ray Data engine (`stanceclf.ray`) against the local engine, on one machine.

    python benchmarks/ray_throughput.py [--articles 84] [--threads 2] [--precision fp32] [--disturbed]

Workload (`benchmarks/workloads.py`): the PolNeAR dev articles (real news) when ../shared/data is
present, else the bundled corpus, cycled to `--articles` articles. Same precision and the same
total torch threads everywhere: the local engine with `--threads`, Ray with 1 worker of `--threads`
threads and with 2 workers of half as many each, on a local Ray of `--threads` CPUs.

Steady state, with start-up kept apart:
- local: the model is loaded (timed: `model_load_s`) and warmed up on one batch, then the whole
  workload runs through `analyze_batch` in batches of `--docs-per-batch` articles, as a Ray worker
  gets them;
- Ray: `ray.init` is timed (`ray_start_s`); each pipeline (actors started, model loaded in each,
  articles in, claim rows out) is run on the workload and on twice the workload, so the
  difference of the two is steady-state work: claims/s = extra claims / extra seconds, and the
  rest of the single run's time is the fixed cost of a pipeline (`pipeline_fixed_s`: actor
  start-up and model loading, scheduling).
Ray's overhead per document: its steady seconds per article minus the local engine's.
Writes benchmarks/results/ray_throughput.json; `--disturbed` marks it taken while something else
used the CPUs (the numbers then say little).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from workloads import DEFAULT_PUBLIC, ROOT, articles


def workload(n_articles: int) -> tuple[str, list[dict]]:
    """(name, records with id and text): the real articles when the public data is there, else the
    corpus (`benchmarks/workloads.py`), cycled to `n_articles`, ids unique."""
    name = "real" if (DEFAULT_PUBLIC / "polnear" / "dev_articles.jsonl").exists() else "corpus"
    return name, [{"id": i, "text": text} for i, text in enumerate(articles(name, n_articles))]


def run_local(records: list[dict], args: argparse.Namespace) -> dict:
    import torch

    from stanceclf.classifier import ClaimClassifier

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    clf = ClaimClassifier.from_pretrained(args.model, precision=args.precision)
    load = time.perf_counter() - started
    clf.analyze_batch(records[: args.docs_per_batch])  # warm-up
    started, claims = time.perf_counter(), 0
    for i in range(0, len(records), args.docs_per_batch):
        claims += sum(len(d.claims) for d in clf.analyze_batch(records[i : i + args.docs_per_batch]))
    seconds = time.perf_counter() - started
    return {"engine": "local", "threads": args.threads, "model_load_s": load, "articles": len(records),
            "claims": claims, "seconds": seconds, "claims_per_s": claims / seconds,
            "s_per_article": seconds / len(records)}


def run_ray_pipeline(records: list[dict], workers: int, args: argparse.Namespace) -> tuple[int, float]:
    """(claims, seconds) of one pipeline from scratch: actors, model loading, all articles."""
    import ray

    from stanceclf import ray as stanceclf_ray

    threads = max(1, args.threads // workers)
    started = time.perf_counter()
    ds = ray.data.from_items(records)
    out = stanceclf_ray.analyze(ds, model=args.model, precision=args.precision, concurrency=workers,
                                threads=threads, docs_per_batch=args.docs_per_batch)
    claims = sum(len(b) - b.column("claim_index").null_count for b in out.iter_batches(batch_format="pyarrow"))
    return claims, time.perf_counter() - started


def run_ray(records: list[dict], workers: int, args: argparse.Namespace) -> dict:
    claims_1, seconds_1 = run_ray_pipeline(records, workers, args)
    claims_2, seconds_2 = run_ray_pipeline(records + records, workers, args)
    steady = (claims_2 - claims_1) / (seconds_2 - seconds_1)
    return {"engine": "ray", "workers": workers, "threads_per_worker": max(1, args.threads // workers),
            "articles": len(records), "claims": claims_1, "seconds_1x": seconds_1, "seconds_2x": seconds_2,
            "claims_per_s": steady, "s_per_article": (seconds_2 - seconds_1) / len(records),
            "pipeline_fixed_s": seconds_1 - claims_1 / steady}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: the bundled model)")
    parser.add_argument("--articles", type=int, default=84, help="workload size (default: the 84 PolNeAR dev articles)")
    parser.add_argument("--threads", type=int, default=2, help="total torch threads (and Ray CPUs)")
    parser.add_argument("--precision", default="fp32", choices=["fp32", "int8"])
    parser.add_argument("--docs-per-batch", type=int, default=32, help="articles per batch, local and Ray")
    parser.add_argument("--disturbed", action="store_true", help="mark the results: other work shared the CPUs")
    parser.add_argument("--note", default="", help="a line on how the run was taken, kept in the JSON")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "ray_throughput.json"))
    args = parser.parse_args()

    import ray

    name, records = workload(args.articles)
    load_before = os.getloadavg()
    local = run_local(records, args)
    started = time.perf_counter()
    ray.init(num_cpus=args.threads, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - started
    ray.data.DataContext.get_current().enable_progress_bars = False
    runs = [local]
    for workers in (1, 2):
        run = run_ray(records, workers, args)
        run["ratio_to_local"] = run["claims_per_s"] / local["claims_per_s"]
        run["overhead_ms_per_article"] = 1000 * (run["s_per_article"] - local["s_per_article"])
        runs.append(run)
    ray.shutdown()
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "workload": name,
              "precision": args.precision, "threads": args.threads, "docs_per_batch": args.docs_per_batch,
              "ray_version": ray.__version__, "ray_start_s": ray_start, "disturbed": args.disturbed, "note": args.note,
              "load_average_before": load_before, "load_average_after": os.getloadavg(), "runs": runs}
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    for run in runs:
        what = "local" if run["engine"] == "local" else f"ray x{run['workers']}"
        print(f"{what:<8} {run['claims_per_s']:8.1f} claims/s  {1000 * run['s_per_article']:7.1f} ms/article"
              + (f"  fixed {run['pipeline_fixed_s']:.1f}s" if "pipeline_fixed_s" in run else ""))
    print(f"ray start {ray_start:.1f}s, model load {local['model_load_s']:.1f}s; wrote {args.output}")


if __name__ == "__main__":
    main()
