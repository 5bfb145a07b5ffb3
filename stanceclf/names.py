"""Reading a source phrase: word tokens, capitalised name runs, descriptor words, and its
LABELS.md source type (`classify`). Word lists live in `stanceclf.lexicon`; resolution across
the article lives in `stanceclf.sources`."""

from __future__ import annotations

import re

from stanceclf.lexicon import (
    ABBREV,
    ANON_PLURAL,
    ANON_SINGULAR,
    BREAKS,
    COMMON,
    CONNECT,
    DOC_NOUNS,
    HONORIFICS,
    INDEFINITE,
    MEDIA_WORDS,
    OFFICIAL_OVERRIDE,
    ORG_NOUNS,
    ORG_WORDS,
    OUTLETS,
    PARTICLES,
    PERSON_ROLES,
    STOP,
    SUFFIXES,
    TITLES,
)

TOKEN = re.compile(r"\w+(?:[.'’&-]\w+)*\.?|&")
_NOT_NAME = re.compile(r"-(run|based|owned|backed|led|controlled|funded|linked|born|aligned|affiliated|style)$")
_PREFIXED = re.compile(r"^(al|el|ad|ar|as|bin|ibn)-\w")
_WHICH = re.compile(r"['’]?,\s+which\b")
# word-set unions the loops below test against, built once
_CAP_TITLES = TITLES | HONORIFICS
_LINKS = CONNECT | PARTICLES
_ORG_OR_LINK = ORG_WORDS | CONNECT
_LEADING = (COMMON - ORG_WORDS) | HONORIFICS
_PERSONAL = TITLES | PERSON_ROLES | HONORIFICS
_NAMED_THINGS = DOC_NOUNS | ORG_NOUNS | MEDIA_WORDS
_MEDIA_TAIL = MEDIA_WORDS | SUFFIXES | {"agency", "party", "alliance"}
_NOT_PERSONAL = COMMON | ORG_WORDS | CONNECT | PARTICLES | STOP | OUTLETS | MEDIA_WORDS | SUFFIXES | TITLES
_OFFICE = TITLES - PERSON_ROLES
_ROLES = TITLES | PERSON_ROLES


def key(tok: str) -> str:
    return tok.lower().rstrip(".").replace("’", "'")


def base(tok: str) -> str:
    """A token lower-cased, without a possessive "'s" or a trailing period."""
    k = key(tok)
    return k[:-2] if k.endswith("'s") else k.rstrip("'")


def is_cap(tok: str) -> bool:
    if "-" in tok and _NOT_NAME.search(tok):
        return False
    return tok[:1].isupper() or ("-" in tok and bool(_PREFIXED.match(tok)))


