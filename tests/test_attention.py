"""Inference regroups window claims into short rows after the context layers; it must compute what
the training-time mask computes (`window_attention_mask` over whole rows)."""

import pytest
import torch

from stanceclf import attention, engine


def _masked_reference(model, inputs):
    """The encoder as training runs it: every layer on whole rows under the window mask."""
    layers = model.encoder.encoder.layer
    hidden = model.encoder.embeddings(input_ids=inputs["input_ids"], token_type_ids=inputs["token_type_ids"])
    am, pool = inputs["attention_mask"], inputs["pool_index"]
    mask = attention.window_attention_mask(am, pool, hidden.dtype, previous=True)
    own = attention.window_attention_mask(am, pool, hidden.dtype, previous=False)
    for i, layer in enumerate(layers):
        hidden = layer(hidden, mask if i < model.config.context_layers else own)
    return hidden


CLAIMS = ["Prices rose.", "She said it was bad, and that the ministry had known it for weeks.", "It was.",
          " ".join(f"word{i}" for i in range(90)), "Sales fell sharply in the north.", "?", "Officials declined.",
          "The report, published on Monday by the regional audit office, found that costs doubled."]


@pytest.mark.parametrize("short_row", [4, 16, 64])
@pytest.mark.parametrize("context_layers", [0, 1, 2])
def test_short_rows_give_the_masked_whole_row_states(tiny_window, monkeypatch, short_row, context_layers):
    monkeypatch.setattr(attention, "SHORT_ROW", short_row)
    model, tok = tiny_window.model.eval(), tiny_window.tokenizer
    model.config.context_layers = context_layers
    claims = CLAIMS * 3
    contexts = ["", *claims[:-1]]
    contexts[9] = "A context that is not the previous claim."  # a row break
    enc = engine.encode_windows(tok, claims, contexts, 48)
    assert len(enc.input_ids) > 3
    inputs, order = engine.collate(enc, list(range(len(enc.input_ids))), 0, torch.device("cpu"))
    with torch.inference_mode():
        fast = model._encode_window(inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"],
                                    inputs["pool_index"])
        slow = _masked_reference(model, inputs)
    claim_tokens = inputs["pool_index"] >= 0
    assert torch.allclose(fast[claim_tokens], slow[claim_tokens], atol=1e-5)


def test_regrouping_keeps_every_claim_whole_and_rows_short(monkeypatch):
    monkeypatch.setattr(attention, "SHORT_ROW", 6)
    # CLS, 2 context tokens, claim 0 (3 tokens), claim 1 (7 tokens, longer than a short row), claim 2 + SEP, pad
    pool = torch.tensor([[-1, -1, -1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, -1, -1]])
    am = torch.tensor([[1] * 16 + [0]])
    batches = attention.regroup(am, pool)
    rows = [[p for p, m in zip(idx, mask) if m] for b in batches
            for idx, mask in zip(b.index.tolist(), b.attention_mask.tolist())]
    assert sorted(rows) == sorted([[0, 3, 4, 5], [0, 6, 7, 8, 9, 10, 11, 12], [0, 13, 14, 15]])
    assert all(row[0] == 0 for row in rows)  # each short row opens with its row's first token

