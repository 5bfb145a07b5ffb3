"""Data loading for training and evaluation: the direct read vs Hugging Face `datasets`.

    python benchmarks/data_loading.py --data corpus checkthat polnear webis babe real \
        --public-data ../shared/data

Each measurement is a fresh process that loads the train and dev splits of every `--data` set
(the corpus: train and test), as `training.train` and `training.evaluate` do: `direct` reads the
files with the loaders in training/data.py (the loading before `datasets`); `cold` loads through
`datasets` into an empty cache (generate, write Arrow); `warm` loads again from that cache (hash
the files, memory-map the Arrow file, build the examples). Each process first imports the training
code (torch, transformers), as the training and evaluation scripts have; `import datasets` is timed
apart, once a process: after those imports, and in a bare interpreter. The three run in turn,
`--repeats` times; medians are reported, and each process's examples are hashed so that the three
are checked to be the same.
Writes benchmarks/results/data_loading.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("direct", "cold", "warm")


def splits(name: str) -> tuple[str, str]:
    return ("train", "test") if name == "corpus" else ("train", "dev")


def worker(mode: str, names: list[str], public: str | None, cache_dir: str) -> dict:
    """Load every set once the `mode` way, in this process; seconds per set and in all."""
    sys.path.insert(0, str(ROOT))
    import training.train  # noqa: F401  (the process data loading happens in)
    from training import data

    import_s = 0.0
    if mode != "direct":
        started = time.perf_counter()
        import datasets  # noqa: F401

        import_s = time.perf_counter() - started
    root = Path(public) if public else None
    per_set, digest, n = {}, hashlib.sha256(), 0
    for name in names:
        for split in splits(name):
            started = time.perf_counter()
            if mode == "direct":
                examples = data.read(name, split, root)
            else:
                examples = data.load(name, split, root, cache_dir=cache_dir)
            per_set[f"{name}/{split}"] = round(time.perf_counter() - started, 4)
            digest.update(repr(examples).encode())
            n += len(examples)
    return {"mode": mode, "seconds": round(sum(per_set.values()), 4), "import_datasets_s": round(import_s, 4),
            "per_set": per_set, "examples": n, "sha256": digest.hexdigest()}


def run(mode: str, args: argparse.Namespace, cache_dir: str) -> dict:
    cmd = [sys.executable, __file__, "--worker", mode, "--data", *args.data, "--cache-dir", cache_dir]
    if args.public_data:
        cmd += ["--public-data", args.public_data]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.splitlines()[-1])


def bare_import() -> float:
    """Seconds `import datasets` takes in a fresh interpreter that imported nothing else."""
    code = "import time; t = time.perf_counter(); import datasets; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", nargs="+", default=["corpus", "checkthat", "polnear", "webis", "babe", "real"])
    p.add_argument("--public-data", help="the public sets' folder (e.g. ../shared/data)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "data_loading.json"))
    p.add_argument("--note", help="a remark stored with the figures (e.g. other work on the machine)")
    p.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    p.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.public_data, args.cache_dir)))
        return 0
    runs: dict[str, list[dict]] = {m: [] for m in MODES}
    bare: list[float] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            cache = str(Path(tmp) / f"cache{r}")  # empty for `cold`, then the one `warm` reads
            for mode in MODES:
                runs[mode].append(run(mode, args, cache))
                print(f"{mode:6s} {runs[mode][-1]['seconds']:.3f} s", flush=True)
            bare.append(bare_import())
    digests = {r["sha256"] for rs in runs.values() for r in rs}
    if len(digests) != 1:
        print("error: the three ways loaded different examples", file=sys.stderr)
        return 1
    median = {m: round(statistics.median(r["seconds"] for r in runs[m]), 4) for m in MODES}
    imports = round(statistics.median(r["import_datasets_s"] for r in runs["warm"]), 4)
    result = {
        "command": "python benchmarks/data_loading.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "data": args.data, "examples": runs["direct"][0]["examples"], "same_examples": True,
        "repeats": args.repeats, "median_seconds": median,
        "ratio_vs_direct": {m: round(median[m] / median["direct"], 3) for m in ("cold", "warm")},
        "import_datasets_seconds": {"after_training_imports": imports, "bare": round(statistics.median(bare), 4)},
        "warm_with_import_ratio": round((median["warm"] + imports) / median["direct"], 3),
        "per_set_median": {m: {k: round(statistics.median(r["per_set"][k] for r in runs[m]), 4)
                               for k in runs[m][0]["per_set"]} for m in MODES},
        "runs": {m: [r["seconds"] for r in runs[m]] for m in MODES},
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "note": args.note,
    }
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("median_seconds", "ratio_vs_direct", "import_datasets_seconds",
                                             "warm_with_import_ratio", "load_average")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
