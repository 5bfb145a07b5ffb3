"""The model card (`README.md` of a saved model): data, licenses, recipe and metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanceclf.modeling import ModelConfig

DATA_LICENSES = {
    "corpus": "the stanceclf bundled corpus (seeds/), written by the project's authors: Apache-2.0",
    "checkthat": "CheckThat! 2025 subjectivity (English): CC BY-NC-SA 4.0 (non-commercial, share-alike)",
    "polnear": "PolNeAR (Newell et al. 2018): no license stated; research use",
    "webis": "Webis-Editorials-16 (Al-Khatib et al. 2016): no license stated; research use",
    "babe": "BABE (Spinde et al. 2021): AGPL-3.0",
    "real": "the stanceclf real-news annotations (annotations/, stand-off) of articles from PolNeAR, BASIL, "
            "Webis editorials, the Ukraine news set, Reuters-21578 and the article-extraction benchmark: the "
            "annotations are the project's (Apache-2.0), the article texts belong to their publishers; research use",
}
SET_NAMES = {"real": "real-news dev (68 whole articles)", "corpus": "corpus test (project-written prose)"}


def model_card(config: ModelConfig) -> str:
    """Render the model card from the config's training record and metrics."""
    t = config.training
    lines = [
        "# stanceclf claim classifier", "",
        "Labels each claim of an English news article as fact, attribution or opinion (see LABELS.md).",
        f"Encoder: `{config.base_model}` with LoRA adapters (r={config.lora_r}, alpha={config.lora_alpha}), "
        f"a linear claim head{' and a token head tagging source and cue spans' if config.span_tags else ''}; "
        + ("input: (claim, previous claim), " if config.context == "pair" else
           "input: rows of consecutive claims, each claim encoded once and pooled over its own tokens, ")
        + f"max {config.max_length} tokens. "
        f"Calibration temperature: {config.temperature:.3f}.", "",
        "## Training data and licenses", "",
    ]
    counts = t.get("examples", {})
    for name, count in counts.items():
        lines.append(f"- {name}: {count} examples. {DATA_LICENSES.get(name, '')}")
    lines += [
        "",
        "The weights were trained on data under CC BY-NC-SA 4.0 (CheckThat!) and AGPL-3.0 (BABE) among "
        "others. Whether model weights are a derivative work of their training data is unsettled; to be "
        "safe, treat these weights as for non-commercial use, share changes to them under the same terms, "
        "and credit the datasets above. Retrain without `checkthat` and `babe` (`--data`) for weights free "
        "of those terms.", "",
    ]
    if t.get("command"):
        stages = [t.get("teacher") or {}, t.get("init_from") or {}, t]
        lines += ["## Recipe", "", "```", *[st["command"] for st in stages if st.get("command")], "```", ""]
        if t.get("teacher"):
            lines.append("The last command distils the first one's model (`--teacher`): it learns the gold labels "
                         "and that model's label probabilities together, on the same data.\n")
        minutes = [f"{st['seconds'] / 60:.1f}" for st in stages if st.get("seconds")]
        if minutes:
            lines.append(f"Training took {' + '.join(minutes)} minutes on {t.get('machine', 'the machine')}.\n")
    if config.metrics:
        lines += ["## Metrics", "", "| set | macro-F1 | n |", "| --- | --- | --- |"]
        for name, m in config.metrics.items():
            if isinstance(m, dict) and "macro_f1" in m:
                interval = f" (95% interval {m['interval'][0]:.3f}-{m['interval'][1]:.3f})" if m.get("interval") else ""
                lines.append(f"| {SET_NAMES.get(name, name)} | {m['macro_f1']:.3f}{interval} | {m.get('n', '')} |")
        seed = config.metrics.get("seed_article")
        if seed:
            lines.append(f"\nSeed article: {seed['correct']} of {seed['claims']} gold claims correct.")
        for name, value in config.metrics.get("attribution", {}).items():
            lines.append(f"- {name}: {value:.3f}" if isinstance(value, float) else f"- {name}: {value}")
        lines += ["", "Measured by `python -m training.evaluate --model PATH --public-data ../shared/data "
                      "--write-card` (dev sets as defined in the project README).", ""]
    return "\n".join(lines)
