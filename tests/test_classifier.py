"""ClaimClassifier on a tiny random model: API shape, offsets, batching, save/load."""

import json

import pytest
import torch

from stanceclf import LABELS, InputError, ModelError, StanceclfError
from stanceclf.classifier import ClaimClassifier


def test_analyze_returns_labelled_claims_with_exact_offsets(tiny, seed_text):
    doc = tiny.analyze(seed_text)
    assert [c.kind for c in doc.claims][0] == "headline" and doc.claims[-1].kind == "meta"
    for c in doc.claims:
        assert seed_text[c.start : c.end] == c.text
        if c.kind == "meta":
            assert c.label is None and c.probs is None
        else:
            assert c.label in LABELS
            assert abs(sum(c.probs.values()) - 1) < 1e-5
            assert c.confidence == max(c.probs.values())


def test_segment_splits_without_labelling_and_agrees_with_analyze(tiny, seed_text):
    doc = tiny.segment({"text": seed_text, "id": "s1", "desk": "world"})
    assert doc.id == "s1" and doc.metadata == {"desk": "world"}
    assert all(c.label is None and seed_text[c.start : c.end] == c.text for c in doc.claims)
    assert [(c.start, c.end, c.kind) for c in doc.claims] == [(c.start, c.end, c.kind)
                                                              for c in tiny.analyze(seed_text).claims]
    with pytest.raises(InputError):
        tiny.segment({"body": seed_text})


def test_batch_and_single_agree(tiny, seed_text):
    other = "Storm Hits Coast\n\nThe storm hit the coast on Monday. Officials said roads were closed."
    batch = tiny.analyze_batch([seed_text, other], batch_size=4)
    for text, doc in zip([seed_text, other], batch):
        single = tiny.analyze(text)
        assert [(c.start, c.end, c.label) for c in single.claims] == [(c.start, c.end, c.label) for c in doc.claims]
        for a, b in zip(single.claims, doc.claims):
            if a.probs:
                assert all(abs(a.probs[k] - b.probs[k]) < 1e-5 for k in a.probs)


def test_stream_is_lazy_and_ordered(tiny):
    texts = [f"Report number {i}. It rained." for i in range(7)]
    consumed = []

    def gen():
        for t in texts:
            consumed.append(t)
            yield t

    stream = tiny.analyze_stream(gen(), docs_per_chunk=3)
    first = next(stream)
    assert first.text == texts[0] and len(consumed) == 6  # this chunk and the one prepared ahead
    assert [d.text for d in [first, *stream]] == texts


def test_records_pass_id_and_metadata_through(tiny):
    doc = tiny.analyze_batch([{"id": "a1", "text": "It rained.", "outlet": "X"}])[0]
    d = doc.to_dict()
    assert d["schema_version"] == 1 and d["id"] == "a1" and d["metadata"] == {"outlet": "X"}
    json.dumps(d)


def test_title_is_a_headline_claim_indexing_the_title(tiny):
    doc = tiny.analyze("The council met. It voted.", title="Council Votes")
    head = doc.claims[0]
    assert head.kind == "headline" and head.field == "title" and doc.title[head.start : head.end] == head.text
    assert all(doc.text[c.start : c.end] == c.text for c in doc.claims[1:])


def test_save_load_round_trip_gives_identical_probabilities(tiny, tmp_path, seed_text):
    tiny.save_pretrained(tmp_path / "m")
    for name in ("stanceclf.json", "config.json", "model.safetensors", "tokenizer.json", "README.md"):
        assert (tmp_path / "m" / name).exists()
    again = ClaimClassifier.from_pretrained(tmp_path / "m")
    a, b = tiny.analyze(seed_text), again.analyze(seed_text)
    for x, y in zip(a.claims, b.claims):
        if x.probs:
            assert all(abs(x.probs[k] - y.probs[k]) < 1e-6 for k in x.probs)


def test_int8_agrees_with_fp32_on_labels(tiny_model_dir, seed_text):
    fp32 = ClaimClassifier.from_pretrained(tiny_model_dir).analyze(seed_text)
    int8 = ClaimClassifier.from_pretrained(tiny_model_dir, precision="int8").analyze(seed_text)
    same = sum(a.label == b.label for a, b in zip(fp32.claims, int8.claims))
    assert same / len(fp32.claims) >= 0.9


