"""The stanceclf command line: table and JSONL output, error records, clear failures."""

import json

from helpers import rounded

from stanceclf.cli import main


def test_table_output_lists_each_claim(tiny_model_dir, tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text("Storm Hits Coast\n\nThe storm hit on Monday. Roads closed.", encoding="utf-8")
    assert main(["analyze", str(f), "--model", str(tiny_model_dir)]) == 0
    out = capsys.readouterr().out
    assert "The storm hit on Monday." in out and "Roads closed." in out


def test_jsonl_with_a_malformed_line_gives_an_error_record(tiny_model_dir, tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": 1, "text": "It rained."}\nnot json\n{"id": 3, "text": "It snowed."}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(["analyze", str(f), "--format", "jsonl", "--model", str(tiny_model_dir), "--output", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 1
    assert [r.get("id") for r in rows] == [1, None, 3]
    assert "in.jsonl:2" in rows[1]["error"]


def test_bom_is_removed_and_bad_bytes_are_reported(tiny_model_dir, tmp_path, capsys):
    good = tmp_path / "bom.txt"
    good.write_bytes(b"\xef\xbb\xbfIt rained.")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"It rained \xff hard.")
    code = main(["analyze", str(good), str(bad), "--format", "jsonl", "--model", str(tiny_model_dir)])
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 1 and rows[0]["text"] == "It rained."
    assert "byte 10" in rows[1]["error"] and "byte 10" in captured.err


def test_missing_model_is_one_line_on_stderr(tmp_path, capsys):
    code = main(["analyze", "x.txt", "--model", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "not a stanceclf model directory" in err


def _run(tiny_model_dir, *args):
    return main(["analyze", *map(str, args), "--model", str(tiny_model_dir)])


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]



def _big_input(tmp_path):
    lines = []
    for i in range(12):
        rec = {"text": f"Officials said {i} roads closed. The storm was a disgrace."}
        if i % 3:
            rec["id"] = f"doc-{i}"
        lines.append(json.dumps(rec) if i != 7 else "{broken")
    f = tmp_path / "big.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_resume_after_a_kill_gives_each_input_line_once(tiny_model_dir, tmp_path, capsys):
    src, out = _big_input(tmp_path), tmp_path / "out.jsonl"
    assert _run(tiny_model_dir, src, "--output", out) == 1  # the broken line is an error record
    full = out.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(full) == 12
    out.write_text("".join(full[:5]) + full[5][: len(full[5]) // 2], encoding="utf-8")  # killed mid-line
    capsys.readouterr()
    assert _run(tiny_model_dir, src, "--output", out) == 1
    assert "5 records already done" in capsys.readouterr().err
    rows = _rows(out)
    assert [r.get("line") for r in rows] == list(range(1, 13))
    assert len({(r.get("id"), r["line"]) for r in rows}) == 12
    assert rounded(rows) == rounded([json.loads(line) for line in full])
    assert "error" in rows[7] and rows[7]["file"] == str(src) and "big.jsonl:8" in rows[7]["error"]


def test_rerunning_a_finished_output_changes_nothing(tiny_model_dir, tmp_path):
    src, out = _big_input(tmp_path), tmp_path / "out.jsonl"
    _run(tiny_model_dir, src, "--output", out)
    before = out.read_bytes()
    assert _run(tiny_model_dir, src, "--output", out) == 1  # the error record still counts
    assert out.read_bytes() == before


def test_resume_refuses_an_output_that_is_not_jsonl(tiny_model_dir, tmp_path, capsys):
    src, out = _big_input(tmp_path), tmp_path / "out.jsonl"
    out.write_text("not json\n{}\n", encoding="utf-8")
    assert _run(tiny_model_dir, src, "--output", out) == 2
    assert "out.jsonl:1: not a JSON line" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "not json\n{}\n"


def test_records_without_id_keep_file_and_line(tiny_model_dir, tmp_path):
    src, out = _big_input(tmp_path), tmp_path / "out.jsonl"
    _run(tiny_model_dir, src, "--output", out)  # --output alone means JSONL
    rows = _rows(out)
    assert rows[0]["file"] == str(src) and rows[0]["line"] == 1 and "id" not in rows[0]
    assert rows[1]["id"] == "doc-1" and rows[1]["line"] == 2 and "_line" not in rows[1]["metadata"]


def test_undecodable_jsonl_line_is_reported_by_line_and_byte(tiny_model_dir, tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"text": "It rained."}\n{"text": "It \xff snowed."}\n{"text": "It hailed."}\n')
    code = _run(tiny_model_dir, f, "--format", "jsonl")
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 1 and len(rows) == 3 and rows[0]["text"] == "It rained." and rows[2]["text"] == "It hailed."
    assert rows[1]["line"] == 2 and rows[1]["file"] == str(f)
    assert "in.jsonl:2: not UTF-8 at byte 39" in rows[1]["error"] and "byte 39" in captured.err  # 3 + 23 + 13


def _check_offsets(row):
    assert "<" not in row["text"] and "var x" not in row["text"]
    body = [c for c in row["claims"] if c["field"] == "text"]
    assert body
    for c in body:
        assert row["text"][c["start"] : c["end"]] == c["text"]


def test_html_input_offsets_index_the_extracted_text(tiny_model_dir, tmp_path, capsys):
    page = ("<html><head><script>var x = 1;</script></head><body><nav>Home</nav><h1>Storm Hits Coast</h1>"
            "<p>The storm hit on <b>Monday</b>. Roads&nbsp;closed.</p><p>&ldquo;It was bad,&rdquo; she said.</p>"
            "</body></html>")
    f = tmp_path / "page.html"
    f.write_text(page, encoding="utf-8")
    j = tmp_path / "pages.jsonl"
    j.write_text(json.dumps({"id": "p", "text": page}) + "\n", encoding="utf-8")
    assert _run(tiny_model_dir, f, "--format", "jsonl") == 0
    assert _run(tiny_model_dir, j, "--format", "jsonl", "--html") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["text"].startswith("Storm Hits Coast\nThe storm hit on Monday. Roads closed.\n\u201cIt was")
    assert rows[0]["text"] == rows[1]["text"]
    for row in rows:
        _check_offsets(row)


def test_table_shows_sources_cue_and_warnings():
    import io

    from stanceclf.cli import print_table
    from stanceclf.results import Claim, Document, Source, Span

    text = "She said the port would reopen."
    claim = Claim(text, 0, len(text), label="attribution", confidence=0.91,
                  sources=[Source("She", 0, 3, resolved="Natalia Ismont", type="official")], cue=Span("said", 4, 8))
    doc = Document(text=text, claims=[claim, Claim(text, 0, 3, label="fact", confidence=0.5)], id="a",
                   warnings=["non-english"])
    out = io.StringIO()
    print_table(doc, out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["== a", "   warning: non-english"]
    assert lines[3] == " " * 13 + "source: She -> Natalia Ismont (official); cue: said"
    assert len(lines) == 5  # no source line under the fact


def test_threads_option_sets_torch_threads(tiny_model_dir, tmp_path, capsys):
    import torch

    f = tmp_path / "a.txt"
    f.write_text("It rained.", encoding="utf-8")
    before = torch.get_num_threads()
    try:
        assert _run(tiny_model_dir, f, "--threads", "1") == 0
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
