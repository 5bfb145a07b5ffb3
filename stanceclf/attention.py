"""What each token of a window row may attend to, and attention that computes only that.

In a window row (`engine.encode_windows`) a claim's tokens see the first token (a constant sink),
their own claim and, in the first `context_layers` layers, the claim before it; never further.
Training runs the encoder's layers on whole rows with that as an additive mask
(`window_attention_mask`): every token pays for attention over the whole row (256 tokens), most
of it masked. At inference, once the context layers are done no claim needs another, so
`encode_windows` regroups the claims into short rows (the first token and a few whole claims,
`SHORT_ROW` tokens) for the remaining layers: the same arithmetic, since a masked key's weight is
exactly zero, with attention over a quarter of the keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

SHORT_ROW = 64  # tokens per regrouped row (a longer claim gets a row of its own)
SLACK = 1.25  # regrouped rows of similar length share a batch while its padding stays under this


def segments(attention_mask: torch.Tensor, pool_index: torch.Tensor) -> torch.Tensor:
    """Segment number of each token: 0 before the first claim (the first token and a row's opening
    context), then one per claim; a token after a claim (the closing special token) keeps its claim's."""
    claim = pool_index >= 0
    first = torch.ones_like(claim[:, :1])
    start = claim & torch.cat([first, pool_index[:, 1:] != pool_index[:, :-1]], 1)
    return start.long().cumsum(1)


def window_attention_mask(attention_mask: torch.Tensor, pool_index: torch.Tensor, dtype: torch.dtype,
                          previous: bool = True) -> torch.Tensor:
    """The additive (rows, 1, T, T) mask of window rows: each token attends to its own segment and, with
    `previous`, the segment before it (for a row's first claim, the context the row opens with); every
    token may attend to the first token, which attends only to itself (a constant attention sink)."""
    segment = segments(attention_mask, pool_index)
    query, key = segment[:, :, None], segment[:, None, :]
    allowed = ((key == query) | (previous & (key == query - 1))) & attention_mask.bool()[:, None, :]
    allowed[:, 0, :] = False
    allowed[:, :, 0] = True
    mask = torch.zeros(allowed.shape, dtype=dtype, device=allowed.device)
    return mask.masked_fill(~allowed, torch.finfo(dtype).min)[:, None]


@dataclass
class Regrouped:
    """A batch of short rows: for each slot, the flat (row * width + column) position of the token it
    holds in the original rows (`pad` for padding), its attention mask and its claim number."""

    index: torch.Tensor
    attention_mask: torch.Tensor
    pool_index: torch.Tensor


def _short_rows(attention_mask: torch.Tensor, pool_index: torch.Tensor) -> list[list[list[int]]]:
    """Each original row's claims (segments not holding the first token) packed in order into short
    rows of at most SHORT_ROW tokens: per short row, the flat positions of each of its claims."""
    width = attention_mask.shape[1]
    out = []
    for row, (segs, real) in enumerate(zip(segments(attention_mask, pool_index).tolist(),
                                            attention_mask.bool().tolist())):
        members: dict[int, list[int]] = {}
        for col in range(1, len(segs)):
            if real[col] and segs[col] != segs[0]:
                members.setdefault(segs[col], []).append(row * width + col)
        short: list[list[int]] = []
        size = 1
        for claim in members.values():
            if not short or size + len(claim) > SHORT_ROW:
                out.append(short := [[row * width]])  # every short row opens with its row's first token
                size = 1
            short.append(claim)
            size += len(claim)
    return out


def regroup(attention_mask: torch.Tensor, pool_index: torch.Tensor) -> list[Regrouped]:
    """Batches of short rows, rows of similar length together."""
    pad = attention_mask.numel()
    rows = sorted(_short_rows(attention_mask, pool_index), key=lambda r: sum(map(len, r)))
    batches: list[list[list[list[int]]]] = []
    real = longest = 0
    for r in rows:
        n = sum(map(len, r))
        if not batches or (len(batches[-1]) + 1) * n > SLACK * (real + n):
            batches.append([])
            real = 0
        batches[-1].append(r)
        real, longest = real + n, n
    out = []
    for batch in batches:
        longest = max(sum(map(len, r)) for r in batch)
        index, mask, pool = [], [], []
        for r in batch:
            flat = [p for claim in r for p in claim]
            labels = [-1] + [k for k, claim in enumerate(r[1:]) for _ in claim]
            index.append(flat + [pad] * (longest - len(flat)))
            mask.append([1] * len(flat) + [0] * (longest - len(flat)))
            pool.append(labels + [-1] * (longest - len(flat)))
        device = attention_mask.device
        out.append(Regrouped(torch.tensor(index, device=device), torch.tensor(mask, device=device),
                             torch.tensor(pool, device=device)))
    return out


def encode_windows(layers: nn.ModuleList, hidden: torch.Tensor, attention_mask: torch.Tensor,
                   pool_index: torch.Tensor, context_layers: int) -> torch.Tensor:
    """Run BERT `layers` over embedded window rows (rows, T, H) for inference: the context layers on
    whole rows, the rest on short rows. Tokens outside every claim keep their context-layer states."""
    mask = window_attention_mask(attention_mask, pool_index, hidden.dtype, previous=True)
    for layer in layers[:context_layers]:
        hidden = layer(hidden, mask)
    if context_layers >= len(layers):
        return hidden
    rows, width, size = hidden.shape
    flat = torch.cat([hidden.reshape(rows * width, size), hidden.new_zeros(1, size)])
    out = flat.clone()
    for batch in regroup(attention_mask, pool_index):
        x = flat[batch.index]
        own = window_attention_mask(batch.attention_mask, batch.pool_index, hidden.dtype, previous=False)
        for layer in layers[context_layers:]:
            x = layer(x, own)
        out[batch.index] = x
    return out[:-1].view(rows, width, size)
