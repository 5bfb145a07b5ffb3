"""Regenerate the result tables from benchmarks/results/*.json.

    python benchmarks/summarize.py

Rewrites the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers: the README's
headline rows (`headline`), the full tables in docs/results.md (`results`) and the corpus test
split in docs/corpus.md (`testsplit`); the numbers there come from nowhere else.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {"checkthat": "≥ 0.72", "polnear": "≥ 0.92", "webis": "TF-IDF + 0.05", "babe": "TF-IDF + 0.05"}


def eval_table(path: Path) -> list[str]:
    res = json.loads(path.read_text())
    lines = [f"Model `{res['model']}` ({res['precision']}), from `{path.relative_to(ROOT)}`:", "",
             "| set | n | stanceclf macro-F1 | TF-IDF + LR | TextBlob + pattern | target |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, e in res["sets"].items():
        base = [e.get(k, {}).get("macro_f1") for k in ("tfidf_logreg", "textblob_pattern")]
        cells = " | ".join(f"{b:.3f}" if b is not None else "-" for b in base)
        model = e["model"]
        lines.append(f"| {name} | {model['n']} | {model['macro_f1']:.3f} | {cells} | {TARGETS.get(name, '')} |")
    corpus = res["sets"].get("corpus", {})
    if "ece_before_temperature" in corpus:
        lines += ["", f"Calibration on the corpus test split: expected calibration error "
                      f"{corpus['ece_before_temperature']:.3f} before the temperature, "
                      f"{corpus['ece_after_temperature']:.3f} after."]
    seed = res["seed"]
    lines += ["", f"Seed article: {seed['correct']} of {seed['claims']} gold claims get their gold label."]
    return lines


def attribution_table(path: Path) -> list[str]:
    att = json.loads(path.read_text()).get("attribution")
    if not att:
        return []
    lines = ["Attribution details (same run): source and cue span F1 by token overlap (exact-match F1 in",
             "brackets), the model's span head against the reporting-verb pattern baseline:", "",
             "| set | n | model source | pattern source | model cue | pattern cue |",
             "| --- | --- | --- | --- | --- | --- |"]
    polnear = att.get("polnear_dev")
    blocks = [("PolNeAR dev speech attributions", polnear),
              ("PolNeAR dev, left-out attributions scored as errors", polnear and polnear.get("strict")),
              ("corpus test, gold attribution claims", att["corpus_test"]["spans_on_gold_attribution_claims"])]
    for name, b in blocks:
        if b:
            cell = [f"{b[m][k]['token_f1']:.3f} ({b[m][k]['exact_f1']:.3f})"
                    for k in ("source", "cue") for m in ("model", "pattern")]
            lines.append(f"| {name} | {b['n']} | {cell[0]} | {cell[1]} | {cell[2]} | {cell[3]} |")
    if polnear and "strict" in polnear:
        lines += ["", "PolNeAR rows: dev sentences with a speech attribution and an in-sentence source (LABELS.md). "
                      "Tags the model puts on the same sentence's other attributions (beliefs, noun cues), which "
                      "LABELS.md leaves out, are not scored in the first row and count as errors in the second. "
                      "PolNeAR's cues often include adverbials (\"said Friday\", \"said in an interview\") that "
                      "LABELS.md's cues, and so the corpus, leave out; many of the cue tokens the model misses "
                      "there are such words."]
    c = att["corpus_test"]
    lines += ["", f"Corpus test split, end to end (labels, spans, resolution) over {c['n_sources']} gold sources: "
                  f"resolution accuracy {c['resolution_accuracy']:.3f}, source-type accuracy {c['type_accuracy']:.3f}."]
    if "basil_train" in att:
        b = att["basil_train"]
        lines.append(f"BASIL train: {b['speaker_resolved_share']:.3f} of {b['quotes']} quotes with a named speaker "
                     "get a source that resolves to that speaker.")
    lines.append(f"Seed article: {att['seed']['correct']} of {att['seed']['claims']} attribution claims with every "
                 "source, resolution, type and cue as in LABELS.md.")
    return lines


def _shape(name: str, shape: dict) -> str:
    what = {"real": "the 84 PolNeAR dev articles, whole", "corpus": "bundled corpus articles"}.get(name, name)
    return (f"{what}: {shape['words_per_article']:.0f} words, {shape['claims_per_article']:.1f} claims per article, "
            f"{shape['tokens_per_claim']:.1f} tokens per claim")


def throughput_table(path: Path) -> list[str]:
    res = json.loads(path.read_text())
    lines = [f"Throughput (`python benchmarks/throughput.py`, {res['machine']}, {res['threads']} threads, "
             f"device {res.get('device', 'cpu')}; measured peak fp32 matmul {res['peak_matmul_flops'] / 1e9:.0f} "
             "GFLOP/s). `engine_*` runs are `analyze_stream` on whole articles (splitting, labels, span decoding "
             "and sources included), `*_batch` the same through `analyze_batch`; the pipeline labels the same "
             "claims as (claim, previous claim) pairs. Share of peak is against the fp32 matmul rate (int8 can "
             "pass 100%)."]
    for name, w in res.get("workloads", {}).items():
        fpc = w["flops_per_claim"]
        lines += ["", f"**{name}** ({_shape(name, w['shape'])}; FLOPs per claim {fpc['pipeline'] / 1e9:.2f} G as the "
                  f"pipeline reads them, {fpc['engine'] / 1e9:.2f} G as the engine does):", "",
                  "| run | claims/s | articles/s | × pipeline | share of peak | peak RSS MB |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for r in w["runs"]:
            lines.append(f"| {r['kind']} | {r['claims_per_s']:.0f} | {r['articles_per_s']:.2f} | "
                         f"{r['ratio_to_pipeline']:.2f} | {r['share_of_peak_matmul']:.1%} | {r['peak_rss_mb']:.0f} |")
    sc = res.get("scaling_int8")
    if sc:
        lines += ["", "int8 scaling on the real articles: " + "; ".join(
            f"{r['articles']} articles, {r['threads']} thread(s): {r['seconds']:.1f} s, {r['claims_per_s']:.0f} "
            f"claims/s, {r['peak_rss_mb']:.0f} MB" for r in sc["runs"]) + ". "
            f"Peak memory of the 16x run is {sc['peak_rss_16x_over_1x']:.2f}x the 1x run's. One article of "
            f"{sc['long_article']['claims']:,} claims (50,000 words): {sc['long_article']['seconds']:.1f} s, "
            f"{sc['long_article']['ms_per_claim']:.2f} ms per claim, {sc['long_article_ms_per_claim_over_1x']:.2f}x "
            "the per-claim time of the 1x run."]
        trace = sc["runs"][-1].get("rss_trace_mb")
        if trace:
            picks = [trace[int(q * (len(trace) - 1))] for q in (0, 0.25, 0.5, 0.75, 1)]
            lines.append("Resident memory during the 16x run: " + ", ".join(
                f"{mb:.0f} MB after {n:,} articles" for n, mb in picks) + ".")
    return lines


def profile_lines() -> list[str]:
    """The serial per-stage profile of the real workload (`benchmarks/profile_stages.py`)."""
    res = _result("profile_real_int8.json")
    if res is None:
        return []
    total = res["seconds"]["total"]
    stages = ", ".join(f"{k} {v:.2f} s ({v / total:.1%})" for k, v in res["seconds"].items() if k != "total")
    by_length = "; ".join(f"{k} third ({v['chars_per_article']:.0f} characters an article): "
                          f"{v['ms_per_claim']['total']:.2f} ms per claim" for k, v in res["by_length"].items())
    ops = ", ".join(f"{o['op'].split('::')[-1]} {o['share']:.0%}" for o in res["encoder_top_ops"][:4])
    return [f"Serial profile, int8, {res['claims']} claims of the real workload "
            f"(`python benchmarks/profile_stages.py`): {stages}; total {total:.2f} s. By article length: "
            f"{by_length}. The most expensive operators: {ops}."]


def fuzz_table(path: Path) -> list[str]:
    res = json.loads(path.read_text())
    big, api, jl, files = res["big"], res["api"], res["cli_jsonl"], res["cli_files"]
    extremes = "; ".join(f"{r['chars']:,} chars: {r['claims']:,} claims in {r['seconds']} s" for r in big["inputs"])
    return [f"Fuzzing (`python benchmarks/fuzz.py`, seed {res['seed']}, model {res['model']}): "
            f"{api['inputs']} generated inputs through `analyze`: {len(api['crashes'])} crashes, "
            f"{len(api['violations'])} invariant violations, slowest {api['slowest']['seconds']} s "
            f"({api['slowest']['chars']} chars). The extremes ({extremes}): {len(big['crashes'])} crashes, "
            f"{len(big['violations'])} violations. One CLI run over a "
            f"{jl['lines']}-line JSONL: {jl['output_lines']} output lines ({jl['error_records']} error records), "
            f"{len(jl['problems'])} problems. {files['runs']} CLI runs on file cases: "
            f"{len(files['problems'])} problems."]


def splitting_table(path: Path) -> list[str]:
    res = json.loads(path.read_text())
    lines = ["Sentence-boundary F1 (`python benchmarks/splitting.py --basil "
             "../shared/data/basil/train_articles.jsonl`):", "",
             "| gold | stanceclf | pysbd | syntok |", "| --- | --- | --- | --- |"]
    for name, r in res.items():
        lines.append(f"| {name} ({r['stanceclf']['boundaries']} boundaries) | "
                     + " | ".join(f"{r[k]['f1']:.3f}" for k in ("stanceclf", "pysbd", "syntok")) + " |")
    return lines


def test_split_table() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines()]
    lines = ["| test article | claims | sha256 of its text |", "| --- | --- | --- |"]
    lines += [f"| {r['id']} | {len(r['claims'])} | `{r['sha256']}` |" for r in rows if r["split"] == "test"]
    return lines


def _result(name: str) -> dict | None:
    """A results file, or None when that benchmark has not been run."""
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def headline_table() -> list[str]:
    """The README's short accuracy table: real-news dev first, then the public sets and the corpus."""
    res = _result("eval_default.json")
    if res is None:
        return []
    names = {"real": "**real news** (dev: 68 whole articles, 1,607 claims)", "checkthat": "CheckThat! 2025 dev",
             "polnear": "PolNeAR dev (attribution vs none)", "webis": "Webis editorials (held-out 20%)",
             "babe": "BABE (held-out 20%)", "corpus": "our own corpus, test split (project-written prose)"}
    lines = ["| evaluation set | macro-F1 | per class F1 |", "| --- | --- | --- |"]
    for key, label in names.items():
        e = res["sets"].get(key)
        if not e:
            continue
        m = e["model"]
        cell = f"{m['macro_f1']:.3f}"
        if "bootstrap" in e:
            lo, hi = e["bootstrap"]["macro_f1"]
            cell = f"**{m['macro_f1']:.3f}** ({lo:.3f}-{hi:.3f})"
        per = ", ".join(f"{c} {v['f1']:.2f}" for c, v in m["per_class"].items())
        lines.append(f"| {label} | {cell} | {per} |")
    real = res["sets"].get("real")
    if real and "ece_after_temperature" in real:
        lines += ["", f"Real-news dev: 95% interval from a bootstrap over articles; calibration error (ECE) "
                      f"{real['ece_after_temperature']:.3f}; the splitter finds claim boundaries with F1 "
                      f"{real['splitting']['f1']:.3f}."]
    att = res.get("attribution", {}).get("real_dev")
    if att:
        spans = att["spans_on_gold_attribution_claims"]["model"]
        lines += [f"Attribution on real-news dev: source token F1 {spans['source']['token_f1']:.3f}, cue "
                  f"{spans['cue']['token_f1']:.3f}, resolution {att['resolution_accuracy']:.3f}, source type "
                  f"{att['type_accuracy']:.3f}."]
    return lines


