"""Fine-tune the claim model: LoRA + head on a transformer encoder, partial-label loss.

    python -m training.train --data corpus checkthat polnear webis babe \
        --public-data ../shared/data --output models/default

Logs progress, evaluates on the dev examples each epoch, keeps the best weights in
`--output`, writes a checkpoint into `--output/checkpoint` every `--save-steps` steps and
resumes from it when the same command is run again. A held-out calibration part of the
training data (never the reporting dev sets) fits the temperature at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from stanceclf import engine
from stanceclf.classifier import ClaimClassifier
from stanceclf.errors import ModelError, StanceclfError
from stanceclf.labels import LABEL2ID, LABELS, SPAN_TAGS
from stanceclf.modeling import (
    CONTEXTS,
    DEFAULT_BASE,
    ClaimModel,
    ModelConfig,
    base_model_path,
    read_settings,
    verify_sha256,
)

from .data import PUBLIC, DataError, Example, _held_out, load
from .losses import fit_temperature, joint_loss

SPAN2ID = {name: i for i, name in enumerate(SPAN_TAGS)}
RUN_LENGTH = 8  # consecutive claims a window model trains on together (about a row at inference)
WEIGHTS = {"corpus": 2.0, "checkthat": 1.0, "polnear": 0.5, "webis": 0.5, "babe": 0.7}


@dataclass
class TrainArgs:
    """Command-line arguments of the training script (each has a --flag)."""

    data: list[str] = field(default_factory=lambda: ["corpus"])
    public_data: str | None = None
    cache_dir: str | None = None  # where `datasets` caches the loaded examples (default: the HF datasets cache)
    base_model: str = DEFAULT_BASE
    output: str = "models/default"
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 13
    max_length: int = 96  # tokens per row: a pair; use about 256 with --context window
    context: str = "pair"
    context_layers: int = 2
    max_per_dataset: int = 4000
    max_steps: int = -1
    save_steps: int = 200
    device: str = "cpu"
    lora_r: int = 8
    span_weight: float = 1.0
    weight: list[str] = field(default_factory=list)  # NAME=VALUE: a data set's loss weight (a file's name is its stem)
    init_from: str | None = None
    teacher: str | None = None  # a trained model whose label probabilities the student also learns
    distill_weight: float = 1.0
    strict: bool = False
    tiny: bool = False
    calibrate_on: list[str] = field(default_factory=list)  # fit the temperature on these sets' held-out 10% only


def parse_args(argv: list[str] | None = None) -> TrainArgs:
    p = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.splitlines()[0])
    defaults = TrainArgs()
    for name, value in asdict(defaults).items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            p.add_argument(flag, action="store_true")
        elif isinstance(value, list):
            p.add_argument(flag, nargs="+", default=value)
        else:
            p.add_argument(flag, type=type(value) if value is not None else str, default=value)
    return TrainArgs(**vars(p.parse_args(argv)))


def add_teacher(examples: list[Example], path: str, device: str = "cpu") -> None:
    """Fill each example's `teacher` with a trained model's calibrated label probabilities, so a
    student (a window model, say) also learns how the teacher splits partial labels."""
    teacher = ClaimClassifier.from_pretrained(path, device=device)
    if list(teacher.config.labels) != list(LABELS):
        raise ModelError(f"--teacher {path}: labels {teacher.config.labels} differ from {list(LABELS)}")
    probs = teacher.predict_pairs([e.claim for e in examples], [e.context for e in examples])
    for ex, p in zip(examples, probs.tolist()):
        ex.teacher = p


def build_classifier(args: TrainArgs) -> ClaimClassifier:
    """A fresh model: the base encoder (or a tiny random one for tests) with LoRA and a head."""
    from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

    base_path = base_model_path(args.base_model)
    if args.context not in CONTEXTS:
        raise DataError(f"--context must be one of {CONTEXTS}, not {args.context!r}")
    config = ModelConfig(base_model=args.base_model, max_length=args.max_length, context=args.context,
                         context_layers=args.context_layers, lora_r=args.lora_r, lora_alpha=2 * args.lora_r)
    if args.tiny:  # a tiny randomly initialised encoder: fast tests, no weights needed
        encoder = BertModel(BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                       intermediate_size=64, max_position_embeddings=args.max_length + 2))
        config.base_model, config.base_sha256 = "tiny-random", None
    else:
        if args.base_model == DEFAULT_BASE:
            verify_sha256(Path(base_path) / "model.safetensors", config.base_sha256)
        else:
            config.base_sha256 = None
        encoder = AutoModel.from_pretrained(str(base_path))
    model = ClaimModel(encoder, config)
    model.add_lora()
    if args.init_from:  # warm start: LoRA and heads of an earlier run (a new span head starts fresh)
        from safetensors.torch import load_file

        adapter = Path(args.init_from) / "adapter.safetensors"
        if not adapter.is_file():
            raise ModelError(f"--init-from {args.init_from}: no adapter.safetensors there; give the --output "
                             "directory of an earlier training run")
        model.load_state_dict(load_file(str(adapter)), strict=False)
    return ClaimClassifier(model, AutoTokenizer.from_pretrained(str(base_path)), device=args.device)


def run_length_of(args: TrainArgs) -> int:
    """Consecutive claims read together: runs for a window model, single claims for a pair model."""
    return RUN_LENGTH if args.context == "window" else 1


def sample(examples: list[Example], n: int, rng: random.Random, run_length: int = 1) -> list[Example]:
    """About `n` examples at random, in runs of up to `run_length` consecutive claims (a window model
    learns from claims next to each other), kept in their order."""
    if len(examples) <= n:
        return examples
    units = runs(examples, run_length)
    rng.shuffle(units)
    keep: list[int] = []
    for unit in units:
        if len(keep) >= n:
            break
        keep += unit
    return [examples[i] for i in sorted(keep)]


def dataset_weights(overrides: list[str]) -> dict[str, float]:
    """The per-data-set loss weights: WEIGHTS with the `--weight NAME=VALUE` overrides."""
    out = dict(WEIGHTS)
    for item in overrides:
        name, _, value = item.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = 0.0
        if not name or not weight > 0:  # "not > 0" also refuses nan
            raise DataError(f"--weight {item!r}: expected NAME=VALUE with a positive VALUE, e.g. corpus=3")
        out[name] = weight
    return out


def collect(args: TrainArgs) -> tuple[list[Example], list[Example], list[Example]]:
    """Training, calibration and dev examples; calibration is cut from training data by group."""
    public = Path(args.public_data) if args.public_data else None
    rng = random.Random(args.seed)
    run_length = run_length_of(args)
    train, calib, dev = [], [], []
    weights = dataset_weights(args.weight)
    for name in args.data:
        examples = sample(load(name, "train", public, args.strict, args.cache_dir), args.max_per_dataset, rng,
                          run_length)
        for ex in examples:
            ex.weight = weights.get(ex.dataset, 2.0)
            (calib if _held_out("calib:" + ex.group, 0.1) else train).append(ex)
        if name in PUBLIC:
            dev_part = load(name, "dev", public, cache_dir=args.cache_dir)
            dev += sample(dev_part, 400, rng, run_length)
        # the corpus test split and the real-news dev split are for reporting only: they never steer training
    if args.calibrate_on:
        calib = [ex for ex in calib if ex.dataset in args.calibrate_on]
        if not calib:
            raise DataError(f"--calibrate-on {' '.join(args.calibrate_on)}: no calibration examples from those sets")
    return train, calib, dev


def span_targets(ex: Example, offsets: list[tuple[int, int]]) -> list[int]:
    """BIO tag id per claim token (-100: no supervision or an ignored region)."""
    if ex.spans is None:
        return [-100] * len(offsets)
    tags, previous = [], None
    for start, end in offsets:
        hit = next(((a, b, kind) for a, b, kind in ex.spans if start < b and end > a), None)
        if any(start < b and end > a for a, b in ex.ignore) and hit is None:
            tags.append(-100)
        elif hit is None:
            tags.append(SPAN2ID["O"])
        else:
            tags.append(SPAN2ID[("I-" if previous == hit else "B-") + hit[2]])
        previous = hit
    return tags


def encode(clf: ClaimClassifier, batch: list[Example]) -> dict[str, torch.Tensor]:
    """Model inputs (tokenised exactly as at inference), allowed-label masks, weights, span tags."""
    enc = clf.encode([e.claim for e in batch], [e.context for e in batch])
    # all rows in their order: the pooled claims come out in input order
    out, _ = engine.collate(enc, list(range(len(enc.input_ids))), clf.tokenizer.pad_token_id or 0,
                            torch.device("cpu"))
    allowed = torch.zeros(len(batch), len(LABEL2ID), dtype=torch.bool)
    span_tags = torch.full(out["input_ids"].shape, -100, dtype=torch.long)
    for i, e in enumerate(batch):
        allowed[i, [LABEL2ID[a] for a in e.allowed]] = True
        span_tags[enc.claim_row[i], enc.claim_positions[i]] = torch.tensor(
            span_targets(e, enc.claim_offsets[i]), dtype=torch.long)
    out.update(allowed=allowed, weight=torch.tensor([e.weight for e in batch]), span_tags=span_tags)
    if all(e.teacher is not None for e in batch):
        out["teacher"] = torch.tensor([e.teacher for e in batch])
    return {k: v.to(clf.device) for k, v in out.items()}


def logits_of(clf: ClaimClassifier, examples: list[Example], batch_size: int = 64) -> torch.Tensor:
    clf.model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(examples), batch_size):
            enc = encode(clf, examples[i : i + batch_size])
            enc.pop("allowed"), enc.pop("weight"), enc.pop("span_tags"), enc.pop("teacher", None)
            out.append(clf.model(**enc).float().cpu())
    return torch.cat(out) if out else torch.empty(0, len(LABEL2ID))


def dev_score(clf: ClaimClassifier, dev: list[Example]) -> float:
    """Share of dev examples whose predicted label is in the allowed set (partial accuracy)."""
    if not dev:
        return 0.0
    pred = logits_of(clf, dev).argmax(-1).tolist()
    return sum(LABELS[p] in e.allowed for p, e in zip(pred, dev)) / len(dev)


def first_stage(path: str) -> dict:
    """The training record of the run `--init-from` starts from (or `--teacher` learns from), its
    command writing to `path` (where this run read it from), so the card's recipe reads as one chain."""
    first = read_settings(Path(path)).get("training", {})
    record = {k: first.get(k) for k in ("command", "examples", "seconds", "history")}
    output = first.get("args", {}).get("output")
    if record["command"] and output:
        record["command"] = record["command"].replace(f"--output {output}", f"--output {path}")
    return record


