"""Reading inputs: UTF-8 decoding with byte offsets, JSONL records, HTML reduced to text, web pages to articles."""

import importlib.util
import json
from pathlib import Path

import pytest

from stanceclf.errors import InputError
from stanceclf.reading import (
    NO_ARTICLE,
    Page,
    declared_charset,
    decode,
    decode_html,
    html_to_text,
    read_html,
    read_jsonl,
)

PAGE = """<!doctype html>
<html><head><title>Site name</title><style>p { color: red }</style>
<script>var ads = "The storm hit.";</script></head>
<body>
<header>Daily Example</header>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article>
  <h1>Storm &amp; Rain Hit the Coast</h1>
  <p>The storm hit on
     <b>Monday</b>, officials said.</p>
  <p>&ldquo;It was the worst in years,&rdquo; she said.<br>Roads&nbsp;closed.</p>
  <ul><li>One</li><li>Two</li></ul>
</article>
<aside>Related: other stories</aside>
<footer>&copy; Example</footer>
</body></html>"""


def test_html_to_text_keeps_the_article_text_one_paragraph_a_line():
    assert html_to_text(PAGE) == (
        "Storm & Rain Hit the Coast\n"
        "The storm hit on Monday, officials said.\n"
        "\u201cIt was the worst in years,\u201d she said.\n"
        "Roads closed.\n"
        "One\n"
        "Two"
    )


@pytest.mark.parametrize("dropped", ["Site name", "color", "var ads", "Daily Example", "Home", "Related", "©"])
def test_html_to_text_drops_page_furniture(dropped):
    assert dropped not in html_to_text(PAGE)


def test_html_to_text_handles_fragments_pre_and_self_closed_tags():
    assert html_to_text("plain <i>text</i> &lt;3") == "plain text <3"
    assert html_to_text("<p>a</p><script/><p>b</p>") == "a\nb"
    assert html_to_text("<pre>x = 1\n    y = 2</pre><p>after</p>") == "x = 1\n    y = 2\nafter"
    assert html_to_text("<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>") == "1 2\n3"
    assert html_to_text("") == ""


def test_decode_drops_the_bom_and_reports_the_file_offset():
    assert decode(b"\xef\xbb\xbfIt rained.") == "It rained."
    with pytest.raises(InputError, match=r"f.txt: not UTF-8 at byte 13"):
        decode(b"\xef\xbb\xbfIt rained \xff.", "f.txt")
    with pytest.raises(InputError, match=r"at byte 105"):
        decode(b"abc\xff", "f.txt", offset=102)
    assert decode(b"a\xffb", errors="replace") == "a\ufffdb"


def test_read_jsonl_gives_line_numbers_and_error_records():
    lines = [b'\xef\xbb\xbf{"id": 1, "text": "It rained."}\n', b"\n", b"not json\n",
             b'{"text": "It \xff snowed."}\n', b'{"title": "no text"}\n', b'{"text": "a\xe2\x80\xa8b"}\n']
    rows = list(read_jsonl(lines, "in.jsonl"))
    assert rows[0] == {"id": 1, "text": "It rained.", "_line": 1}
    assert [r.get("line", r.get("_line")) for r in rows] == [1, 3, 4, 5, 6]
    assert rows[1]["error"].startswith("in.jsonl:3: ")
    offset = sum(len(b) for b in lines[:3]) + len(b'{"text": "It ')
    assert f"in.jsonl:4: not UTF-8 at byte {offset}" in rows[2]["error"]
    assert "in.jsonl:5" in rows[3]["error"] and "'text'" in rows[3]["error"]
    assert rows[4]["text"] == "a\u2028b"  # a line separator inside a string does not end the line


def test_read_jsonl_accepts_str_lines():
    assert list(read_jsonl(['{"text": "x"}'])) == [{"text": "x", "_line": 1}]


# -- web pages (read_html) -------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "html_extraction.py"
NEWS_PAGE = (FIXTURES / "news_page.html").read_bytes()
FURNITURE_PAGE = """<!DOCTYPE html><html><head><title>Example News</title></head><body>
<header><a href="/">Example News</a></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="share"><a href="#">Share this with Facebook</a> <a href="#">Share this with Twitter</a></div>
<div class="cookie">We use cookies to improve your experience. By continuing you agree to our cookie policy.
<button>Accept</button></div>
<ul class="related"><li><a href="/a">Ten things you did not know about the storm</a></li>
<li><a href="/b">Markets fall as oil rises again today</a></li></ul>
<footer>&copy; 2024 Example News. All rights reserved. <a href="/terms">Terms</a></footer></body></html>"""


