"""Attribution details of labelled claims: source and cue spans, continuing quotes, resolution.

The span head tags each claim token O / B-SRC / I-SRC / B-CUE / I-CUE; `decode` turns the tags
into character spans widened to whole words. Spans of one kind with only whitespace between
them are one span (a chain's sources always have words between them: "Belta ... through
Ismont"), and a source never starts inside a cue. A chain's later source that the tagger
missed is added by rule when the claim has a source and a cue: the phrase after "through",
"relayed by", "citing" or "quoting" that follows the cue, if it ends in a capitalised name or
a role noun (`_chain_source`). `attach` fills `Claim.sources` and `Claim.cue`
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
import re

from stanceclf import sources as source_rules
from stanceclf.labels import SPAN_TAGS
from stanceclf.lexicon import ABBREV, BREAKS, ROLE_NOUNS, SAYING_VERBS, STOP, TITLES
from stanceclf.names import key
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


# A saying verb with a dangling preposition ("said to", "said in", "tweeted via"): the tagger ran one
# word past the cue; the preposition starts the addressee or the channel, not the cue.
_DANGLING = re.compile(r"(?:" + "|".join(sorted(SAYING_VERBS)) + r")(?=\s+(?:to|in|of|on|at|via|from|with|for|about)$)",
                       re.IGNORECASE)


def _complete_cue(text: str, start: int, end: int) -> tuple[int, int]:
    """Finish a multi-word cue the tagger cut short ("according" or "to" -> "according to"), or cut
    a saying verb's dangling preposition ("said to" -> "said")."""
    if text[start:end].lower().endswith("according") and text[end : end + 3].lower() == " to":
        return start, end + 3
    if text[start:end].lower() == "to" and text[max(0, start - 10) : start].lower() == "according ":
        return start - 10, end
    dangling = _DANGLING.match(text, start, end)
    return (start, dangling.end()) if dangling else (start, end)


_CHAIN = re.compile(r"\b(?:through|relayed by|citing|quoting)\s+(?:(?:the|its|his|her|their|a|an)\s+)?", re.IGNORECASE)
_REPORTED = re.compile(r"\s(?:that|which|who|would|will)\s")
_PHRASE_END = re.compile(r"[,;:!?()\"“”]|\.(?:\s|$)|\s(?:that|who|which|on|in|at|to|as|after|before|and|but)\s")


def _chain_source(text: str, cue_end: int) -> tuple[int, int] | None:
    """A chain's further source after the cue that the tagger missed ("Belta announced the pardons
    through presidential spokesperson Natalia Ismont"): a phrase after "through", "relayed by",
    "citing" or "quoting" close after the cue, before the reported content, that ends in a
    capitalised name or a role noun."""
    for m in _CHAIN.finditer(text, cue_end):
        if m.start() - cue_end > 60 or _REPORTED.search(text, cue_end, m.start()):
            break  # past the reporting act, into what is reported
        end = _PHRASE_END.search(text, m.end())
        phrase_end = end.start() if end else len(text)
        words = text[m.end() : phrase_end].split()
        if not words or len(words) > 8:
            continue
        last = words[-1].strip(".'’").lower()
        if (words[-1][0].isupper() and last not in STOP) or last in TITLES or last in ROLE_NOUNS:
            return m.end(), m.end() + len(text[m.end() : phrase_end].rstrip())
    return None


# A source cannot end on these words: the tagger stopped inside a descriptor ("Two deputies who",
# "A report published in", "a study published").
_UNFINISHED = BREAKS | frozenset("and but or nor the a an because as than was were is are not been has have had "
                                 "whom its his her their".split())
_SOURCE_STOP = re.compile(r"[;:!?\"“”()]|\.(?:\s|$)")


def _trim_end(text: str, start: int, end: int) -> int:
    """Drop the sentence's punctuation that the tagger ran onto a source ("according to Ismont."),
    keeping the period of an abbreviation or an initial ("Acme Corp.", "the U.S.", "John Q.")."""
    while end > start + 1 and text[end - 1] in ",;:!?":
        end -= 1
    last = (text[start:end].split() or [""])[-1]
    if last.endswith(".") and len(last) > 2 and "." not in last[:-1] and key(last) not in ABBREV:
        end -= 1
    return end


def _finish_source(text: str, start: int, end: int, cues: list[tuple[int, int]]) -> tuple[int, int]:
    """Complete a source span that ends on an unfinished word: up to the cue that follows it, or,
    after its cue, to the end of the phrase (comma or sentence end); else cut the unfinished words."""
    end = _trim_end(text, start, end)
    words = text[start:end].split()
    if not words or words[-1].lower() not in _UNFINISHED:
        return start, end
    after = [cs for cs, _ in cues if cs >= end]
    limit = _SOURCE_STOP.search(text, end)
    stop = limit.start() if limit else len(text)
    if after and after[0] <= stop:
        new_end = after[0]
    elif any(ce <= start for _, ce in cues):
        comma = text.find(",", end, stop)
        new_end = comma if comma >= 0 else stop
    else:
        new_end = end
        while words and words[-1].lower() in _UNFINISHED:
            new_end = start + text[start:new_end].rstrip().rfind(words.pop())
    new_end = len(text[:new_end].rstrip(" ,\n\t"))
    return (start, new_end) if new_end > start else (start, end)


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
            sources.append(_finish_source(text, s, e, cues))
    extra = _chain_source(text, cues[0][1]) if sources and cues else None
    if extra and not any(s < extra[1] and extra[0] < e for s, e in sources):
        sources = sorted([*sources, extra])
    elif extra:  # the tagger found the chain's source but cut its head: "[presidential] spokesperson X"
        sources = [(extra[0], e) if extra[0] < s < extra[1] else (s, e) for s, e in sources]
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
        # a title-case headline reads as one long name ("Harbour Reopens After Storm Repairs"): unless it
        # names a source itself, it is no antecedent (real-news train resolution 0.806 -> 0.827 on gold spans)
        meta = [(c.start, c.end) for c in doc.claims if c.field == field_name and (
            c.kind == "meta" or (c.kind == "headline" and not c.sources))]
        source_rules.resolve(text, claims, meta)
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