def gap_table() -> list[str]:
    """Per-class F1 on our own corpus against real news: the gap the README reports."""
    res = _result("eval_default.json")
    if res is None:
        return []
    sets = res["sets"]
    if "real" not in sets or "corpus" not in sets:
        return []
    real, corpus = sets["real"]["model"], sets["corpus"]["model"]
    lines = ["The gap between our corpus and real news, per class (F1):", "",
             "| class | corpus test | real-news dev | gap |", "| --- | --- | --- | --- |"]
    for c in ("fact", "attribution", "opinion"):
        a, b = corpus["per_class"][c]["f1"], real["per_class"][c]["f1"]
        lines.append(f"| {c} | {a:.3f} | {b:.3f} | {b - a:+.3f} |")
    lines.append(f"| macro | {corpus['macro_f1']:.3f} | {real['macro_f1']:.3f} | "
                 f"{real['macro_f1'] - corpus['macro_f1']:+.3f} |")
    return lines


def speed_table() -> list[str]:
    """The README's speed rows: real articles first, the corpus beside them."""
    res = _result("throughput.json")
    if res is None or "workloads" not in res:
        return []
    work = res["workloads"]
    names = [n for n in ("real", "corpus") if n in work]
    rows = {n: {r["kind"]: r for r in work[n]["runs"]} for n in names}
    title = {"real": "real articles", "corpus": "our corpus"}
    lines = ["| run | " + " | ".join(f"{title[n]}: claims/s | × pipeline" for n in names) + " |",
             "| --- |" + " --- | --- |" * len(names)]
    for kind, label in (("hf_pipeline", "HF pipeline, fp32 (baseline)"), ("engine_fp32", "stanceclf fp32"),
                        ("engine_int8", "stanceclf int8"), ("engine_int8all", "stanceclf int8, every layer")):
        cells = [f"{rows[n][kind]['claims_per_s']:.0f} | {rows[n][kind]['ratio_to_pipeline']:.2f}"
                 for n in names if kind in rows[n]]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Real articles: " + _shape("real", work["real"]["shape"]) + "." if "real" in work else "",
              "Our corpus: " + _shape("corpus", work["corpus"]["shape"]) + "." if "corpus" in work else ""]
    return lines


