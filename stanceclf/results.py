"""Result dataclasses: what `ClaimClassifier.analyze` returns.

Plain dataclasses with `to_dict()`, so results serialise to JSON without the library.
Every span carries `start`/`end` code-point offsets into the text it came from:
`text[start:end] == span.text` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class Span:
    """A stretch of the article text, e.g. a cue ("said", "according to")."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class Source(Span):
    """Who an attribution comes from: the span, the resolved name and the source type."""

    resolved: str | None = None
    type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "resolved": self.resolved, "type": self.type}


@dataclass
class Claim(Span):
    """One claim of an article, or a `meta` item (byline, dateline, credit) with no label."""

    kind: str = "body"
    paragraph: int = 0
    sentence: int = 0
    label: str | None = None
    confidence: float | None = None
    probs: dict[str, float] | None = None
    sources: list[Source] = field(default_factory=list)
    cue: Span | None = None
    field: str = "text"

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "kind": self.kind, "paragraph": self.paragraph,
                "sentence": self.sentence, "label": self.label, "confidence": self.confidence,
                "probs": self.probs, "sources": [s.to_dict() for s in self.sources],
                "cue": self.cue.to_dict() if self.cue else None, "field": self.field}


@dataclass
class Document:
    """An analysed article: its text, optional separate title, and claims in text order.

    Claims of the headline passed as `title=` have `field == "title"` and offsets into
    `title`; all other claims index `text`.
    """

    text: str
    claims: list[Claim] = field(default_factory=list)
    title: str | None = None
    id: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        if self.id is not None:
            out["id"] = self.id
        out.update({"title": self.title, "text": self.text, "metadata": self.metadata,
                    "warnings": self.warnings, "claims": [c.to_dict() for c in self.claims]})
        return out
