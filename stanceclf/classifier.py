"""`ClaimClassifier`: load a model, split articles into claims, label them.

The public entry point. It owns loading and saving (an HF-style directory) and the
prediction loop: claims from many documents are batched together, sorted by length so
padding stays small, and put back in input order.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import torch

from stanceclf import attribution, engine, language, splitting
from stanceclf.errors import InputError, ModelError, StanceclfError
from stanceclf.modelcard import model_card
from stanceclf.modeling import (
    DEFAULT_BASE,
    ClaimModel,
    ModelConfig,
    load_encoder,
    quantize_int8,
    quiet_hf,
    read_settings,
    write_settings,
)
from stanceclf.reading import as_record, same_words
from stanceclf.results import Claim, Document, Prediction, Span

PRECISIONS = ("fp32", "int8", "bf16", "fp16")
_HERE = Path(__file__).resolve().parent
# The wheel carries the default model inside the package; a source checkout has it in models/.
BUNDLED = [_HERE / "models" / "default", _HERE.parent / "models" / "default"]


def _bundled_path() -> Path:
    for path in BUNDLED:
        if (path / "config.json").exists():
            return path
    raise ModelError("the bundled default model is missing from this installation: reinstall stanceclf "
                     "or pass a model directory")


def context_pairs(docs: list[Document]) -> tuple[list[tuple[int, int]], list[str], list[str]]:
    """Each non-meta claim with its context (the previous non-meta claim), and its (doc, claim) index."""
    targets, claims, contexts = [], [], []
    for d, doc in enumerate(docs):
        previous = ""
        for i, claim in enumerate(doc.claims):
            if claim.kind == "meta":
                continue
            claims.append(claim.text)
            contexts.append(previous)
            targets.append((d, i))
            previous = claim.text
    return targets, claims, contexts


def _flag(doc: Document) -> None:
    """Warn about non-English or non-prose input (`language.check`): its claims keep their labels,
    carry the warning in `flags`, and their confidence is capped at `language.CONFIDENCE_CAP`."""
    found = [w for w in language.check(doc.text) if w not in doc.warnings]
    doc.warnings += found
    for claim in doc.claims:
        if claim.label is not None and found:
            claim.flags += found
            claim.confidence = min(claim.confidence, language.CONFIDENCE_CAP)


def _check_target(device: str, precision: str) -> None:
    if precision not in PRECISIONS:
        raise StanceclfError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise StanceclfError("device 'cuda' asked for, but torch sees no CUDA GPU; use --device cpu")
    if precision == "int8" and str(device) != "cpu":
        raise StanceclfError("int8 runs on the CPU only; use bf16 or fp16 on a GPU")


def _as_pairs(sentences: str | list[str], contexts: list[str] | None) -> tuple[list[str], list[str]]:
    """Sentences (one or a list) and their contexts ("" when none are given), checked."""
    sentences = [sentences] if isinstance(sentences, str) else list(sentences)
    if not all(isinstance(s, str) for s in sentences):
        raise InputError("predict() needs sentences as str or a list of str")
    contexts = [""] * len(sentences) if contexts is None else list(contexts)
    if len(contexts) != len(sentences) or not all(isinstance(c, str) for c in contexts):
        raise InputError(f"predict() got {len(sentences)} sentences but {len(contexts)} contexts (need one str each)")
    return sentences, contexts


class ClaimClassifier:
    """Splits articles into claims and labels each as fact, attribution or opinion."""

    def __init__(self, model: ClaimModel, tokenizer: Any, device: str = "cpu", precision: str = "fp32"):
        """Wrap a model and its tokenizer, moved to `device` in `precision` (see `to`)."""
        self.model = model
        self.tokenizer = tokenizer
        self.config = model.config
        self.precision = "fp32"
        # the LoRA adapters a merged model was loaded from, so that saving writes them again
        self._adapters: dict[str, torch.Tensor] | None = None
        self.to(device, precision)

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str = "cpu",
                        precision: str = "fp32") -> ClaimClassifier:
        """Load a saved model directory (default: the bundled model); never downloads."""
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        _check_target(device, precision)
        directory = Path(path) if path is not None else _bundled_path()
        config = ModelConfig.from_dict(read_settings(directory))
        full = (directory / "model.safetensors").exists()
        weights = directory / ("model.safetensors" if full else "adapter.safetensors")
        if not weights.exists():
            raise ModelError(f"{directory} has no model.safetensors or adapter.safetensors; re-save the model")
        with quiet_hf():
            model = ClaimModel(load_encoder(config, directory, full), config)
            try:
                tokenizer = AutoTokenizer.from_pretrained(str(directory))
            except (OSError, ValueError) as e:
                raise ModelError(f"{directory} has no readable tokenizer ({e}); re-save the model") from None
        try:
            state = load_file(str(weights))
        except Exception as e:  # safetensors raises its own error types for truncated files
            raise ModelError(f"{weights} cannot be read ({e}); the file is damaged: re-save or re-copy it") from None
        if not full:
            model.add_lora()
        missing, unexpected = model.load_state_dict(state, strict=False)
        wanted = set(state) if not full else {k for k in model.state_dict()}
        heads = {k for k in model.state_dict() if k.startswith(("head.", "span_head."))}
        if unexpected or (full and missing) or not wanted or heads & set(missing):
            raise ModelError(f"{weights} does not fit this model (missing {len(missing)}, unexpected "
                             f"{len(unexpected)} tensors); it was saved by another model shape")
        model.merge_lora()
        clf = cls(model, tokenizer, device=device, precision=precision)
        clf._adapters = None if full else state
        return clf

    def to(self, device: str = "cpu", precision: str = "fp32") -> ClaimClassifier:
        """Move the model for inference: eval mode, the device, and the precision. int8 is one-way:
        a quantised model cannot go back to another precision (load it again instead)."""
        _check_target(device, precision)
        if self.precision == "int8" and precision != "int8":
            raise StanceclfError("this model is quantised to int8; load it again for another precision")
        self.model.eval()
        if precision == "int8" and self.precision != "int8":
            self.model = quantize_int8(self.model)
        elif precision in ("bf16", "fp16"):
            self.model.to(torch.bfloat16 if precision == "bf16" else torch.float16)
        elif precision == "fp32":
            self.model.to(torch.float32)
        self.model.to(device)
        self.device, self.precision = torch.device(device), precision
        return self

    def save_pretrained(self, path: str | Path) -> None:
        """Write settings, weights, tokenizer and model card in the compact form they load from
        (adapters and heads over the pinned encoder, else full weights). The files are written to a
        temporary directory first and moved into place, so a failed save leaves the old model intact."""
        from safetensors.torch import save_file

        if self.precision == "int8":
            raise StanceclfError("an int8 model cannot be saved (quantisation is a load-time option): save "
                                 "the fp32 model and load it with precision='int8'")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        has_lora = any("lora_" in k for k in self.model.state_dict())
        compact = self.config.base_model == DEFAULT_BASE and (has_lora or self._adapters is not None)
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as tmp_name:
            tmp = Path(tmp_name)
            if compact:
                state = self.model.trained_state() if has_lora else self._adapters
                save_file({k: v.detach().float().cpu().contiguous() for k, v in state.items()},
                          str(tmp / "adapter.safetensors"))
            else:
                merged = copy.deepcopy(self.model).float().cpu()
                merged.merge_lora()
                save_file({k: v.detach().contiguous() for k, v in merged.state_dict().items()},
                          str(tmp / "model.safetensors"))
            write_settings(tmp, self.config, self.model.encoder.config.to_dict())
            self.tokenizer.save_pretrained(str(tmp))
            (tmp / "README.md").write_text(model_card(self.config))
            stale = {"model.safetensors", "adapter.safetensors", "encoder_config.json"} - {
                p.name for p in tmp.iterdir()}
            for item in tmp.iterdir():
                os.replace(item, path / item.name)
            for name in stale:
                (path / name).unlink(missing_ok=True)

    # -- prediction ---------------------------------------------------------------------------

    def encode(self, claims: list[str], contexts: list[str]) -> engine.Encoded:
        """Tokenise claims with their contexts as this model was trained (pairs or windows)."""
        return engine.encode(self.tokenizer, claims, contexts, self.config.max_length, self.config.context)

    def predict_pairs(self, claims: list[str], contexts: list[str], batch_size: int | None = None,
                      progress: bool = False) -> torch.Tensor:
        """Calibrated label probabilities for claims with their contexts (the previous claim, or "" at
        a document's start), in input order. Window models share rows between consecutive claims."""
        enc = self.encode(claims, contexts)
        return engine.run(self.model, self.tokenizer, enc, temperature=self.config.temperature,
                          batch_size=batch_size, device=self.device, progress=progress)[0]

    def segment(self, item: str | dict[str, Any]) -> Document:
        """Split one article (a text, or a record with `text` and optional `title`, `author`, `date`,
        `id`, `warnings`, metadata) into claims without labelling them; raises InputError for anything else.

        Title, author and date are handed over explicitly (as `reading.read_html` does), not found by
        the shape of a line. The title is the headline claim: when the text's first line is the title
        (same words; a page as written), that line is the headline, `doc.title` is None and the title
        goes into `metadata`; otherwise the title is a claim of its own (`field == "title"`). Either
        way no other line becomes a headline. Author and date (strings) are `meta` claims indexing
        `metadata["author"]` / `metadata["date"]` (`field` names the key). `warnings` join the document's."""
        record = as_record(item)
        text, title = record["text"], record.get("title") or None
        meta = {k: v for k, v in record.items() if k not in ("text", "title", "id", "_line", "warnings")}
        doc = Document(text=text, title=title, id=record.get("id"), metadata=meta,
                       warnings=[w for w in record.get("warnings") or [] if isinstance(w, str)])
        first = text.split("\n", 1)[0]
        in_text = isinstance(title, str) and same_words(first, title)
        if in_text:  # the headline is the text's first line; the rest is split without it
            start = len(first) - len(first.lstrip())
            doc.claims.append(Claim(first.strip(), start, start + len(first.strip()), "headline"))
            doc.title, doc.metadata["title"] = None, title
            text = " " * len(first) + text[len(first):]
        elif title:
            doc.claims += [Claim(title[s.start : s.end], s.start, s.end, s.kind, s.paragraph, s.sentence,
                                 field="title") for s in splitting.split_title(title)]
        for key in ("author", "date"):
            value = record.get(key)
            if isinstance(value, str) and value.strip():
                start = len(value) - len(value.lstrip())
                doc.claims.append(Claim(value.strip(), start, start + len(value.strip()), "meta",
                                        sentence=len(doc.claims), field=key))
        shift, head = (1 if title else 0), len(doc.claims)
        for s in splitting.split(text):
            kind = "body" if title and s.kind == "headline" else s.kind
            doc.claims.append(Claim(text[s.start : s.end], s.start, s.end, kind, s.paragraph + shift,
                                    s.sentence + head))
        return doc

    def _pairs(self, docs: list[Document]) -> tuple[list[tuple[int, int]], engine.Encoded]:
        """The documents' (claim, context) pairs, tokenised, and where each goes."""
        targets, claims, contexts = context_pairs(docs)
        return targets, self.encode(claims, contexts)

    def _apply(self, docs: list[Document], targets: list[tuple[int, int]], enc: engine.Encoded,
               batch_size: int | None, progress: bool) -> None:
        if targets:
            probs, tags = engine.run(self.model, self.tokenizer, enc, temperature=self.config.temperature,
                                     batch_size=batch_size, device=self.device, spans=True, progress=progress)
            labels = self.config.labels
            spans: list[dict[int, tuple]] = [{} for _ in docs]
            for k, ((d, i), p) in enumerate(zip(targets, probs.tolist())):
                claim = docs[d].claims[i]
                best = max(range(len(labels)), key=p.__getitem__)
                claim.label, claim.confidence = labels[best], p[best]
                claim.probs = dict(zip(labels, p))
                if tags is not None and claim.label == "attribution":
                    spans[d][i] = attribution.decode(claim.text, enc.claim_offsets[k], tags[k],
                                                     tuple(self.config.span_tags))
            for doc, found in zip(docs, spans):
                attribution.attach(doc, found)
        for doc in docs:
            _flag(doc)

    def label(self, docs: list[Document], batch_size: int | None = None, progress: bool = False) -> None:
        """Label the claims of already segmented documents in place (context: the previous
        non-meta claim), and fill sources and cues of their attribution claims."""
        targets, enc = self._pairs(docs)
        self._apply(docs, targets, enc, batch_size, progress)

    def analyze(self, text: str | dict[str, Any], title: str | None = None) -> Document:
        """Split one article (a text, or a record as `analyze_batch` takes) into claims and label them."""
        if isinstance(text, dict):
            record = {**text, "title": title} if title is not None else text
        elif isinstance(text, str) and isinstance(title, str | None):
            record = {"text": text, "title": title}
        else:
            raise InputError(f"analyze() needs a text (and title) as str or a record dict, not "
                             f"{type(text).__name__}")
        doc = self.analyze_batch([record], progress=False)[0]
        if doc.error:
            raise InputError(doc.error)
        return doc

    def __call__(self, x: str | dict[str, Any] | Iterable[str | dict[str, Any]],
                 **kwargs: Any) -> Document | list[Document]:
        """`clf(text_or_record)` -> Document; `clf([...])` -> list of Documents (as `analyze_batch`)."""
        if isinstance(x, str | dict):
            return self.analyze(x, **kwargs)
        return self.analyze_batch(x, **kwargs)

    def predict_proba(self, sentences: str | list[str], contexts: list[str] | None = None,
                      batch_size: int | None = None):
        """Calibrated label probabilities of claims a user has already split, as a numpy array
        (one row per sentence, columns in `config.labels` order). Without `contexts`, each
        sentence is read alone; pass the previous sentence of the article for article order."""
        sentences, contexts = _as_pairs(sentences, contexts)
        if not sentences:
            return torch.empty(0, len(self.config.labels)).numpy()
        return self.predict_pairs(sentences, contexts, batch_size).float().cpu().numpy()

    def predict(self, sentences: str | list[str], contexts: list[str] | None = None,
                batch_size: int | None = None) -> Prediction | list[Prediction]:
        """Label claims a user has already split: a Prediction (label, confidence, probabilities,
        source and cue spans into the sentence) per sentence; a single str gives a single result."""
        single = isinstance(sentences, str)
        sentences, contexts = _as_pairs(sentences, contexts)
        out: list[Prediction] = []
        if sentences:
            enc = self.encode(sentences, contexts)
            probs, tags = engine.run(self.model, self.tokenizer, enc, temperature=self.config.temperature,
                                     batch_size=batch_size, device=self.device, spans=True)
            labels = self.config.labels
            for k, (text, p) in enumerate(zip(sentences, probs.tolist())):
                best = max(range(len(labels)), key=p.__getitem__)
                sources, cue = [], None
                if tags is not None and labels[best] == "attribution":
                    found, cues = attribution.decode(text, enc.claim_offsets[k], tags[k],
                                                     tuple(self.config.span_tags))
                    sources = [Span(text[a:b], a, b) for a, b in found]
                    cue = Span(text[cues[0][0]:cues[0][1]], *cues[0]) if cues else None
                out.append(Prediction(text, labels[best], p[best], dict(zip(labels, p)), sources, cue))
        return out[0] if single else out

    def _segment_all(self, items: list[str | dict[str, Any]]) -> list[Document]:
        """Documents for the inputs; an input that is not a text or record becomes an error document."""
        docs = []
        for item in items:
            try:
                docs.append(self.segment(item))
            except InputError as e:
                docs.append(Document(text="", id=item.get("id") if isinstance(item, dict) else None, error=str(e)))
        return docs

    def analyze_batch(self, texts: Iterable[str | dict[str, Any]], batch_size: int | None = None,
                      progress: bool = False) -> list[Document]:
        """Analyse many articles (claims batched across chunks of them, each chunk split and tokenised while
        the model works on the one before, as `analyze_stream`); results in input order. An input that is
        not a string or a record with a string `text` gives a Document with `error` set."""
        from tqdm.auto import tqdm

        items = list(texts)
        return list(tqdm(self.analyze_stream(items, batch_size), total=len(items), disable=not progress,
                         unit="doc", desc="articles"))

    def analyze_stream(self, items: Iterable[str | dict[str, Any]], batch_size: int | None = None,
                       docs_per_chunk: int = 32) -> Iterator[Document]:
        """Lazily analyse an iterable of articles in chunks, in input order and constant memory;
        the next chunk is split and tokenised in a background thread while this one runs."""
        it = iter(items)

        def prepare(chunk: list) -> tuple[list[Document], list[tuple[int, int]], engine.Encoded]:
            docs = self._segment_all(chunk)
            return (docs, *self._pairs(docs))

        chunks = iter(lambda: list(islice(it, docs_per_chunk)), [])
        for docs, targets, enc in engine.Prefetcher(prepare)(chunks):
            self._apply(docs, targets, enc, batch_size, progress=False)
            yield from docs

    def analyze_dataset(self, ds: Any, text_column: str = "text", batch_size: int | None = None, *,
                        id_column: str = "id", title_column: str = "title", docs_per_batch: int = 64) -> Any:
        """Analyse a Hugging Face `datasets.Dataset` of articles: a Dataset of claim rows (the schema of
        `stanceclf.tables`) that keeps the input's id column (else `id` holds the row index); a row
        without a string text gives an error row. Needs the [data] extra (see `stanceclf.datasets`)."""
        from stanceclf.datasets import analyze_dataset

        return analyze_dataset(self, ds, text_column, batch_size, id_column=id_column, title_column=title_column,
                               docs_per_batch=docs_per_batch)
