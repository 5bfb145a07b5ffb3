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

Span extent follows LABELS.md whatever the tagger ran onto: a cue is the reporting verb group, one per
claim (the one next to a source), without leading adverbs ("also said"), the addressee, time, manner or
channel ("said in a statement", "told CNN"; "told reporters" stays) (`_complete_cue`); a source leaves
out leading conjunctions and time words, comma-set appositives, relative clauses, ages, party labels
and parentheses (`_trim_source`); the one told ("Cook told Benioff") and phrases inside another
source's appositive are no sources (`_not_sources`).

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
from stanceclf.lexicon import (
    ABBREV,
    AUDIENCES,
    BREAKS,
    CUE_LEAD,
    HEDGES,
    MONTHS,
    ROLE_NOUNS,
    SAYING_VERBS,
    STOP,
    TIME_WORDS,
    TITLES,
)
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


_WORD = re.compile(r"[^\s—–―]+")
_TOLD = {"told", "tells", "tell", "telling"}


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"'“”‘’()").lower()


def _complete_cue(text: str, start: int, end: int) -> tuple[int, int]:
    """Finish a multi-word cue the tagger cut short ("according" or "to" -> "according to"), and keep
    only the reporting verb group: no leading adverb or time ("also said", "quickly denied"), nothing
    after a plain speech verb but an audience ("said in a statement", "told CNN", "replied Wednesday"
    -> "said", "told", "replied"; "told reporters" stays), no trailing article, agent "by", time or
    manner ("has been criticized by", "released a statement unequivocally")."""
    if text[start:end].lower().endswith("according") and text[end : end + 3].lower() == " to":
        return start, end + 3
    if text[start:end].lower() == "to" and text[max(0, start - 10) : start].lower() == "according ":
        return start - 10, end
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
    bare = [_bare(text[a:b]) for a, b in words]
    lead = 0
    while lead < len(words) - 1 and (bare[lead] in CUE_LEAD or (bare[lead].endswith("ly")
                                                                  and bare[lead] not in HEDGES)):
        lead += 1
    last = len(words)
    verb = next((k for k in range(lead, last) if bare[k] in SAYING_VERBS), None)
    if verb is not None:
        audience = next((k for k in range(verb + 1, min(verb + 5, last)) if bare[k] in AUDIENCES), None)
        last = audience + 1 if audience is not None and bare[verb] in _TOLD else verb + 1
    while last - 1 > lead and (bare[last - 1] in TIME_WORDS | {"a", "an", "the", "by", "at", "from", "with", "via"}
                               or (bare[last - 1].endswith("ly") and bare[last - 1] not in HEDGES)):
        last -= 1
    return (words[lead][0], words[last - 1][1]) if words else (start, end)


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


# Words a source cannot start with: the tagger began at a conjunction, a preposition or a time phrase
# ("and many others", "from Dr. Lisa Bardack", "Earlier, defence analyst ...", "February 20 President X").
_NOT_FIRST = TIME_WORDS | MONTHS | {"and", "or", "but", "nor", "that", "from", "by", "of", "to", "with", "for",
                                    "even", "also", "as", "while", "when", "after", "before", "than", "like", "via",
                                    "last"}
_RELATIVE = {"who", "whose", "whom", "which", "where"}
_PARTY = re.compile(r"[DRI](?:-[A-Z][\w.]*)?\.?$")  # "D", "R-Calif.": a lawmaker's party and state
_ACRONYM = re.compile(r"\(\s*[A-Z][A-Z0-9&.-]+\s*\)")
_SOURCE_CUT = re.compile(r",\s+|\s*\(|\s+(?:[—–―]|--)|\s*<[^>]*>?\s*$")


def _apposition(left: str, right: str) -> bool:
    """Whether what follows a comma in a source is a comma-set appositive, relative clause, age or party
    ("Smith, director of ...", ", which ...", ", 64", ", D-Mo.") rather than the next name of a list or
    the name after a role ("her lawyer, William Taylor III")."""
    words = right.split()
    if not words:
        return True
    first = _bare(words[0])
    if first in _RELATIVE or words[0][:1].isdigit() or _PARTY.match(words[0].rstrip(",")):
        return True
    if first in ("and", "or", "&"):
        return False
    if words[0][:1].islower():  # a lower-case phrase after a name, or one that is no list ("a, b and c")
        return any(w[:1].isupper() for w in left.split()[1:]) or not {"and", "or"} & {_bare(w) for w in words[:3]}
    # a role, not a name: a title not followed by a name ("Edmunds' executive director", "Senior Vice
    # President of Sales"), unlike "Admiral Igor Kasatonov"
    return any(_bare(w) in TITLES and (k + 1 == len(words) or not words[k + 1][:1].isupper())
               for k, w in enumerate(words[:3]))


def _trim_source(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut what LABELS.md leaves out of a source span: leading conjunctions, prepositions and time words;
    comma-set appositives, relative clauses, ages and party labels (`_apposition`); a parenthesis other
    than an acronym ("(R)", "(Calif.)"; "(OECD)" stays), what follows a dash, a stock ticker."""
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
    while len(words) > 1 and (_bare(text[words[0][0] : words[0][1]]) in _NOT_FIRST
                              or text[words[0][0] : words[0][1]].rstrip(",").isdigit()):
        words.pop(0)
    if not words:
        return start, end
    start = words[0][0]
    span = text[start:end]
    for m in _SOURCE_CUT.finditer(span):
        if m.group().strip() == "(" and _ACRONYM.match(span, m.end() - 1):
            continue
        if m.group().strip() != "," or _apposition(span[: m.start()], span[m.end() :]):
            end = start + m.start() if m.start() > 0 else end
            break
    return start, _trim_end(text, start, end)


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


_TELLING = {"told", "tells", "tell", "telling", "informed", "assured", "reminded", "asked", "asks", "wrote", "writes"}


def _not_sources(text: str, sources: list[tuple[int, int]], cue: tuple[int, int] | None) -> set[tuple[int, int]]:
    """Tagged spans that name no source, when the claim has another: the one told ("Cook told Benioff",
    docs/annotation.md), a phrase inside an earlier source's appositive ("Comey, the former F.B.I.
    director, had notified")."""
    drop = set()
    for k, (s, e) in enumerate(sources):
        others = sources[:k] + sources[k + 1 :]
        if not others:
            continue
        if cue and s >= cue[1] and text[cue[1] : s].strip() in ("", "to") and any(b <= cue[0] for _, b in others) \
                and _bare(text[cue[0] : cue[1]].split()[-1]) in _TELLING:
            drop.add((s, e))
        elif cue and e <= cue[0] and k and text[sources[k - 1][1] : s].lstrip(" )").startswith(",") and (
                text[s].islower() or text[sources[k - 1][1] : s].strip(" ,)")):
            drop.add((s, e))
    return drop


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
            sources.append(_trim_source(text, *_finish_source(text, s, e, cues)))
    if len(cues) > 1:  # a claim has one cue: the one next to a source (the tagger also marks verbs of its content)
        cues = [min(cues, key=lambda c: min([c[0] - e if e <= c[0] else s - c[1] for s, e in sources], default=0))]
    drop = _not_sources(text, sources, cues[0] if cues else None)
    sources = [span for span in sources if span not in drop]
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