def runs(train: list[Example], max_claims: int) -> list[list[int]]:
    """Consecutive examples whose context is the claim before, cut every `max_claims`: the units a
    window model reads together (each a single example for a pair model)."""
    out: list[list[int]] = []
    for i, e in enumerate(train):
        chained = i > 0 and e.context and e.context == train[i - 1].claim and e.group == train[i - 1].group
        if chained and len(out[-1]) < max_claims:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def batch_order(train: list[Example], epoch: int, args: TrainArgs) -> list[list[int]]:
    """The epoch's batches of up to `batch_size` claims, runs never split: runs shuffled, then sorted
    by length within chunks of about 50 batches so that each batch pads little, in shuffled order.
    Filling batches by claims, not runs, gives a claim the same share of the updates whether it
    came in a run of eight or alone."""
    rng = random.Random(args.seed + epoch)
    units = runs(train, run_length_of(args))
    rng.shuffle(units)
    chunks: list[list[list[int]]] = [[]]
    filled = 0
    for unit in units:
        if filled >= 50 * args.batch_size:
            chunks.append([])
            filled = 0
        chunks[-1].append(unit)
        filled += len(unit)
    batches: list[list[int]] = []
    for chunk in chunks:
        chunk.sort(key=lambda u: sum(len(train[i].claim) + len(train[i].context) for i in u))
        batch: list[int] = []
        for unit in chunk:
            if batch and len(batch) + len(unit) > args.batch_size:
                batches.append(batch)
                batch = []
            batch += unit
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


