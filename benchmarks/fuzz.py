"""Fuzz stanceclf: generated broken inputs through `analyze`, one CLI run over a JSONL of them,
and separate CLI runs for the file cases. Reports crashes, invariant violations, the slowest input.

    python benchmarks/fuzz.py [--inputs 10000] [--cli-runs 100] [--model PATH] [--seed 13]

Invariants (`Document.check`): offsets give back every claim, source and cue; claims are in
order, disjoint, and cover every non-whitespace character; plus the same output for the same
input, and `analyze_batch` agreeing with `analyze` (a sample). Fixed seed. The named extremes (a 5 MB
article, a 3,000-word sentence) run once each, timed apart; --budget bounds the generated
inputs, and a run that does not get through all of them counts as a failure.
Writes benchmarks/results/fuzz.json.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from stanceclf import Document

ROOT = Path(__file__).resolve().parent.parent
PIECES = ["The U.S. said", "Dr. Okoye", "“We won. Again,”", "she said.", "3.5%", "...", " — ", ";", ", but",
          "\n", "\r\n", "\n\n", "By Ana Ruiz", "LISBON, March 3 -", '"', "“", "”", "?", "!", " ", "\t", "\x00",
          "\u200b", "\u200d", "\ufeff", "😀", "ALL CAPS SHOUTING.", "\x07", "\x1b[31m", "e.g.", "Jan.", "U.N.",
          "<p>", "</div>", "{}", "def f(x): return x;", "1,234.5", "—", "…", "Officials said", "according to her",
          "Der Minister sagte, dass", "ça va", "中文", "عربى", "\u202e", "  ", "(", ")", "[", "]", "'"]


def sentences() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines()]
    return [c["text"] for r in rows for c in r["claims"]]


def generate(rng: random.Random, corpus: list[str]) -> str:
    """One input: a random mix of news sentences, markup, control characters and noise."""
    kind = rng.randrange(8)
    if kind == 0:
        return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 30)))
    if kind == 1:
        return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(0, 200)))
    if kind == 2:
        return rng.choice(["", " ", "\n", "\t\t", "word", "\x00", "😀", "\u200b" * 5, "\r\n\r\n", "“", "a" * 50])
    if kind == 3:
        text = " ".join(rng.choice(corpus) for _ in range(rng.randrange(1, 12)))
        return text.upper() if rng.random() < 0.3 else text
    if kind == 4:
        parts = [rng.choice(corpus) for _ in range(rng.randrange(1, 8))]
        return rng.choice(["\n", "\r\n", "\n\n", " "]).join(rng.choice(PIECES) + p for p in parts)
    if kind == 5:
        text = " ".join(rng.choice(corpus) for _ in range(rng.randrange(2, 6)))
        cut = sorted(rng.sample(range(len(text) + 1), 2))
        return text[: cut[0]] + rng.choice(PIECES) + text[cut[1] :]
    if kind == 6:
        return " ".join(rng.choice(["the", "minister", "said", "rain", "data", "7", "over"]) for _ in range(400))
    return "\n".join(" | ".join(str(rng.randrange(1000)) for _ in range(5)) for _ in range(rng.randrange(1, 20)))


def big_inputs(corpus: list[str]) -> list[str]:
    """The named extremes: a ~5 MB article and one 3,000-word sentence without punctuation."""
    article, size = [], 0
    for i in range(10**6):
        s = corpus[i % len(corpus)]
        article.append(s)
        size += len(s) + 1
        if size > 5_000_000:
            break
    return ["\n".join(article), " ".join(["word"] * 3000)]


def fuzz_big(clf, inputs: list[str]) -> dict:
    """The named extremes, once each: invariants, claims and seconds (no re-runs: minutes each)."""
    crashes, violations, rows = [], [], []
    for text in inputs:
        t0 = time.perf_counter()
        try:
            doc = clf.analyze(text)
            problems = doc.check()
            if Document.from_dict(json.loads(json.dumps(doc.to_dict()))).to_dict() != doc.to_dict():
                problems.append("to_dict -> JSON -> from_dict does not give the document back")
            if problems:
                violations.append({"input": text[:200], "problems": problems[:3]})
            rows.append({"chars": len(text), "claims": len(doc.claims), "seconds": round(time.perf_counter() - t0, 1)})
        except Exception:
            crashes.append({"input": text[:200], "traceback": traceback.format_exc()[-800:]})
    return {"inputs": rows, "crashes": crashes, "violations": violations}


def fuzz_api(clf, inputs: list[str], budget: float) -> dict:
    """Generated inputs through `analyze`; every 50th also re-run and through `analyze_batch`."""
    crashes, violations, slowest, done = [], [], (0.0, ""), 0
    started = time.time()
    for i, text in enumerate(inputs):
        if time.time() - started > budget:
            break
        t0 = time.perf_counter()
        try:
            doc = clf.analyze(text)
            problems = doc.check()
            if Document.from_dict(json.loads(json.dumps(doc.to_dict()))).to_dict() != doc.to_dict():
                problems.append("to_dict -> JSON -> from_dict does not give the document back")
            if i % 50 == 0:
                again = clf.analyze(text)
                batch = clf.analyze_batch([text, "Filler sentence."])[0]
                if [c.to_dict() for c in again.claims] != [c.to_dict() for c in doc.claims]:
                    problems.append("not deterministic")
                for a, b in zip(doc.claims, batch.claims):
                    if (a.start, a.end, a.label) != (b.start, b.end, b.label) or (
                            a.probs and any(abs(a.probs[k] - b.probs[k]) > 1e-5 for k in a.probs)):
                        problems.append("analyze_batch disagrees with analyze")
                        break
            if problems:
                violations.append({"input": text[:200], "problems": problems[:3]})
        except Exception:
            crashes.append({"input": text[:200], "traceback": traceback.format_exc()[-800:]})
        seconds = time.perf_counter() - t0
        if seconds > slowest[0]:
            slowest = (seconds, text)
        done += 1
    return {"inputs": done, "crashes": crashes, "violations": violations,
            "slowest": {"seconds": round(slowest[0], 3), "chars": len(slowest[1]), "input": slowest[1][:120]}}


def cli(args: list[str], model: str | None) -> subprocess.CompletedProcess:
    extra = ["--model", model] if model else []
    return subprocess.run([sys.executable, "-m", "stanceclf.cli", "analyze", *args, *extra],
                          capture_output=True, timeout=600)


def fuzz_cli_jsonl(inputs: list[str], rng: random.Random, model: str | None, tmp: Path) -> dict:
    """One CLI run over a JSONL with one line per input (some lines malformed on purpose)."""
    lines = []
    for i, text in enumerate(inputs):
        lines.append(json.dumps({"id": i, "text": text}) if rng.random() > 0.02 else f'{{"id": {i}, "text": ')
    src, out = tmp / "fuzz.jsonl", tmp / "out.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = cli([str(src), "--output", str(out)], model)
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").split("\n") if x] if out.exists() else []
    problems = []
    if len(records) != len(lines):
        problems.append(f"{len(lines)} input lines, {len(records)} output lines")
    if b"Traceback" in proc.stderr:
        problems.append(proc.stderr.decode(errors="replace")[-500:])
    return {"lines": len(lines), "output_lines": len(records), "exit_code": proc.returncode,
            "error_records": sum("error" in r for r in records), "problems": problems}


def file_cases(rng: random.Random, corpus: list[str], n: int, tmp: Path) -> list[tuple[str, Path]]:
    """Files a scraper produces: BOM, bad bytes, CRLF, HTML, empty, binary, missing, a directory."""
    makers = [
        ("bom", lambda: b"\xef\xbb\xbf" + rng.choice(corpus).encode(), ".txt"),
        ("bad-bytes", lambda: rng.choice(corpus).encode() + bytes([rng.randrange(0x80, 0x100)]), ".txt"),
        ("crlf", lambda: "\r\n".join(rng.sample(corpus, 3)).encode(), ".txt"),
        ("html", lambda: ("<html><body><h1>T</h1><p>" + "</p><p>".join(rng.sample(corpus, 3))
                          + "</p><script>x()</script></body></html>").encode(), ".html"),
        ("empty", lambda: b"", ".txt"),
        ("binary", lambda: bytes(rng.randrange(256) for _ in range(300)), ".txt"),
        ("jsonl-mixed", lambda: b'{"text": "Rain fell."}\nnot json\n{"text": 5}\n', ".jsonl"),
        ("missing", None, ".txt"),
        ("directory", None, ""),
    ]
    cases = []
    for i in range(n):
        name, make, ext = makers[i % len(makers)]
        path = tmp / f"case{i}{ext}"
        if name == "directory":
            path.mkdir()
        elif make is not None:
            path.write_bytes(make())
        cases.append((name, path))
    return cases


def fuzz_cli_files(cases: list[tuple[str, Path]], model: str | None) -> dict:
    problems = []
    for name, path in cases:
        proc = cli([str(path), "--format", "jsonl"], model)
        err = proc.stderr.decode(errors="replace")
        if "Traceback" in err or proc.returncode not in (0, 1):
            problems.append({"case": name, "exit_code": proc.returncode, "stderr": err[-400:]})
        for line in proc.stdout.decode().split("\n"):
            if not line:
                continue
            rec = json.loads(line)
            if "claims" in rec and rec.get("text") is not None:
                bad = Document.from_dict(rec).check()  # each claim against the field it indexes
                if bad:
                    problems.append({"case": name, "offsets": bad[:2]})
    return {"runs": len(cases), "problems": problems}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--inputs", type=int, default=10_000)
    p.add_argument("--cli-runs", type=int, default=100)
    p.add_argument("--model", help="model directory (default: the bundled model)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--budget", type=float, default=2400, help="seconds for the generated inputs")
    args = p.parse_args()
    from stanceclf import ClaimClassifier

    rng = random.Random(args.seed)
    corpus = sentences()
    clf = ClaimClassifier.from_pretrained(args.model)
    inputs = [generate(rng, corpus) for _ in range(args.inputs)]
    big = fuzz_big(clf, big_inputs(corpus))
    started = time.time()
    api = fuzz_api(clf, inputs, args.budget)
    api["seconds"] = round(time.time() - started)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        started = time.time()
        jsonl = fuzz_cli_jsonl(inputs, rng, args.model, tmp)
        jsonl["seconds"] = round(time.time() - started)
        started = time.time()
        files = fuzz_cli_files(file_cases(rng, corpus, args.cli_runs, tmp), args.model)
        files["seconds"] = round(time.time() - started)
    result = {"seed": args.seed, "model": args.model or "bundled", "big": big, "api": api, "cli_jsonl": jsonl,
              "cli_files": files}
    out = ROOT / "benchmarks" / "results" / "fuzz.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    failures = (len(big["crashes"]) + len(big["violations"]) + len(api["crashes"]) + len(api["violations"])
                + len(jsonl["problems"]) + len(files["problems"]) + (api["inputs"] < len(inputs)))
    for row in big["inputs"]:
        print(f"big input: {row['chars']} chars, {row['claims']} claims, {row['seconds']}s")
    print(f"api: {api['inputs']} inputs, {len(api['crashes'])} crashes, {len(api['violations'])} invariant "
          f"violations, slowest {api['slowest']['seconds']}s ({api['slowest']['chars']} chars)")
    print(f"cli jsonl: {jsonl['lines']} lines -> {jsonl['output_lines']} records "
          f"({jsonl['error_records']} error records), {len(jsonl['problems'])} problems")
    print(f"cli files: {files['runs']} runs, {len(files['problems'])} problems")
    print(f"wrote {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
