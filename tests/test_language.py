"""The English-prose check: news prose passes; other languages, code and tables are flagged."""

import pytest

from stanceclf.language import CONFIDENCE_CAP, NON_ENGLISH, NON_PROSE, check

ENGLISH = (
    "The city council voted on Tuesday to close two libraries, a decision that officials said "
    "would save about $4 million a year. Residents who packed the meeting urged members to find "
    "the money elsewhere, and several said they had not been told the plan was under consideration. "
    "The mayor, who supported the cuts, said the budget left him with no good options."
)
GERMAN = (
    "Der Stadtrat hat am Dienstag beschlossen, zwei Bibliotheken zu schließen. Nach Angaben der "
    "Verwaltung spart die Stadt damit jährlich rund vier Millionen Euro. Zahlreiche Bürgerinnen und "
    "Bürger forderten die Mitglieder auf, das Geld an anderer Stelle einzusparen, und viele erklärten, "
    "dass sie über die Pläne nicht informiert worden seien."
)
FRENCH = (
    "Le conseil municipal a voté mardi la fermeture de deux bibliothèques, une décision qui devrait "
    "permettre d'économiser environ quatre millions d'euros par an selon les responsables. Les habitants "
    "venus nombreux ont demandé aux élus de trouver l'argent ailleurs, et plusieurs ont affirmé ne pas "
    "avoir été informés du projet."
)
SPANISH = (
    "El ayuntamiento votó el martes el cierre de dos bibliotecas, una decisión que según los funcionarios "
    "permitirá ahorrar unos cuatro millones de euros al año. Los vecinos que llenaron la sala pidieron a "
    "los concejales que buscaran el dinero en otra parte, y varios dijeron que nadie les había informado "
    "del plan."
)
PYTHON = '''import json
from pathlib import Path


def load(path):
    """Read records."""
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    if not rows:
        raise ValueError("empty")
    return {r["id"]: r for r in rows if r.get("text") != ""}
'''
TABLE = """region   2021    2022    2023
north    12.4    13.1    15.0
south     8.2     8.9     9.4
east     10.0    11.7    12.2
west      7.5     7.1     6.8
total    38.1    40.8    43.4
"""


def test_english_news_prose_gets_no_warning(seed_text):
    assert check(ENGLISH) == []
    assert check(seed_text) == []


@pytest.mark.parametrize("text", [GERMAN, FRENCH, SPANISH], ids=["de", "fr", "es"])
def test_other_languages_are_non_english(text):
    assert check(text) == [NON_ENGLISH]


@pytest.mark.parametrize("text", [PYTHON, TABLE], ids=["python", "table"])
def test_code_and_tables_are_non_prose(text):
    assert check(text) == [NON_PROSE]


def test_javascript_is_non_prose():
    js = "\n".join(["const f = (x) => {", "  if (x === 1) {", "    return g(x);", "  }", "  return x + 1;", "};"])
    assert check(js) == [NON_PROSE]


@pytest.mark.parametrize("text", ["", "   \n", "Der Rat tagt.", "1 2 3", "def f(): pass"])
def test_empty_or_short_text_gets_no_warning(text):
    assert check(text) == []


def test_confidence_cap_is_a_probability():
    assert 0.5 < CONFIDENCE_CAP < 1
