"""The one place for label names, claim kinds and source types (see LABELS.md)."""

from __future__ import annotations

LABELS: tuple[str, ...] = ("fact", "attribution", "opinion")
LABEL2ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
KINDS: tuple[str, ...] = ("headline", "body", "meta")
SOURCE_TYPES: tuple[str, ...] = ("person", "official", "organisation", "media", "document", "anonymous")
# Token tags of the span head: BIO over attribution sources and cues.
SPAN_TAGS: tuple[str, ...] = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE")
