"""Data loading through Hugging Face `datasets` (training/hfdata.py) against the direct read.

The public-set fixtures are a few rows written here in each set's file layout (no `../shared`
needed); the corpus is the bundled one. One more comparison runs on the real public sets when
`../shared/data` is there.
"""

import csv
import json
import os
from dataclasses import fields
from pathlib import Path

import datasets
import pytest

import training.train as train_mod
from training import data, hfdata, realnews

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
ARTICLE = {"id": "reuters:7", "title": "MILL TO CUT SHIFTS", "dateline": "ORLA, June 3 -",
           "paragraphs": ["The Orla paper mill will cut two shifts, its owner Tessa Lind said on Monday.",
                          "Demand has fallen. The cuts look overdue."]}
ANN = """id: reuters:7
---
[HF] MILL TO CUT SHIFTS
[M] ORLA, June 3 -
[A] The Orla paper mill will cut two shifts, its {s:owner Tessa Lind|Tessa Lind|person} {c:said} on Monday.
[F] Demand has fallen.
[O] The cuts look overdue.
"""


@pytest.fixture(autouse=True)
def hf_cache(tmp_path, monkeypatch) -> Path:
    """The default cache (the HF datasets cache) in the test's folder."""
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "hf"))
    return tmp_path / "hf" / "stanceclf"


