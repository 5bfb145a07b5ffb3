"""End to end with the bundled model (marked `slow`; CI runs them with `-m slow`).

Expectations come from the model's own recorded evaluation (its settings' `metrics`, written by
`training.evaluate --write-card`), with an absolute floor below which any model is broken."""

import json
from pathlib import Path

import pytest

from stanceclf import ClaimClassifier

ROOT = Path(__file__).resolve().parent.parent
SEED_FLOOR = 18  # of 22 seed claims: no model this project shipped has been below 20
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed():
    gold = next(r for r in map(json.loads, (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines())
                if r["id"] == "belarus_pardons")
    clf = ClaimClassifier.from_pretrained()
    return gold, clf.analyze((ROOT / "seeds" / "belarus_pardons.txt").read_text(encoding="utf-8"))


def test_seed_claims_have_gold_offsets_and_kinds(seed):
    gold, doc = seed
    assert doc.text == gold["text"] and doc.check() == []
    assert [(c.start, c.end, c.kind) for c in doc.claims] == [(g["start"], g["end"], g["kind"]) for g in gold["claims"]]


def test_seed_labels_match_the_models_recorded_evaluation(seed):
    gold, doc = seed
    recorded = ClaimClassifier.from_pretrained().config.metrics["seed_article"]
    assert recorded["claims"] == len(gold["claims"])  # as training.evaluate.seed_check counts them
    right = sum(c.label == g["label"] for c, g in zip(doc.claims, gold["claims"]))
    assert right >= SEED_FLOOR and right >= recorded["correct"] - 1, [(c.text[:40], c.label) for c in doc.claims]


def test_seed_sources_and_cues(seed):
    _, doc = seed
    claim = {p: next(c for c in doc.claims if c.text.startswith(p)) for p in ("Belarus's", "She said", "The 31")}
    assert all(c.label == "attribution" for c in claim.values())
    belta = claim["Belarus's"]
    assert [(s.resolved, s.type) for s in belta.sources] == [("Belta", "media"), ("Natalia Ismont", "official")]
    assert belta.cue.text == "announced"
    she = claim["She said"]
    assert [(s.text, s.resolved) for s in she.sources] == [("She", "Natalia Ismont")] and she.cue.text == "said"
    transfer = claim["The 31"]
    assert [s.resolved for s in transfer.sources] == ["Natalia Ismont"] and transfer.cue.text == "according to"


def test_int8_labels_agree_with_fp32_on_the_corpus_test_split():
    """The issue's bar: int8 gives fp32's label on at least 98% of claims (here 38 unseen articles)."""
    from training.attribution_eval import load_corpus
    from training.corpus import test_ids

    records = [r for r in load_corpus() if r["id"] in test_ids()]
    fp32 = ClaimClassifier.from_pretrained().analyze_batch(records)
    int8 = ClaimClassifier.from_pretrained(precision="int8").analyze_batch(records)
    pairs = [(a.label, b.label) for x, y in zip(fp32, int8) for a, b in zip(x.claims, y.claims) if a.label]
    assert len(pairs) > 500
    assert sum(a == b for a, b in pairs) / len(pairs) >= 0.98


@pytest.mark.parametrize("name", ["default", "pair", "v0.1.0"])
def test_the_shipped_model_directories_load_as_they_are(name, tmp_path):
    """models/pair and models/v0.1.0 were saved in format 1, models/default in format 2; each loads, and a
    loaded model saves the compact form (adapters and heads, not the merged encoder), which loads to the
    same probabilities."""
    clf = ClaimClassifier.from_pretrained(ROOT / "models" / name)
    clf.save_pretrained(tmp_path / name)
    saved = {p.name for p in (tmp_path / name).iterdir()}
    assert "adapter.safetensors" in saved and "model.safetensors" not in saved and "stanceclf.json" in saved
    assert (tmp_path / name / "adapter.safetensors").stat().st_size < 5_000_000
    text = (ROOT / "seeds" / "belarus_pardons.txt").read_text(encoding="utf-8")
    a, b = clf.analyze(text), ClaimClassifier.from_pretrained(tmp_path / name).analyze(text)
    assert [c.label for c in a.claims] == [c.label for c in b.claims]
    assert all(abs(x.confidence - y.confidence) < 1e-5 for x, y in zip(a.claims, b.claims) if x.label)
