"""Evaluation helpers for attribution details: a reporting-verb baseline, span scores, resolution scores.

Dependency-free, so they run without the model:
- `pattern_extract`: the baseline the span head must beat (a reporting-verb lexicon and naive spans);
- `span_scores`: token-overlap and exact-match scores of predicted source/cue spans;
- `resolution_scores`: accuracy of `stanceclf.sources.resolve` (names and types) on gold source spans.

`python -m training.attribution_eval [--split train|test]` prints resolution scores and the baseline's
source/cue token F1 on the bundled corpus as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stanceclf.results import Claim, Source
from stanceclf.sources import resolve, same_entity
from training.data import CORPUS, claim_spans

Span = tuple[int, int]

# Reporting verbs and phrases (any inflection listed explicitly: no stemmer).
_VERBS = ("said says say told tells announced announces claimed claims denied denies confirmed confirms warned "
          "warns insisted insists stated states added adds noted notes argued argues wrote writes reported "
          "reports explained explains acknowledged acknowledges asserted asserts declared declares alleged "
          "alleges admitted admits suggested suggests urged urges described describes tweeted posted testified "
          "revealed disclosed predicted estimated estimates found finds shows showed criticised criticized "
          "accused accuses called calls forecast forecasts blamed blames believes believed").split()
_PHRASES = ("according to", "told reporters", "told a news conference", "said in a statement", "in a statement")
_CUE = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r"|" + "|".join(_VERBS) + r")\b",
                  re.IGNORECASE)
_SUBJECT_STOP = re.compile(r"[.;:!?\"“”]|,\s(?=[a-z])|\b(?:that|and|but|which|who)\s", re.IGNORECASE)
_CAP_RUN = re.compile(r"(?:[A-Z][\w.'’&-]*)(?:\s+(?:of|the|de|van|al|for|and)?\s*[A-Z][\w.'’&-]*)*")


def _trim(text: str, start: int, end: int) -> Span:
    """Shrink a span past surrounding whitespace and punctuation."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] != ".":
        end -= 1
    while end > start and text[end - 1] == "." and not re.search(r"\b[A-Z][a-z]?\.$|[A-Z]\.[A-Z]\.$",
                                                                      text[start:end]):
        end -= 1
    return start, end


def pattern_extract(claim: str) -> tuple[list[Span], Span | None]:
    """Baseline: (source spans, cue span) from the first reporting verb/phrase and its neighbouring noun phrase."""
    m = _CUE.search(claim or "")
    if m is None:
        return [], None
    cue = (m.start(), m.end())
    word = m.group().lower()
    if word == "according to":
        after = claim[m.end():]
        stop = re.search(r"[,.;:!?\"“”]\s|[,;:!?\"“”]|\.$", after)
        s, e = _trim(claim, m.end(), m.end() + (stop.start() if stop else len(after)))
        return ([(s, e)] if e > s else []), cue
    before = claim[:m.start()]
    # "..., said X" / "…,” X said": the source follows a comma or closing quote right before the verb
    if re.search(r"[,”\"]\s*$", before):
        after = claim[m.end():]
        run = _CAP_RUN.match(after.lstrip())
        if run:
            off = m.end() + (len(after) - len(after.lstrip()))
            s, e = _trim(claim, off + run.start(), off + run.end())
            return ([(s, e)] if e > s else []), cue
    # subject ... said: back up from the verb to the previous clause boundary
    bounds = list(_SUBJECT_STOP.finditer(before))
    start = bounds[-1].end() if bounds else 0
    s, e = _trim(claim, start, len(before))
    return ([(s, e)] if e > s else []), cue


def _word_tokens(text: str) -> list[Span]:
    return [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]


def _strip(text: str, span: Span) -> Span:
    s, e = span
    s, e = max(0, s), min(len(text), e)
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and not text[e - 1].isalnum():
        e -= 1
    return s, e


def _covered(toks: list[Span], spans: list[Span]) -> set[int]:
    """Indices of the word tokens lying inside any of `spans`."""
    return {i for i, (a, b) in enumerate(toks) if any(a >= s and b <= e for s, e in spans)}