def schedule(train: list[Example], args: TrainArgs) -> list[tuple[int, list[int], bool]]:
    """Every step of the run: (epoch, batch, whether it ends the epoch), `--epochs` epochs or
    `--max-steps` steps. Epochs may differ by a batch or two (runs fill batches unevenly), so the
    whole plan is laid out once and a resumed run picks it up at its step."""
    plan: list[tuple[int, list[int], bool]] = []
    epoch = 0
    while (epoch < args.epochs) if args.max_steps < 0 else (len(plan) < args.max_steps):
        batches = batch_order(train, epoch, args)
        plan += [(epoch, b, i == len(batches) - 1) for i, b in enumerate(batches)]
        epoch += 1
        if not batches:
            break
    return plan if args.max_steps < 0 else plan[: args.max_steps]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    out = Path(args.output)
    ckpt = out / "checkpoint"
    started = time.time()
    clf = build_classifier(args)
    train, calib, dev = collect(args)
    counts = {}
    for ex in train + calib:
        counts[ex.dataset] = counts.get(ex.dataset, 0) + 1
    print(f"train {len(train)} calib {len(calib)} dev {len(dev)} examples: {counts}", flush=True)
    if args.teacher:
        if not args.distill_weight >= 0:
            raise DataError(f"--distill-weight must be 0 or more, not {args.distill_weight}")
        add_teacher(train, args.teacher, args.device)
        print(f"teacher {args.teacher}: label probabilities for {len(train)} training examples", flush=True)
    params = [p for p in clf.model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.learning_rate, weight_decay=0.01)
    plan = schedule(train, args)
    total = len(plan)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, total // 10)) * max(0.0, (total - s) / total))
    step, best, history = 0, -1.0, []
    if (ckpt / "state.pt").exists():
        # weights_only: a checkpoint holds tensors and plain values; unpickling code is refused
        state = torch.load(ckpt / "state.pt", weights_only=True)
        clf.model.load_state_dict(state["model"], strict=False)
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        step, best, history = state["step"], state["best"], state["history"]
        torch.set_rng_state(state["rng"])
        print(f"resumed from {ckpt} at step {step}", flush=True)
    clf.model.train()
    while step < total:
        epoch, batch_ids, epoch_end = plan[step]
        batch = encode(clf, [train[i] for i in batch_ids])
        loss = joint_loss(clf, batch, args.span_weight, args.distill_weight)
        if not torch.isfinite(loss):
            print(f"error: loss is {loss.item()} at step {step}: lower --learning-rate or check the data",
                  file=sys.stderr)
            return 1
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        step += 1
        if step % 20 == 0:
            print(f"step {step}/{total} epoch {epoch} loss {loss.item():.4f} {time.time() - started:.0f}s", flush=True)
        if step % args.save_steps == 0 or epoch_end or step == total:
            if epoch_end or step == total:
                score = dev_score(clf, dev)
                history.append({"epoch": epoch, "step": step, "dev_partial_accuracy": score})
                print(f"epoch {epoch} dev partial accuracy {score:.4f}", flush=True)
                if score > best:
                    best = score
                    clf.save_pretrained(out)
                clf.model.train()
            ckpt.mkdir(parents=True, exist_ok=True)
            torch.save({"model": clf.model.trained_state(), "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict(), "step": step, "best": best, "history": history,
                        "rng": torch.get_rng_state()},
                       ckpt / "state.pt.tmp")
            os.replace(ckpt / "state.pt.tmp", ckpt / "state.pt")
    best_clf = build_classifier(args)
    from safetensors.torch import load_file
    weights = out / ("adapter.safetensors" if (out / "adapter.safetensors").exists() else "model.safetensors")
    best_clf.model.load_state_dict(load_file(str(weights)), strict=False)
    best_clf.config.temperature = fit_temperature(logits_of(best_clf, calib), calib)
    best_clf.config.training = {
        "command": "python -m training.train " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
        "examples": counts, "args": asdict(args), "history": history, "seconds": round(time.time() - started),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
    }
    for key in ("init_from", "teacher"):  # keep the earlier stage's record: the card shows the whole recipe
        if getattr(args, key):
            best_clf.config.training[key] = first_stage(getattr(args, key))
    best_clf.save_pretrained(out)
    (out / "all_results.json").write_text(json.dumps(
        {"best_dev_partial_accuracy": best, "temperature": best_clf.config.temperature, "history": history}, indent=1))
    print(f"saved {out} (temperature {best_clf.config.temperature}, best dev {best:.4f})", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (StanceclfError, DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