def test_int8_quantises_the_linears_per_channel_and_stays_close(tiny):
    """Every linear layer but those int8 leaves out (`INT8_FP32`, `INT8_BF16`) is quantised."""
    from stanceclf.modeling import quantize_int8

    ids = torch.randint(5, 100, (4, 12))
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        ref = tiny.model.eval()(ids, mask)
        model = quantize_int8(tiny.model, fp32=(), bf16=())
        out = model(ids, mask)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    quantised = [m for m in model.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
    assert not linears and quantised
    assert all(m.weight().qscheme() == torch.per_channel_affine for m in quantised)
    assert torch.allclose(out, ref, atol=0.05 * ref.abs().max().item())


def test_missing_directory_raises_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not a stanceclf model directory"):
        ClaimClassifier.from_pretrained(tmp_path / "nope")


def test_truncated_weights_raise_model_error(tiny_model_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    data = (broken / "model.safetensors").read_bytes()
    (broken / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="damaged"):
        ClaimClassifier.from_pretrained(broken)


def test_incompatible_format_version_is_refused(tiny_model_dir, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(tiny_model_dir, old)
    cfg = json.loads((old / "stanceclf.json").read_text())
    cfg["format_version"] = 99
    (old / "stanceclf.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="format_version"):
        ClaimClassifier.from_pretrained(old)


def test_a_model_saved_before_windows_reads_pairs(tiny_model_dir, tmp_path, seed_text):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(tiny_model_dir, old)
    cfg = json.loads((old / "stanceclf.json").read_text())
    del cfg["context"]
    (old / "stanceclf.json").write_text(json.dumps(cfg))
    clf = ClaimClassifier.from_pretrained(old)
    assert clf.config.context == "pair"
    doc = clf.analyze(seed_text)
    assert doc.check() == [] and all(c.label for c in doc.claims if c.kind != "meta")
    cfg["context"] = "sentence"
    (old / "stanceclf.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="context"):
        ClaimClassifier.from_pretrained(old)


def test_base_weights_with_wrong_sha256_are_refused(tmp_path):
    from stanceclf.modeling import verify_sha256

    f = tmp_path / "model.safetensors"
    f.write_bytes(b"not the pinned weights")
    with pytest.raises(ModelError, match="pinned"):
        verify_sha256(f, "0" * 64)


def test_empty_and_whitespace_documents_give_empty_results(tiny):
    for text in ["", "   \n  "]:
        assert tiny.analyze(text).claims == []


def test_bad_inputs_give_error_documents_not_exceptions(tiny):
    from stanceclf.errors import InputError

    docs = tiny.analyze_batch(["It rained.", 5, {"id": "x", "text": None}, {"text": "Fine."}])
    assert [d.error is None for d in docs] == [True, False, False, True]
    assert docs[2].id == "x" and "text" in docs[2].error and docs[2].to_dict()["error"]
    assert [d.error is None for d in tiny.analyze_stream([3, "Ok."])] == [False, True]
    with pytest.raises(InputError):
        tiny.analyze(b"bytes")


def test_document_check_finds_broken_offsets(tiny):
    doc = tiny.analyze("The dam held. Officials said it would.")
    assert doc.check() == []
    doc.claims[0].start += 1
    assert doc.check()


def test_non_english_input_is_flagged_and_confidence_capped(tiny):
    from stanceclf import language

    text = ("Der Minister sagte am Montag, dass die Regierung die Steuern im nächsten Jahr senken werde. "
            "Die Opposition kritisierte den Plan scharf und forderte mehr Geld für Schulen und Krankenhäuser.")
    doc = tiny.analyze(text)
    assert language.NON_ENGLISH in doc.warnings
    for c in doc.claims:
        assert c.label is not None and language.NON_ENGLISH in c.flags
        assert c.confidence <= language.CONFIDENCE_CAP
    english = "The dam held on Monday, and the river fell by two metres overnight, officials said."
    assert tiny.analyze(english).warnings == []


def test_call_takes_a_text_a_record_or_a_list(tiny, seed_text):
    doc = tiny(seed_text)
    assert doc.text == seed_text and doc.claims
    rec = tiny({"text": seed_text, "id": "r1", "desk": "world"})
    assert rec.id == "r1" and rec.metadata == {"desk": "world"}
    assert tiny.analyze({"text": seed_text, "id": "r2"}).id == "r2"
    docs = tiny([seed_text, {"text": "It rained.", "id": 3}])
    assert isinstance(docs, list) and [d.id for d in docs] == [None, 3]
    assert [c.label for c in docs[0].claims] == [c.label for c in doc.claims]
    with pytest.raises(InputError):
        tiny.analyze({"body": "no text field"})


def test_predict_labels_pre_split_sentences_as_analyze_does(tiny, seed_text):
    from stanceclf.classifier import context_pairs

    doc = tiny.analyze(seed_text)
    _, claims, contexts = context_pairs([doc])
    preds = tiny.predict(claims, contexts)
    labelled = [c for c in doc.claims if c.label]
    assert len(preds) == len(labelled)
    for p, c in zip(preds, labelled):
        assert p.text == c.text and p.label == c.label and abs(p.confidence - c.confidence) < 1e-5
        assert all(p.text[s.start : s.end] == s.text for s in [*p.sources, *([p.cue] if p.cue else [])])
    proba = tiny.predict_proba(claims, contexts)
    assert proba.shape == (len(claims), 3)
    assert abs(float(proba[0].sum()) - 1) < 1e-5 and abs(float(proba[0].max()) - preds[0].confidence) < 1e-5
    one = tiny.predict("Officials said the road was closed.")
    assert one.label in LABELS and repr(one).startswith("Prediction(")
    assert tiny.predict([]) == [] and tiny.predict_proba([]).shape == (0, 3)
    with pytest.raises(InputError, match="contexts"):
        tiny.predict(["a", "b"], ["only one"])


def test_device_and_precision_are_applied_at_construction(tiny):
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        clf = ClaimClassifier(copy_of(tiny.model), tiny.tokenizer, device=device)
        assert {p.device.type for p in clf.model.parameters()} == {device}
        assert {b.device.type for b in clf.model.buffers()} <= {device}
    half = ClaimClassifier(copy_of(tiny.model), tiny.tokenizer, precision="bf16")
    assert {p.dtype for p in half.model.parameters()} == {torch.bfloat16}
    int8 = ClaimClassifier(copy_of(tiny.model), tiny.tokenizer, precision="int8")
    with pytest.raises(StanceclfError, match="int8"):
        int8.to("cpu", "fp32")


def copy_of(model):
    import copy

    return copy.deepcopy(model)


def test_saving_int8_is_refused_before_anything_is_touched(tiny_model_dir, tmp_path):
    import shutil

    target = tmp_path / "m"
    shutil.copytree(tiny_model_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    int8 = ClaimClassifier.from_pretrained(target, precision="int8")
    with pytest.raises(StanceclfError, match="int8"):
        int8.save_pretrained(target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_a_failed_save_leaves_the_old_model_intact(tiny, tiny_model_dir, tmp_path, monkeypatch):
    import shutil

    from stanceclf import classifier

    target = tmp_path / "m"
    shutil.copytree(tiny_model_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def broken(config):
        raise OSError("disk full")

    monkeypatch.setattr(classifier, "model_card", broken)
    with pytest.raises(OSError, match="disk full"):
        tiny.save_pretrained(target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary directory left behind


def test_hugging_face_tools_read_the_directory_and_logging_is_restored(tiny_model_dir):
    from transformers import AutoConfig
    from transformers.utils import logging as hf_logging

    hf_logging.enable_progress_bar()
    verbosity = hf_logging.get_verbosity()
    ClaimClassifier.from_pretrained(tiny_model_dir)
    assert hf_logging.is_progress_bar_enabled() and hf_logging.get_verbosity() == verbosity
    cfg = AutoConfig.from_pretrained(str(tiny_model_dir))
    assert cfg.model_type == "bert" and cfg.id2label == dict(enumerate(LABELS))


def test_a_format_1_directory_still_loads(tiny, tiny_model_dir, tmp_path, seed_text):
    """Format 1 kept stanceclf's settings in config.json (model_type "stanceclf") and the encoder's in
    encoder_config.json; such a directory loads and labels as the format-2 one does."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(tiny_model_dir, old)
    settings = json.loads((old / "stanceclf.json").read_text())
    encoder = json.loads((old / "config.json").read_text())
    (old / "encoder_config.json").write_text(json.dumps(encoder))
    (old / "config.json").write_text(json.dumps({**settings, "format_version": 1, "model_type": "stanceclf"}))
    (old / "stanceclf.json").unlink()
    a, b = ClaimClassifier.from_pretrained(old).analyze(seed_text), tiny.analyze(seed_text)
    assert [(c.label, c.confidence) for c in a.claims] == [(c.label, c.confidence) for c in b.claims]


def test_check_reads_author_and_date_claims_against_their_metadata(tiny):
    doc = tiny.analyze({"text": "The port reopened on Friday.", "author": " Ana Ruiz", "date": "2024-05-03"})
    fields = {c.field: c for c in doc.claims if c.kind == "meta"}
    assert set(fields) == {"author", "date"} and doc.check() == []
    assert doc.metadata["author"][fields["author"].start : fields["author"].end] == "Ana Ruiz"
    doc.metadata["date"] = "3 May 2024"
    assert any(p.startswith("date[") for p in doc.check())
