"""`ClaimClassifier`: load a model, split articles into claims, label them.

The public entry point. It owns loading and saving (an HF-style directory) and the
prediction loop: claims from many documents are batched together, sorted by length so
padding stays small, and put back in input order.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers.utils import logging as hf_logging

from stanceclf import attribution, engine, language, splitting
from stanceclf.errors import InputError, ModelError, StanceclfError
from stanceclf.modelcard import model_card
from stanceclf.modeling import DEFAULT_BASE, ClaimModel, ModelConfig, base_model_path, quantize_int8, verify_sha256
from stanceclf.reading import as_record
from stanceclf.results import Claim, Document

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


def _load_encoder(config: ModelConfig, directory: Path, full: bool) -> nn.Module:
    from transformers import AutoConfig, AutoModel

    hf_logging.disable_progress_bar()
    if full:
        enc_cfg = json.loads((directory / "encoder_config.json").read_text())
        model_type = enc_cfg.pop("model_type")
        return AutoModel.from_config(AutoConfig.for_model(model_type, **enc_cfg))
    base = base_model_path(config.base_model)
    if config.base_model == DEFAULT_BASE and config.base_sha256:
        verify_sha256(Path(base) / "model.safetensors", config.base_sha256)
    try:
        return AutoModel.from_pretrained(str(base))
    except OSError as e:
        raise ModelError(f"cannot load base encoder {config.base_model!r}: {e}") from None


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


class ClaimClassifier:
    """Splits articles into claims and labels each as fact, attribution or opinion."""

    def __init__(self, model: ClaimModel, tokenizer: Any, device: str = "cpu", precision: str = "fp32"):
        self.model = model
        self.tokenizer = tokenizer
        self.config = model.config
        self.device = torch.device(device)
        self.precision = precision

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str = "cpu",
                        precision: str = "fp32") -> ClaimClassifier:
        """Load a saved model directory (default: the bundled model); never downloads."""
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        if precision not in PRECISIONS:
            raise StanceclfError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise StanceclfError("device 'cuda' asked for, but torch sees no CUDA GPU; use --device cpu")
        directory = Path(path) if path is not None else _bundled_path()
        if not (directory / "config.json").exists():
            raise ModelError(f"{directory} is not a stanceclf model directory (no config.json); pass the "
                             "--output directory of training.train, or omit the path for the bundled model")
        try:
            config = ModelConfig.from_dict(json.loads((directory / "config.json").read_text()))
        except json.JSONDecodeError as e:
            raise ModelError(f"{directory / 'config.json'} is not valid JSON ({e}); re-save the model") from None
        full = (directory / "model.safetensors").exists()
        weights = directory / ("model.safetensors" if full else "adapter.safetensors")
        if not weights.exists():
            raise ModelError(f"{directory} has no model.safetensors or adapter.safetensors; re-save the model")
        model = ClaimModel(_load_encoder(config, directory, full), config)
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
        # config.json describes the stanceclf model, not a transformers one: silence that notice.
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(directory))
        finally:
            hf_logging.set_verbosity(verbosity)
        return cls(model, tokenizer).to(device, precision)

    def to(self, device: str = "cpu", precision: str = "fp32") -> ClaimClassifier:
        """Move the model for inference: eval mode, the device, and the precision."""
        self.model.eval()
        if precision == "int8":
            if device != "cpu":
                raise StanceclfError("int8 runs on the CPU only; use bf16 or fp16 on a GPU")
            self.model = quantize_int8(self.model)
        elif precision in ("bf16", "fp16"):
            self.model.to(torch.bfloat16 if precision == "bf16" else torch.float16)
        self.model.to(device)
        self.device, self.precision = torch.device(device), precision
        return self

    def save_pretrained(self, path: str | Path) -> None:
        """Write config, weights, tokenizer and model card; adapters only for the default base."""
        from safetensors.torch import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        has_lora = any("lora_" in k for k in self.model.state_dict())
        for old in ("model.safetensors", "adapter.safetensors"):
            (path / old).unlink(missing_ok=True)
        if has_lora and self.config.base_model == DEFAULT_BASE:
            save_file(self.model.trained_state(), str(path / "adapter.safetensors"))
        else:
            merged = copy.deepcopy(self.model)
            merged.merge_lora()
            state = {k: v.detach().contiguous() for k, v in merged.state_dict().items()}
            save_file(state, str(path / "model.safetensors"))
            enc = self.model.encoder.config.to_dict()
            (path / "encoder_config.json").write_text(json.dumps(enc, indent=1, default=str))
        (path / "config.json").write_text(json.dumps(self.config.to_dict(), indent=1))
        self.tokenizer.save_pretrained(str(path))
        (path / "README.md").write_text(model_card(self.config))

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
        """Split one article (a text, or a record with `text` and optional `title`, `id`, metadata)
        into claims without labelling them; raises InputError for anything else."""
        record = as_record(item)
        text, title = record["text"], record.get("title")
        meta = {k: v for k, v in record.items() if k not in ("text", "title", "id", "_line")}
        doc = Document(text=text, title=title, id=record.get("id"), metadata=meta)
        if title:
            doc.claims += [Claim(title[s.start : s.end], s.start, s.end, s.kind, s.paragraph, s.sentence,
                                 field="title") for s in splitting.split_title(title)]
        shift = 1 if title else 0
        doc.claims += [Claim(text[s.start : s.end], s.start, s.end, s.kind, s.paragraph + shift,
                             s.sentence + shift) for s in splitting.split(text)]
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

    def analyze(self, text: str, title: str | None = None) -> Document:
        """Split one article into claims and label them."""
        if not isinstance(text, str) or not isinstance(title, str | None):
            raise InputError(f"analyze() needs text (and title) as str, not {type(text).__name__}")
        return self.analyze_batch([{"text": text, "title": title}], progress=False)[0]

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
        """Analyse many articles at once (claims batched across them); results in input order.
        An input that is not a string or a record with a string `text` gives a Document with `error` set."""
        docs = self._segment_all(list(texts))
        self.label(docs, batch_size, progress)
        return docs

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
