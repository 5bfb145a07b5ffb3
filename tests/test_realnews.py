"""Real-news annotations: stand-off alignment, the hash check, and no article on both sides of a split.

The fixtures are small articles written for these tests, laid out as the public sets' files are
(`reuters21578/articles.jsonl`, `webis_editorials/train_sentences.jsonl`), so nothing needs `../shared`.
"""

import json

import pytest

from training import agreement, data, realnews

ARTICLE = {"id": "reuters:1", "title": "PORT OF TALLIS REOPENS", "dateline": "TALLIS, May 2 -",
           "paragraphs": ["The port of Tallis reopened on Friday after a strike, harbour master "
                          "Ines Varga said.",
                          "“Ships are moving again,” she told reporters. The union declined to comment.",
                          "The reopening is a relief for exporters."]}
ANN = """id: reuters:1
---
[HF] PORT OF TALLIS REOPENS
[M] TALLIS, May 2 -
[A] The port of Tallis reopened on Friday after a strike, {s:harbour master Ines Varga|Ines Varga|official} {c:said}.
[A] "Ships are moving again," {s:she|Ines Varga|official} {c:told reporters}.
[F] The union declined to comment.
[O] The reopening is a relief for exporters.
"""


@pytest.fixture
def public(tmp_path):
    root = tmp_path / "data"
    (root / "reuters21578").mkdir(parents=True)
    (root / "reuters21578" / "articles.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    realnews._index.cache_clear()
    yield root
    realnews._index.cache_clear()


def test_annotation_lines_are_found_in_the_text_with_exact_offsets(public):
    text = realnews.article_text("reuters:1", public)
    assert text.startswith("PORT OF TALLIS REOPENS\nTALLIS, May 2 - The port")  # the set's text rule
    claims = realnews.align(ANN, text)
    assert [(c["kind"], c["label"]) for c in claims] == [
        ("headline", "fact"), ("meta", None), ("body", "attribution"), ("body", "attribution"), ("body", "fact"),
        ("body", "opinion")]
    for c in claims:
        assert text[c["start"] : c["end"]] == c["text"]
        for s in c["sources"] + ([c["cue"]] if c["cue"] else []):
            assert text[s["start"] : s["end"]] == s["text"]
    quote = claims[3]  # typographic quotes in the text, straight ones in the annotation
    assert quote["text"].startswith("“Ships") and quote["cue"]["text"] == "told reporters"
    assert quote["sources"][0]["resolved"] == "Ines Varga" and claims[2]["paragraph"] == 1


def test_a_skipped_stretch_or_a_miscopied_claim_is_an_error(public):
    text = realnews.article_text("reuters:1", public)
    with pytest.raises(realnews.StandoffError, match="not annotated"):
        realnews.align(ANN.replace("[F] The union declined to comment.\n", ""), text)
    with pytest.raises(realnews.StandoffError, match="not found"):
        realnews.align(ANN.replace("after a strike", "after a long strike"), text)


def test_standoff_records_hold_no_text_and_load_back(public, tmp_path):
    text = realnews.article_text("reuters:1", public)
    record = realnews.to_standoff("reuters:1", text, realnews.align(ANN, text), "dev")
    line = json.dumps(record)
    assert "Tallis" not in line and "Ships" not in line and "Varga" not in line
    path = tmp_path / "dev.jsonl"
    path.write_text(line + "\n")
    back = realnews.load(path, public)[0]
    assert back["text"] == text and back["claims"][2]["sources"][0]["resolved"] == "Ines Varga"
    examples = data.examples_of([back], "real")
    assert [e.allowed for e in examples] == [("fact",), ("attribution",), ("attribution",), ("fact",), ("opinion",)]
    assert examples[2].context == examples[1].claim and examples[1].spans  # source and cue spans supervised


def test_a_changed_or_missing_article_text_is_refused(public, tmp_path):
    text = realnews.article_text("reuters:1", public)
    record = realnews.to_standoff("reuters:1", text, realnews.align(ANN, text), "dev")
    changed = dict(ARTICLE, paragraphs=[*ARTICLE["paragraphs"][:2], "The reopening is good news."])
    (public / "reuters21578" / "articles.jsonl").write_text(json.dumps(changed) + "\n")
    realnews._index.cache_clear()
    with pytest.raises(realnews.StandoffError, match="sha256"):
        realnews.from_standoff(record, public)
    with pytest.raises(realnews.StandoffError, match="missing"):
        realnews.from_standoff(record, tmp_path / "nowhere")
    with pytest.raises(realnews.StandoffError, match="no such article"):
        realnews.from_standoff({**record, "id": "reuters:2"}, public)


def test_the_dev_split_never_reaches_training(monkeypatch, tmp_path):
    """By article id: the committed split puts no article (nor BASIL event) on both sides, the stand-off
    files hold only their own side, PolNeAR articles come from the matching part of PolNeAR, and the
    Webis loader keeps real-news dev editorials out of its training side (train ones out of its dev side)."""
    rows = [json.loads(line) for line in realnews.SPLIT.read_text().splitlines()]
    dev = {r["id"] for r in rows if r["split"] == "dev"}
    train = {r["id"] for r in rows if r["split"] == "train"}
    assert dev and train and not dev & train
    assert not {realnews._group(i) for i in dev} & {realnews._group(i) for i in train}
    assert all(r["part"] == "dev" for r in rows if r["set"] == "polnear" and r["split"] == "dev")
    assert all(r["part"] == "train" for r in rows if r["set"] == "polnear" and r["split"] == "train")
    for split, ids in (("dev", dev), ("train", train)):
        path = realnews.ANNOTATIONS / f"{split}.jsonl"
        if path.exists():
            assert {json.loads(line)["id"] for line in path.read_text().splitlines()} <= ids

    webis = tmp_path / "webis_editorials"
    webis.mkdir()
    docs = {"g/dev-doc": "dev", "g/train-doc": "train", "g/other": None}
    split_file = tmp_path / "split.jsonl"
    split_file.write_text("".join(json.dumps({"id": f"webis:{d}", "split": s}) + "\n" for d, s in docs.items() if s))
    (webis / "train_sentences.jsonl").write_text("".join(
        json.dumps({"doc_id": d, "text": "Sentence.", "label_mapped": "fact"}) + "\n" for d in docs))
    monkeypatch.setattr(realnews, "SPLIT", split_file)
    monkeypatch.setattr(realnews.split_ids, "__defaults__", (None, split_file))
    monkeypatch.setattr(data, "_held_out", lambda key, share=0.2: key != "g/other")  # all but one on dev side
    assert {e.group for e in data.load_webis(tmp_path, "dev")} == {"g/dev-doc"}
    monkeypatch.setattr(data, "_held_out", lambda key, share=0.2: False)  # all on the training side
    assert {e.group for e in data.load_webis(tmp_path, "train")} == {"g/train-doc", "g/other"}


def test_agreement_counts_boundaries_labels_kappa_and_span_tokens(public):
    text = realnews.article_text("reuters:1", public)
    a = realnews.to_standoff("reuters:1", text, realnews.align(ANN, text), "dev")
    other = ANN.replace("[O] The reopening", "[F] The reopening").replace("{c:told reporters}", "{c:told} reporters")
    b = realnews.to_standoff("reuters:1", text, realnews.align(other, text), "dev")
    joined = [realnews.from_standoff(r, public) for r in (a, b)]
    result = agreement.agreement([joined[0]], [joined[1]])
    assert result["claim_boundary_f1"] == 1.0 and result["matched_claims"] == 5
    assert result["label_agreement"] == 4 / 5 and 0 < result["label_kappa"] < 1
    assert result["source_token_f1"] == 1.0 and result["cue_token_f1"] == 2 * 2 / (3 + 2)
    assert sorted(d["kind"] for d in agreement.differences(a, b)) == ["cue", "label"]


def test_training_reads_only_the_train_split_and_calibrates_where_told(public, tmp_path, monkeypatch):
    from training import train as train_mod

    second = dict(ARTICLE, id="reuters:2", title="PORT OF ARDEN CLOSES")
    with open(public / "reuters21578" / "articles.jsonl", "a") as f:
        f.write(json.dumps(second) + "\n")
    realnews._index.cache_clear()
    folder = tmp_path / "annotations"
    folder.mkdir()
    for aid, split in (("reuters:1", "dev"), ("reuters:2", "train")):
        text = realnews.article_text(aid, public)
        ann = ANN.replace("reuters:1", aid).replace("TALLIS REOPENS", second["title"][8:] if aid == "reuters:2"
                                                    else "TALLIS REOPENS")
        record = realnews.to_standoff(aid, text, realnews.align(ann, text), split)
        (folder / f"{split}.jsonl").write_text(json.dumps(record) + "\n")
    monkeypatch.setattr(realnews, "ANNOTATIONS", folder)
    args = train_mod.TrainArgs(data=["real"], public_data=str(public))
    train, calib, dev = train_mod.collect(args)
    assert {e.group for e in train + calib} == {"reuters:2"} and dev == []
    assert {e.group for e in data.load("real", "dev", public)} == {"reuters:1"}
    with pytest.raises(data.DataError, match="calibrate-on"):
        train_mod.collect(train_mod.TrainArgs(data=["real"], public_data=str(public), calibrate_on=["webis"]))


def test_a_headline_may_carry_an_agentless_cue_without_its_auxiliary(public):
    text = realnews.article_text("reuters:1", public)
    claims = realnews.align(ANN.replace("[HF] PORT OF TALLIS REOPENS", "[HA] PORT OF TALLIS {c:REOPENS}"), text)
    assert claims[0]["label"] == "attribution" and claims[0]["cue"]["text"] == "REOPENS"
    with pytest.raises(realnews.StandoffError, match="needs a source"):
        realnews.align(ANN.replace("[O] The reopening", "[A] The {c:reopening}"), text)