def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Word tokens with offsets; a sentence-final period is dropped unless the token is an abbreviation."""
    out = []
    for m in TOKEN.finditer(text, start, len(text) if end is None else end):
        tok, at = m.group(), m.start()
        if tok[-1] == "." and len(tok) > 2 and "." not in tok[:-1] and key(tok) not in ABBREV:
            tok = tok[:-1]
        out.append((tok, at, at + len(tok)))
    return out


def runs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, bool, int]]:
    """Capitalised name runs (start, end, possessive, start before titles were cut)."""
    toks, found, i = tokens(text, start, end), [], 0
    while i < len(toks):
        tok = toks[i][0]
        if not (tok[0].isupper() or "-" in tok) or not is_cap(tok) or key(tok) in STOP:
            i += 1
            continue
        j, left, seen = i, set(), i  # left: base words of toks[i:seen]
        while j + 1 < len(toks) and not key(toks[j][0]).endswith("'s") and (
                text[toks[j][2]:toks[j + 1][1]] == " " or (is_cap(toks[j][0]) and toks[j][0].endswith("s")
                                                         and text[toks[j][2]:toks[j + 1][1]] in ("' ", "’ "))):
            if is_cap(toks[j + 1][0]):
                j += 1
                continue
            k = j + 1
            while k < len(toks) and key(toks[k][0]) in _LINKS and k - j <= 2:
                k += 1
            if k == j + 1 or k >= len(toks) or not is_cap(toks[k][0]) or key(toks[k][0]) in STOP:
                break
            m = k
            while m + 1 < len(toks) and is_cap(toks[m + 1][0]) and text[toks[m][2]:toks[m + 1][1]] == " ":
                m += 1
            left.update(base(t[0]) for t in toks[seen:j + 1])
            seen, right = j + 1, {base(t[0]) for t in toks[k:m + 1]}
            links = {key(t[0]) for t in toks[j + 1:k]}
            has_and = bool(links & {"and", "&"})
            if not (links <= PARTICLES or (left & ORG_WORDS and not (has_and and right & ORG_WORDS))
                    or (links in ({"and"}, {"&"}) and right & ORG_WORDS)):
                break
            j = k
        # whether a word after toks[k] in the run is an organisation word (or a link: "of", "and")
        bases = [base(t[0]) for t in toks[i:j + 1]]
        org_after, link_after = [False] * len(bases), [False] * len(bases)
        for r in range(len(bases) - 2, -1, -1):
            org_after[r] = org_after[r + 1] or bases[r + 1] in ORG_WORDS
            link_after[r] = link_after[r + 1] or bases[r + 1] in _ORG_OR_LINK
        cut = i  # titles, honorifics and leading common nouns ("Economist Martín ...") are not the name
        for k in range(i, j):
            if key(toks[k][0]) in _CAP_TITLES and not link_after[k - i]:
                cut = k + 1
        while cut < j and bases[cut - i] in _LEADING and is_cap(toks[cut + 1][0]) and not org_after[cut - i]:
            cut += 1
        end_j = j
        while end_j > cut and (key(toks[end_j][0]) in SUFFIXES or re.fullmatch(r"[A-Z]", toks[end_j][0])):
            end_j -= 1
        for p in range(end_j - 2, max(cut, end_j - 3) - 1, -1):  # "Treasury Department Ramin Toloui": a person
            if (bases[p - i] in ORG_WORDS or key(toks[p][0]) in _CAP_TITLES) and all(
                    _personal_name(toks[q][0]) for q in range(p + 1, end_j + 1)):
                cut = p + 1
                break
        single_common = cut == end_j and bases[cut - i] in COMMON
        if not single_common:
            found.append((toks[cut][1], toks[end_j][2], key(toks[end_j][0]).endswith("'s"), toks[i][1]))
        i = j + 1
    return found


def _personal_name(tok: str) -> bool:
    """Whether a capitalised word can be part of a person's name: in no word list, not an acronym."""
    return (tok[:1].isupper() and tok.replace("-", "").replace("’", "").replace("'", "").isalpha()
            and not tok.isupper() and base(tok) not in _NOT_PERSONAL)


def descriptors(text: str) -> set[str]:
    """Descriptor words of a phrase: lower-case words, titles and honorifics in any case, a leading common noun."""
    toks = tokens(text)
    return {base(t[0]) for k, t in enumerate(toks) if not is_cap(t[0]) or key(t[0]) in _CAP_TITLES
            or (k == 0 and base(t[0]) in COMMON)}


def head_descriptors(text: str) -> set[str]:
    """Descriptor words before the first preposition of each comma-separated part (the descriptors' heads)."""
    out: set[str] = set()
    for part in text.split(","):
        words = [base(t[0]) for t in tokens(part)]
        cut = next((k for k, w in enumerate(words) if k and w in BREAKS), len(words))
        out |= descriptors(" ".join(t[0] for t in tokens(part)[:cut]))
        if cut < len(words) and words[cut] == "of" and runs(part):
            break  # "X of the Y Center, a research group": what follows describes Y, not X
    return out


