"""The inference engine: claims with their contexts -> label probabilities and span tags.

Claims are encoded as the model was trained (`ModelConfig.context`): a pair model reads one row
per claim, (claim, previous claim); a window model packs runs of consecutive claims into rows
of up to `max_length` tokens, so each claim is encoded once instead of twice, and pools each
label over the claim's own tokens. All texts of a call are tokenised in one batched call of the
Rust tokenizer (it uses every core), each distinct text once, then rows are sorted by token
length so that each batch pads little, run under `torch.inference_mode`, and put back in input
order. `analyze_stream` overlaps the tokenisation of the next chunk with the model compute of
this one (`Prefetcher`).

Long claims: in a pair the context (previous claim) is cut first; a window row that does not
start a document opens with the tail of its first claim's context, as much as fits. A claim that
alone is longer than a row keeps its head and its tail (half each), so it still gets a label and
spans at both ends; tokens in the middle of such a claim get no span tags.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import torch

from stanceclf.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Encoded:
    """Model input rows (specials included) and, per claim: its row, the positions of its kept tokens
    in that row, their char offsets in the claim, and the row positions its label pools over."""

    input_ids: list[list[int]] = field(default_factory=list)
    token_type_ids: list[list[int]] = field(default_factory=list)
    claim_row: list[int] = field(default_factory=list)
    claim_positions: list[list[int]] = field(default_factory=list)
    claim_offsets: list[list[tuple[int, int]]] = field(default_factory=list)
    pool_positions: list[list[int]] = field(default_factory=list)

    @cached_property
    def by_row(self) -> list[list[int]]:
        """The claims of each row, in text order (read once encoding is done)."""
        out: list[list[int]] = [[] for _ in self.input_ids]
        for claim, row in enumerate(self.claim_row):
            out[row].append(claim)
        return out

    def claims_of(self, rows: list[int]) -> list[int]:
        """The claims in `rows`, row by row in the order given."""
        return [c for r in rows for c in self.by_row[r]]

    def add_claim(self, row: int, positions: list[int], offsets: list[tuple[int, int]],
                  pool: list[int] | None = None) -> None:
        self.claim_row.append(row)
        self.claim_positions.append(positions)
        self.claim_offsets.append(offsets)
        self.pool_positions.append(pool if pool is not None else positions)


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


def _tokenise(tokenizer: Any, claims: list[str], contexts: list[str]) -> tuple[dict, dict[str, int]]:
    """Token ids and offsets of each distinct text (a context is usually the previous claim)."""
    unique = list(dict.fromkeys([*claims, *contexts]))
    # verbose=False: no "longer than the maximum" notice; long claims are cut by the encoders, by design.
    enc = tokenizer(unique, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    return enc, {text: i for i, text in enumerate(unique)}


def _kept(n: int, budget: int) -> list[int]:
    """Indices of a claim's tokens that fit `budget`: all, or its head and its tail (half each)."""
    if n <= budget:
        return list(range(n))
    if budget <= 1:
        return list(range(max(budget, 0)))
    head = budget - budget // 2
    return list(range(head)) + list(range(n - budget // 2, n))


def encode_pairs(tokenizer: Any, claims: list[str], contexts: list[str], max_length: int) -> Encoded:
    """One row per claim, (claim, context): context cut first, over-long claims keep head and tail.
    The label pools over the whole row."""
    out = Encoded()
    if not claims:
        return out
    prefix, middle, suffix, types, type_a, type_b = _template(tokenizer)
    budget = max_length - len(prefix) - len(middle) - len(suffix)
    enc, row = _tokenise(tokenizer, claims, contexts)
    n_pre = len(prefix)
    for claim, context in zip(claims, contexts):
        ids_c, offs = enc["input_ids"][row[claim]], enc["offset_mapping"][row[claim]]
        keep = _kept(len(ids_c), budget)
        ids_x = enc["input_ids"][row[context]][: max(0, budget - len(keep))]
        claim_ids = [ids_c[k] for k in keep]
        ids = prefix + claim_ids + middle + ids_x + suffix
        out.input_ids.append(ids)
        out.token_type_ids.append([types[0]] * n_pre + [type_a] * (len(claim_ids) + len(middle))
                                  + [type_b] * (len(ids_x) + len(suffix)))
        out.add_claim(len(out.input_ids) - 1, list(range(n_pre, n_pre + len(claim_ids))),
                      [tuple(offs[k]) for k in keep], list(range(len(ids))))
    return out


def encode_windows(tokenizer: Any, claims: list[str], contexts: list[str], max_length: int) -> Encoded:
    """Runs of consecutive claims (each one's context is the claim before it) packed into rows of at
    most `max_length` tokens, so each claim is encoded once. A row opens with the tail of its first
    claim's context, which no label pools over; each label pools its claim's tokens. What a claim may
    attend to is the model's business (`ClaimModel._encode_window`)."""
    out = Encoded()
    if not claims:
        return out
    prefix, _, suffix, types, _, _ = _template(tokenizer)
    budget = max_length - len(prefix) - len(suffix)
    enc, row = _tokenise(tokenizer, claims, contexts)
    body: list[int] = []
    for i, (claim, context) in enumerate(zip(claims, contexts)):
        ids_c, offs = enc["input_ids"][row[claim]], enc["offset_mapping"][row[claim]]
        keep = _kept(len(ids_c), budget)
        chained = bool(context) and i > 0 and context == claims[i - 1]
        if not (out.input_ids and chained and len(body) + len(keep) <= budget):
            if out.input_ids:
                out.input_ids[-1] = prefix + body + suffix
            room = budget - len(keep)
            body = enc["input_ids"][row[context]][-room:] if context and room > 0 else []
            out.input_ids.append([])
        start = len(prefix) + len(body)
        body += [ids_c[k] for k in keep]
        positions = list(range(start, start + len(keep)))
        out.add_claim(len(out.input_ids) - 1, positions, [tuple(offs[k]) for k in keep], positions or [0])
    out.input_ids[-1] = prefix + body + suffix
    out.token_type_ids = [[types[0]] * len(ids) for ids in out.input_ids]
    return out


ENCODERS = {"pair": encode_pairs, "window": encode_windows}


def encode(tokenizer: Any, claims: list[str], contexts: list[str], max_length: int, context: str = "pair") -> Encoded:
    """Encode (claim, context) pairs the way the model was trained (`ModelConfig.context`)."""
    return ENCODERS[context](tokenizer, claims, contexts, max_length)


def collate(enc: Encoded, rows: list[int], pad_id: int,
            device: torch.device) -> tuple[dict[str, torch.Tensor], list[int]]:
    """Padded tensors of `rows` on `device` (pinned memory and async copy on GPU), with `pool_index`
    naming the claim (0, 1, ... in the returned order) that each token's state is pooled into, or -1."""
    width = max(len(enc.input_ids[i]) for i in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    pool = torch.full((len(rows), width), -1, dtype=torch.long)
    local = {r: k for k, r in enumerate(rows)}
    claims = enc.claims_of(rows)
    for k, i in enumerate(rows):
        n = len(enc.input_ids[i])
        ids[k, :n] = torch.tensor(enc.input_ids[i])
        types[k, :n] = torch.tensor(enc.token_type_ids[i])
        mask[k, :n] = 1
    for j, c in enumerate(claims):
        pool[local[enc.claim_row[c]], enc.pool_positions[c]] = j
    pin = device.type == "cuda"
    tensors = (("input_ids", ids), ("attention_mask", mask), ("token_type_ids", types), ("pool_index", pool))
    return {k: (v.pin_memory() if pin else v).to(device, non_blocking=pin) for k, v in tensors}, claims


def default_batch_size(device: torch.device | str, context: str = "pair") -> int:
    """Rows per model batch when the caller gives none. On a CPU small batches keep the activations
    in cache: 32 pairs (measured faster than 64 to 256, int8 and fp32), or 8 windows, about as many
    tokens (`benchmarks/batch_sweep.py`: the fastest in fp32, within noise of 16 in int8, 32 slowest);
    1024 pairs or 256 windows on a GPU."""
    cpu = torch.device(device).type == "cpu"
    return (32 if cpu else 1024) if context == "pair" else (8 if cpu else 256)


def run(model: torch.nn.Module, tokenizer: Any, enc: Encoded, *, temperature: float = 1.0,
        batch_size: int | None = None,
        device: torch.device | str = "cpu", spans: bool = False,
        progress: bool = False) -> tuple[torch.Tensor, list[list[int]] | None]:
    """Calibrated probabilities (claims, labels) and, with `spans`, each claim's token tag ids."""
    from tqdm.auto import tqdm

    device = torch.device(device)
    context = getattr(getattr(model, "config", None), "context", "pair")
    batch_size = default_batch_size(device, context) if batch_size is None else batch_size
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InputError(f"batch_size must be a positive integer, not {batch_size!r}")
    n_rows, n = len(enc.input_ids), len(enc.claim_row)
    order = sorted(range(n_rows), key=lambda i: len(enc.input_ids[i]))
    probs = torch.empty(n, len(model.config.labels))
    tags: list[list[int]] | None = [[] for _ in range(n)] if spans else None
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    with torch.inference_mode():
        for start in tqdm(range(0, n_rows, batch_size), disable=not progress, unit="batch", desc="claims"):
            rows = order[start : start + batch_size]
            inputs, claims = collate(enc, rows, pad_id, device)
            logits, token_logits = model(**inputs, with_spans=True)
            probs[claims] = torch.softmax(logits.float() / temperature, dim=-1).cpu()
            if tags is not None and token_logits is not None:
                best = token_logits.argmax(-1).cpu().tolist()
                local = {r: k for k, r in enumerate(rows)}
                for c in claims:
                    row = best[local[enc.claim_row[c]]]
                    tags[c] = [row[k] for k in enc.claim_positions[c]]
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
