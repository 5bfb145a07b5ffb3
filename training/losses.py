"""The training losses: partial-label NLL, distillation from a teacher, span tagging, and the
temperature fit that calibrates the trained model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from stanceclf.labels import LABEL2ID

if TYPE_CHECKING:
    from stanceclf.classifier import ClaimClassifier

    from .data import Example


def partial_nll(logits: torch.Tensor, allowed: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """-log P(label in allowed set), weighted: a full label is the usual cross-entropy."""
    logp = torch.log_softmax(logits, dim=-1)
    nll = -torch.logsumexp(logp.masked_fill(~allowed, -1e4), dim=-1)
    return (nll * weight).sum() / weight.sum()


def soft_ce(logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against a teacher's probabilities, weighted like `partial_nll`."""
    ce = -(target * torch.log_softmax(logits, dim=-1)).sum(-1)
    return (ce * weight).sum() / weight.sum()


def joint_loss(clf: ClaimClassifier, batch: dict[str, torch.Tensor], span_weight: float,
               distill_weight: float = 0.0) -> torch.Tensor:
    """Partial-label NLL of the claim head (plus, with a teacher, cross-entropy against its
    probabilities) plus the span head's token cross-entropy."""
    allowed, weight, span_tags = batch.pop("allowed"), batch.pop("weight"), batch.pop("span_tags")
    teacher = batch.pop("teacher", None)
    logits, token_logits = clf.model(**batch, with_spans=True)
    loss = partial_nll(logits, allowed, weight)
    if teacher is not None and distill_weight > 0:
        loss = loss + distill_weight * soft_ce(logits, teacher, weight)
    if token_logits is not None and span_weight > 0 and bool((span_tags >= 0).any()):
        loss = loss + span_weight * torch.nn.functional.cross_entropy(
            token_logits.reshape(-1, token_logits.shape[-1]).float(), span_tags.reshape(-1), ignore_index=-100)
    return loss


def fit_temperature(logits: torch.Tensor, examples: list[Example]) -> float:
    """Temperature minimising the partial-label NLL on the calibration examples."""
    if len(examples) == 0:
        return 1.0
    allowed = torch.zeros(len(examples), len(LABEL2ID), dtype=torch.bool)
    for i, e in enumerate(examples):
        allowed[i, [LABEL2ID[a] for a in e.allowed]] = True
    ones = torch.ones(len(examples))
    best = min((partial_nll(logits / t, allowed, ones).item(), t) for t in torch.linspace(0.3, 4.0, 75).tolist())
    return round(best[1], 4)