def test_read_html_keeps_the_article_and_its_metadata_and_drops_the_furniture():
    page = read_html(NEWS_PAGE)
    lines = page.text.split("\n")
    assert lines[0] == page.title == "Harbour Reopens After Storm Repairs"  # the <h1>, not the <title> with site
    assert lines[1].startswith("The town's harbour reopened") and lines[-1].endswith("as the clean-up continues.")
    assert len(lines) == 7 and page.body_start == len(lines[0]) + 1 and page.body == "\n".join(lines[1:])
    assert page.metadata() == {"url": "https://courier.example.com/news/harbour-reopens", "author": "Maria Okafor",
                               "title": page.title, "date": "2024-03-05", "site": "The Coastal Courier"}
    for furniture in ("cookies", "Home", "Share this", "Related", "Storm leaves trail", "Comments",
                      "about time the wall", "All rights reserved", "Privacy", "analytics", "margin"):
        assert furniture not in page.text


def test_read_html_keeps_one_paragraph_a_line_and_pre_blocks():
    body = " ".join(f"Sentence {i} of the article about the budget tables, long enough to be prose." for i in range(4))
    page = read_html(f"<!doctype html><html><head><title>Budget Tables</title></head><body><nav><a href='/'>Home</a>"
                     f"</nav><article><h1>Budget Tables</h1><p>{body}</p><p>{body}</p><pre>import csv\n"
                     f"for row in rows:\n    total += row</pre><p>{body}</p></article></body></html>")
    assert page.text.split("\n") == ["Budget Tables", body, body, "import csv", "for row in rows:",
                                     "    total += row", body]


def test_a_copy_of_the_title_at_the_top_of_the_body_is_dropped():
    para = "The council voted on Tuesday to close the old harbour road for repairs until the end of the summer."
    html = (f"<!doctype html><html><head><title>Road Closed</title></head><body><article><h2>Road Closed</h2>"
            f"<p>{para}</p><p>{para.replace('Tuesday', 'Monday')}</p><p>{para.replace('old', 'new')}</p>"
            "</article></body></html>")
    page = read_html(html)
    assert page.text.split("\n")[0] == "Road Closed" and page.text.count("Road Closed") == 1


def test_an_all_furniture_page_gives_a_warning_and_no_claims(tiny):
    page = read_html(FURNITURE_PAGE)
    assert page.text == "" and page.warnings == [NO_ARTICLE] and page.title is None
    doc = tiny.analyze(page.record(id="p"))
    assert doc.claims == [] and doc.warnings == [NO_ARTICLE] and "title" not in doc.metadata


def test_a_fragment_is_read_whole():
    page = read_html("<p>It rained.</p><p>Roads &amp; bridges closed.</p>")
    assert page == Page("It rained.\nRoads & bridges closed.")


def test_non_utf8_pages_are_decoded_by_their_charset_declaration():
    text = "\u201cThe caf\u00e9 will reopen,\u201d she said, at a cost of \u20ac40,000 \u2013 paid by the town."
    body = "".join(f"<p>{text} Paragraph {i} goes on for a while about the harbour and the town.</p>" for i in range(4))
    for declaration in ('<meta charset="windows-1252">',
                        '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'):
        html = f"<!doctype html><html><head>{declaration}<title>Caf\u00e9 Reopens</title></head><body><article>" \
               f"<h1>Caf\u00e9 Reopens</h1>{body}</article></body></html>"
        page = read_html(html.encode("cp1252"))  # ISO-8859-1 is read as windows-1252, as browsers do
        assert page.title == "Caf\u00e9 Reopens" and page.text.split("\n")[1].startswith(text)
    koi8 = '<?xml version="1.0" encoding="koi8-r"?><p>\u041c\u043e\u0441\u043a\u0432\u0430</p>'.encode("koi8-r")
    assert decode_html(koi8).endswith("\u041c\u043e\u0441\u043a\u0432\u0430</p>")


