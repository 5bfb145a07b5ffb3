"""`python -m training.evaluate` on a tiny model: scoring a user's annotated file, output naming."""

import json

import training.evaluate as evaluate
from training.data import CORPUS


def test_evaluate_scores_a_user_file_and_names_int8_output_apart(tiny_model_dir, tmp_path, monkeypatch):
    records = [json.loads(line) for line in CORPUS.read_text().splitlines()][:2]
    user = tmp_path / "mine.jsonl"
    user.write_text("".join(json.dumps(r) + "\n" for r in records))
    n = sum(c.get("kind") != "meta" and c.get("label") is not None for r in records for c in r["claims"])
    monkeypatch.setattr(evaluate, "ROOT", tmp_path)
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)  # a checkout writes its results there
    for precision in ("fp32", "int8"):
        args = ["--model", str(tiny_model_dir), "--sets", "--data", str(user), "--no-baselines",
                "--no-attribution", "--precision", precision]
        assert evaluate.main(args) == 0
    fp32 = json.loads((tmp_path / "benchmarks" / "results" / f"eval_{tiny_model_dir.name}.json").read_text())
    int8 = json.loads((tmp_path / "benchmarks" / "results" / f"eval_{tiny_model_dir.name}_int8.json").read_text())
    assert fp32["precision"] == "fp32" and int8["precision"] == "int8"
    scored = fp32["sets"]["mine"]["model"]
    assert scored["n"] == n and sum(map(sum, scored["confusion"])) == n and 0 <= scored["macro_f1"] <= 1
    assert fp32["seed"]["claims"] == 22
