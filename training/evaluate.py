"""Evaluate a model on every dev set, against two baselines run in the same process.

    python -m training.evaluate --model models/default --public-data ../shared/data
    python -m training.evaluate --model PATH --data user.jsonl     # a user's annotated file

Tasks, as the core issue defines them: CheckThat dev (opinion vs not), PolNeAR dev (speech
attribution vs none), Webis dev part (3-way), BABE dev part (opinion vs entirely factual),
the corpus test split (3-way, plus calibration error before/after the temperature) and the
seed article (every gold claim). Baselines: TF-IDF (1-2 grams) + logistic regression with
C chosen by 5-fold CV on the task's training data, and TextBlob subjectivity (threshold
tuned on training data) plus a reporting-verb pattern. Writes benchmarks/results/eval_*.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from stanceclf.classifier import ClaimClassifier
from stanceclf.labels import LABELS

from . import realnews
from .attribution_eval import load_corpus, model_scores, print_attribution
from .data import SPEECH_CUE, Example, load

ROOT = Path(__file__).resolve().parent.parent
# task -> (the labels it scores, how a gold example's allowed set maps to a task label)
BINARY = {
    "checkthat": ("SUBJ", "OBJ", lambda a: "SUBJ" if a == ("opinion",) else "OBJ", {"opinion": "SUBJ"}),
    "polnear": ("attribution", "none", lambda a: "attribution" if a == ("attribution",) else "none",
                {"attribution": "attribution"}),
    "babe": ("opinion", "factual", lambda a: "opinion" if a == ("opinion",) else "factual", {"opinion": "opinion"}),
}


def to_task(dataset: str, labels3: list[str]) -> list[str]:
    """Map 3-way predictions onto a task's label space."""
    if dataset not in BINARY:
        return labels3
    pos, neg, _, mapping = BINARY[dataset]
    return [mapping.get(label, neg) for label in labels3]


def gold_of(dataset: str, examples: list[Example]) -> list[str]:
    if dataset not in BINARY:
        return [e.allowed[0] for e in examples]
    return [BINARY[dataset][2](e.allowed) for e in examples]


def scores(gold: list[str], pred: list[str]) -> dict:
    """Macro-F1, per-class precision/recall/F1 and the confusion matrix."""
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    names = sorted(set(gold))
    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=names, zero_division=0)
    return {"macro_f1": float(f1_score(gold, pred, labels=names, average="macro", zero_division=0)),
            "n": len(gold), "labels": names,
            "per_class": {c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(n[i])}
                          for i, c in enumerate(names)},
            "confusion": confusion_matrix(gold, pred, labels=names).tolist()}


