"""What each token of a window row may attend to (`engine.encode_windows`): the first token (a
constant sink), its own claim and, in the first `context_layers` layers, the claim before it;
never further. The encoder's layers run on whole rows under this as an additive mask, in training
and inference alike (computing only the allowed keys was tried and was slower on a CPU:
docs/experiments.md)."""

from __future__ import annotations

import torch


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