def ray_lines() -> list[str]:
    """The README's Ray figures: local engine vs Ray workers on this machine, steady state."""
    res = _result("ray_throughput.json")
    if res is None:
        return []
    local, *workers = res["runs"]
    if res.get("disturbed"):
        return ["Ray on this machine: not yet measured on an idle machine (`python benchmarks/ray_throughput.py`)."]
    cells = "; ".join(f"{r['workers']} worker(s) {r['claims_per_s']:.0f} claims/s ({r['ratio_to_local']:.2f}x the "
                      f"local engine, {r['overhead_ms_per_article']:+.0f} ms per article)" for r in workers)
    return [f"Measured (`python benchmarks/ray_throughput.py`, {res['machine']}, {res['threads']} threads in all, "
            f"{res['precision']}, {local['articles']} real articles, steady state): local engine "
            f"{local['claims_per_s']:.0f} claims/s; Ray {cells}. Ray starts in {res['ray_start_s']:.1f} s and each "
            f"pipeline adds a fixed {workers[0]['pipeline_fixed_s']:.1f} s (actors, model loading). GPU workers: "
            "unmeasured (no GPU has been available to the project)."]


def html_table() -> list[str]:
    """The README's extraction rows: today's reader before, the one that ships."""
    res = _result("html_extraction.json")
    if res is None:
        return []
    rows = res["article_extraction"]["extractors"]
    titles = res["readability_pages"]["extractors"]
    lines = ["| reader | paragraph precision | paragraph F1 | word F1 | titles right (73 pages) |",
             "| --- | --- | --- | --- | --- |"]
    for name, label in (("today (html_to_text)", "previous reader"), ("stanceclf (read_html)", "**stanceclf now**")):
        r, t = rows[name], titles.get(name, {})
        title = f"{t['title_right']:.0%}" if "title_right" in t else "-"
        lines.append(f"| {label} | {r['paragraph_precision']:.3f} | {r['paragraph_f1']:.3f} | {r['word_f1']:.3f} | "
                     f"{title} |")
    return lines