def test_decode_html_prefers_the_bom_and_reports_bad_bytes():
    assert decode_html("\ufeff<p>caf\u00e9</p>".encode("utf-16-le")) == "<p>caf\u00e9</p>"
    assert decode_html(b'<meta charset="no-such-charset"><p>caf\xc3\xa9</p>').endswith("caf\u00e9</p>")
    assert declared_charset(b'<meta charset="latin1">') == "cp1252" and declared_charset(b"<p>x</p>") is None
    with pytest.raises(InputError, match=r"page.html: not UTF-8 at byte 3"):
        decode_html(b"<p>\xff</p>", "page.html")
    with pytest.raises(InputError, match=r"not shift_jis \(as its charset declares\) at byte"):
        decode_html(b'<meta charset="shift_jis"><p>\x81\x00</p>', "page.html")


def test_the_record_hands_title_author_and_date_to_the_splitter(tiny):
    page = read_html(NEWS_PAGE)
    doc = tiny.segment(page.record(id="news"))
    head, author, date, first = doc.claims[:4]
    assert (head.kind, head.field, head.text, head.start) == ("headline", "text", page.title, 0)
    assert (author.kind, author.field, author.text) == ("meta", "author", "Maria Okafor")
    assert (date.kind, date.field, date.text) == ("meta", "date", "2024-03-05")
    assert doc.metadata[author.field][author.start : author.end] == author.text
    assert first.kind == "body" and first.paragraph == 1 and [c.kind for c in doc.claims].count("headline") == 1
    assert doc.title is None and doc.metadata["title"] == page.title and doc.metadata["site"] == "The Coastal Courier"
    assert doc.check() == []


def test_a_title_given_apart_is_the_only_headline(tiny):
    doc = tiny.segment({"text": "Officials Warn of More Rain\nThe river rose overnight.", "title": "Flood Watch"})
    assert [(c.kind, c.field) for c in doc.claims] == [("headline", "title"), ("body", "text"), ("body", "text")]
    assert doc.title == "Flood Watch" and doc.check() == []


def test_cli_reads_a_saved_page_without_its_navigation(tiny_model_dir, tmp_path, capsys):
    from stanceclf.cli import main

    (tmp_path / "news.html").write_bytes(NEWS_PAGE)
    (tmp_path / "menu.html").write_text(FURNITURE_PAGE, encoding="utf-8")
    code = main(["analyze", str(tmp_path / "news.html"), str(tmp_path / "menu.html"), "--format", "jsonl",
                 "--model", str(tiny_model_dir)])
    captured = capsys.readouterr()
    news, menu = (json.loads(line) for line in captured.out.splitlines())
    assert code == 0 and news["metadata"]["author"] == "Maria Okafor" and news["claims"][0]["kind"] == "headline"
    assert not any(word in c["text"] for c in news["claims"] for word in ("Home", "Share", "cookies", "Related"))
    assert menu["claims"] == [] and menu["warnings"] == [NO_ARTICLE]
    assert "menu.html: warning: no article text found" in captured.err


@pytest.mark.skipif(not (DATA / "readability_pages" / "bbc-1").is_dir(), reason="needs ../shared/data")
def test_a_saved_bbc_page_gives_the_article_and_none_of_its_navigation():
    page = read_html((DATA / "readability_pages" / "bbc-1" / "source.html").read_bytes())
    assert page.title == "Obama admits US gun laws are his 'biggest frustration'" and page.site == "BBC News"
    assert page.body.startswith("President Barack Obama has admitted that his failure to pass")
    for nav in ("Home", "Video", "World selected", "Share this with", "These are external links"):
        assert nav not in page.text


@pytest.mark.skipif(not (DATA / "article_extraction").is_dir(), reason="needs ../shared/data")
def test_extraction_holds_its_measured_level_on_real_pages():
    spec = importlib.util.spec_from_file_location("bench", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    pages = list(bench.article_extraction(DATA / "article_extraction"))[:40]
    rows = [bench.score(read_html(p["html"], url=p["url"]).body, p) for p in pages]
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("paragraph_precision", "paragraph_f1", "word_f1")}
    assert mean["paragraph_f1"] >= 0.90 and mean["paragraph_precision"] >= 0.90 and mean["word_f1"] >= 0.95, mean
