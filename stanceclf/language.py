"""A cheap check that an input looks like English prose, before trusting the model on it.

The model was trained on English news text only; on other languages or on code, tables and
lists its labels mean little. `check(text)` returns warning codes (an empty list when the text
looks fine); the classifier caps the confidence of claims in a flagged document at
`CONFIDENCE_CAP`. No dependencies, a few microseconds per kilobyte.

What is tested, in this order (a text with fewer than `MIN_CHARS` non-space characters gets
no warning: there is too little to judge):

- ``"non-prose"`` (code, tables, lists of numbers) when any of:
  - letters are under `MIN_LETTER_SHARE` (0.6) of the non-space characters;
  - at least `MIN_LINES_FOR_SHAPE` (5) non-empty lines, and `MAX_CODE_LINE_SHARE` (0.3) or
    more of them look like code: they end in ``{``, ``}`` or ``;``, or are ``if``/``for``/
    ``def``/... lines ending in ``:``, or contain ``=>``, ``==``, ``!=``, ``:=``, ``->`` or
    ``def``/``function``/``return`` before a call ``name(``, or start with ``import``,
    ``from``, ``#include`` or ``//``;
  - at least `MIN_LINES_FOR_SHAPE` non-empty lines, and `MAX_SHORT_LINE_SHARE` (0.7) or more
    of them have fewer than `SHORT_LINE_WORDS` (4) words (lists, tables, verse).
- ``"non-english"`` when the text has at least `MIN_WORDS` (20) alphabetic words and fewer
  than `MIN_FUNCTION_SHARE` (0.15) of them are common English function words (articles,
  pronouns, prepositions, auxiliaries, conjunctions: `FUNCTION_WORDS`). English news prose
  scores 0.3-0.5; German, French and Spanish score under 0.1. Only checked when the text is
  not flagged as non-prose (the language of code or a table says nothing).
"""

from __future__ import annotations

import re

NON_ENGLISH = "non-english"
NON_PROSE = "non-prose"
# The highest confidence a claim of a flagged document may report.
CONFIDENCE_CAP = 0.6

MIN_CHARS = 40
MIN_LETTER_SHARE = 0.6
MIN_LINES_FOR_SHAPE = 5
MAX_CODE_LINE_SHARE = 0.3
MAX_SHORT_LINE_SHARE = 0.7
SHORT_LINE_WORDS = 4
MIN_WORDS = 20
MIN_FUNCTION_SHARE = 0.15

FUNCTION_WORDS = frozenset("""
a an the this that these those
i me my we us our you your he him his she her it its they them their who whom whose which what
of in on at by for with from to into onto over under about after before between through during
against among without within since until than as
and or but nor so if because while although though whether
is are was were be been being am has have had having do does did will would shall should
can could may might must not no
there here then when where how also very just only more most such all any some each other
""".split())

_WORD = re.compile(r"[^\W\d_]+")
_CODE_LINE = re.compile(r"(?:[{};]|^\s*(?:if|for|while|else|elif|def|class|try|except|with)\b.*:)\s*$"
                        r"|=>|==|!=|:=|->|\b(?:def|function|return)\s+\w+\(|^\s*(?:import|from|#include|//)\s")


def check(text: str) -> list[str]:
    """Warning codes for `text`: ``"non-prose"``, ``"non-english"``, or none (see the module doc)."""
    chars = [ch for ch in text if not ch.isspace()]
    if len(chars) < MIN_CHARS:
        return []
    if _non_prose(text, chars):
        return [NON_PROSE]
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) >= MIN_WORDS and sum(w in FUNCTION_WORDS for w in words) / len(words) < MIN_FUNCTION_SHARE:
        return [NON_ENGLISH]
    return []


def _non_prose(text: str, chars: list[str]) -> bool:
    if sum(ch.isalpha() for ch in chars) / len(chars) < MIN_LETTER_SHARE:
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < MIN_LINES_FOR_SHAPE:
        return False
    code = sum(bool(_CODE_LINE.search(line)) for line in lines)
    short = sum(len(line.split()) < SHORT_LINE_WORDS for line in lines)
    return code / len(lines) >= MAX_CODE_LINE_SHARE or short / len(lines) >= MAX_SHORT_LINE_SHARE
