"""Agreement between two independent annotation passes, and the differences a third pass settles.

Claims of the two passes are matched by their offsets: a boundary difference is a claim one
pass has and the other does not. On matched claims we count label agreement (raw and Cohen's
kappa) and compare source and cue spans token by token. `differences` lists every point where
the passes disagree, by offsets and values only (no article text), for the adjudicator and the
adjudication log.

    python -m training.agreement A.jsonl B.jsonl --out agreement.json [--diffs DIR]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

from . import realnews

_WORD = re.compile(r"\S+")


def _tokens(text: str, spans: list) -> set[int]:
    """Start offsets of the whitespace-separated words that the spans overlap (for token F1)."""
    out: set[int] = set()
    for s, e in spans:
        out.update(m.start() for m in _WORD.finditer(text, 0, e) if m.end() > s)
    return out


def _f1(a: set, b: set) -> tuple[int, int, int]:
    return len(a & b), len(a), len(b)


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa of two raters' labels."""
    n = len(pairs)
    if not n:
        return float("nan")
    observed = sum(a == b for a, b in pairs) / n
    ca = collections.Counter(a for a, _ in pairs)
    cb = collections.Counter(b for _, b in pairs)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def _by_offsets(record: dict) -> dict[tuple[int, int], dict]:
    return {(c["start"], c["end"]): c for c in record["claims"]}


def differences(a: dict, b: dict) -> list[dict]:
    """Every disagreement between two stand-off records of one article, by offsets and values."""
    ca, cb = _by_offsets(a), _by_offsets(b)
    out = []
    for key in sorted(set(ca) ^ set(cb)):
        out.append({"kind": "boundary", "start": key[0], "end": key[1], "in": "A" if key in ca else "B",
                    "A": (ca.get(key) or {}).get("label", "-") if key in ca else None,
                    "B": (cb.get(key) or {}).get("label", "-") if key in cb else None})
    for key in sorted(set(ca) & set(cb)):
        x, y = ca[key], cb[key]
        lx, ly = x["label"] or "meta", y["label"] or "meta"
        if lx != ly or x["kind"] != y["kind"]:
            out.append({"kind": "label", "start": key[0], "end": key[1], "A": lx, "B": ly})
            continue
        sx = [(s["start"], s["end"], s["type"], s["resolved"]) for s in x["sources"]]
        sy = [(s["start"], s["end"], s["type"], s["resolved"]) for s in y["sources"]]
        if sx != sy:
            out.append({"kind": "sources", "start": key[0], "end": key[1], "A": sx, "B": sy})
        if x["cue"] != y["cue"]:
            out.append({"kind": "cue", "start": key[0], "end": key[1], "A": x["cue"], "B": y["cue"]})
    for i, d in enumerate(out, 1):
        d["diff"] = f"{a['id']}#{i}"
    return out


def agreement(pass_a: list[dict], pass_b: list[dict]) -> dict:
    """Boundary F1, label agreement and kappa on matched claims, source/cue token F1 between passes
    (records joined with their text, as `realnews.load` gives them)."""
    b_by_id = {r["id"]: r for r in pass_b}
    boundary = [0, 0, 0]
    pairs: list[tuple[str, str]] = []
    spans = {"source": [0, 0, 0], "cue": [0, 0, 0]}
    articles = 0
    for ra in pass_a:
        rb = b_by_id.get(ra["id"])
        if rb is None or ra["text"] != rb["text"]:
            continue
        text = ra["text"]
        articles += 1
        ca, cb = _by_offsets(ra), _by_offsets(rb)
        ends_a = {c["end"] for c in ra["claims"]}
        ends_b = {c["end"] for c in rb["claims"]}
        for i, v in enumerate(_f1(ends_a, ends_b)):
            boundary[i] += v
        for key in set(ca) & set(cb):
            x, y = ca[key], cb[key]
            if x["label"] is None or y["label"] is None:
                continue
            pairs.append((x["label"], y["label"]))
            if x["label"] == y["label"] == "attribution":
                src = _f1(*(_tokens(text, [(s["start"], s["end"]) for s in c["sources"]
                                           if key[0] <= s["start"] < key[1]]) for c in (x, y)))
                cue = _f1(*(_tokens(text, [(c["cue"]["start"], c["cue"]["end"])] if c["cue"] else []) for c in (x, y)))
                for name, counts in (("source", src), ("cue", cue)):
                    for i, v in enumerate(counts):
                        spans[name][i] += v

    def f1(tp: int, na: int, nb: int) -> float:
        return 2 * tp / (na + nb) if na + nb else 1.0

    labels = sorted({x for p in pairs for x in p})
    return {"articles": articles, "claim_boundary_f1": f1(*boundary), "matched_claims": len(pairs),
            "label_agreement": sum(a == b for a, b in pairs) / len(pairs) if pairs else float("nan"),
            "label_kappa": kappa(pairs),
            "confusion": {a: {b: sum(p == (a, b) for p in pairs) for b in labels} for a in labels},
            "source_token_f1": f1(*spans["source"]), "cue_token_f1": f1(*spans["cue"])}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.agreement", description=__doc__.splitlines()[0])
    p.add_argument("a", type=Path, help="stand-off JSONL of the first pass")
    p.add_argument("b", type=Path, help="stand-off JSONL of the second pass")
    p.add_argument("--public-data", type=Path, required=True)
    p.add_argument("--out", type=Path)
    p.add_argument("--diffs", type=Path, help="write one JSON list of differences per article here")
    args = p.parse_args(argv)
    pass_a, pass_b = _jsonl(args.a), _jsonl(args.b)
    result = agreement(realnews.load(args.a, args.public_data), realnews.load(args.b, args.public_data))
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    if args.diffs:
        args.diffs.mkdir(parents=True, exist_ok=True)
        b_by_id = {r["id"]: r for r in pass_b}
        for ra in pass_a:
            if ra["id"] in b_by_id:
                name = ra["id"].replace(":", "__").replace("/", "_")
                (args.diffs / f"{name}.json").write_text(json.dumps(differences(ra, b_by_id[ra["id"]]), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
