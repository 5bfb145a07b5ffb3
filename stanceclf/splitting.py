"""Split an article into claims: paragraphs -> meta items and sentences -> clauses.

Rule-based and dependency-free, chosen over pysbd and syntok by boundary F1 on the
bundled corpus and BASIL (`benchmarks/splitting.py`). Design choices:
- Offsets are code points into the text as given; we only ever slice, never rewrite,
  so `text[start:end] == claim.text` holds by construction.
- A sentence never ends inside an open quotation, so a multi-sentence quote with its
  tag stays one claim; an unclosed quote is ignored rather than swallowing the paragraph.
- Clauses split only where LABELS.md says: `;`, ", but", ", while", ", even as", and a
  short lead-in ending in ":" before a capitalised statement ("Here's why: ...").
English only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gov", "sen", "rep", "gen", "col", "lt", "sgt", "capt", "cmdr",
    "st", "jr", "sr", "inc", "corp", "ltd", "co", "no", "nos", "vs", "etc", "approx", "dept", "est",
    "fig", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "rev", "hon", "pres", "supt", "ave", "blvd",
}
# After a dotted acronym ("U.S."), a new sentence starts only before one of these words.
SENTENCE_STARTERS = {
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "this", "that", "these", "those", "but",
    "and", "in", "on", "at", "his", "her", "their", "its", "there", "officials", "yet", "so", "however",
}
_END = re.compile(r"(?:[.!?]+|…)[\"'”’)\]]*(?=\s+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_CLAUSE = re.compile(r"(?:;|,)\s+(?=(?:but|while|even as|yet)\b)|;\s+(?=\S)|:\s+(?=[A-Z])")
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’\- ]{1,40}(?:,\s*[A-Z][A-Za-z.'’ ]{1,30})?,\s*"
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?\s*)?(?:\([^)]{2,40}\)\s*)?[-—–]+\s+"
)
_META_LINE = re.compile(
    r"^(?:By\s+[A-Z][\w.'’\-]+(?:\s+[A-Z&][\w.'’\-]*){0,5}(?:\s+and\s+[A-Z][\w.'’\- ]+)?"
    r"|(?:Photo|Photograph|Image|Credit|Read more|Reporting by|Editing by|Additional reporting)\b.*"
    r"|\((?:Reporting|Editing|Additional reporting)\b.*\))\s*$"
)
_NAME_LINE = re.compile(r"^[A-Z][\w.'’\-]+(?:\s+[A-Z][\w.'’\-]+){0,3}$")
_OPEN_QUOTES = "“"
_CLOSE_QUOTES = "”"


@dataclass
class Segment:
    """A claim before labelling: offsets, kind and position in the article."""

    start: int
    end: int
    kind: str
    paragraph: int
    sentence: int


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines are paragraphs; offsets exclude surrounding whitespace."""
    out = []
    for m in re.finditer(r"[^\r\n]+", text):
        s, e = _strip(text, m.start(), m.end())
        if s < e:
            out.append((s, e))
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _quote_depth_ok(text: str, start: int, end: int) -> list[bool]:
    """For each position, whether it lies outside any quotation (balanced quotes only)."""
    outside = [True] * (end - start)
    depth, straight_open = 0, False
    opened_at: list[int] = []
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN_QUOTES:
            depth += 1
            opened_at.append(i)
        elif ch in _CLOSE_QUOTES and depth:
            depth -= 1
            opened_at.pop()
        elif ch == '"':
            straight_open = not straight_open
        outside[i - start] = depth == 0 and not straight_open
    if depth or straight_open:  # unbalanced: quotes cannot be trusted in this paragraph
        return [True] * (end - start)
    return outside


def _is_boundary(text: str, punct_start: int, next_start: int) -> bool:
    """Decide whether the punctuation at `punct_start` ends a sentence."""
    nxt = text[next_start] if next_start < len(text) else ""
    if not (nxt.isupper() or nxt.isdigit() or nxt in "“\"‘'(["):
        return False
    if text[punct_start] != ".":
        return True
    m = _WORD_BEFORE.search(text[max(0, punct_start - 30) : punct_start])
    if not m:
        return True
    word = m.group(1)
    if "." in word or (len(word) == 1 and word.isupper()):  # U.S. / J. R. Okoye
        following = re.match(r"[\w']+", text[next_start:])
        return bool(following) and following.group(0).lower() in SENTENCE_STARTERS and len(word) > 1
    if word.lower() in ABBREVIATIONS:
        return False
    return True


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    outside = _quote_depth_ok(text, start, end)
    out, cur = [], start
    for m in _END.finditer(text, start, end):
        stop = m.end()
        nxt = stop
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end or not outside[stop - 1 - start] and text[stop - 1] not in _CLOSE_QUOTES + '"':
            continue
        if text[stop - 1] in _CLOSE_QUOTES + '"' and not outside[min(nxt, end - 1) - start]:
            continue
        if _is_boundary(text, m.start(), nxt):
            out.append(_strip(text, cur, stop))
            cur = nxt
    out.append(_strip(text, cur, end))
    return [(s, e) for s, e in out if s < e]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one sentence at LABELS.md's clause triggers, outside quotes, parts >= 3 words."""
    outside = _quote_depth_ok(text, start, end)
    cuts = []
    for m in _CLAUSE.finditer(text, start, end):
        if not outside[m.start() - start]:
            continue
        left = text[cuts[-1] if cuts else start : m.start()]
        right = text[m.end() : end]
        if text[m.start()] == ":" and len(left.split()) > 8:
            continue
        if len(left.split()) >= 3 and len(right.split()) >= 3:
            cuts.append(m.end())
    bounds = [start, *cuts, end]
    return [_strip(text, a, b) for a, b in zip(bounds, bounds[1:])]


def _looks_like_headline(text: str, start: int, end: int) -> bool:
    line = text[start:end]
    return len(line.split()) <= 25 and not line.rstrip("”\"'’").endswith((".", ":"))


def split(text: str) -> list[Segment]:
    """Split `text` into claims and meta items in text order, covering all non-space text."""
    paragraphs = _paragraphs(text)
    segments: list[Segment] = []
    sentence = -1
    for p_idx, (p_start, p_end) in enumerate(paragraphs):
        line = text[p_start:p_end]
        first_or_last = p_idx in (0, 1, len(paragraphs) - 1) and len(paragraphs) > 1
        if _META_LINE.match(line) or (
            first_or_last and p_idx != 0 and _NAME_LINE.match(line) and len(line.split()) <= 4
        ):
            sentence += 1
            segments.append(Segment(p_start, p_end, "meta", p_idx, sentence))
            continue
        if p_idx == 0 and len(paragraphs) > 1 and _looks_like_headline(text, p_start, p_end):
            sentence += 1
            segments.append(Segment(p_start, p_end, "headline", p_idx, sentence))
            continue
        body_start = p_start
        dateline = _DATELINE.match(line)
        if dateline and dateline.end() < len(line):
            d_start, d_end = _strip(text, p_start, p_start + dateline.end())
            sentence += 1
            segments.append(Segment(d_start, d_end, "meta", p_idx, sentence))
            body_start = p_start + dateline.end()
        for s_start, s_end in _sentences(text, body_start, p_end):
            sentence += 1
            for c_start, c_end in _clauses(text, s_start, s_end):
                segments.append(Segment(c_start, c_end, "body", p_idx, sentence))
    return segments


def split_title(title: str) -> list[Segment]:
    """A title given apart from the text is one headline claim (offsets into the title)."""
    start, end = _strip(title, 0, len(title))
    return [Segment(start, end, "headline", 0, 0)] if start < end else []
