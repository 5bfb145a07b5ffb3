"""A few training steps on a tiny model: outputs, loading, resume after interruption."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import training.losses as losses
import training.train as train_mod
from stanceclf.classifier import ClaimClassifier
from stanceclf.errors import ModelError
from training.data import CORPUS, DataError, load_annotated

ARGS = ["--tiny", "--max-steps", "6", "--batch-size", "8", "--save-steps", "3", "--max-length", "48"]


@pytest.fixture(autouse=True)
def _hf_cache(tmp_path, monkeypatch):
    """Training loads its data through `datasets`: its cache goes in the test's folder, not ~/.cache."""
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "hf"))


@pytest.fixture
def small_data(tmp_path) -> Path:
    records = [json.loads(line) for line in CORPUS.read_text().splitlines()][:3]
    f = tmp_path / "user.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records))
    return f


def test_partial_nll_is_cross_entropy_for_a_single_label():
    logits = torch.tensor([[2.0, 0.5, -1.0]])
    single = losses.partial_nll(logits, torch.tensor([[True, False, False]]), torch.ones(1))
    assert torch.isclose(single, torch.nn.functional.cross_entropy(logits, torch.tensor([0])))
    both = losses.partial_nll(logits, torch.tensor([[True, True, False]]), torch.ones(1))
    assert both < single


def test_training_writes_a_loadable_model(small_data, tmp_path):
    out = tmp_path / "out"
    assert train_mod.main(["--data", str(small_data), "--output", str(out), *ARGS]) == 0
    results = json.loads((out / "all_results.json").read_text())
    assert 0.3 <= results["temperature"] <= 4.0
    clf = ClaimClassifier.from_pretrained(out)
    assert clf.config.training["examples"]
    assert clf.analyze("It rained. Officials said it would stop.").claims[0].label is not None


def test_resume_after_interruption_reaches_the_same_weights(small_data, tmp_path, monkeypatch):
    ref = tmp_path / "ref"
    train_mod.main(["--data", str(small_data), "--output", str(ref), *ARGS])
    out = tmp_path / "resumed"
    real, calls = losses.partial_nll, {"n": 0}

    def dying(*a):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(*a)

    monkeypatch.setattr(losses, "partial_nll", dying)
    with pytest.raises(KeyboardInterrupt):
        train_mod.main(["--data", str(small_data), "--output", str(out), *ARGS])
    monkeypatch.setattr(losses, "partial_nll", real)
    assert train_mod.main(["--data", str(small_data), "--output", str(out), *ARGS]) == 0
    a, b = load_file(str(ref / "model.safetensors")), load_file(str(out / "model.safetensors"))
    assert all(torch.allclose(a[k], b[k], atol=1e-4) for k in a)


def test_bad_rows_are_reported_and_strict_stops(tmp_path, capsys):
    f = tmp_path / "bad.jsonl"
    f.write_text(json.dumps({"text": "It rained.", "claims": [
        {"text": "It rained.", "start": 0, "end": 10, "label": "fact"},
        {"text": "It rained.", "start": 1, "end": 10, "label": "fact"},
        {"text": "It rained.", "start": 0, "end": 10, "label": "rumour"}]}) + "\nnot json\n")
    assert len(load_annotated(f)) == 1
    err = capsys.readouterr().err
    assert "bad.jsonl:1: offsets do not match" in err and "unknown label 'rumour'" in err and "bad.jsonl:2" in err
    with pytest.raises(DataError, match="3 bad rows"):
        load_annotated(f, strict=True)


def test_span_targets_tag_bio_and_skip_ignored_regions():
    from training.data import Example

    ex = Example("Ana Ruiz told us, he thinks.", "", ("attribution",), "t", "g",
                 spans=[(0, 8, "SRC"), (9, 13, "CUE")], ignore=[(18, 20)])
    offsets = [(0, 3), (4, 8), (9, 13), (14, 16), (16, 17), (18, 20), (21, 27), (27, 28)]
    tags = [train_mod.SPAN_TAGS[t] if t >= 0 else None for t in train_mod.span_targets(ex, offsets)]
    assert tags == ["B-SRC", "I-SRC", "B-CUE", "O", "O", None, "O", "O"]
    ex.spans = None
    assert train_mod.span_targets(ex, offsets) == [-100] * len(offsets)


def test_training_saves_and_loads_the_span_head(small_data, tmp_path):
    out = tmp_path / "out"
    assert train_mod.main(["--data", str(small_data), "--output", str(out), *ARGS]) == 0
    state = load_file(str(out / "model.safetensors"))
    assert "span_head.weight" in state
    clf = ClaimClassifier.from_pretrained(out)
    assert clf.model.span_head is not None