def span_scores(pairs: Iterable[tuple[str, list[Span], list[Span]]]) -> dict[str, float | int]:
    """Token-overlap P/R/F1 (micro over word tokens inside spans) and span-level exact-match P/R/F1."""
    tp = fp = fn = 0
    etp = n_gold = n_pred = 0
    for text, gold, pred in pairs:
        toks = _word_tokens(text)
        g, p = _covered(toks, gold), _covered(toks, pred)
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
        gs = {_strip(text, s) for s in gold} - {(x, x) for x in range(len(text) + 1)}
        ps = {_strip(text, s) for s in pred} - {(x, x) for x in range(len(text) + 1)}
        etp, n_gold, n_pred = etp + len(gs & ps), n_gold + len(gs), n_pred + len(ps)

    def f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0
    prec, rec = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    eprec, erec = (etp / n_pred if n_pred else 0.0), (etp / n_gold if n_gold else 0.0)
    return {"token_precision": prec, "token_recall": rec, "token_f1": f1(prec, rec),
            "exact_precision": eprec, "exact_recall": erec, "exact_f1": f1(eprec, erec),
            "gold_spans": n_gold, "pred_spans": n_pred}


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The compiled corpus records (one article per line)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def resolution_scores(records: Iterable[dict[str, Any]], split: str | None = "test") -> dict[str, Any]:
    """Accuracy of `resolve` on gold source spans: resolved name (via same_entity) and type, overall and by type."""
    ok_r = ok_t = total = 0
    by_type: dict[str, dict[str, int]] = {}
    errors: list[dict[str, str]] = []
    for rec in records:
        if split is not None and rec.get("split") != split:
            continue
        text = rec["text"]
        claims, gold = [], []
        for c in rec["claims"]:
            if c.get("kind") == "meta":
                continue
            claim = Claim(c["text"], c["start"], c["end"], kind=c.get("kind", "body"), label=c.get("label"))
            for s in c.get("sources") or []:
                claim.sources.append(Source(s["text"], s["start"], s["end"]))
                gold.append((claim.sources[-1], s))
            claims.append(claim)
        resolve(text, claims)
        for pred, g in gold:
            r, t = same_entity(pred.resolved or "", g["resolved"]), pred.type == g["type"]
            ok_r, ok_t, total = ok_r + r, ok_t + t, total + 1
            row = by_type.setdefault(g["type"], {"n": 0, "resolved": 0, "typed": 0})
            row["n"], row["resolved"], row["typed"] = row["n"] + 1, row["resolved"] + r, row["typed"] + t
            if not (r and t):
                errors.append({"id": rec.get("id", ""), "text": g["text"], "gold": f"{g['resolved']} | {g['type']}",
                               "pred": f"{pred.resolved} | {pred.type}"})
    return {"split": split, "sources": total,
            "resolution_accuracy": ok_r / total if total else 0.0,
            "type_accuracy": ok_t / total if total else 0.0,
            "by_type": {k: {"n": v["n"], "resolution_accuracy": v["resolved"] / v["n"],
                            "type_accuracy": v["typed"] / v["n"]} for k, v in sorted(by_type.items())},
            "errors": errors}


def baseline_scores(records: Iterable[dict[str, Any]], split: str | None = "test") -> dict[str, Any]:
    """Source and cue span scores of `pattern_extract` against the gold spans of attribution claims."""
    src_pairs, cue_pairs = [], []
    for rec in records:
        if split is not None and rec.get("split") != split:
            continue
        for c in rec["claims"]:
            if c.get("label") != "attribution" or c.get("kind") == "meta":
                continue
            spans = claim_spans(c)
            gold_src = [(a, b) for a, b, k in spans if k == "SRC"]
            gold_cue = [(a, b) for a, b, k in spans if k == "CUE"]
            src, cue = pattern_extract(c["text"])
            src_pairs.append((c["text"], gold_src, src))
            cue_pairs.append((c["text"], gold_cue, [cue] if cue else []))
    return {"source": span_scores(src_pairs), "cue": span_scores(cue_pairs)}


def main(argv: list[str] | None = None) -> None:
    """CLI: print resolution and baseline scores of one split as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["train", "test"], default="test")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--errors", action="store_true", help="list the resolution errors too")
    args = ap.parse_args(argv)
    records = load_corpus(args.corpus)
    res = resolution_scores(records, args.split)
    if not args.errors:
        res.pop("errors")
    print(json.dumps({"resolution": res, "baseline": baseline_scores(records, args.split)}, indent=2,
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
