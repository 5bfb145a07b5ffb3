"""Shared fixtures: a tiny randomly initialised model, built once per session and saved."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import pytest

# Data sets loaded through Hugging Face datasets are cached in a folder of this session, never in
# the user's cache (set before anything imports datasets, which reads it once).
os.environ["HF_DATASETS_CACHE"] = tempfile.mkdtemp(prefix="stanceclf-test-datasets-")

from training.train import TrainArgs, build_classifier  # noqa: E402

SEED = Path(__file__).resolve().parent.parent / "seeds" / "belarus_pardons.txt"


@pytest.fixture(scope="session")
def _tiny_session(tmp_path_factory):
    import torch

    torch.manual_seed(0)
    clf = build_classifier(TrainArgs(tiny=True, max_length=64))
    path = tmp_path_factory.mktemp("tiny") / "model"
    clf.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(_tiny_session) -> Path:
    """A saved tiny model directory (full weights: its base is not the pinned encoder)."""
    return _tiny_session


@pytest.fixture(scope="session")
def _tiny_loaded(_tiny_session):
    from stanceclf.classifier import ClaimClassifier

    return ClaimClassifier.from_pretrained(_tiny_session)


@pytest.fixture
def tiny(_tiny_loaded):
    """A fresh copy of the loaded tiny classifier for each test."""
    return copy.deepcopy(_tiny_loaded)


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def _tiny_window_loaded(tmp_path_factory):
    import torch

    from stanceclf.classifier import ClaimClassifier

    torch.manual_seed(0)
    clf = build_classifier(TrainArgs(tiny=True, max_length=64, context="window"))
    path = tmp_path_factory.mktemp("tiny_window") / "model"
    clf.save_pretrained(path)
    return ClaimClassifier.from_pretrained(path)


@pytest.fixture
def tiny_window(_tiny_window_loaded):
    """A fresh copy of a tiny classifier that reads rows of consecutive claims (`context="window"`)."""
    return copy.deepcopy(_tiny_window_loaded)