def parse(phrase: str) -> tuple[str | None, str, set[str]]:
    """Split a source span into (name or None, head noun of its first noun phrase, descriptor words)."""
    clean = re.sub(r"\s*\([^)]*\)", "", phrase)
    left, _, right = clean.partition(",")
    toks, name_runs = tokens(left), runs(left)
    inside = {t[1] for t in toks for r in name_runs if r[3] <= t[1] < r[1]}
    cut = next((k for k, t in enumerate(toks) if k and key(t[0]) in BREAKS and t[1] not in inside), len(toks))
    region_end = toks[cut - 1][2] if cut else 0
    head = base(toks[cut - 1][0]) if cut else ""
    if (head in INDEFINITE or head in ("here", "there")) and toks:
        head = base(toks[-1][0]) if base(toks[-1][0]) not in ("here", "there") else base(toks[0][0])
    name = None
    inner = [r for r in name_runs if r[1] <= region_end]
    if inner:
        s, e, poss, _ = inner[-1]
        tail = [base(t[0]) for t in tokens(left, e, region_end)]
        if not poss and all(w in _MEDIA_TAIL for w in tail):
            name = left[s:e]
    last = name_runs[-1] if name_runs else None
    if name is None and last and not left[last[1]:].strip(" .") and last[0] > last[3] and 2 <= len(
            tokens(left, last[0], last[1])) <= 3 and all(_personal_name(t[0]) for t in tokens(left, last[0], last[1])):
        name = left[last[0]:last[1]]  # "representative of the U.S. Treasury Department Ramin Toloui"
    if name is None and right.strip():
        rt = right.strip()
        rruns = runs(rt)
        lead = r"(the\s+)?"
        if len(rruns) > 1 and rt[rruns[0][1] : rruns[0][1] + 2] == ". " and rruns[0][1] - rruns[0][0] <= 4:
            rruns, lead = rruns[1:], r"[A-Z][a-z]{1,3}\.\s+"  # an abbreviated title: "Avv. Lorenzo Bassani"
        if rruns and rruns[0][3] < rruns[0][0]:
            lead += r"(?:[a-z-]+\s+){0,3}"  # "former state Sen. Dale Whitcomb": words before a title
        if rruns and re.fullmatch(lead, rt[:rruns[0][3]], re.IGNORECASE) and not rruns[0][2]:
            name = rt[rruns[0][0]:rruns[0][1]]
    if name and name.endswith(" News Agency") and base(name.split()[0]) in OUTLETS:
        name = name[:-len(" News Agency")]
    return name, head, descriptors(clean)


def _followed_by_which(phrase: str, name: str) -> bool:
    """Whether `name` occurs in `phrase` followed by ", which" ("Acme, which makes ...")."""
    at = phrase.find(name)
    while at >= 0:
        if _WHICH.match(phrase, at + len(name)):
            return True
        at = phrase.find(name, at + 1)
    return False


def classify(phrase: str, name: str | None, head: str, words: set[str], lead: set[str] | None = None) -> str:
    """The LABELS.md source type of a span, first match wins."""
    first = key(phrase.split()[0]) if phrase.split() else ""
    if name is None:
        if "unnamed" in words or head in ANON_PLURAL or (first in INDEFINITE and head not in _NAMED_THINGS):
            return "anonymous"
        if head in DOC_NOUNS:
            return "document"
        if head in MEDIA_WORDS or head in OUTLETS:
            return "media"
        if head == "police" or head in TITLES or head in ANON_SINGULAR:
            return "official"
        if head in PERSON_ROLES:
            return "anonymous"
        return "organisation" if head in ORG_NOUNS or not head.endswith("s") else "anonymous"
    name_words = {base(t[0]) for t in tokens(name)}
    lead = (head_descriptors(phrase) if lead is None else lead) - PERSON_ROLES
    parts = {w for n in name_words for w in n.split("-")}  # "Journal-Constitution"
    media_name = parts & {"news", "television", "tv", "radio", "press", "daily", "weekly", "magazine"}
    if (parts & OUTLETS and len(name_words) <= 3) or media_name or (
            lead & MEDIA_WORDS and not words & _ROLES):
        return "media"
    if "police" in name_words:
        return "official"
    if "which" in phrase and _followed_by_which(phrase, name):
        return "organisation"
    personal = words & _PERSONAL
    # "Farmers United", "the Social Democrats": a plural name is a body, not a person
    plural = (len(name_words) > 1 and name.split()[-1].endswith("ers")) or bool(
        name.endswith("s") and re.search(r"\bthe\s+" + re.escape(name) + r"\b", phrase, re.IGNORECASE))
    if name_words & ORG_WORDS or name.isupper() or len(name_words - PARTICLES) >= 4 or (
            lead & ORG_NOUNS and not personal) or (plural and not personal) or any(
            t[0].isalpha() and t[0].isupper() and len(t[0]) > 1 for t in tokens(name)):
        return "organisation"
    before = descriptors(phrase[: max(0, phrase.find(name))])
    if before & _OFFICE and "former" not in before:
        return "official"  # "Its chair, Kwame Boateng, a retired bus driver": the role before the name speaks
    if words & PERSON_ROLES and not (words | {key(w) for w in phrase.split()}) & OFFICIAL_OVERRIDE:
        return "person"
    return "official" if words & TITLES else "person"
