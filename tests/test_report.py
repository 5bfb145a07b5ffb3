"""The HTML report: every claim marked with its label, all text escaped, one self-contained page,
and the page driven in headless chromium (hover, focus, source highlighting, no console errors)."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from stanceclf.cli import main
from stanceclf.report import render
from stanceclf.results import Claim, Document, Source

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync", "--window-size=1400,1600"]


@pytest.fixture
def seed_doc(tiny, seed_text) -> Document:
    """The seed article analysed by the tiny random model, its claims then given the gold labels, sources
    and cues of seeds/corpus.jsonl (the tiny model labels everything a fact and finds no sources)."""
    gold = next(json.loads(line) for line in (ROOT / "seeds" / "corpus.jsonl").read_text().splitlines()
                if json.loads(line)["id"] == "belarus_pardons")
    by_span = {(c["start"], c["end"]): Claim.from_dict(c) for c in gold["claims"]}
    doc = tiny.analyze(seed_text)
    for claim in doc.claims:
        want = by_span[(claim.start, claim.end)]
        if claim.label is not None:
            claim.label, claim.confidence = want.label, claim.probs[want.label]
            claim.sources, claim.cue = want.sources, want.cue
    assert doc.check() == [] and doc.sources()
    return doc


def _claims_in(html: str) -> list[tuple[str, str, str]]:
    """(id, data-label, text) of each claim span in the page's sections (the legend's samples left out)."""
    body = html.split("<main>", 1)[1]
    found = re.findall(r'<span class="claim [^"]*" id="([^"]+)"[^>]*data-label="([^"]+)".*?<span class="ct">(.*?)'
                       r'</span><span class="tip"', body)
    return [(i, label, unescape(re.sub(r"<[^>]+>", "", text))) for i, label, text in found]


def test_every_claim_is_marked_with_its_label_and_badge(seed_doc):
    html = seed_doc.to_html()
    assert _claims_in(html) == [(f"d1-c{i}", c.label or "meta", c.text) for i, c in enumerate(seed_doc.claims)]
    for badge in ("FACT", "ATTR", "OPIN", "META"):  # a text cue beside the colour, also in the legend
        assert f'<span class="badge" aria-hidden="true">{badge}</span>' in html and f">{badge}</span>" in html
    assert '<span class="src" title="source">Belarus&#x27;s state news agency Belta</span>' in html
    assert '<span class="cue" title="cue">announced</span>' in html
    assert "Natalia Ismont</b> (official)" in html and "confidence" in html


def test_article_text_is_escaped(tiny):
    doc = tiny.analyze({"text": 'Officials found <script>alert("x")</script> in the file.\nThe <b>port</b> & "harbour" '
                                "reopened.", "title": "<img src=x onerror=alert(1)>", "site": "<i>Site</i>"})
    doc.claims[1].sources = [Source("Officials", 0, 9, resolved="</span><script>bad()</script>", type="official")]
    doc.claims[1].label = "attribution"
    html = doc.to_html(title="<b>report</b>")
    assert html.count("<script") == 1 and "<img" not in html and "<i>Site" not in html and "<b>port" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and "&lt;b&gt;port&lt;/b&gt; &amp;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;/span&gt;&lt;script&gt;bad()" in html
    assert "<title>&lt;b&gt;report&lt;/b&gt;</title>" in html


def test_an_article_with_no_attributions_says_so(tiny):
    doc = tiny.analyze("Storm Hits Coast\nThe storm hit on Monday. Roads closed. It is a disgrace.")
    doc.claims[-1].label = "opinion"
    html = doc.to_html()
    assert "No attributed sources in this article." in html and "<button" not in html
    assert '<tr><th>distinct sources</th><td class="n">0</td>' in html
    assert "<h2>" in html and 'data-label="opinion"' in html


def test_meta_items_are_dimmed_and_warnings_shown(tiny):
    doc = tiny.analyze({"text": "Flood Watch\nThe river rose.", "title": "Flood Watch", "author": "Ann Lee",
                        "date": "2024-03-05"})
    html = doc.to_html()
    assert re.search(r'<p class="meta-line"><span class="claim meta" id="d1-c1"[^>]*data-kind="meta"', html)
    assert ">Ann Lee</span>" in html and ">2024-03-05</span>" in html
    empty = render(Document(text="", warnings=["no-article"], metadata={"url": "https://x.example/a"}))
    assert "No article text found" in empty and "https://x.example/a" in empty


def test_the_page_is_self_contained(seed_doc):
    html = seed_doc.to_html()
    assert html.startswith("<!DOCTYPE html>") and html.count("<style>") == 1 and html.count("<script>") == 1
    assert not re.search(r'(?:src|href)="(?!#|data:)', html)  # no file, font or script to fetch
    assert "@import" not in html and "url(" not in html and "http" not in html
    assert "@media print" in html


def test_several_documents_get_a_table_of_contents(tiny):
    docs = [tiny.analyze("It rained."), tiny.analyze("It snowed. Roads closed.")]
    html = render(docs, ["a.txt", "<b>.html"])
    assert '<nav class="toc"' in html and 'href="#doc-1"' in html and 'href="#doc-2"' in html
    assert 'id="doc-2"' in html and 'id="d2-c1"' in html and "&lt;b&gt;.html" in html
    with pytest.raises(ValueError):
        render(docs, ["a.txt"])


def test_cli_writes_one_html_report_for_several_inputs(tiny_model_dir, tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Storm Hits Coast\n\nThe storm hit on Monday.", encoding="utf-8")
    (tmp_path / "b.html").write_bytes((ROOT / "tests" / "fixtures" / "news_page.html").read_bytes())
    out = tmp_path / "report.html"
    args = ["analyze", str(tmp_path / "a.txt"), str(tmp_path / "b.html"), str(tmp_path / "missing.txt"),
            "--format", "html", "--output", str(out), "--model", str(tiny_model_dir)]
    for _ in range(2):  # written whole each time, never resumed or appended to
        assert main(args) == 1
        html = out.read_text(encoding="utf-8")
        assert html.count("<!DOCTYPE html>") == 1 and html.count('<section class="doc"') == 3
    assert "Harbour Reopens After Storm Repairs" in html and "The storm hit on Monday." in html
    assert "Not analysed:" in html and "missing.txt" in capsys.readouterr().err


# -- in a real browser ----------------------------------------------------------------------------


def _chromium(tmp_path: Path):
    """Headless Debian chromium driven by chromium-driver (installed by .ci/run)."""
    binary, driver = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver")
    if not (Path(binary).exists() and driver):
        pytest.fail("the browser test needs Debian's chromium and chromium-driver: "
                    "apt-get install -y chromium chromium-driver (as .ci/run does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def check_in_browser(doc: Document, tmp_path: Path) -> Path:
    """Open the report of `doc` and drive it; returns the screenshot's path."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = tmp_path / "report.html"
    page.write_text(doc.to_html(), encoding="utf-8")
    browser = _chromium(tmp_path)
    try:
        browser.get(page.as_uri())
        claims = browser.find_elements(By.CSS_SELECTOR, "section .claim")
        assert len(claims) == len(doc.claims)
        for el, claim in zip(claims, doc.claims):
            assert el.get_attribute("data-label") == (claim.label or "meta")
            assert el.find_element(By.CSS_SELECTOR, ".ct").text == claim.text
            assert el.find_element(By.CSS_SELECTOR, ".badge").is_displayed()
            assert not el.find_element(By.CSS_SELECTOR, ".tip").is_displayed()
        listed = browser.find_element(By.CSS_SELECTOR, "table.sources").text
        assert all(s["name"] in listed for s in doc.sources())

        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)  # the keyboard reaches the first claim
        first = browser.switch_to.active_element
        assert first.get_attribute("id") == "d1-c0"
        tip = first.find_element(By.CSS_SELECTOR, ".tip")
        assert tip.is_displayed() and doc.claims[0].label in tip.text and "confidence" in tip.text
        assert all(name in tip.text for name in ("fact", "attribution", "opinion"))  # the three probabilities

        i, attributed = next((i, c) for i, c in enumerate(doc.claims) if c.sources and c.cue)
        target = browser.find_element(By.ID, f"d1-c{i}")
        ActionChains(browser).move_to_element(target).perform()  # hover
        tip = target.find_element(By.CSS_SELECTOR, ".tip")
        assert tip.is_displayed() and f"cue: {attributed.cue.text}" in tip.text
        assert all(f"{s.resolved} ({s.type})" in tip.text for s in attributed.sources)

        source = max(doc.sources(), key=lambda s: len(s["claims"]))
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tr.source") if source["name"] in r.text)
        button = row.find_element(By.TAG_NAME, "button")
        button.click()
        picked = {el.get_attribute("id") for el in browser.find_elements(By.CSS_SELECTOR, ".claim.picked")}
        assert picked == {f"d1-c{k}" for k in source["claims"]} and button.get_attribute("aria-pressed") == "true"
        button.click()  # pressed again: highlighting off
        assert not browser.find_elements(By.CSS_SELECTOR, ".claim.picked")

        shot = tmp_path / "report.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
        return shot
    finally:
        browser.quit()


def test_the_seed_report_works_in_headless_chromium(seed_doc, tmp_path):
    check_in_browser(seed_doc, tmp_path)


@pytest.mark.slow
def test_the_seed_report_of_the_bundled_model_works_in_headless_chromium(seed_text, tmp_path):
    from stanceclf.classifier import ClaimClassifier

    doc = ClaimClassifier.from_pretrained().analyze(seed_text)
    assert {"Belta", "Natalia Ismont"} <= {s["name"] for s in doc.sources()}
    check_in_browser(doc, tmp_path)
