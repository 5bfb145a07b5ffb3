"""Regenerate the README's results section from benchmarks/results/*.json.

    python benchmarks/summarize.py

Rewrites the text between `<!-- results:start -->` and `<!-- results:end -->`; the
numbers in the README come from nowhere else.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {"checkthat": "≥ 0.72", "polnear": "≥ 0.92", "webis": "TF-IDF + 0.05", "babe": "TF-IDF + 0.05"}


def eval_table(path: Path) -> list[str]:
    res = json.loads(path.read_text())
    lines = [f"Model `{res['model']}` ({res['precision']}), from `{path.relative_to(ROOT)}`:", "",
             "| set | n | stanceclf macro-F1 | TF-IDF + LR | TextBlob + pattern | target |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, e in res["sets"].items():
        base = [e.get(k, {}).get("macro_f1") for k in ("tfidf_logreg", "textblob_pattern")]
        cells = " | ".join(f"{b:.3f}" if b is not None else "-" for b in base)
        model = e["model"]
        lines.append(f"| {name} | {model['n']} | {model['macro_f1']:.3f} | {cells} | {TARGETS.get(name, '')} |")
    corpus = res["sets"].get("corpus", {})
    if "ece_before_temperature" in corpus:
        lines += ["", f"Calibration on the corpus test split: expected calibration error "
                      f"{corpus['ece_before_temperature']:.3f} before the temperature, "
                      f"{corpus['ece_after_temperature']:.3f} after."]
    seed = res["seed"]
    lines += ["", f"Seed article: {seed['correct']} of {seed['claims']} gold claims get their gold label."]
    return lines


def splitting_table(path: Path) -> list[str]:
    res = json.loads(path.read_text())
    lines = ["Sentence-boundary F1 (`python benchmarks/splitting.py --basil "
             "../shared/data/basil/train_articles.jsonl`):", "",
             "| gold | stanceclf | pysbd | syntok |", "| --- | --- | --- | --- |"]
    for name, r in res.items():
        lines.append(f"| {name} ({r['stanceclf']['boundaries']} boundaries) | "
                     + " | ".join(f"{r[k]['f1']:.3f}" for k in ("stanceclf", "pysbd", "syntok")) + " |")
    return lines


def test_split_table() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines()]
    lines = ["| test article | claims | sha256 of its text |", "| --- | --- | --- |"]
    lines += [f"| {r['id']} | {len(r['claims'])} | `{r['sha256']}` |" for r in rows if r["split"] == "test"]
    return lines


def main() -> None:
    parts: list[str] = []
    for path in sorted(RESULTS.glob("eval_*.json")):
        parts += eval_table(path) + [""]
    if (RESULTS / "splitting.json").exists():
        parts += splitting_table(RESULTS / "splitting.json")
    readme = ROOT / "README.md"
    text = readme.read_text()
    for name, body in (("results", parts), ("testsplit", test_split_table())):
        block = f"<!-- {name}:start -->\n" + "\n".join(body).strip() + f"\n<!-- {name}:end -->"
        text = re.sub(f"<!-- {name}:start -->.*<!-- {name}:end -->", lambda _, b=block: b, text, flags=re.S)
    readme.write_text(text)


if __name__ == "__main__":
    main()
