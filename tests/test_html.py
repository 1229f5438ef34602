"""The explanation page as HTML: `tadlog ask --html` (the installed command's module, in a
subprocess), the notebook view, and GET / of a real server. The browser test drives the page;
these check what it is made of: everything inline, nothing fetched, user text escaped."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from conftest import run_cli
from serve_support import client, server  # noqa: F401  (fixtures)

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.labels_for, self.scripts = [], set(), set(), []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "label" and "for" in a:
            self.labels_for.add(a["for"])
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def parse(html: str) -> _Collect:
    c = _Collect()
    c.feed(html)
    return c


def test_standalone_page_embeds_every_cited_passage(kb):
    result = run_cli("ask", "--html", "why not infrazygomatic?")
    assert result.returncode == 0, result.stderr
    html = result.stdout
    assert html.startswith("<!doctype html>") and not EXTERNAL.search(html)
    page = parse(html)
    assert {"verdict", "passage", "tadlog-passages"} <= page.ids
    answer = kb.ask("why not infrazygomatic?")
    assert answer.verdict in html
    data = json.loads(re.search(r'<script type="application/json" id="tadlog-passages">(.*?)</script>', html,
                                re.S).group(1))
    assert set(data) == set(answer.citations)
    assert all(p["found"] and any(l["marks"] for l in p["lines"]) for p in data.values())
    quoted = {a["data-statement"] for t, a in page.tags if t == "button" and "quote" in a.get("class", "")}
    assert quoted and quoted <= set(data)


def test_html_with_file_is_a_usage_error():
    result = run_cli("ask", "--html", "--file", "-", stdin="why midpalate?\n")
    assert result.returncode == 2 and "U012" in result.stderr


def test_notebook_view_uses_the_same_renderer(kb):
    answer = kb.ask("compare midpalate and infrazygomatic crest")
    html = answer._repr_html_()
    assert html.startswith('<div class="tadlog">') and "<script" not in html
    assert answer.verdict.replace("'", "&#x27;") in html
    assert 'class="sides"' in html  # conflicts side by side
    assert html.count('class="badge ') >= len(answer.arguments_for) + len(answer.arguments_against) > 0


def test_page_of_the_service(client, kb):
    r = client.get("/", params={"q": "why not infrazygomatic?", "age": "15", "factor": "smoking"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    page = parse(r.text)
    assert "q" in page.labels_for  # the ask box has its label (the browser test checks every control)
    worded = kb.ask("why not infrazygomatic for a 15 year old smoker?")
    assert worded.verdict in r.text and not EXTERNAL.search(r.text)
    checked = [a["value"] for t, a in page.tags if t == "input" and a.get("name") == "factor" and "checked" in a]
    assert checked == ["smoking"]


def test_user_text_is_escaped_on_the_page(client):
    r = client.get("/", params={"q": "why not <script>alert(1)</script>?"})
    assert r.status_code == 422
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text
    assert 'id="error"' in r.text


def test_a_bad_age_is_said_on_the_page(client):
    r = client.get("/", params={"q": "why midpalate?", "age": "old"})
    assert r.status_code == 422 and "is not a number" in r.text
