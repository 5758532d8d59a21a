"""Per-mock request validation (`http.validation`): mockd's fields, modes, status and
problem+json body, without mockd's holes (an empty body still meets `required`, header names
ignore case, typed path/query/header values are coerced before they are checked)."""

from conftest import run_mockd, stderr_lines, write_config

CONFIG = """
version: "1.0"
mocks:
  - id: signup
    type: http
    http:
      matcher: { method: POST, path: /signups }
      validation:
        required: [email]
        fields:
          email: { type: string, format: email }
          age: { type: integer, min: 18 }
          tags: { type: array, maxItems: 2, items: { type: string, minLength: 2 } }
      response: { statusCode: 201, body: '{"ok": true}' }
  - id: order
    type: http
    http:
      matcher: { method: GET, path: "/orders/{id}" }
      validation:
        pathParams: { id: { type: integer, min: 1 } }
        queryParams: { limit: { type: integer, max: 50 } }
        headers: { X-Team: { required: true, enum: [blue, red] } }
        failStatus: 422
      response: { statusCode: 200, body: order }
  - id: schema
    type: http
    http:
      matcher: { method: PUT, path: /things }
      validation:
        schema:
          type: object
          required: [name]
          properties: { name: { type: string }, count: { type: integer, minimum: 0 } }
      response: { statusCode: 204 }
  - id: lenient
    type: http
    http:
      matcher: { method: POST, path: /lenient }
      validation: { mode: warn, required: [a] }
      response: { statusCode: 200, body: fine }
"""


def test_strict_rules_answer_problem_json(serve):
    s = serve(CONFIG)
    ok = s.post("/signups", json={"email": "a@b.co", "age": 30, "tags": ["xy"]})
    assert ok.status_code == 201, ok.text
    bad = s.post("/signups", json={"email": "nope", "age": 12, "tags": ["x", "yy", "zz"]})
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"
    body = bad.json()
    assert body["type"] == "validation_error" and body["title"] == "Request Validation Failed"
    got = {(e["field"], e["code"]) for e in body["errors"]}
    assert got == {("age", "min"), ("email", "format"), ("tags", "max_items"),
                   ("tags[0]", "min_length")}, body
    assert body["detail"] == "4 validation errors"
    # An empty body still misses the required email (mockd lets it through).
    empty = s.post("/signups", data="")
    assert empty.status_code == 400 and empty.json()["errors"][0]["code"] == "required"
    assert s.post("/signups", data="[1]").json()["errors"][0]["code"] == "invalid_json"


def test_params_are_coerced_and_headers_ignore_case(serve):
    s = serve(CONFIG)
    assert s.get("/orders/7?limit=10", headers={"x-team": "blue"}).text == "order"
    r = s.get("/orders/0?limit=99", headers={"X-TEAM": "green"})
    assert r.status_code == 422, r.text
    got = {(e["location"], e["field"], e["code"]) for e in r.json()["errors"]}
    assert got == {("path", "id", "min"), ("query", "limit", "max"), ("header", "X-Team", "enum")}
    r = s.get("/orders/abc")
    got = {(e["location"], e["code"]) for e in r.json()["errors"]}
    assert got == {("path", "type"), ("header", "required")}


def test_schema_and_warn_mode(serve):
    s = serve(CONFIG)
    assert s.request("PUT", "/things", json={"name": "x", "count": 2}).status_code == 204
    r = s.request("PUT", "/things", json={"count": -1})
    assert r.status_code == 400
    assert all(e["code"] == "schema" for e in r.json()["errors"])
    assert len(r.json()["errors"]) == 2, r.text  # name missing, count below 0
    lenient = s.post("/lenient", json={})
    assert lenient.status_code == 200 and lenient.text == "fine"


def test_bad_rules_are_one_clear_error(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: v
            type: http
            http:
              matcher: { path: /v }
              validation: { fields: { email: { type: string, format: postcode } } }
    """)
    r = run_mockd(["engine", "--config", str(cfg), "--port", "0"], timeout=10)
    assert r.returncode != 0
    (line,) = stderr_lines(r.stderr)
    assert "mocks[0].http.validation.fields.email.format" in line, line


def test_validation_survives_the_admin_api(servers):
    s = servers.start()
    mock = {"id": "adm", "type": "http", "http": {
        "matcher": {"method": "POST", "path": "/adm"},
        "validation": {"required": ["x"]}, "response": {"statusCode": 200, "body": "ok"}}}
    r = s.session.post(s.admin_base + "/mocks", json=mock, timeout=5)
    assert r.status_code in (200, 201), r.text
    got = s.session.get(s.admin_base + "/mocks/adm", timeout=5).json()
    assert got["http"]["validation"] == {"required": ["x"]}
    assert s.post("/adm", json={}).status_code == 400
    assert s.post("/adm", json={"x": 1}).text == "ok"
