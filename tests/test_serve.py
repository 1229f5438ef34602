"""`tadlog serve`: the JSON API on a real server on loopback, every response checked against
the published schemas; bad input gets a structured 4xx, never a traceback or a 500."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from schema_support import validate
from serve_support import client, server, start_server, stop_server  # noqa: F401  (fixtures)


def test_ask_returns_the_library_answer(client, kb):
    r = client.post("/v1/ask", json={"question": "why not infrazygomatic?"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    validate(r.json(), "answer")
    assert r.json() == json.loads(json.dumps(kb.ask("why not infrazygomatic?").to_json()))


def test_structured_patient_inputs_are_the_questions_own(client, kb):
    """{age: 15, factors: ["smoker"]} answers as "... for a 15 year old smoker" does."""
    r = client.post("/v1/ask", json={"question": "why not infrazygomatic?",
                                     "patient": {"age": 15, "factors": ["smoker"]}})
    validate(r.json(), "answer")
    worded = kb.ask("why not infrazygomatic for a 15 year old smoker?").to_json()
    assert r.json()["patient"] == worded["patient"] == {"age": 15, "bmi": None, "factors": ["smoking"],
                                                       "derived": ["adolescence"]}
    assert r.json()["verdict"] == worded["verdict"]


def test_full_explains_one_level_further(client):
    short = client.post("/v1/ask", json={"question": "why not infrazygomatic for an adult?"}).json()
    full = client.post("/v1/ask", json={"question": "why not infrazygomatic for an adult?", "full": True}).json()
    validate(full, "answer")
    explained = lambda d: sum(len(b["explained"]) for a in d["why_not"] for b in a["blocked_by"])  # noqa: E731
    assert explained(full) >= explained(short)


@pytest.mark.parametrize("body,status,code", [
    ({"question": "why not qqxxv?"}, 422, "Q002"),
    ({"question": "why not"}, 422, "Q001"),
    ({"question": 42}, 422, "S422"),
    ({"question": "why midpalate?", "colour": "red"}, 422, "S422"),
    ({"question": "why midpalate?", "patient": {"age": -3}}, 422, "S422"),
    ({"question": "why midpalate?", "patient": {"factors": ["blue eyes"]}}, 422, "Q020"),
    ({"question": "x" * 1001}, 422, "S422"),
    ({}, 422, "S422"),
])
def test_bad_requests_get_structured_errors(client, body, status, code):
    r = client.post("/v1/ask", json=body)
    assert r.status_code == status, r.text
    validate(r.json(), "service", "/$defs/error")
    assert r.json()["code"] == code and "Traceback" not in r.text


def test_an_unknown_name_says_where(client):
    e = client.post("/v1/ask", json={"question": "why not qqxxv?"}).json()
    assert e["position"]["line"] == 1 and e["position"]["column"] == 9
    assert e["diagnostics"][0]["column"] == 9


@pytest.mark.parametrize("content,headers,status", [
    (b"{", {"content-type": "application/json"}, 400),
    (b"\xff\xfe", {"content-type": "application/json"}, 400),
    (b'{"question": "why midpalate?"}', {"content-type": "text/plain"}, 415),
    (b'{"question": "' + b"a" * 70000 + b'"}', {"content-type": "application/json"}, 413),
])
def test_malformed_bodies(client, content, headers, status):
    r = client.post("/v1/ask", content=content, headers=headers)
    assert r.status_code == status
    validate(r.json(), "service", "/$defs/error")


def test_a_body_sent_in_chunks_is_read_whole_and_still_size_limited(client):
    """Without a Content-Length (chunked), the body is read message by message, joined, and refused
    as soon as it passes the limit."""
    def chunks(*parts):
        yield from parts

    r = client.post("/v1/ask", content=chunks(b'{"question": ', b'"why midpalate', b'?"}'),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["schema"].startswith("tadlog.answer/")
    r = client.post("/v1/ask", content=chunks(b'{"question": "', *[b"a" * 8192] * 10, b'"}'),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    validate(r.json(), "service", "/$defs/error")


def test_a_body_with_a_patient_is_checked_by_the_schema(client):
    """The quick check leaves a patient to the validator: a bad one is still a 422 with its pointer."""
    r = client.post("/v1/ask", json={"question": "why midpalate?", "patient": {"age": "old"}})
    assert r.status_code == 422 and r.json()["pointer"].startswith("/patient")
    validate(r.json(), "service", "/$defs/error")


def test_unknown_routes_and_methods(client):
    for method, path, status in (("GET", "/v2/nothing", 404), ("GET", "/v1/ask", 405),
                                 ("GET", "/v1/statements/hb_no_such", 404), ("DELETE", "/v1/terms", 405)):
        r = client.request(method, path)
        assert r.status_code == status
        validate(r.json(), "service", "/$defs/error")


def test_terms_list_names_and_aliases(client, kb):
    data = client.get("/v1/terms").json()
    validate(data, "service", "/$defs/terms")
    assert len(data["terms"]) == len(kb.model.terms)
    izc = next(t for t in data["terms"] if t["name"] == "infrazygomatic_crest")
    assert "IZC" in izc["aliases"] and "smoker" in data["factors"]


def test_statement_with_its_source_passage(client, seeds):
    data = client.get("/v1/statements/hb_izc_success_78").json()
    validate(data, "service", "/$defs/statement")
    assert data["citation"]["quote"].startswith("Conversely, success rates")
    passage = data["passage"]
    assert passage["found"] and passage["quote_lines"] == data["citation"]["lines"]
    marked = " ".join(l["text"][a:b] for l in passage["lines"] for a, b in l["marks"])
    assert "at 78%" in marked and "Caucasian patients" in marked
    numbers = [l["number"] for l in passage["lines"]]
    assert numbers == list(range(numbers[0], numbers[-1] + 1)) and numbers[0] < 428 < numbers[-1]


def test_graph_is_node_link_json(client):
    data = client.get("/v1/graph", params={"question": "why midpalate?"}).json()
    validate(data, "service", "/$defs/graph")
    assert any("hb_" in str(n["id"]) for n in data["nodes"]) and data["links"]
    bad = client.get("/v1/graph")
    assert bad.status_code == 422 and bad.json()["pointer"] == "/question"


def test_health_and_openapi(client):
    validate(client.get("/healthz").json(), "service", "/$defs/health")
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1") and {"/v1/ask", "/cds-services/{id}"} <= set(doc["paths"])
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(doc["components"]["schemas"]["Answer"])


def test_serve_reads_the_knowledge_base_every_command_reads(tmp_path):
    """Run in a checkout whose kb/ was edited, tadlog serve answers from the edit (as tadlog ask
    does) and names what it serves: under --verbose and in /healthz."""
    import httpx
    from test_cli_conventions import IZC, IZC_QUOTE, _checkout_copy

    from tadlog.language.identity import identify

    root = _checkout_copy(tmp_path, IZC)
    text = (root / "kb" / IZC_QUOTE[0]).read_text(encoding="utf-8")
    (root / "kb" / IZC_QUOTE[0]).write_text(text.replace(IZC_QUOTE[1], IZC_QUOTE[2]), encoding="utf-8")
    process, base = start_server("-v", cwd=root / "kb", env_extra={"TADLOG_NO_CACHE": "1"})
    try:
        health = httpx.get(base + "/healthz", timeout=30).json()
        answer = httpx.post(base + "/v1/ask", json={"question": "why not infrazygomatic?"}, timeout=30).json()
    finally:
        err = stop_server(process)
    validate(health, "service", "/$defs/health")
    kb_dir = (root / "kb").resolve()
    assert health["kb"] == {"path": str(kb_dir), "files": identify(kb_dir).files, "sha256": identify(kb_dir).sha256}
    assert "95%" in json.dumps(answer) and "success rate of 78%" not in json.dumps(answer)
    assert f"knowledge base: {kb_dir} (the checkout's kb/" in err and "Traceback" not in err


def test_a_quick_request_seen_before_runs_in_the_event_loop(kb, monkeypatch):
    """The thread hand-off is skipped only for a request already answered within INLINE_SECONDS,
    and only while no other request is in the pool; anything else runs on a library thread."""
    import asyncio
    import threading

    from tadlog.serve import library as module

    lib = module.Library(kb, threads=2)

    def where() -> str:
        return threading.current_thread().name

    async def scenario():
        loop_thread = where()
        first = await lib.run(where, key="quick")
        second = await lib.run(where, key="quick")  # answered quickly before: in the loop
        unkeyed = await lib.run(where)  # no key, no memory: the pool
        gate = threading.Event()
        blocked = asyncio.ensure_future(lib.run(gate.wait, 30))
        await asyncio.sleep(0)  # the blocked request is in the pool now
        beside = await lib.run(where, key="quick")  # another request waits in the pool: keep turns fair
        gate.set()
        await blocked
        monkeypatch.setattr(module, "INLINE_SECONDS", -1.0)
        slow = await lib.run(where, key="quick")  # over the bound: the pool
        return loop_thread, first, second, unkeyed, beside, slow

    try:
        loop_thread, first, second, unkeyed, beside, slow = asyncio.run(scenario())
    finally:
        lib.close()
    assert second == loop_thread
    assert all(name.startswith("tadlog-ask") for name in (first, unkeyed, beside, slow))
    assert len(lib._took) == 1  # only keyed requests are remembered, bounded by KEPT_TIMINGS


def test_no_cors_unless_configured(client):
    r = client.options("/v1/ask", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers
    r = client.post("/v1/ask", json={"question": "help"}, headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_for_a_configured_origin_only():
    import httpx

    process, base = start_server("--cors-origin", "https://planner.example")
    try:
        ok = httpx.options(base + "/v1/ask", headers={"Origin": "https://planner.example",
                                                      "Access-Control-Request-Method": "POST"})
        assert ok.headers.get("access-control-allow-origin") == "https://planner.example"
        other = httpx.post(base + "/v1/ask", json={"question": "help"}, headers={"Origin": "https://x.example"})
        assert "access-control-allow-origin" not in other.headers
    finally:
        stop_server(process)


def test_concurrent_questions_get_the_answers_one_at_a_time_gets(client, kb):
    """pyDatalog state is per thread: answers under concurrency equal the sequential ones."""
    questions = ["why not infrazygomatic?", "why midpalate for molar distalisation?",
                 "sites for molar intrusion for an adolescent with a high MMPA?", "risks of mandibular buccal?",
                 "contraindications for a diabetic smoker", "direct or indirect anchorage for a 12 year old?"] * 6
    expected = {q: json.loads(json.dumps(kb.ask(q).to_json())) for q in set(questions)}
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda q: (q, client.post("/v1/ask", json={"question": q})), questions))
    assert all(r.status_code == 200 for _, r in results)
    assert all(r.json() == expected[q] for q, r in results)


def test_a_question_over_the_time_limit_is_refused_quickly():
    import httpx

    process, base = start_server("--time-limit", "0.001")
    try:
        r = httpx.post(base + "/v1/ask", json={"question": "sites for molar intrusion for an adolescent?"}, timeout=30)
        assert r.status_code == 503 and r.json()["code"] in ("L100", "S503")
        validate(r.json(), "service", "/$defs/error")
    finally:
        stop_server(process)


def test_two_workers_serve_the_same_answers(kb):
    import httpx

    process, base = start_server("--workers", "2")
    try:
        answers = [httpx.post(base + "/v1/ask", json={"question": "why midpalate?"}, timeout=30).json()
                   for _ in range(4)]
        assert all(a == json.loads(json.dumps(kb.ask("why midpalate?").to_json())) for a in answers)
    finally:
        stop_server(process)
