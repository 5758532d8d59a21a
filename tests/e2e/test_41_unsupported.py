"""Layer 41: nothing is accepted in silence. Mock types, fields and config sections whose
behaviour is not built yet are a config error naming the field (start-up, `mockd validate` and
`POST /mocks` alike); WireMock extensions, transformers and custom matchers we do not have are one
warning line each, and the stub is answered as WireMock answers without the extension."""

import json

import pytest

from conftest import line_of, run_mockd, stderr_lines, write_config
from test_60_admin_helpers import mockd  # noqa: F401
from test_96_wiremock_mode import make_root, stub, wiremock

GOOD_HTTP = {"matcher": {"method": "GET", "path": "/x"}, "response": {"statusCode": 200}}

# (what the config holds, the field the error names, words the message must have)
MOCK_TYPES = ["graphql", "grpc", "mqtt", "soap", "oauth"]
HTTP_FIELDS = {}  # every field of an HTTP mock is built
TOP_LEVEL = {
    "workspaces": [{"name": "team"}],
    "websocketEndpoints": [{"path": "/ws"}],
}
SERVER_SECTIONS = ["graphql", "grpc", "oauth", "soap", "mqtt", "audit"]


def typed_mock(kind):
    return {"id": f"m-{kind}", "type": kind, kind: {"path": "/x"}}


def http_with(field):
    http = dict(GOOD_HTTP)
    http[field] = HTTP_FIELDS[field]
    return {"id": f"h-{field}", "type": "http", "http": http}


CASES = (
    [(f"type-{k}", {"mocks": [typed_mock(k)]}, "mocks[0].type", f'mock type "{k}"')
     for k in MOCK_TYPES]
    + [(f"http-{f}", {"mocks": [http_with(f)]}, f"mocks[0].http.{f}", "not supported yet")
       for f in HTTP_FIELDS]
    + [(f"top-{k}", {k: v, "mocks": [{"id": "ok", "type": "http", "http": GOOD_HTTP}]},
        k, "not supported yet")
       for k, v in TOP_LEVEL.items()]
    + [(f"server-{k}", {"serverConfig": {k: [{"port": 50051}]}}, f"serverConfig.{k}",
        "not supported yet") for k in SERVER_SECTIONS]
)


def write(tmp_path, doc):
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


@pytest.mark.parametrize("doc, field, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_engine_refuses_unsupported_config_naming_the_field(tmp_path, doc, field, words):
    cfg = write(tmp_path, doc)
    r = run_mockd(["engine", "--config", str(cfg), "--port", "0", "--print-url"], timeout=10)
    assert r.returncode != 0, f"started on an unsupported config: {r.stderr!r}"
    assert r.stdout == ""
    lines = stderr_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    assert f": {field}: " in lines[0], lines[0]
    assert words in lines[0] and "not supported yet" in lines[0], lines[0]
    assert lines[0].startswith(f"mockd: {cfg}:"), lines[0]


@pytest.mark.parametrize("doc, field, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validate_fails_unsupported_config(tmp_path, doc, field, words):
    cfg = write(tmp_path, doc)
    r = run_mockd(["validate", str(cfg)], timeout=10)
    assert r.returncode == 1, r
    out = r.stdout + r.stderr
    fails = [x for x in out.splitlines() if x.startswith("FAIL ")]
    assert len(fails) == 1, out
    assert f"{field}: " in fails[0] and words in fails[0], fails[0]


def test_yaml_error_names_the_line(tmp_path):
    cfg = write_config(tmp_path, """
        version: "1.0"
        mocks:
          - id: chat
            type: graphql
            graphql:
              path: /graphql
    """)
    r = run_mockd(["engine", "--config", str(cfg), "--port", "0"], timeout=10)
    assert r.returncode != 0
    (line,) = stderr_lines(r.stderr)
    assert line.startswith(f"mockd: {cfg}:{line_of(cfg, 'type: graphql')}: mocks[0].type: "), line


@pytest.mark.parametrize("mock, field", (
    [(typed_mock(k), "type") for k in MOCK_TYPES]
    + [(http_with(f), f"http.{f}") for f in HTTP_FIELDS]
    + [({"id": "two", "type": "http", "http": GOOD_HTTP, "grpc": {"port": 1}}, "grpc")]
), ids=MOCK_TYPES + list(HTTP_FIELDS) + ["http-with-grpc-block"])
def test_admin_post_answers_400_naming_the_field(mockd, mock, field):  # noqa: F811
    a = mockd()
    r = a.post("/mocks", json=mock)
    assert r.status_code == 400, (r.status_code, r.text)
    text = r.text
    assert field in text and "not supported yet" in text, text
    assert a.mocks()["total"] == 0


def test_server_settings_read_from_flags_warn(servers, tmp_path):
    cfg = write(tmp_path, {"serverConfig": {"httpPort": 9999, "maxLogEntries": 5,
                                            "someThing": 1},
                           "mocks": [{"id": "ok", "type": "http", "http": GOOD_HTTP}]})
    s = servers.engine(cfg)
    assert s.get("/x").status_code == 200
    s.wait_stderr(r"serverConfig\.httpPort: .*ignored; set it with --port")
    s.wait_stderr(r"serverConfig\.maxLogEntries: .*set it with --max-log-entries")
    s.wait_stderr(r"serverConfig\.someThing: unknown field, ignored")


def test_wiremock_missing_extensions_warn_once_each_and_answer_as_the_jar(servers, tmp_path):
    transformed = stub("/t", "plain body")
    transformed["response"]["transformers"] = ["body-transformer", "response-template"]
    transformed["response"]["body"] = "path {{request.path}}"
    again = stub("/t2", "second")
    again["response"]["transformers"] = ["body-transformer"]
    custom = stub("/c", "never")
    custom["request"]["customMatcher"] = {"name": "is-admin", "parameters": {}}
    listener = stub("/l", "listened")
    listener["serveEventListeners"] = [{"name": "kafka-publisher", "parameters": {}}]
    root = make_root(tmp_path / "wm", mappings={"t.json": transformed, "t2.json": again,
                                                "c.json": custom, "l.json": listener})
    s = wiremock(servers, root, "--extensions", "com.acme.Tracer,com.acme.Auth",
                 "--container-threads", "4")
    # WireMock without the extensions: the unknown transformer is skipped (the template one
    # still runs), the unknown custom matcher never matches, the unknown listener is skipped.
    r = s.get("/t")
    assert (r.status_code, r.text) == (200, "path /t")
    assert s.get("/t2").text == "second"
    assert s.get("/c").status_code == 404
    assert s.get("/l").text == "listened"
    for pattern in (r'transformer \\?"body-transformer', r'custom matcher \\?"is-admin',
                    r'serve event listener \\?"kafka-publisher', r"com\.acme\.Tracer",
                    r"com\.acme\.Auth", r"container-threads"):
        s.wait_stderr(pattern)
    warned = [x for x in s.stderr().splitlines() if "body-transformer" in x]
    assert len(warned) == 1, s.stderr()  # named by two stubs, warned once
