"""The bundled corpus: it compiles, the committed JSONL is current, the test split is held out."""

import json
from pathlib import Path

import pytest

from training.corpus import ARTICLES, CORPUS, CorpusError, parse_ann, stats
from training.corpus import test_ids as held_out_ids


def test_committed_corpus_matches_the_ann_sources():
    compiled = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    sources = sorted(ARTICLES.glob("*.ann"))
    assert [r["id"] for r in compiled] == [p.stem for p in sources]
    for rec, path in zip(compiled, sources):
        fresh = parse_ann(path)
        assert fresh["text"] == rec["text"] and fresh["claims"] == rec["claims"], path.name


def test_test_split_is_tagged_and_includes_the_seed():
    compiled = {json.loads(line)["id"]: json.loads(line) for line in CORPUS.read_text().splitlines()}
    held = held_out_ids()
    assert "belarus_pardons" in held
    for rid, rec in compiled.items():
        assert rec["split"] == ("test" if rid in held else "train")


def test_corpus_has_no_repeated_sentence_frames_and_all_labels():
    records = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    s = stats(records)
    assert set(s["labels"]) >= {"fact", "attribution", "opinion"}
    assert s["repeated_frames"] <= 0.01 * s["claims"]


def test_seed_article_compiles_to_the_shipped_text():
    rec = parse_ann(ARTICLES / "belarus_pardons.ann")
    assert rec["text"] == (ARTICLES.parent / "belarus_pardons.txt").read_text(encoding="utf-8")
    ismont = [c for c in rec["claims"] if c["label"] == "attribution"]
    assert [s["resolved"] for s in ismont[0]["sources"]] == ["Belta", "Natalia Ismont"]


@pytest.mark.parametrize("line,message", [
    ("[A] The rain stopped.", "needs a cue"),
    ("[F] {s:Police|official} said it.", "only attribution"),
    ("[A] {s:Police|cop} {c:said} it.", "unknown source type"),
    ("[X] What?", "a claim line starts with"),
    ("[A cont=Nobody] “More.”", "names no earlier source"),
])
def test_authoring_errors_name_the_line(tmp_path: Path, line, message):
    f = tmp_path / "x.ann"
    f.write_text(f"id: x\ntopic: t\nregion: r\ngenre: wire\n---\n[HF] A Headline\n\n{line}\n")
    with pytest.raises(CorpusError, match=message) as e:
        parse_ann(f)
    assert "x.ann:8" in str(e.value)
