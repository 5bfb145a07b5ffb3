"""Attribution details of labelled claims: source and cue spans, continuing quotes, resolution.

The span head tags each claim token O / B-SRC / I-SRC / B-CUE / I-CUE; `decode` turns the tags
into character spans widened to whole words. Spans of one kind with only whitespace between
them are one span (a chain's sources always have words between them: "Belta ... through
Ismont"), and a source never starts inside a cue. `attach` fills `Claim.sources` and `Claim.cue`
for attribution claims, carries the speaker over to continuing quotes, and calls
`sources.resolve` for names and source types.

Continuing quotes: a body claim that opens with a quotation mark, has no cue of its own and
follows an attribution claim with a source in the same or the previous paragraph is an
attribution whose sources are that claim's sources (offsets pointing there) and whose cue is
None. Its label becomes `attribution` even when the model said otherwise (its `probs` stay
the model's) and it gets the flag "continuing-quote".
"""

from __future__ import annotations

import copy

from stanceclf import sources as source_rules
from stanceclf.labels import SPAN_TAGS
from stanceclf.results import Claim, Document, Source, Span

OPEN_QUOTES = ("“", '"', "‘", "«", "„")


def _in_word(text: str, i: int) -> bool:
    """Whether text[i] belongs to a word: a letter or digit, or an apostrophe inside one (didn't)."""
    if text[i].isalnum():
        return True
    return text[i] in "'’" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span to whole words (a tag on a subword covers its word) and trim spaces."""
    while start > 0 and _in_word(text, start - 1):
        start -= 1
    while end < len(text) and _in_word(text, end):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _complete_cue(text: str, start: int, end: int) -> tuple[int, int]:
    """Finish a multi-word cue the tagger cut short: "according" -> "according to"."""
    if text[start:end].lower().endswith("according") and text[end : end + 3].lower() == " to":
        return start, end + 3
    return start, end


def decode(text: str, offsets: list[tuple[int, int]], tags: list[int],
           names: tuple[str, ...] = SPAN_TAGS) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """BIO tag ids of a claim's tokens -> (source spans, cue spans) as char offsets into `text`."""
    found: dict[str, list[tuple[int, int]]] = {"SRC": [], "CUE": []}
    current: str | None = None
    for (start, end), tag_id in zip(offsets, tags):
        tag = names[tag_id] if 0 <= tag_id < len(names) else "O"
        if end <= start:
            continue
        kind = tag[2:] if tag != "O" else None
        if kind is None or kind not in found:
            current = None
            continue
        if tag.startswith("I-") and current == kind:
            found[kind][-1] = (found[kind][-1][0], end)
        else:
            found[kind].append((start, end))
        current = kind
    merged = {}
    for kind, spans in found.items():
        widened: list[tuple[int, int]] = []
        for s, e in spans:
            s, e = _widen(text, s, e)
            if e <= s:
                continue
            if widened and not text[widened[-1][1] : s].strip():
                widened[-1] = (widened[-1][0], max(e, widened[-1][1]))
            else:
                widened.append((s, e))
        merged[kind] = widened
    cues = [_complete_cue(text, s, e) for s, e in merged["CUE"]]
    sources = []
    for s, e in merged["SRC"]:
        for cs, ce in cues:  # a cue's last word also tagged as source: "according to| to officials"
            if cs <= s < ce:
                s = ce + len(text[ce:e]) - len(text[ce:e].lstrip())
        if e > s:
            sources.append((s, e))
    return sources, cues


def _is_continuation(claim: Claim, previous: Claim | None) -> bool:
    return (previous is not None and bool(previous.sources) and claim.kind == "body" and claim.cue is None
            and claim.text.lstrip().startswith(OPEN_QUOTES) and claim.paragraph - previous.paragraph <= 1)


def attach(doc: Document, spans: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]]) -> None:
    """Fill sources and cue of the attribution claims of `doc` from decoded spans (keyed by the
    claim's index in `doc.claims`, offsets relative to the claim), then resolve names and types."""
    for i, claim in enumerate(doc.claims):
        claim.sources, claim.cue = [], None
        if claim.label != "attribution" or i not in spans:
            continue
        src, cues = spans[i]
        base = claim.text
        claim.sources = [Source(base[s:e], claim.start + s, claim.start + e) for s, e in src]
        if cues:
            s, e = cues[0]
            claim.cue = Span(base[s:e], claim.start + s, claim.start + e)
    for field_name, text in (("title", doc.title), ("text", doc.text)):
        claims = [c for c in doc.claims if c.field == field_name and c.kind != "meta"]
        if text is None or not claims:
            continue
        source_rules.resolve(text, claims)
        previous: Claim | None = None
        for claim in claims:
            if not claim.sources and _is_continuation(claim, previous):
                claim.label = "attribution"
                claim.confidence = (claim.probs or {}).get("attribution", claim.confidence)
                claim.sources = [copy.copy(s) for s in previous.sources]
                claim.flags.append("continuing-quote")
            if claim.label == "attribution" and claim.sources:
                previous = claim
            elif claim.label != "attribution":
                previous = previous if claim.text.lstrip().startswith(OPEN_QUOTES) else None
