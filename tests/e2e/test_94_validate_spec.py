"""OpenAPI request validation on the mock port: `--validate-spec FILE`, `--validate-fail`,
`--validate-response` and the config file's `serverConfig.validation`. Unlike mockd, the spec
alone has a visible effect (violations are logged and marked on the answer), `permissive`
refuses a missing required value, the config file's section is applied, and mockd's own health
endpoints stay reachable."""

import json
from pathlib import Path

from conftest import run_mockd, write_config

SPEC = """
openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /pets:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: X-Team, in: header, required: true, schema: {type: string, enum: [blue, red]}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "201": {description: created}
  /pets/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string, minLength: 1}
        tag: {type: string, nullable: true}
"""

MOCKS = """
version: "1.0"
mocks:
  - id: list
    type: http
    http:
      matcher: {method: GET, path: /pets}
      response: {statusCode: 200, headers: {Content-Type: application/json}, body: '[{"id": 1, "name": "rex"}]'}
  - id: create
    type: http
    http:
      matcher: {method: POST, path: /pets}
      response: {statusCode: 201, body: ''}
  - id: one
    type: http
    http:
      matcher: {method: GET, path: "/pets/{id}"}
      response: {statusCode: 200, headers: {Content-Type: application/json}, body: '{"name": 7}'}
"""


def files(tmp_path, mocks=MOCKS, spec=SPEC):
    spec_file = write_config(tmp_path / "spec", spec, "pets.yaml")
    config = write_config(tmp_path / "cfg", mocks)
    return spec_file, config


def test_validate_fail_refuses_with_every_violation(servers, tmp_path):
    spec, config = files(tmp_path)
    s = servers.start("--validate-spec", spec, "--validate-fail", config=config)
    ok = s.get("/pets?limit=5", headers={"x-team": "blue"})
    assert ok.status_code == 200 and ok.json() == [{"id": 1, "name": "rex"}]
    bad = s.get("/pets?limit=0", headers={"X-Team": "green"})
    assert bad.status_code == 400, bad.text
    assert bad.headers["Content-Type"] == "application/problem+json"
    body = bad.json()
    assert body["type"] == "validation_error" and body["title"] == "Request Validation Failed"
    assert body["detail"] == "2 validation errors"
    assert [(e["location"], e["field"], e["code"]) for e in body["errors"]] == [
        ("query", "limit", "schema"), ("header", "X-Team", "schema")]
    assert body["errors"][0]["received"] == 0
    # A body: the readOnly id may not be sent, the name must; a path value must be an integer.
    created = s.post("/pets", json={"name": "rex"})
    assert created.status_code == 201, created.text
    wrong = s.post("/pets", json={"id": 3, "name": ""}).json()
    assert sorted(e["field"] for e in wrong["errors"]) == ["$.id", "$.name"]
    assert s.post("/pets", data="{", headers={"Content-Type": "application/json"}).json()[
        "errors"][0]["code"] == "invalid_json"
    assert s.post("/pets").json()["errors"][0]["code"] == "required"
    assert s.get("/pets/abc").json()["errors"][0]["field"] == "id"
    # The server's base path is optional (the request passes; no mock has that path); a path
    # the spec does not have is refused.
    assert s.get("/v1/pets/7").json()["error"] == "no_match"
    unknown = s.get("/cats")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["code"] == "no_route"
    # mockd's own endpoints are not the API's.
    assert s.get("/__mockd/health").status_code == 200
    # The refused request is in the request log, with its answer.
    log = s.session.get(s.admin_base + "/requests", params={"limit": 50}, timeout=10).json()
    statuses = {(r["method"], r["path"], r["responseStatus"]) for r in log["requests"]
                if "responseStatus" in r}
    assert ("GET", "/cats", 400) in statuses, log["requests"][:3]


def test_the_spec_alone_marks_and_logs(servers, tmp_path):
    spec, config = files(tmp_path)
    s = servers.start("--validate-spec", spec, config=config)
    r = s.get("/pets?limit=500")
    assert r.status_code == 200  # answered by the mock
    assert r.headers["X-Mockd-Validation-Warnings"] == "true"
    assert r.headers["X-Mockd-Validation-Errors"] == "2"
    s.wait_stderr(r"request breaks the OpenAPI spec \(answered\).*limit")
    clean = s.get("/pets?limit=5", headers={"X-Team": "red"})
    assert "X-Mockd-Validation-Warnings" not in clean.headers


def test_responses_are_checked_and_marked(servers, tmp_path):
    spec, config = files(tmp_path)
    s = servers.start("--validate-spec", spec, "--validate-response", config=config)
    good = s.get("/pets", headers={"X-Team": "red"})
    assert "X-Mockd-Response-Validation-Errors" not in good.headers
    bad = s.get("/pets/7")  # the mock answers {"name": 7}: no id, a number for a string
    assert bad.status_code == 200 and bad.json() == {"name": 7}  # never changed
    assert bad.headers["X-Mockd-Response-Validation-Errors"] == "2"
    s.wait_stderr(r"response breaks the OpenAPI spec")


def test_server_config_validation_section(servers, tmp_path):
    spec, _ = files(tmp_path)
    spec = Path(spec)
    mocks = MOCKS.replace('version: "1.0"\n', f"""version: "1.0"
serverConfig:
  validation:
    specFile: {spec.name}
    failOnError: true
    mode: permissive
""")
    (spec.parent / "mocks.yaml").write_text(mocks)
    s = servers.start(config=spec.parent / "mocks.yaml")
    # permissive: a missing required value is refused, a wrong one is answered and marked.
    missing = s.get("/pets?limit=5")
    assert missing.status_code == 400 and missing.json()["errors"][0]["code"] == "required"
    wrong = s.get("/pets?limit=0", headers={"X-Team": "red"})
    assert wrong.status_code == 200 and wrong.headers["X-Mockd-Validation-Errors"] == "1"


def test_a_broken_setting_stops_start_up(tmp_path):
    spec, config = files(tmp_path)
    not_openapi = write_config(tmp_path / "bad", "just: text\n", "x.yaml")
    r = run_mockd(["engine", "--config", str(config), "--port", "0",
                   "--validate-spec", str(not_openapi)])
    assert r.returncode == 2
    assert f"--validate-spec {not_openapi}: not an OpenAPI spec" in r.stderr
    r = run_mockd(["engine", "--config", str(config), "--port", "0",
                   "--validate-spec", str(tmp_path / "missing.yaml")])
    assert r.returncode == 2 and "--validate-spec: cannot read" in r.stderr
    r = run_mockd(["engine", "--config", str(config), "--port", "0", "--validate-fail"])
    assert r.returncode == 2 and "--validate-fail needs a spec: --validate-spec FILE" in r.stderr
    cfg = write_config(tmp_path / "cfg2", json.dumps(
        {"version": "1.0", "mocks": [], "serverConfig": {"validation": {"specFile": "x.yaml",
                                                                         "strict": True}}}),
        "mocks.json")
    r = run_mockd(["engine", "--config", str(cfg), "--port", "0"])
    assert r.returncode == 2 and "serverConfig.validation.strict: unknown field" in r.stderr
