"""The inference engine: pair and window encoding (context cut first, head+tail of long claims), order."""

import copy

import pytest
import torch
from transformers import tokenization_utils_base

from stanceclf import InputError, engine
from stanceclf.attention import window_attention_mask


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
    assert engine.default_batch_size("cpu", "window") < engine.default_batch_size("cuda", "window")


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


def _tokens(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def test_windows_pack_consecutive_claims_once_each_and_open_with_the_context(tiny):
    tok = tiny.tokenizer
    doc = ["Prices rose in May.", "The ministry said so.", "It was a bad month.", "Sales fell."]
    claims, contexts = doc + ["Another article starts."], ["", *doc[:3], ""]
    enc = engine.encode_windows(tok, claims, contexts, 16)
    assert all(len(ids) <= 16 for ids in enc.input_ids)
    assert enc.claim_row[0] == 0 and enc.claim_row[-1] == max(enc.claim_row)  # a new document, a new row
    assert enc.by_row[enc.claim_row[-1]] == [4]
    for i, claim in enumerate(claims):
        row = enc.input_ids[enc.claim_row[i]]
        assert [row[p] for p in enc.claim_positions[i]] == _tokens(tok, claim)
        assert enc.pool_positions[i] == enc.claim_positions[i]
    # every claim is encoded once; a row after the first of a document opens with its context's tail
    rows = sorted(set(enc.claim_row[:4]))
    assert len(rows) > 1
    for r in rows[1:]:
        first = enc.by_row[r][0]
        before = enc.input_ids[r][1 : enc.claim_positions[first][0]]
        assert before and before == _tokens(tok, contexts[first])[-len(before):]


def test_windows_break_where_the_context_is_not_the_previous_claim(tiny):
    enc = engine.encode_windows(tiny.tokenizer, ["A.", "B.", "C."], ["", "A.", "Z."], 64)
    assert enc.claim_row == [0, 0, 1]
    assert enc.input_ids[1][1 : enc.claim_positions[2][0]] == _tokens(tiny.tokenizer, "Z.")


def test_windows_keep_head_and_tail_of_a_claim_longer_than_a_row(tiny):
    claim = " ".join(f"w{i}" for i in range(400))
    enc = engine.encode_windows(tiny.tokenizer, ["Short.", claim], ["", "Short."], 32)
    assert all(len(ids) <= 32 for ids in enc.input_ids)
    offsets = enc.claim_offsets[1]
    assert claim[offsets[0][0] : offsets[0][1]] == "w" and claim[: offsets[-1][1]].endswith("399")


def test_window_labels_pool_each_claims_own_tokens_whatever_the_batching(tiny_window):
    claims = ["Prices rose.", "She said it was bad.", "It was.", "Sales fell sharply in the north."]
    contexts = ["", *claims[:3]]
    enc = engine.encode_windows(tiny_window.tokenizer, claims, contexts, 20)
    one, tags = engine.run(tiny_window.model, tiny_window.tokenizer, enc, batch_size=1, spans=True)
    many, _ = engine.run(tiny_window.model, tiny_window.tokenizer, enc, batch_size=8)
    assert torch.allclose(one, many, atol=1e-5)
    assert [len(t) for t in tags] == [len(o) for o in enc.claim_offsets]
    inputs, order = engine.collate(enc, [enc.claim_row[1]], 0, torch.device("cpu"))
    with torch.inference_mode():
        model = tiny_window.model
        hidden = model._encode_window(inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"],
                                      inputs["pool_index"])[0]
        logits = model.head(hidden[enc.pool_positions[1]].mean(0))
    expected = torch.softmax(logits / 1.0, dim=-1)
    assert torch.allclose(one[1], expected, atol=1e-5)
    assert 1 in order


def test_classifier_encodes_as_its_model_was_trained(tiny_window):
    claims, contexts = ["Prices rose.", "She said so."], ["", "Prices rose."]
    assert len(tiny_window.encode(claims, contexts).input_ids) == 1  # a window model: one row
    tiny_window.config.context = "pair"
    assert len(tiny_window.encode(claims, contexts).input_ids) == 2


def test_window_claims_never_see_the_claims_after_them(tiny_window):
    model, tok = tiny_window.model, tiny_window.tokenizer
    claims = ["Prices rose.", "She said it was bad.", "It was.", "Sales fell sharply in the north."]
    other = [*claims[:3], "An utterly different and much longer last sentence, full of opinion words."]
    a = engine.run(model, tok, engine.encode_windows(tok, claims, ["", *claims[:3]], 64))[0]
    b = engine.run(model, tok, engine.encode_windows(tok, other, ["", *other[:3]], 64))[0]
    assert torch.allclose(a[:3], b[:3], atol=1e-5) and not torch.allclose(a[3], b[3], atol=1e-5)


def test_window_mask_lets_a_token_see_its_claim_the_one_before_and_the_first_token():
    pool = torch.tensor([[-1, -1, -1, 0, 0, 1, 2, 2, -1, -1]])  # CLS, 2 context tokens, 3 claims, SEP, pad
    attn = torch.tensor([[1, 1, 1, 1, 1, 1, 1, 1, 1, 0]])
    allowed = window_attention_mask(attn, pool, torch.float32)[0, 0] == 0
    assert allowed[3].tolist() == [True, True, True, True, True, False, False, False, False, False]
    assert allowed[6].tolist() == [True, False, False, False, False, True, True, True, True, False]
    assert allowed[0].tolist() == [True] + [False] * 9  # the first token is a constant sink
    assert not allowed[:, 9].any()  # padding is never attended
    own = window_attention_mask(attn, pool, torch.float32, previous=False)[0, 0] == 0
    assert own[6].tolist() == [True, False, False, False, False, False, True, True, True, False]


def test_a_window_claim_sees_no_further_back_than_its_context_layers_reach(tiny_window):
    tiny_window.config.context_layers = 1
    tail = ["The ministry said so.", "It was a bad month.", "Sales fell."]
    runs = [["Prices rose.", *tail], ["Wages fell.", *tail]]  # the same token count, a different first claim
    model, tok = tiny_window.model, tiny_window.tokenizer
    probs = [engine.run(model, tok, engine.encode_windows(tok, c, ["", *c[:3]], 64))[0] for c in runs]
    assert not torch.allclose(probs[0][1], probs[1][1], atol=1e-6)  # the claim after it sees it
    assert torch.allclose(probs[0][2:], probs[1][2:], atol=1e-6)  # later claims do not
