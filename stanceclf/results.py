"""Result dataclasses: what `ClaimClassifier.analyze` returns.

Plain dataclasses with `to_dict()`, so results serialise to JSON without the library.
Every span carries `start`/`end` code-point offsets into the text it came from:
`text[start:end] == span.text` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stanceclf.labels import Kind, Label, SourceType

SCHEMA_VERSION = 1


def _short(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[: n - 3] + "...")


@dataclass
class Span:
    """A stretch of the article text, e.g. a cue ("said", "according to")."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        """The inverse of `to_dict`."""
        return cls(d["text"], d["start"], d["end"])


@dataclass
class Source(Span):
    """Who an attribution comes from: the span, the resolved name and the source type."""

    resolved: str | None = None
    type: SourceType | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "resolved": self.resolved, "type": self.type}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source:
        return cls(d["text"], d["start"], d["end"], d.get("resolved"), d.get("type"))


@dataclass
class Claim(Span):
    """One claim of an article, or a `meta` item (byline, dateline, credit) with no label."""

    kind: Kind = "body"
    paragraph: int = 0
    sentence: int = 0
    label: Label | None = None
    confidence: float | None = None
    probs: dict[str, float] | None = None
    sources: list[Source] = field(default_factory=list)
    cue: Span | None = None
    flags: list[str] = field(default_factory=list)
    field: str = "text"  # after this line, `field` names this attribute, not dataclasses.field

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "kind": self.kind, "paragraph": self.paragraph,
                "sentence": self.sentence, "label": self.label, "confidence": self.confidence,
                "probs": self.probs, "sources": [s.to_dict() for s in self.sources],
                "cue": self.cue.to_dict() if self.cue else None, "field": self.field,
                "flags": self.flags}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Claim:
        """A claim read back from `to_dict()` (e.g. a line of the CLI's JSONL output)."""
        return cls(d["text"], d["start"], d["end"], kind=d.get("kind", "body"), paragraph=d.get("paragraph", 0),
                   sentence=d.get("sentence", 0), label=d.get("label"), confidence=d.get("confidence"),
                   probs=d.get("probs"), sources=[Source.from_dict(s) for s in d.get("sources") or []],
                   cue=Span.from_dict(d["cue"]) if d.get("cue") else None, flags=list(d.get("flags") or []),
                   field=d.get("field", "text"))

    def __repr__(self) -> str:
        conf = f" {self.confidence:.2f}" if self.confidence is not None else ""
        return f"Claim({self.label or self.kind}{conf}, {self.start}:{self.end}, {_short(self.text)})"


@dataclass
class Prediction:
    """The label of one pre-split sentence (`ClaimClassifier.predict`); spans index `text`."""

    text: str
    label: Label
    confidence: float
    probs: dict[str, float]
    sources: list[Span] = field(default_factory=list)
    cue: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "label": self.label, "confidence": self.confidence, "probs": self.probs,
                "sources": [s.to_dict() for s in self.sources], "cue": self.cue.to_dict() if self.cue else None}

    def __repr__(self) -> str:
        return f"Prediction({self.label} {self.confidence:.2f}, {_short(self.text)})"


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
    error: str | None = None  # set when the input could not be analysed (then there are no claims)

    def check(self) -> list[str]:
        """Violations of the offset invariants, empty when all hold: every claim, source and cue
        gives back its text, and per field the claims are in order, disjoint, and cover every
        non-whitespace character. Claims of other fields (`author`, `date` from a web page) index
        that entry of `metadata`."""
        problems = []
        others = [(f, self.metadata.get(f)) for f in dict.fromkeys(c.field for c in self.claims)
                  if f not in ("title", "text")]
        for name, text in (("title", self.title), ("text", self.text), *others):
            if text is not None and not isinstance(text, str):
                problems.append(f"claims index {name}, which is not a string")
                continue
            claims = [c for c in self.claims if c.field == name]
            if text is None:
                problems += [f"claim {c.text[:30]!r} indexes a missing {name}" for c in claims]
                continue
            covered, last = 0, 0
            for c in claims:
                for span in (c, *c.sources, *([c.cue] if c.cue else [])):
                    if text[span.start : span.end] != span.text:
                        problems.append(f"{name}[{span.start}:{span.end}] != {span.text[:30]!r}")
                if c.start < last:
                    problems.append(f"claim at {c.start} overlaps or precedes the one ending at {last}")
                covered += sum(not ch.isspace() for ch in text[c.start : c.end])
                last = c.end
            if covered != sum(not ch.isspace() for ch in text):
                problems.append(f"claims of {name} leave non-whitespace characters uncovered")
        return problems

    def sources(self) -> list[dict[str, Any]]:
        """The article's distinct sources (by resolved name), each with its mentions and the
        indices (into `claims`) of the claims it backs, in order of first mention."""
        found: dict[str, dict[str, Any]] = {}
        for i, claim in enumerate(self.claims):
            for s in claim.sources:
                name = s.resolved or s.text
                key = name.lower().removeprefix("the ").strip()
                entry = found.setdefault(key, {"name": name, "type": s.type, "mentions": [], "claims": []})
                if s.to_dict() not in entry["mentions"]:
                    entry["mentions"].append(s.to_dict())
                if i not in entry["claims"]:
                    entry["claims"].append(i)
        return list(found.values())

    def profile(self) -> dict[str, Any]:
        """Sourcing profile: share of claims by label, named vs anonymous sourcing, distinct
        sources, and attribution claims resting on a single source."""
        labelled = [c for c in self.claims if c.label is not None]
        attributed = [c for c in labelled if c.label == "attribution"]
        sources = self.sources()
        shares = {name: (sum(c.label == name for c in labelled) / len(labelled) if labelled else 0.0)
                  for name in ("fact", "attribution", "opinion")}
        return {
            "claims": len(labelled),
            "label_share": shares,
            "distinct_sources": len(sources),
            "named_sources": sum(s["type"] != "anonymous" for s in sources),
            "anonymous_sources": sum(s["type"] == "anonymous" for s in sources),
            "claims_on_anonymous_sources": sum(any(s.type == "anonymous" for s in c.sources) for c in attributed),
            "claims_on_single_source": sum(len({(s.resolved or s.text).lower() for s in c.sources}) == 1
                                           for c in attributed),
            "attribution_without_source": sum(not c.sources for c in attributed),
        }

    def __repr__(self) -> str:
        head = f"id={self.id!r}, " if self.id is not None else ""
        tail = f", error={self.error!r}" if self.error else ""
        return f"Document({head}{len(self.text)} chars, {len(self.claims)} claims{tail})"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        """A document read back from `to_dict()`; `sources` and `profile` are recomputed from the claims."""
        version = d.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ValueError(f"schema_version {version!r} is not {SCHEMA_VERSION}, the one this stanceclf reads")
        return cls(text=d.get("text", ""), claims=[Claim.from_dict(c) for c in d.get("claims") or []],
                   title=d.get("title"), id=d.get("id"), metadata=dict(d.get("metadata") or {}),
                   warnings=list(d.get("warnings") or []), error=d.get("error"))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        if self.id is not None:
            out["id"] = self.id
        if self.error is not None:
            out["error"] = self.error
        out.update({"title": self.title, "text": self.text, "metadata": self.metadata,
                    "warnings": self.warnings, "claims": [c.to_dict() for c in self.claims],
                    "sources": self.sources(), "profile": self.profile()})
        return out

    def to_pandas(self) -> Any:
        """The claim rows as a pandas DataFrame, one row per claim (`stanceclf.tables`; the [data] extra)."""
        from stanceclf.tables import to_pandas

        return to_pandas([self])

    def to_html(self, title: str = "stanceclf report") -> str:
        """This document as one self-contained HTML page: the article with each claim marked by its label,
        the sourcing profile and the sources (`stanceclf.report.render`)."""
        from stanceclf.report import render

        return render([self], title=title)