@pytest.fixture
def public(tmp_path, monkeypatch) -> Path:
    """A public-data folder with a few rows of each set, and real-news annotations of one article."""
    root = tmp_path / "data"
    for d in ("checkthat_subjectivity_en", "polnear", "webis_editorials", "babe", "reuters21578"):
        (root / d).mkdir(parents=True)
    for split, n in (("train", 6), ("dev", 3)):
        with open(root / "checkthat_subjectivity_en" / f"{split}_en.tsv", "w", encoding="utf-8") as f:
            f.write("sentence_id\tsentence\tlabel\n")
            f.writelines(f"{split}{i}\tSentence {i} of {split}, {'sadly' if i % 2 else 'on Monday'}.\t"
                         f"{'SUBJ' if i % 2 else 'OBJ'}\n" for i in range(n))
        cue = {"start": 10, "end": 14}
        rows = [{"doc_id": f"d{i // 3}", "text": f"The mayor said plan {i} works.", "label_hint": "attribution",
                 "attributions": [{"source_text": "The mayor", "cue_text": "said", "cue_in_sentence": [cue],
                                   "source_in_sentence": [{"start": 0, "end": 9}]}]} for i in range(n)]
        we = {"source_text": "We", "cue_text": "believe", "cue_in_sentence": [{"start": 3, "end": 10}],
              "source_in_sentence": [{"start": 0, "end": 2}]}  # the writer's own: ignored, not O
        mayor = {"source_text": "the mayor", "cue_text": "said", "cue_in_sentence": [{"start": 21, "end": 25}],
                 "source_in_sentence": [{"start": 11, "end": 20}]}
        rows += [{"doc_id": "d9", "text": "Rates rose.", "label_hint": "no_attribution", "attributions": []},
                 {"doc_id": "d9", "text": "I think so.", "label_hint": "attribution", "attributions": [
                     dict(we, source_text="I", cue_text="think")]},  # left out: no speech attribution
                 {"doc_id": "d9", "text": "We believe the mayor said it works.", "label_hint": "attribution",
                  "attributions": [we, mayor]}]
        (root / "polnear" / f"{split}_sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "webis_editorials" / "train_sentences.jsonl").write_text("".join(
        json.dumps({"doc_id": f"ed{i % 12}", "text": f"Line {i}.", "label_mapped": ("fact", "opinion", "none")[i % 3]})
        + "\n" for i in range(40)))
    with open(root / "babe" / "final_labels_SG2_train.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["text", "news_link", "label_opinion"])
        for i in range(30):
            label = ("Expresses writer's opinion", "Entirely factual", "Somewhat factual but also opinionated")[i % 3]
            w.writerow([f"Story {i}; it went on.", f"https://n.example/{i % 10}", label])
    (root / "reuters21578" / "articles.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    realnews._index.cache_clear()
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    text = realnews.article_text("reuters:7", root)
    for split in ("train", "dev"):
        record = realnews.to_standoff("reuters:7", text, realnews.align(ANN, text), split)
        (annotations / f"{split}.jsonl").write_text(json.dumps(record) + "\n")
    monkeypatch.setattr(realnews, "ANNOTATIONS", annotations)
    yield root
    realnews._index.cache_clear()


@pytest.fixture
def user_file(tmp_path) -> Path:
    records = [json.loads(line) for line in data.CORPUS.read_text().splitlines()][:4]
    f = tmp_path / "mine.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records))
    return f


def test_features_declare_every_example_field_but_the_teachers():
    assert set(hfdata.features()) == {f.name for f in fields(data.Example)} - {"teacher"}


@pytest.mark.parametrize("name", ["corpus", "checkthat", "polnear", "webis", "babe", "real", "user"])
def test_each_set_gives_the_same_examples_in_the_same_order_through_datasets(name, public, user_file, hf_cache):
    entries = 1 if name == "user" else 2  # a user's file is read whole, whatever the split
    name = str(user_file) if name == "user" else name
    for split in ("train", "dev"):
        direct = data.read(name, split, public)
        cold = data.load(name, split, public)
        warm = data.load(name, split, public)
        assert direct and cold == direct and warm == direct
    assert len(list(hf_cache.glob("*.arrow"))) == entries and len(list(hf_cache.glob("*.json"))) == entries


def test_spans_keep_none_apart_from_empty_and_ignored_regions_survive(public):
    polnear = data.load("polnear", "train", public)
    assert polnear[0].spans == [(0, 9, "SRC"), (10, 14, "CUE")] and any(e.ignore for e in polnear)
    assert all(e.spans is None for e in data.load("checkthat", "train", public))
    real = data.load("real", "dev", public)
    assert real[0].spans == [] and any(e.spans for e in real)


def collect_both(args: train_mod.TrainArgs, monkeypatch) -> tuple:
    """`collect` through `datasets`, then through the direct read (the loading before `datasets`)."""
    via_datasets = train_mod.collect(args)
    with monkeypatch.context() as m:
        m.setattr(train_mod, "load", lambda name, split, public, strict=False, cache_dir=None:
                  data.read(name, split, public, strict))
        direct = train_mod.collect(args)
    return via_datasets, direct


@pytest.mark.parametrize("context", ["pair", "window"])
def test_training_gets_the_same_batches_through_datasets_for_a_fixed_seed(context, public, user_file, tmp_path,
                                                                          monkeypatch):
    args = train_mod.parse_args(["--data", "corpus", str(user_file), "checkthat", "polnear", "webis", "babe", "real",
                                 "--public-data", str(public), "--cache-dir", str(tmp_path / "c"), "--seed", "21",
                                 "--max-per-dataset", "500", "--batch-size", "16", "--epochs", "2",
                                 "--context", context])
    (train, calib, dev), (train0, calib0, dev0) = collect_both(args, monkeypatch)
    assert train == train0 and calib == calib0 and dev == dev0
    assert {e.dataset for e in train} == {"corpus", "mine", "checkthat", "polnear", "webis", "babe", "real"}
    assert train_mod.schedule(train, args) == train_mod.schedule(train0, args)
    assert train_mod.batch_order(train, 1, args) == train_mod.batch_order(train0, 1, args)
    assert (tmp_path / "c").is_dir()


def test_an_edited_file_is_a_new_key_and_never_served_stale(user_file, public, hf_cache):
    before = data.load(str(user_file), "train", None)
    key = hfdata.cache_key(data.source(str(user_file), "train", None))[0]
    stat = user_file.stat()
    claim = before[0].claim
    word = claim.split()[0]
    changed = word[:-1] + ("x" if word[-1] != "x" else "y")  # same length: offsets stay right
    user_file.write_text(user_file.read_text().replace(word, changed))
    os.utime(user_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time: only the bytes differ
    assert user_file.stat().st_size == stat.st_size
    assert hfdata.cache_key(data.source(str(user_file), "train", None))[0] != key
    after = data.load(str(user_file), "train", None)
    assert after == data.read(str(user_file), "train", None) and after[0].claim.startswith(changed)
    tsv = public / "checkthat_subjectivity_en" / "dev_en.tsv"
    first = data.load("checkthat", "dev", public)
    tsv.write_text(tsv.read_text().replace("SUBJ", "OBJ"))
    assert all(e.allowed == ("fact", "attribution") for e in data.load("checkthat", "dev", public)) != all(
        e.allowed == ("fact", "attribution") for e in first)


def test_an_edited_parser_is_a_new_key(tmp_path, monkeypatch):
    code = tmp_path / "parser.py"
    code.write_text("RULE = 1\n")
    monkeypatch.setattr(hfdata, "CODE", (code,))
    src = data.source("corpus", "train", None)
    key = hfdata.cache_key(src)[0]
    code.write_text("RULE = 2\n")
    assert hfdata.cache_key(src)[0] != key


def test_bad_rows_are_reported_on_every_load_and_strict_stops_a_cached_one(tmp_path, capsys):
    f = tmp_path / "bad.jsonl"
    good = data.CORPUS.read_text().splitlines()[0]
    f.write_text(good + "\nnot json\n")
    for _ in range(2):  # built, then from the cache
        assert len(data.load(str(f), "train", None)) == len(data.read(str(f), "train", None))
        assert capsys.readouterr().err.count("skipped 1 bad rows") == 2
    with pytest.raises(data.DataError, match="bad rows"):
        data.load(str(f), "train", None, strict=True)


def test_a_loader_error_is_its_own_and_leaves_no_cache(public, hf_cache):
    path = realnews.ANNOTATIONS / "dev.jsonl"
    record = json.loads(path.read_text())
    path.write_text(json.dumps(dict(record, sha256="0" * 64)) + "\n")
    for _ in range(2):
        with pytest.raises(data.DataError, match="sha256 mismatch"):
            data.load("real", "dev", public)
    assert not list(hf_cache.glob("real-dev-*"))
    path.unlink()
    with pytest.raises(data.DataError, match="no real-news dev annotations"):
        data.load("real", "dev", public)
    with pytest.raises(data.DataError, match="--public-data"):
        data.load("babe", "train", None)


def test_the_default_cache_is_in_the_hf_datasets_cache(hf_cache):
    data.load("corpus", "dev", None)
    manifest = json.loads(next(hf_cache.glob("corpus-dev-*.json")).read_text())
    assert manifest["rows"] == len(data.read("corpus", "dev", None)) and manifest["problems"] == []
    assert manifest["files"] == {str(data.CORPUS.resolve()): hfdata.sha256_file(data.CORPUS)}


@pytest.mark.skipif(not SHARED.is_dir(), reason="an extra check on the public sets: needs ../shared/data")
def test_the_public_sets_load_the_same_examples_through_datasets(tmp_path):
    for name in ("checkthat", "polnear", "webis", "babe", "real"):
        for split in ("train", "dev"):
            realnews._index.cache_clear()
            assert data.load(name, split, SHARED, cache_dir=tmp_path) == data.read(name, split, SHARED), (name, split)
