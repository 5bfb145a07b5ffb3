"""End to end with the bundled model: the seed article, claim by claim, against its gold annotation."""

import json
from pathlib import Path

import pytest

from stanceclf import ClaimClassifier

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed():
    gold = next(r for r in map(json.loads, (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines())
                if r["id"] == "belarus_pardons")
    clf = ClaimClassifier.from_pretrained()
    return gold, clf.analyze((ROOT / "seeds" / "belarus_pardons.txt").read_text(encoding="utf-8"))


def test_seed_text_is_the_corpus_text(seed):
    gold, doc = seed
    assert doc.text == gold["text"]


def test_seed_claims_have_gold_offsets_kinds_and_labels(seed):
    gold, doc = seed
    assert [(c.start, c.end, c.kind) for c in doc.claims] == [(g["start"], g["end"], g["kind"]) for g in gold["claims"]]
    assert [c.label for c in doc.claims] == [g["label"] for g in gold["claims"]]


def test_seed_sources_and_cues_as_in_labels_md(seed):
    gold, doc = seed
    for g, c in zip(gold["claims"], doc.claims):
        if g["label"] != "attribution":
            assert c.sources == [] and c.cue is None
            continue
        assert [(s.text, s.resolved, s.type) for s in c.sources] == [
            (s["text"], s["resolved"], s["type"]) for s in g["sources"]], g["text"]
        assert (c.cue.text if c.cue else None) == (g["cue"] or {}).get("text"), g["text"]
        for s in c.sources:
            assert doc.text[s.start : s.end] == s.text
