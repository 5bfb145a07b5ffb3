"""The inference engine: pair encoding (context cut first, head+tail of long claims), order."""

import copy

import pytest
import torch
from transformers import tokenization_utils_base

from stanceclf import InputError, engine


def test_long_claim_keeps_head_and_tail_within_max_length(tiny):
    words = [f"w{i}" for i in range(400)]
    claim = " ".join(words)
    enc = engine.encode_pairs(tiny.tokenizer, [claim], ["a previous claim"], 32)
    assert len(enc.input_ids[0]) <= 32
    offsets = enc.claim_offsets[0]
    assert claim[offsets[0][0] : offsets[0][1]] == "w"  # head kept
    assert claim[: offsets[-1][1]].endswith("399")  # tail kept
    assert offsets == sorted(offsets)


def test_context_is_cut_before_the_claim(tiny):
    claim = "Officials said the bridge would reopen."
    enc = engine.encode_pairs(tiny.tokenizer, [claim], ["very long context " * 50], 24)
    kept = "".join(claim[a:b] for a, b in enc.claim_offsets[0])
    assert kept == claim.replace(" ", "")
    assert len(enc.input_ids[0]) <= 24


def test_run_returns_input_order_whatever_the_batching(tiny):
    claims = [("word " * n).strip() for n in (9, 1, 30, 4, 17)]
    enc = engine.encode_pairs(tiny.tokenizer, claims, [""] * 5, 64)
    one, tags = engine.run(tiny.model, tiny.tokenizer, enc, batch_size=1, spans=True)
    many, _ = engine.run(tiny.model, tiny.tokenizer, enc, batch_size=4)
    assert torch.allclose(one, many, atol=1e-5)
    assert [len(t) for t in tags] == [len(o) for o in enc.claim_offsets]


def test_prefetcher_keeps_order():
    assert list(engine.Prefetcher(lambda x: x * 2)(iter(range(5)))) == [0, 2, 4, 6, 8]


def test_long_input_prints_no_tokenizer_length_notice(tiny, monkeypatch):
    notices = []
    monkeypatch.setattr(tokenization_utils_base.logger, "warning", lambda *a, **k: notices.append(a))
    tokenizer = copy.deepcopy(tiny.tokenizer)
    tokenizer.model_max_length, tokenizer.deprecation_warnings = 64, {}
    engine.encode_pairs(tokenizer, [" ".join(["word"] * 300)], [""], 32)
    assert notices == []


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_bad_batch_size_is_a_clear_error(tiny, bad):
    with pytest.raises(InputError, match="batch_size must be a positive integer"):
        tiny.predict_pairs(["A claim."], [""], batch_size=bad)


def test_default_batch_size_is_small_on_cpu_large_on_gpu():
    assert engine.default_batch_size("cpu") == 32 and engine.default_batch_size("cuda") == 1024


def test_encode_pairs_tokenises_each_distinct_text_once_with_the_same_result(tiny):
    seen = []

    def counting(texts, *pair, **kwargs):
        if isinstance(texts, list):  # the batched calls (not the one-off template probe)
            seen.extend(texts)
        return tiny.tokenizer(texts, *pair, **kwargs)

    claims, contexts = ["Prices rose.", "She said so.", "Prices rose."], ["", "Prices rose.", "She said so."]
    enc = engine.encode_pairs(counting, claims, contexts, 64)
    assert sorted(seen) == ["", "Prices rose.", "She said so."]
    for i, (claim, context) in enumerate(zip(claims, contexts)):
        one = engine.encode_pairs(tiny.tokenizer, [claim], [context], 64)
        assert enc.input_ids[i] == one.input_ids[0] and enc.claim_offsets[i] == one.claim_offsets[0]
