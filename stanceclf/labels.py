"""The one place for label names, claim kinds and source types (see LABELS.md)."""

from __future__ import annotations

from typing import Literal, get_args

Label = Literal["fact", "attribution", "opinion"]
Kind = Literal["headline", "body", "meta"]
SourceType = Literal["person", "official", "organisation", "media", "document", "anonymous"]

LABELS: tuple[str, ...] = get_args(Label)
LABEL2ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
KINDS: tuple[str, ...] = get_args(Kind)
SOURCE_TYPES: tuple[str, ...] = get_args(SourceType)
# Token tags of the span head: BIO over attribution sources and cues.
SPAN_TAGS: tuple[str, ...] = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE")
