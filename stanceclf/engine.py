"""The inference engine: (claim, context) pairs -> label probabilities and span tags.

All pairs of a call are tokenised in one batched call of the Rust tokenizer (it uses every
core), each distinct text once (a context is the previous claim), then sorted by token length
so that each batch pads little, run under
`torch.inference_mode`, and put back in input order. `analyze_stream` overlaps the
tokenisation of the next chunk with the model compute of this one (`Prefetcher`).

Long claims: the claim comes first and keeps at least `max_length - 2 - 3` tokens minus
the context it is given; the context (previous claim) is cut first. A claim that alone is
longer than the budget keeps its head and its tail (half each), so it still gets a label
and spans at both ends; tokens in the middle of such a claim get no span tags.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import torch

from stanceclf.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Encoded:
    """Token ids of each pair (specials included) and, per pair, the claim tokens' char offsets."""

    input_ids: list[list[int]]
    token_type_ids: list[list[int]]
    claim_positions: list[list[int]]  # index in input_ids of each kept claim token
    claim_offsets: list[list[tuple[int, int]]]  # char offsets of those tokens in the claim


_TEMPLATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _template(tokenizer: Any) -> tuple[list[int], list[int], list[int], list[int], int, int]:
    """The special tokens a pair gets (prefix, middle, suffix) and the segment type ids, learnt once
    per tokenizer from one encoded example, so any HF tokenizer (BERT, RoBERTa, ...) is handled alike."""
    if tokenizer not in _TEMPLATES:
        _TEMPLATES[tokenizer] = _learn_template(tokenizer)
    return _TEMPLATES[tokenizer]


def _learn_template(tokenizer: Any) -> tuple[list[int], list[int], list[int], list[int], int, int]:
    a = tokenizer("a", add_special_tokens=False)["input_ids"][0]
    b = tokenizer("b", add_special_tokens=False)["input_ids"][0]
    full = tokenizer("a", "b")
    ids = full["input_ids"]
    types = full.get("token_type_ids") or [0] * len(ids)
    ia, ib = ids.index(a), ids.index(b, ids.index(a) + 1)
    return ids[:ia], ids[ia + 1 : ib], ids[ib + 1 :], types, types[ia], types[ib]


def encode_pairs(tokenizer: Any, claims: list[str], contexts: list[str], max_length: int) -> Encoded:
    """Tokenise (claim, context) pairs: context cut first, over-long claims keep head and tail."""
    if not claims:
        return Encoded([], [], [], [])
    prefix, middle, suffix, types, type_a, type_b = _template(tokenizer)
    budget = max_length - len(prefix) - len(middle) - len(suffix)
    # A context is usually the previous pair's claim: each distinct text is tokenised once.
    # verbose=False: no "longer than the maximum" notice; long claims are cut below, by design.
    unique = list(dict.fromkeys([*claims, *contexts]))
    enc = tokenizer(unique, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    row = {text: i for i, text in enumerate(unique)}
    out = Encoded([], [], [], [])
    n_pre = len(prefix)
    for claim, context in zip(claims, contexts):
        ids_c, offs = enc["input_ids"][row[claim]], enc["offset_mapping"][row[claim]]
        ids_x = enc["input_ids"][row[context]]
        keep = list(range(len(ids_c)))
        if len(keep) > budget:
            head = budget - budget // 2
            keep = keep[:head] + keep[len(keep) - budget // 2 :] if budget > 1 else keep[:budget]
        ids_x = ids_x[: max(0, budget - len(keep))]
        claim_ids = [ids_c[k] for k in keep]
        ids = prefix + claim_ids + middle + ids_x + suffix
        tt = ([types[0]] * n_pre + [type_a] * len(claim_ids) + [type_a] * len(middle)
              + [type_b] * len(ids_x) + [type_b] * len(suffix))
        out.input_ids.append(ids)
        out.token_type_ids.append(tt)
        out.claim_positions.append(list(range(n_pre, n_pre + len(claim_ids))))
        out.claim_offsets.append([tuple(offs[k]) for k in keep])
    return out


def collate(enc: Encoded, idx: list[int], pad_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    """Padded tensors of the pairs `idx` on `device` (pinned memory and async copy on GPU)."""
    width = max(len(enc.input_ids[i]) for i in idx)
    ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        n = len(enc.input_ids[i])
        ids[row, :n] = torch.tensor(enc.input_ids[i])
        types[row, :n] = torch.tensor(enc.token_type_ids[i])
        mask[row, :n] = 1
    pin = device.type == "cuda"
    return {k: (v.pin_memory() if pin else v).to(device, non_blocking=pin)
            for k, v in (("input_ids", ids), ("attention_mask", mask), ("token_type_ids", types))}


def default_batch_size(device: torch.device | str) -> int:
    """Pairs per model batch when the caller gives none: 32 on a CPU, where small batches keep the
    activations in cache (measured faster than 64 or more, int8 and fp32), 1024 on a GPU."""
    return 32 if torch.device(device).type == "cpu" else 1024


def run(model: torch.nn.Module, tokenizer: Any, enc: Encoded, *, temperature: float = 1.0,
        batch_size: int | None = None,
        device: torch.device | str = "cpu", spans: bool = False,
        progress: bool = False) -> tuple[torch.Tensor, list[list[int]] | None]:
    """Calibrated probabilities (n, labels) and, with `spans`, each claim's token tag ids."""
    from tqdm.auto import tqdm

    device = torch.device(device)
    batch_size = default_batch_size(device) if batch_size is None else batch_size
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InputError(f"batch_size must be a positive integer, not {batch_size!r}")
    n = len(enc.input_ids)
    order = sorted(range(n), key=lambda i: len(enc.input_ids[i]))
    probs: torch.Tensor | None = None
    tags: list[list[int]] | None = [[] for _ in range(n)] if spans else None
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    with torch.inference_mode():
        for start in tqdm(range(0, n, batch_size), disable=not progress, unit="batch", desc="claims"):
            idx = order[start : start + batch_size]
            logits, token_logits = model(**collate(enc, idx, pad_id, device), with_spans=True)
            p = torch.softmax(logits.float() / temperature, dim=-1).cpu()
            if probs is None:
                probs = torch.empty(n, p.shape[1])
            probs[idx] = p
            if tags is not None and token_logits is not None:
                best = token_logits.argmax(-1).cpu().tolist()
                for row, i in enumerate(idx):
                    tags[i] = [best[row][k] for k in enc.claim_positions[i]]
    if probs is None:
        probs = torch.empty(0, len(model.config.labels))
    if tags is not None and getattr(model, "span_head", None) is None:
        tags = None
    return probs, tags


class Prefetcher:
    """Runs `prepare` on the next item in a background thread while the caller works on this one."""

    def __init__(self, prepare: Callable[[T], R]):
        self.prepare = prepare

    def __call__(self, items: Iterator[T]) -> Iterator[R]:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = None
            for item in items:
                future = pool.submit(self.prepare, item)
                if pending is not None:
                    yield pending.result()
                pending = future
            if pending is not None:
                yield pending.result()