def test_init_from_a_directory_without_weights_is_a_clear_error(small_data, tmp_path):
    with pytest.raises(ModelError, match="no adapter.safetensors"):
        train_mod.main(["--data", str(small_data), "--output", str(tmp_path / "m"), "--init-from", str(tmp_path),
                        *ARGS])


def test_two_stage_recipe_reads_as_one_chain_in_the_card(tmp_path):
    from stanceclf.modelcard import model_card
    from stanceclf.modeling import ModelConfig

    stage1 = tmp_path / "stage1"
    stage1.mkdir()
    (stage1 / "stanceclf.json").write_text(json.dumps({"training": {
        "command": "python -m training.train --output /elsewhere/full1 --epochs 3", "seconds": 600,
        "args": {"output": "/elsewhere/full1"}}}))
    first = train_mod.first_stage(str(stage1))
    assert first["command"] == f"python -m training.train --output {stage1} --epochs 3"
    config = ModelConfig(training={"command": f"python -m training.train --init-from {stage1}", "seconds": 300,
                                   "init_from": first, "machine": "m"})
    card = model_card(config)
    assert f"--output {stage1} --epochs 3\npython -m training.train --init-from {stage1}" in card
    assert "Training took 10.0 + 5.0 minutes on m." in card


def test_batch_order_covers_each_example_once_and_groups_by_length():
    import random

    from training.data import Example

    rng = random.Random(0)
    train = [Example("x" * rng.randint(5, 400), "", ("fact",), "corpus", str(i)) for i in range(1000)]
    args = train_mod.parse_args(["--batch-size", "16"])  # no example follows another: runs of one
    batches = train_mod.batch_order(train, 0, args)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert len(batches) == -(-1000 // 16) and all(len(b) <= 16 for b in batches)
    assert batches == train_mod.batch_order(train, 0, args)  # resumable: the same order again
    assert batches != train_mod.batch_order(train, 1, args)
    spread = sum(max(len(train[i].claim) for i in b) - min(len(train[i].claim) for i in b) for b in batches)
    assert spread / len(batches) < 50  # random batches of 16 from 5..400 chars spread ~350


def test_window_batches_keep_runs_of_consecutive_claims_together():
    from training.data import Example

    doc = [f"Claim {i} of the article." for i in range(20)]
    train = [Example(c, doc[i - 1] if i else "", ("fact",), "corpus", "a") for i, c in enumerate(doc)]
    train += [Example(f"Lone sentence {i}.", "", ("opinion",), "checkthat", f"s{i}") for i in range(30)]
    runs = train_mod.runs(train, 8)
    assert [len(r) for r in runs[:3]] == [8, 8, 4] and all(len(r) == 1 for r in runs[3:])
    args = train_mod.parse_args(["--batch-size", "10", "--context", "window"])
    batches = train_mod.batch_order(train, 0, args)
    assert sorted(i for b in batches for i in b) == list(range(50))
    for b in batches:  # a run is never split across batches
        assert all(r[0] not in b or set(r) <= set(b) for r in runs)
    # batches are filled by claims: runs of eight and lone sentences alike make batches of about 10
    assert all(len(b) <= 10 for b in batches) and len(batches) <= 7
    pair = train_mod.parse_args(["--batch-size", "10"])
    assert all(len(b) == 10 for b in train_mod.batch_order(train, 0, pair))


def test_sampling_for_a_window_model_keeps_runs_of_consecutive_claims_in_order():
    import random

    from training.data import Example

    examples = []
    for d in range(10):
        texts = [f"c{d}.{i}" for i in range(10)]
        examples += [Example(t, texts[i - 1] if i else "", ("fact",), "webis", f"doc{d}") for i, t in enumerate(texts)]
    kept = train_mod.sample(examples, 35, random.Random(0), run_length=4)
    assert 35 <= len(kept) < 39 and kept == [e for e in examples if e in kept]
    chained = sum(e.context == kept[i - 1].claim for i, e in enumerate(kept) if i)
    assert chained >= len(kept) - 12  # runs of up to 4: at most one break per run
    single = train_mod.sample(examples, 35, random.Random(0))
    assert len(single) == 35 and single == [e for e in examples if e in single]


def test_training_a_window_model_writes_one_that_reads_windows(small_data, tmp_path, seed_text):
    out = tmp_path / "win"
    assert train_mod.main(["--data", str(small_data), "--output", str(out), *ARGS, "--context", "window"]) == 0
    clf = ClaimClassifier.from_pretrained(out)
    assert clf.config.context == "window" and "rows of consecutive claims" in (out / "README.md").read_text()
    doc = clf.analyze(seed_text)
    claims = [c for c in doc.claims if c.kind != "meta"]
    assert doc.check() == [] and all(c.label for c in claims)
    assert len(clf.encode([c.text for c in claims], ["", *[c.text for c in claims[:-1]]]).input_ids) < len(claims)


def test_unknown_context_is_a_clear_error(small_data, tmp_path):
    with pytest.raises(DataError, match="--context"):
        train_mod.main(["--data", str(small_data), "--output", str(tmp_path / "o"), *ARGS, "--context", "doc"])


def test_the_schedule_covers_every_claim_each_epoch_when_epochs_differ_in_batches():
    from training.data import Example

    train = []
    for d in range(60):  # runs of 1 to 7 claims fill batches of 4 unevenly
        doc = [f"Claim {i} of article {d}." for i in range(d % 7 + 1)]
        train += [Example(c, doc[i - 1] if i else "", ("fact",), "corpus", f"a{d}") for i, c in enumerate(doc)]
    args = train_mod.parse_args(["--batch-size", "4", "--context", "window", "--epochs", "6"])
    counts = {len(train_mod.batch_order(train, e, args)) for e in range(6)}
    assert len(counts) > 1  # the case that broke a fixed steps-per-epoch count
    plan = train_mod.schedule(train, args)
    for epoch in range(6):
        steps = [(b, end) for e, b, end in plan if e == epoch]
        assert sorted(i for b, _ in steps for i in b) == list(range(len(train)))
        assert [end for _, end in steps] == [False] * (len(steps) - 1) + [True]
    capped = train_mod.schedule(train, train_mod.parse_args(["--batch-size", "4", "--context", "window",
                                                             "--max-steps", str(len(plan) + 3)]))
    assert len(capped) == len(plan) + 3 and capped[: len(plan)] == plan


def test_weight_overrides_reach_the_examples_and_bad_ones_are_clear_errors(small_data):
    args = train_mod.parse_args(["--data", str(small_data), "corpus", "--weight", "user=0.25", "corpus=3"])
    train, calib, _ = train_mod.collect(args)
    weight = {ex.dataset: ex.weight for ex in train + calib}
    assert weight == {"user": 0.25, "corpus": 3.0}
    assert train_mod.dataset_weights([])["corpus"] == train_mod.WEIGHTS["corpus"]
    for bad in ("corpus", "corpus=x", "corpus=-1", "=2"):
        with pytest.raises(DataError, match="NAME=VALUE"):
            train_mod.dataset_weights([bad])


def test_soft_cross_entropy_against_a_one_hot_teacher_is_cross_entropy():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
    one_hot = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 2]))
    assert torch.isclose(losses.soft_ce(logits, one_hot, torch.ones(2)), expected)
    soft = torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert losses.soft_ce(logits, soft, torch.ones(2)) > expected


