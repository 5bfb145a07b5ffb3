"""Evaluation of attribution details: a reporting-verb baseline, span scores, resolution scores,
and the model's figures on the corpus, PolNeAR, BASIL and the seed article.

Without the model:
- `pattern_extract`: the baseline the span head must beat (a reporting-verb lexicon and naive spans);
- `span_scores`: token-overlap and exact-match scores of predicted source/cue spans;
- `resolution_scores`: accuracy of `stanceclf.sources.resolve` (names and types) on gold source spans.
With it: `model_scores`, which `training.evaluate` runs and prints with `print_attribution`.

`python -m training.attribution_eval [--split train|test]` prints resolution scores and the baseline's
source/cue token F1 on the bundled corpus as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stanceclf import attribution, engine
from stanceclf.classifier import ClaimClassifier
from stanceclf.results import Claim, Document, Source
from stanceclf.sources import resolve, same_entity

from . import realnews
from .data import CORPUS, claim_spans, polnear_spans, polnear_speech

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


def span_scores(pairs: Iterable[tuple]) -> dict[str, float | int]:
    """Token-overlap P/R/F1 (micro over word tokens inside spans) and span-level exact-match P/R/F1.

    Items are (text, gold, pred) or (text, gold, pred, ignore): predicted tokens and spans lying in
    an ignored region (an attribution the task leaves out, such as PolNeAR's beliefs) are not scored."""
    tp = fp = fn = 0
    etp = n_gold = n_pred = 0
    for text, gold, pred, *rest in pairs:
        ignore = rest[0] if rest else []
        toks = _word_tokens(text)
        g = _covered(toks, gold)
        p = _covered(toks, pred) - (_covered(toks, ignore) - g)
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
        gs = {_strip(text, s) for s in gold} - {(x, x) for x in range(len(text) + 1)}
        ps = {_strip(text, s) for s in pred} - {(x, x) for x in range(len(text) + 1)}
        ps = {s for s in ps if s in gs or not any(a <= s[0] and s[1] <= b for a, b in ignore)}
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
        claims, gold, meta = [], [], []
        for c in rec["claims"]:
            if c.get("kind") == "meta":
                meta.append((c["start"], c["end"]))
                continue
            claim = Claim(c["text"], c["start"], c["end"], kind=c.get("kind", "body"), label=c.get("label"))
            for s in c.get("sources") or []:
                claim.sources.append(Source(s["text"], s["start"], s["end"]))
                gold.append((claim.sources[-1], s))
            claims.append(claim)
        resolve(text, claims, meta)
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


def _tags(clf: ClaimClassifier, claims: list[str], contexts: list[str]) -> list[tuple[list, list]]:
    """Decoded (source spans, cue spans) of the span head for each claim, whatever its label."""
    enc = clf.encode(claims, contexts)
    _, tags = engine.run(clf.model, clf.tokenizer, enc, temperature=clf.config.temperature, device=clf.device,
                         spans=True)
    if tags is None:
        return [([], [])] * len(claims)
    names = tuple(clf.config.span_tags)
    return [attribution.decode(c, o, t, names) for c, o, t in zip(claims, enc.claim_offsets, tags)]


def _pattern(claims: list[str]) -> list[tuple[list, list]]:
    out = []
    for c in claims:
        src, cue = pattern_extract(c)
        out.append((src, [cue] if cue else []))
    return out


def _span_table(claims: list[str], gold: list[tuple[list, list]], preds: dict[str, list],
                ignore: list[list[Span]] | None = None) -> dict:
    """Source and cue span scores of each predictor (token-overlap and exact-match F1)."""
    ignore = ignore or [[] for _ in claims]
    return {name: {"source": span_scores([(c, g[0], p[0], i) for c, g, p, i in zip(claims, gold, pred, ignore)]),
                   "cue": span_scores([(c, g[1], p[1], i) for c, g, p, i in zip(claims, gold, pred, ignore)])}
            for name, pred in preds.items()}


def polnear_spans_eval(clf: ClaimClassifier, public: Path) -> dict:
    """PolNeAR dev speech-attribution sentences with an in-sentence source: span F1, model vs pattern.
    The sentences' other attributions (beliefs, noun cues: left out by LABELS.md) are not scored;
    `strict` scores them as errors too."""
    claims, contexts, gold, ignore, previous = [], [], [], [], {}
    with open(public / "polnear" / "dev_sentences.jsonl", encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            context = previous.get(s["doc_id"], "")
            previous[s["doc_id"]] = s["text"]
            spans, other = polnear_spans(s)
            if polnear_speech(s) and any(k == "SRC" for _, _, k in spans):
                claims.append(s["text"])
                contexts.append(context)
                gold.append(([(a, b) for a, b, k in spans if k == "SRC"], [(a, b) for a, b, k in spans if k == "CUE"]))
                ignore.append(other)
    preds = {"model": _tags(clf, claims, contexts), "pattern": _pattern(claims)}
    return {"n": len(claims), **_span_table(claims, gold, preds, ignore),
            "strict": {"n": len(claims), **_span_table(claims, gold, preds)}}


def corpus_attribution_eval(clf: ClaimClassifier, records: list[dict] | None = None) -> dict:
    """Gold claims of annotated articles (default: the corpus test split): span F1 on gold attribution
    claims, and end to end (labels, spans, resolution): resolution and source-type accuracy over gold sources."""
    if records is None:
        records = [r for r in load_corpus() if r.get("split") == "test"]
    docs = [Document(text=r["text"], claims=[Claim(c["text"], c["start"], c["end"], c["kind"], c["paragraph"],
                                                   c["sentence"]) for c in r["claims"]]) for r in records]
    clf.label(docs)
    claims, contexts, gold = [], [], []
    resolved = typed = total = 0
    by_type: dict[str, list[int]] = {}
    for r, doc in zip(records, docs):
        previous = ""
        for g, p in zip(r["claims"], doc.claims):
            if g["kind"] == "meta":
                continue
            if g["label"] == "attribution" and g.get("sources"):
                spans = claim_spans(g)
                claims.append(g["text"])
                contexts.append(previous)
                gold.append(([(a, b) for a, b, k in spans if k == "SRC"], [(a, b) for a, b, k in spans if k == "CUE"]))
                for s in g["sources"]:
                    match = next((q for q in p.sources if q.start < s["end"] and q.end > s["start"]), None)
                    if match is None and len(g["sources"]) == 1 and len(p.sources) == 1:
                        match = p.sources[0]  # continuing quotes point at an earlier mention
                    ok_r = match is not None and same_entity(match.resolved or "", s["resolved"])
                    ok_t = match is not None and match.type == s["type"]
                    resolved, typed, total = resolved + ok_r, typed + ok_t, total + 1
                    by_type.setdefault(s["type"], [0, 0])
                    by_type[s["type"]][0] += ok_t
                    by_type[s["type"]][1] += 1
            previous = g["text"]
    return {"n_sources": total, "resolution_accuracy": resolved / max(1, total),
            "type_accuracy": typed / max(1, total),
            "type_accuracy_by_type": {t: ok / n for t, (ok, n) in sorted(by_type.items())},
            "spans_on_gold_attribution_claims": {"n": len(claims), **_span_table(
                claims, gold, {"model": _tags(clf, claims, contexts), "pattern": _pattern(claims)})}}


def basil_quotes_eval(clf: ClaimClassifier, path: Path) -> dict:
    """BASIL train: share of quotes with a named speaker whose claim's predicted source resolves to
    that speaker (same surname). Articles of the real-news train split are left out (trained on)."""
    hit = total = 0
    trained = realnews.split_ids("train")
    for line in path.read_text(encoding="utf-8").splitlines():
        art = json.loads(line)
        if f"basil:{art['doc_id']}" in trained:
            continue
        parts, starts, last_par = [], {}, None
        for s in art["sentences"]:
            sep = "" if not parts else (" " if s["paragraph"] == last_par else "\n")
            starts[s["sent_idx"]] = sum(map(len, parts)) + len(sep)
            parts.append(sep + s["text"])
            last_par = s["paragraph"]
        text = "".join(parts)
        quotes = [a for a in art["phrase_annotations"] if a["quote"] == "yes" and "_" in a["speaker"]
                  and not a["speaker"].startswith("other")]
        if not quotes:
            continue
        doc = clf.analyze(text)
        for q in quotes:
            start = starts[q["sent_idx"]] + q["start"]
            claim = next((c for c in doc.claims if c.start <= start < c.end), None)
            surname = q["speaker"].split("_")[-1].lower()
            names = [(s.resolved or s.text).lower() for s in (claim.sources if claim else [])]
            hit += any(surname in n.split() for n in names)
            total += 1
    return {"quotes": total, "speaker_resolved_share": hit / max(1, total)}


def seed_sources_check(clf: ClaimClassifier) -> dict:
    """The seed article: every gold source (text, resolved, type) and cue of its attribution claims."""
    seed = next(r for r in load_corpus() if r["id"] == "belarus_pardons")
    predicted = {(c.start, c.end): c for c in clf.analyze(seed["text"]).claims}
    rows = []
    for g in seed["claims"]:
        if g.get("label") != "attribution":
            continue
        p = predicted.get((g["start"], g["end"]))
        want = [(s["text"], s["resolved"], s["type"]) for s in g["sources"]], (g["cue"] or {}).get("text")
        got = ([(s.text, s.resolved, s.type) for s in p.sources], p.cue.text if p.cue else None) if p else None
        rows.append({"text": g["text"], "gold": want, "predicted": got, "ok": got == want})
    return {"claims": len(rows), "correct": sum(r["ok"] for r in rows), "rows": rows}


def model_scores(clf: ClaimClassifier, public: Path | None) -> dict[str, Any]:
    """All attribution figures of a model: corpus test (spans, resolution, types), PolNeAR dev and
    BASIL train when the public sets are there, and the seed article's sources."""
    started = time.time()
    att = {"corpus_test": corpus_attribution_eval(clf)}
    if public and (realnews.ANNOTATIONS / "dev.jsonl").exists():
        att["real_dev"] = corpus_attribution_eval(clf, realnews.load(realnews.ANNOTATIONS / "dev.jsonl", public))
    if public:
        att["polnear_dev"] = polnear_spans_eval(clf, public)
        att["basil_train"] = basil_quotes_eval(clf, public / "basil" / "train_articles.jsonl")
    att["seed"] = seed_sources_check(clf)
    att["seconds"] = round(time.time() - started, 1)
    return att


def print_attribution(att: dict) -> None:
    c = att["corpus_test"]
    print(f"attribution  corpus test: resolution {c['resolution_accuracy']:.3f} type {c['type_accuracy']:.3f} "
          f"over {c['n_sources']} gold sources")
    real = att.get("real_dev")
    if real:
        print(f"             real-news dev: resolution {real['resolution_accuracy']:.3f} type "
              f"{real['type_accuracy']:.3f} over {real['n_sources']} gold sources")
    polnear = att.get("polnear_dev")
    blocks = (("real-news dev", real and real["spans_on_gold_attribution_claims"]),
              ("corpus test", c["spans_on_gold_attribution_claims"]), ("polnear dev", polnear),
              ("polnear dev strict", polnear and polnear["strict"]))
    for where, block in blocks:
        if block:
            for name in ("model", "pattern"):
                b = block[name]
                print(f"             {where} {name:<7} source F1 {b['source']['token_f1']:.3f} "
                      f"(exact {b['source']['exact_f1']:.3f})  cue F1 {b['cue']['token_f1']:.3f} "
                      f"(exact {b['cue']['exact_f1']:.3f})  n={block['n']}")
    if "basil_train" in att:
        b = att["basil_train"]
        print(f"             basil train: {b['speaker_resolved_share']:.3f} of {b['quotes']} named-speaker quotes")
    print(f"             seed sources: {att['seed']['correct']}/{att['seed']['claims']} attribution claims right")
    for r in att["seed"]["rows"]:
        if not r["ok"]:
            print(f"   miss: {r['text'][:50]!r} gold {r['gold']} got {r['predicted']}")



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
