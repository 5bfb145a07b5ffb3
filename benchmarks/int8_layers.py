"""Which linear layers int8 may take: macro-F1 on every dev set and speed, per choice of layers
kept in fp32, against fp32 in the same run.

    python benchmarks/int8_layers.py --public-data ../shared/data [--sets real checkthat ...]

Each variant names the linear layers that stay fp32 and those computed in bf16
(`quantize_int8(model, fp32=..., bf16=...)`, regular expressions over module names); speed is
`analyze_batch` on 40 real articles (2 threads), each variant timed twice, interleaved. Writes
benchmarks/results/int8_layers.json. The engine's default (`modeling.INT8_FP32`, `INT8_BF16`)
was chosen here.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import torch
from workloads import ROOT, articles

from stanceclf.classifier import ClaimClassifier
from stanceclf.labels import LABELS
from stanceclf.modeling import quantize_int8

HEADS = (r"^head$", r"^span_head$")
FFN_OUT = r"layer\.\d+\.output\.dense$"
# name -> (layers left fp32, layers computed in bf16), regular expressions over module names
VARIANTS = {
    "all int8": ((), ()),
    "heads fp32": (HEADS, ()),
    "heads + last layer fp32": ((*HEADS, r"layer\.5\."), ()),
    "heads + first layer fp32": ((*HEADS, r"layer\.0\."), ()),
    "heads + FFN output fp32": ((*HEADS, FFN_OUT), ()),
    "heads + attention fp32": ((*HEADS, r"attention\."), ()),
    "heads + FFN output of layers 0-1 fp32": ((*HEADS, r"layer\.[01]\.output\.dense$"), ()),
    "heads + FFN output of layers 0-2 fp32": ((*HEADS, r"layer\.[012]\.output\.dense$"), ()),
    "heads + FFN output of layers 3-5 fp32": ((*HEADS, r"layer\.[345]\.output\.dense$"), ()),
    "heads fp32 + FFN output bf16": (HEADS, (FFN_OUT,)),
    "heads fp32 + FFN bf16 (the default)": (HEADS, (FFN_OUT, r"intermediate\.dense$")),
    "heads fp32 + every other linear bf16": (HEADS, (r".",)),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(ROOT / "models" / "default"))
    p.add_argument("--public-data", type=Path, required=True)
    p.add_argument("--sets", nargs="+", default=["real", "checkthat", "polnear", "webis", "babe", "corpus"])
    p.add_argument("--variants", nargs="+", default=list(VARIANTS))
    p.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "int8_layers.json"))
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))  # the training package of this checkout
    from training.data import load
    from training.evaluate import gold_of, model_predict, scores, to_task

    torch.set_num_threads(2)
    dev = {s: load(s, "test" if s == "corpus" else "dev", args.public_data) for s in args.sets}
    base = ClaimClassifier.from_pretrained(args.model)
    texts = articles("real", 40, args.public_data)
    models = {"fp32": base}
    for name in args.variants:
        clf = copy.deepcopy(base)
        fp32, bf16 = VARIANTS[name]
        clf.model = quantize_int8(clf.model, fp32=fp32, bf16=bf16)
        clf.precision = "int8"
        models[name] = clf
    result: dict = {"model": args.model, "sets": args.sets, "variants": {}}
    seconds = {name: [] for name in models}
    for _ in range(2):
        for name, clf in models.items():
            clf.analyze_batch(texts[:2])
            started = time.perf_counter()
            clf.analyze_batch(texts)
            seconds[name].append(time.perf_counter() - started)
    for name, clf in models.items():
        fp32, bf16 = VARIANTS.get(name, (["everything"], []))
        row = {"fp32": list(fp32), "bf16": list(bf16), "seconds": min(seconds[name]), "macro_f1": {}}
        for s, examples in dev.items():
            dataset = "corpus" if s == "corpus" else s
            pred = [LABELS[i] for i in model_predict(clf, examples).argmax(1)]
            row["macro_f1"][s] = scores(gold_of(dataset, examples), to_task(dataset, pred))["macro_f1"]
        result["variants"][name] = row
        print(name, f"{row['seconds']:.2f}s", {k: round(v, 4) for k, v in row["macro_f1"].items()}, flush=True)
    fp32 = result["variants"]["fp32"]
    for row in result["variants"].values():
        row["speed_over_fp32"] = fp32["seconds"] / row["seconds"]
        row["points_below_fp32"] = {s: 100 * (fp32["macro_f1"][s] - f) for s, f in row["macro_f1"].items()}
        row["worst_points_below_fp32"] = max(row["points_below_fp32"].values())
    Path(args.output).write_text(json.dumps(result, indent=1))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
