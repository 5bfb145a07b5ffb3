"""ClaimClassifier on a tiny random model: API shape, offsets, batching, save/load."""

import json

import pytest
import torch

from stanceclf import LABELS, InputError, ModelError
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
    for name in ("config.json", "model.safetensors", "tokenizer.json", "README.md"):
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


def test_int8_quantises_every_linear_per_channel_and_stays_close(tiny):
    from stanceclf.modeling import quantize_int8

    ids = torch.randint(5, 100, (4, 12))
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        ref = tiny.model.eval()(ids, mask)
        model = quantize_int8(tiny.model)
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
    cfg = json.loads((old / "config.json").read_text())
    cfg["format_version"] = 99
    (old / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="format_version"):
        ClaimClassifier.from_pretrained(old)


def test_a_model_saved_before_windows_reads_pairs(tiny_model_dir, tmp_path, seed_text):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(tiny_model_dir, old)
    cfg = json.loads((old / "config.json").read_text())
    del cfg["context"]
    (old / "config.json").write_text(json.dumps(cfg))
    clf = ClaimClassifier.from_pretrained(old)
    assert clf.config.context == "pair"
    doc = clf.analyze(seed_text)
    assert doc.check() == [] and all(c.label for c in doc.claims if c.kind != "meta")
    cfg["context"] = "sentence"
    (old / "config.json").write_text(json.dumps(cfg))
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
    assert torch.get_num_threads() >= 1


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