def tfidf_baseline(train_x: list[str], train_y: list[str], test_x: list[str]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    clf = GridSearchCV(LogisticRegression(max_iter=3000, class_weight="balanced"),
                       {"C": [0.1, 0.3, 1, 3, 10, 30, 100]}, cv=5, scoring="f1_macro")
    clf.fit(vec.fit_transform(train_x), train_y)
    return list(clf.predict(vec.transform(test_x)))


def textblob_rule(texts: list[str], threshold: float) -> list[str]:
    """Reporting-verb pattern -> attribution; else TextBlob subjectivity > threshold -> opinion."""
    from textblob import TextBlob

    return ["attribution" if SPEECH_CUE.search(t) else
            "opinion" if TextBlob(t).sentiment.subjectivity > threshold else "fact" for t in texts]


def textblob_baseline(dataset: str, train_x: list[str], train_y: list[str], test_x: list[str]) -> list[str]:
    from sklearn.metrics import f1_score

    best = max((f1_score(train_y, to_task(dataset, textblob_rule(train_x, t)), average="macro"), t)
               for t in np.linspace(0.05, 0.95, 19))
    return to_task(dataset, textblob_rule(test_x, best[1]))


def ece(probs: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top label's confidence."""
    conf, pred = probs.max(1), probs.argmax(1)
    total = 0.0
    for lo in np.linspace(0, 1, bins, endpoint=False):
        m = (conf > lo) & (conf <= lo + 1 / bins)
        if m.any():
            total += m.mean() * abs((pred[m] == gold[m]).mean() - conf[m].mean())
    return float(total)


def _f1s(gold: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """Per-class F1 of integer labels 0..k-1 (0 where a class has neither gold nor predictions)."""
    tp = np.bincount(gold[gold == pred], minlength=k)
    denom = np.bincount(gold, minlength=k) + np.bincount(pred, minlength=k)
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def bootstrap(gold: list[str], pred: list[str], groups: list[str], n: int = 1000, seed: int = 13) -> dict:
    """95% intervals of macro-F1 and per-class F1 from resampling whole articles (claims of one
    article are not independent)."""
    names = sorted(set(gold))
    g = np.array([names.index(x) for x in gold])
    p = np.array([names.index(x) if x in names else len(names) for x in pred])
    ids = sorted(set(groups))
    members = [np.flatnonzero(np.array(groups) == a) for a in ids]
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        idx = np.concatenate([members[i] for i in rng.integers(0, len(ids), len(ids))])
        f = _f1s(g[idx], p[idx], len(names) + 1)[: len(names)]
        rows.append([f.mean(), *f])
    lo, hi = np.percentile(np.array(rows), [2.5, 97.5], axis=0)
    return {"articles": len(ids), "resamples": n, "macro_f1": [float(lo[0]), float(hi[0])],
            "per_class_f1": {c: [float(lo[i + 1]), float(hi[i + 1])] for i, c in enumerate(names)}}


def boundary_scores(records: list[dict]) -> dict:
    """The splitter against gold claim boundaries (claim ends, meta included): precision, recall, F1."""
    from stanceclf.splitting import split

    tp = n_gold = n_pred = 0
    for r in records:
        gold = {c["end"] for c in r["claims"]}
        pred = {s.end for s in split(r["text"])}
        tp, n_gold, n_pred = tp + len(gold & pred), n_gold + len(gold), n_pred + len(pred)
    prec, rec = tp / max(1, n_pred), tp / max(1, n_gold)
    return {"articles": len(records), "precision": prec, "recall": rec,
            "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}


def model_predict(clf: ClaimClassifier, examples: list[Example]) -> np.ndarray:
    return clf.predict_pairs([e.claim for e in examples], [e.context for e in examples]).numpy()


def seed_check(clf: ClaimClassifier) -> dict:
    """The seed article: every gold claim (analysed as a whole article) gets its gold label."""
    seed = next(r for r in load_corpus() if r["id"] == "belarus_pardons")
    doc = clf.analyze(seed["text"])
    predicted = {(c.start, c.end): c for c in doc.claims}
    rows = []
    for g in seed["claims"]:
        p = predicted.get((g["start"], g["end"]))
        rows.append({"text": g["text"], "gold": g["label"], "kind": g["kind"],
                     "predicted": p.label if p else "(claim not split this way)",
                     "ok": bool(p) and p.label == g["label"]})
    return {"claims": len(rows), "correct": sum(r["ok"] for r in rows), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--public-data", help="folder with the public sets (e.g. ../shared/data)")
    p.add_argument("--data", nargs="*", default=[], help="LABELS.md-format JSONL files to score")
    p.add_argument("--sets", nargs="*", default=["real", "checkthat", "polnear", "webis", "babe", "corpus"],
                   help="real: the real-news dev split (annotations/), the headline figure; corpus: the bundled "
                        "corpus test split (the project's own prose)")
    p.add_argument("--precision", default="fp32")
    p.add_argument("--cache-dir", help="where `datasets` caches the loaded examples (default: the HF datasets cache)")
    p.add_argument("--no-baselines", action="store_true")
    p.add_argument("--no-attribution", action="store_true", help="skip the source/cue/resolution figures")
    p.add_argument("--output", help="JSON path (default benchmarks/results/eval_<model>.json, "
                                    "eval_<model>_<precision>.json for other precisions than fp32)")
    p.add_argument("--write-card", action="store_true", help="store the metrics in the model's config and card")
    args = p.parse_args(argv)

    clf = ClaimClassifier.from_pretrained(args.model, precision=args.precision)
    public = Path(args.public_data) if args.public_data else None
    results: dict = {"model": args.model, "precision": args.precision, "sets": {}}
    tasks = [s for s in args.sets if s == "corpus" or public] + list(args.data)
    cache = args.cache_dir
    for name in tasks:
        started = time.time()
        if name == "corpus" or Path(name).exists():
            train = load("corpus", "train", None, cache_dir=cache)
            dev = load(name, "test", None, cache_dir=cache)  # the corpus test split, or all of a user's file
            dataset = "corpus"
        elif name == "real":
            dev, dataset = load(name, "dev", public, cache_dir=cache), name
            train = load(name, "train", public, cache_dir=cache) if (
                realnews.ANNOTATIONS / "train.jsonl").exists() else []
        else:
            train, dev = (load(name, part, public, cache_dir=cache) for part in ("train", "dev"))
            dataset = name
        probs = model_predict(clf, dev)
        pred3 = [LABELS[i] for i in probs.argmax(1)]
        gold = gold_of(dataset, dev)
        entry = {"model": scores(gold, to_task(dataset, pred3))}
        if name == "real":
            entry["bootstrap"] = bootstrap(gold, pred3, [e.group for e in dev])
            entry["splitting"] = boundary_scores(realnews.load(realnews.ANNOTATIONS / "dev.jsonl", public))
        if not args.no_baselines and train:
            full = [e for e in train if len(e.allowed) == 1 or dataset in BINARY]
            tx, ty = [e.claim for e in full], gold_of(dataset, full)
            if len(tx) > 6000:
                idx = np.random.default_rng(13).choice(len(tx), 6000, replace=False)
                tx, ty = [tx[i] for i in idx], [ty[i] for i in idx]
            dx = [e.claim for e in dev]
            entry["tfidf_logreg"] = scores(gold, tfidf_baseline(tx, ty, dx))
            entry["textblob_pattern"] = scores(gold, textblob_baseline(dataset, tx, ty, dx))
        if dataset in ("corpus", "real"):
            g = np.array([LABELS.index(x) for x in gold])
            logits = np.log(np.clip(probs, 1e-12, 1)) * clf.config.temperature
            raw = torch.softmax(torch.tensor(logits), -1).numpy()
            entry["ece_before_temperature"] = ece(raw, g)
            entry["ece_after_temperature"] = ece(probs, g)
        entry["seconds"] = round(time.time() - started, 1)
        key = name if not Path(name).exists() else Path(name).stem
        results["sets"][key] = entry
        line = "  ".join(f"{k} {v['macro_f1']:.3f}" for k, v in entry.items()
                         if isinstance(v, dict) and isinstance(v.get("macro_f1"), float))
        if "bootstrap" in entry:
            b = entry["bootstrap"]
            line += (f"  (95% interval {b['macro_f1'][0]:.3f}-{b['macro_f1'][1]:.3f} over {b['articles']} articles; "
                     f"splitter boundary F1 {entry['splitting']['f1']:.3f})")
        print(f"{key:<12} n={len(dev):<5} macro-F1: {line}", flush=True)
        print("             per class: " + ", ".join(f"{c} P{m['precision']:.2f}/R{m['recall']:.2f}/F{m['f1']:.2f}"
                                              for c, m in entry["model"]["per_class"].items()))
        print(f"             confusion {entry['model']['labels']}: {entry['model']['confusion']}", flush=True)
    if not args.no_attribution:
        results["attribution"] = model_scores(clf, public)
        print_attribution(results["attribution"])
    results["seed"] = seed_check(clf)
    print(f"seed article: {results['seed']['correct']}/{results['seed']['claims']} gold claims correct")
    for r in results["seed"]["rows"]:
        if not r["ok"]:
            print(f"   miss: {r['text'][:60]!r} gold {r['gold']} got {r['predicted']}")
    suffix = "" if args.precision == "fp32" else f"_{args.precision}"
    folder = ROOT / "benchmarks" / "results"  # a checkout's; an installed package writes to the working directory
    name = f"eval_{Path(args.model).name}{suffix}.json"
    out = Path(args.output or (folder if folder.is_dir() else Path.cwd()) / name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"wrote {out}")
    if args.write_card:
        write_card(Path(args.model), results)
    return 0


def write_card(directory: Path, results: dict) -> None:
    """Put the measured macro-F1 figures into the model's settings and regenerate the model card."""
    from stanceclf.modelcard import model_card
    from stanceclf.modeling import ModelConfig, read_settings, write_settings

    raw = read_settings(directory)
    raw["metrics"] = {name: {"macro_f1": e["model"]["macro_f1"], "n": e["model"]["n"],
                             **({"interval": e["bootstrap"]["macro_f1"]} if "bootstrap" in e else {})}
                      for name, e in results["sets"].items()}
    raw["metrics"]["seed_article"] = {"correct": results["seed"]["correct"], "claims": results["seed"]["claims"]}
    att = results.get("attribution")
    if att:
        c = att["corpus_test"]
        raw["metrics"]["attribution"] = {
            "corpus test resolution accuracy": c["resolution_accuracy"],
            "corpus test type accuracy": c["type_accuracy"],
            "seed attribution claims fully right": f"{att['seed']['correct']}/{att['seed']['claims']}"}
        if "real_dev" in att:
            r = att["real_dev"]
            raw["metrics"]["attribution"].update({
                "real-news dev source token F1": r["spans_on_gold_attribution_claims"]["model"]["source"]["token_f1"],
                "real-news dev cue token F1": r["spans_on_gold_attribution_claims"]["model"]["cue"]["token_f1"],
                "real-news dev resolution accuracy": r["resolution_accuracy"]})
        if "polnear_dev" in att:
            for k in ("source", "cue"):
                raw["metrics"]["attribution"][f"PolNeAR dev {k} token F1"] = att["polnear_dev"]["model"][k]["token_f1"]
                raw["metrics"]["attribution"][f"PolNeAR dev {k} token F1, left-out attributions scored"] = \
                    att["polnear_dev"]["strict"]["model"][k]["token_f1"]
    config = ModelConfig.from_dict(raw)
    if (directory / "stanceclf.json").exists():
        encoder = {k: v for k, v in json.loads((directory / "config.json").read_text()).items()
                   if k not in ("id2label", "label2id")}
        write_settings(directory, config, encoder)
    else:  # a format-1 directory keeps its layout
        (directory / "config.json").write_text(json.dumps({**config.to_dict(), "format_version": 1,
                                                           "model_type": "stanceclf"}, indent=1))
    (directory / "README.md").write_text(model_card(config))


if __name__ == "__main__":
    sys.exit(main())