def examples() -> dict[str, list[str]]:
    """The README's sample outputs, as `benchmarks/readme_examples.py` recorded them."""
    res = _result("readme_examples.json")
    if res is None:
        return {}
    return {"sample": ["```", *res["cli"], "```"], "example": ["```", *res["python"], "```"]}


def main() -> None:
    parts: list[str] = []
    for path in sorted(RESULTS.glob("eval_*.json")):
        parts += eval_table(path) + [""] + attribution_table(path) + [""]
    for name, table in (("fuzz.json", fuzz_table), ("splitting.json", splitting_table)):
        if (RESULTS / name).exists():
            parts += table(RESULTS / name) + [""]
    speed: list[str] = []
    for name in ("throughput.json", "throughput_gpu.json"):
        if (RESULTS / name).exists():
            speed += throughput_table(RESULTS / name) + [""]
    if not (RESULTS / "throughput_gpu.json").exists():
        speed += ["GPU figures: unmeasured (no GPU was lent to this project yet; `benchmarks/gpu.sh` runs them)."]
    blocks = {"results": parts, "throughput": speed, "profile": profile_lines(),
              "testsplit": test_split_table(), "headline": headline_table(), "gap": gap_table(),
              "speed": speed_table(), "html": html_table(), "ray": ray_lines(), **examples()}
    for page in (ROOT / "README.md", ROOT / "docs" / "results.md", ROOT / "docs" / "corpus.md"):
        text = page.read_text()
        for name, body in blocks.items():
            block = f"<!-- {name}:start -->\n" + "\n".join(body).strip() + f"\n<!-- {name}:end -->"
            text = re.sub(f"<!-- {name}:start -->.*<!-- {name}:end -->", lambda _, b=block: b, text, flags=re.S)
        page.write_text(text)


if __name__ == "__main__":
    main()