def test_a_student_learns_the_teachers_probabilities_on_top_of_the_labels(small_data, tmp_path):
    teacher = tmp_path / "teacher"
    train_mod.main(["--data", str(small_data), "--output", str(teacher), *ARGS])
    args = train_mod.parse_args(["--data", str(small_data), "--context", "window", "--tiny", "--max-length", "48"])
    train, _, _ = train_mod.collect(args)
    train_mod.add_teacher(train, str(teacher))
    expected = ClaimClassifier.from_pretrained(teacher).predict_pairs([e.claim for e in train],
                                                                     [e.context for e in train])
    assert torch.allclose(torch.tensor([e.teacher for e in train]), expected)
    clf = train_mod.build_classifier(args)
    batch = train_mod.encode(clf, train[:8])
    assert batch["teacher"].shape == (8, 3)
    clf.model.eval()
    labels_only = losses.joint_loss(clf, dict(batch), span_weight=0.0)
    with_teacher = losses.joint_loss(clf, dict(batch), span_weight=0.0, distill_weight=0.5)
    logits = clf.model(**{k: v for k, v in batch.items() if k not in ("allowed", "weight", "span_tags", "teacher")})
    soft = losses.soft_ce(logits, batch["teacher"], batch["weight"])
    assert torch.isclose(with_teacher, labels_only + 0.5 * soft, atol=1e-5)
    student = tmp_path / "student"
    assert train_mod.main(["--data", str(small_data), "--output", str(student), "--context", "window",
                           "--teacher", str(teacher), *ARGS]) == 0
    with pytest.raises(ModelError):
        train_mod.add_teacher(train, str(tmp_path / "no-model"))
    with pytest.raises(DataError, match="distill-weight"):
        train_mod.main(["--data", str(small_data), "--output", str(tmp_path / "s2"), "--teacher", str(teacher),
                        "--distill-weight", "-1", *ARGS])
    config = ClaimClassifier.from_pretrained(student).config
    assert config.training["args"]["teacher"] == str(teacher)
    assert config.training["teacher"]["command"].endswith(f"--output {teacher} {' '.join(ARGS)}")
    card = (student / "README.md").read_text()
    assert config.training["teacher"]["command"] + "\npython -m training.train" in card
    assert "distils the first one's model" in card
