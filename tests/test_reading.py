"""Reading inputs: UTF-8 decoding with byte offsets, JSONL records, HTML reduced to text."""

import pytest

from stanceclf.errors import InputError
from stanceclf.reading import decode, html_to_text, read_jsonl

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
