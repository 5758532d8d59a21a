"""Layer 40: config files (formats, env expansion, errors with file:line, warnings)."""

import json
import re

import pytest

from conftest import line_of, run_mockd, stderr_lines, write_config


def run_config(path, *extra, env=None, mode="engine"):
    """Run mockd on a config that must be rejected; it must exit on its own."""
    if mode == "engine":
        args = ["engine", "--config", str(path), "--port", "0", "--print-url", *extra]
    else:
        args = ["start", "--config", str(path), "-p", "0", "-a", "0", *extra]
    return run_mockd(args, timeout=10, env=env)


def assert_one_error_line(r, expected=None, regex=None):
    assert r.returncode != 0, f"mockd accepted a bad config; stderr={r.stderr!r}"
    assert r.stdout == "", f"printed a URL for a bad config: {r.stdout!r}"
    lines = stderr_lines(r.stderr)
    assert len(lines) == 1, f"expected one stderr line, got: {r.stderr!r}"
    if expected is not None:
        assert lines[0] == expected
    if regex is not None:
        assert re.fullmatch(regex, lines[0]), lines[0]
    return lines[0]


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("name", ["mocks.yaml", "mocks.yml"])
def test_yaml_extensions(servers, tmp_path, name):
    cfg = write_config(tmp_path, """
        version: "1.0"
        mocks:
          - id: y
            name: YAML mock
            type: http
            http:
              matcher:
                method: GET
                path: /y
              response:
                statusCode: 202
                headers:
                  X-Format: yaml
                body: "from yaml"
    """, name)
    s = servers.engine(cfg)
    r = s.get("/y")
    assert (r.status_code, r.text, r.headers["X-Format"]) == (202, "from yaml", "yaml")


def test_json_config(servers, tmp_path):
    cfg = write_config(tmp_path, {
        "version": "1.0",
        "mocks": [{"id": "j", "type": "http", "http": {
            "priority": 3,
            "matcher": {"method": "PUT", "path": "/j", "queryParams": {"a": "b"}},
            "response": {"statusCode": 201, "body": {"ok": True}},
        }}],
    }, "mocks.json")
    s = servers.engine(cfg)
    r = s.request("PUT", "/j?a=b")
    assert (r.status_code, r.json()) == (201, {"ok": True})


def test_extra_top_level_sections_accepted(servers, tmp_path):
    cfg = write_config(tmp_path, """
        version: "1.0"
        tables:
          - name: users
        extend:
          - { mock: list, table: users, action: list }
        imports: []
        customOperations: []
        mocks:
          - id: t
            type: http
            http:
              matcher: { path: /t }
              response: { body: "t" }
          - id: list
            type: http
            http:
              matcher: { method: GET, path: /users }
    """)
    s = servers.engine(cfg)
    assert s.get("/t").text == "t"
    assert s.get("/users").json() == {
        "data": [], "meta": {"total": 0, "limit": 100, "offset": 0, "count": 0, "has_more": False}}
    assert "unknown field" not in s.stderr()


@pytest.mark.parametrize("extend, field, message", [
    ("{ from: base }", "extend[0].mock", "is required"),
    ("{ mock: nope, table: users, action: list }", "extend[0].mock", 'no mock with id, operationId or method and path "nope"'),
    ("{ mock: t, table: nope, action: list }", "extend[0].table", 'no table named "nope"'),
    ("{ mock: t, table: users, action: explode }", "extend[0].action", "must be list, get"),
])
def test_bad_extend_is_one_clear_error(tmp_path, extend, field, message):
    cfg = write_config(tmp_path, f"""
        tables:
          - name: users
        mocks:
          - id: t
            type: http
            http:
              matcher: {{ path: /t }}
        extend:
          - {extend}
    """, "c.yaml")
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert err.startswith(f"mockd: {cfg}:"), err
    assert f"{field}: {message}" in err, err


def test_legacy_bare_form(servers, tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: bare
            matcher:
              method: GET
              path: /bare
            response:
              statusCode: 201
              body: bare
    """)
    s = servers.engine(cfg)
    r = s.get("/bare")
    assert (r.status_code, r.text) == (201, "bare")


def test_env_expansion(servers, tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: env
            type: http
            http:
              matcher: { method: GET, path: /$MOCKD_T_PATH }
              response:
                statusCode: ${MOCKD_T_STATUS}
                headers:
                  X-Default: "${MOCKD_T_UNSET:-fallback value}"
                  X-Set: "${MOCKD_T_SET:-not used}"
                body: "${MOCKD_T_BODY}"
    """)
    s = servers.engine(cfg, env={
        "MOCKD_T_PATH": "from-env", "MOCKD_T_STATUS": "203", "MOCKD_T_SET": "was set",
        "MOCKD_T_BODY": "hello env",
    })
    r = s.get("/from-env")
    assert r.status_code == 203
    assert r.text == "hello env"
    assert r.headers["X-Default"] == "fallback value"
    assert r.headers["X-Set"] == "was set"


def test_env_expansion_in_json(servers, tmp_path):
    cfg = write_config(tmp_path, """
        {"mocks": [{"id": "e", "type": "http", "http": {
          "matcher": {"path": "/${MOCKD_T_JSON:-dflt}"},
          "response": {"body": "$MOCKD_T_JSON2"}}}]}
    """, "c.json")
    s = servers.engine(cfg, env={"MOCKD_T_JSON2": "json-env"})
    assert s.get("/dflt").text == "json-env"


def test_delay_at_maximum_is_accepted(servers, tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: longest
            type: http
            http:
              matcher: { path: /never }
              response: { delayMs: 86400000 }
          - id: ok
            type: http
            http:
              matcher: { path: /ok }
              response: { body: ok }
    """)
    s = servers.engine(cfg)
    assert s.get("/ok").text == "ok"


def test_unknown_field_warns_and_starts(servers, tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: u
            type: http
            colour: blue
            http:
              matcher: { path: /u, methd: GET }
              response: { body: u }
    """)
    s = servers.engine(cfg)
    assert s.get("/u").text == "u"
    err = s.wait_stderr(r"unknown field").string
    assert "colour" in err and "methd" in err, err


def test_unquoted_flow_mapping_quirk(servers, tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: user
            type: http
            http:
              matcher: { method: GET, path: /api/users/{id} }
              response: { statusCode: 200, body: "user" }
    """)
    line = line_of(cfg, "matcher:")
    s = servers.engine(cfg)
    r = s.get("/api/users/7")
    assert (r.status_code, r.text) == (200, "user")
    assert s.get("/api/users/7/x").status_code == 404
    s.wait_stderr(re.escape(f"{cfg}:{line}"))
    err = s.stderr()
    assert "quot" in err.lower(), err
    assert '"/api/users/{id}"' in err or "'/api/users/{id}'" in err, err


# --------------------------------------------------------------------------- errors


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    r = run_config(path)
    assert_one_error_line(r, expected=f"mockd: {path}: config file not found")


def test_missing_file_start_mode(tmp_path):
    path = tmp_path / "nope.yaml"
    r = run_config(path, mode="start")
    assert_one_error_line(r, expected=f"mockd: {path}: config file not found")


def test_path_must_start_with_slash(tmp_path):
    cfg = write_config(tmp_path, """
        version: "1.0"
        mocks:
          - id: bad
            type: http
            http:
              matcher:
                path: api/users
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, "path: api/users")
    r = run_config(cfg)
    assert_one_error_line(r, expected=f'mockd: {cfg}:{line}: mocks[0].http.matcher.path: must start with "/"')


def test_path_error_reports_the_right_mock_index(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: ok1
            type: http
            http:
              matcher: { path: /ok1 }
              response: { statusCode: 200 }
          - id: ok2
            matcher: { path: /ok2 }
            response: { statusCode: 200 }
          - id: bad
            type: http
            http:
              matcher: { path: "nope" }
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, 'path: "nope"')
    r = run_config(cfg)
    assert_one_error_line(r, expected=f'mockd: {cfg}:{line}: mocks[2].http.matcher.path: must start with "/"')


def test_path_error_in_json(tmp_path):
    cfg = write_config(tmp_path, """
        {
          "mocks": [
            {
              "id": "j",
              "type": "http",
              "http": {
                "matcher": {"path": "relative"},
                "response": {"statusCode": 200}
              }
            }
          ]
        }
    """, "c.json")
    line = line_of(cfg, '"relative"')
    r = run_config(cfg)
    assert_one_error_line(r, expected=f'mockd: {cfg}:{line}: mocks[0].http.matcher.path: must start with "/"')


def test_status_code_wrong_type(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: s
            type: http
            http:
              matcher: { path: /s }
              response:
                statusCode: "abc"
    """, "c.yaml")
    line = line_of(cfg, "statusCode")
    r = run_config(cfg)
    assert_one_error_line(
        r, expected=f"mockd: {cfg}:{line}: mocks[0].http.response.statusCode: must be an integer, not a string")


def test_status_code_wrong_type_json(tmp_path):
    cfg = write_config(tmp_path, """
        {"mocks": [
          {"id": "s", "type": "http", "http": {
            "matcher": {"path": "/s"},
            "response": {
              "statusCode": "abc"
            }}}
        ]}
    """, "c.json")
    line = line_of(cfg, "statusCode")
    r = run_config(cfg)
    assert_one_error_line(
        r, expected=f"mockd: {cfg}:{line}: mocks[0].http.response.statusCode: must be an integer, not a string")


def test_invalid_yaml(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: a
            type: http
            http:
              matcher: { path: /a
              response: { statusCode: 200 }
    """, "c.yaml")
    r = run_config(cfg)
    line = assert_one_error_line(r, regex=re.escape(f"mockd: {cfg}:") + r"(\d+): invalid YAML: .+")
    number = int(re.match(re.escape(f"mockd: {cfg}:") + r"(\d+)", line).group(1))
    assert 5 <= number <= 7, line


def test_invalid_yaml_bad_indentation(tmp_path):
    cfg = write_config(tmp_path, "mocks:\n  - id: a\n    type: http\n   bad: indent\n", "c.yml")
    r = run_config(cfg)
    line = assert_one_error_line(r, regex=re.escape(f"mockd: {cfg}:") + r"(\d+): invalid YAML: .+")
    assert f"{cfg}:4:" in line, line


def test_invalid_json(tmp_path):
    cfg = write_config(tmp_path, '{\n  "mocks": [\n    {"id": "a",}\n  ]\n}\n', "c.json")
    r = run_config(cfg)
    assert_one_error_line(r, regex=re.escape(f"mockd: {cfg}:3: invalid JSON: ") + ".+")


def test_duplicate_ids(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: same
            type: http
            http:
              matcher: { path: /one }
              response: { statusCode: 200 }
          - id: same
            type: http
            http:
              matcher: { path: /two }
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, "id: same", nth=2)
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert err.startswith(f"mockd: {cfg}:{line}: mocks[1].id: "), err
    assert "same" in err and "duplicate" in err.lower(), err


def test_matcher_without_criteria(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: empty
            type: http
            http:
              matcher: {}
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, "matcher:")
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert err.startswith(f"mockd: {cfg}:{line}: mocks[0].http.matcher"), err
    assert ": at least one matching criterion must be specified" in err, err


def test_delay_over_maximum(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: slow
            type: http
            http:
              matcher: { path: /slow }
              response:
                statusCode: 200
                delayMs: 86400001
    """, "c.yaml")
    line = line_of(cfg, "delayMs")
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert err.startswith(f"mockd: {cfg}:{line}: mocks[0].http.response.delayMs: "), err


@pytest.mark.parametrize("body_file", ["../secret.txt", "sub/../../secret.txt", "ABSOLUTE"])
def test_body_file_outside_config_dir(tmp_path, body_file):
    (tmp_path / "secret.txt").write_text("top secret")
    cfgdir = tmp_path / "conf"
    (cfgdir / "sub").mkdir(parents=True)
    if body_file == "ABSOLUTE":
        body_file = str(tmp_path / "secret.txt")
    cfg = write_config(cfgdir, f"""
        mocks:
          - id: leak
            type: http
            http:
              matcher: {{ path: /leak }}
              response:
                statusCode: 200
                bodyFile: "{body_file}"
    """, "c.yaml")
    line = line_of(cfg, "bodyFile")
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert err.startswith(f"mockd: {cfg}:{line}: mocks[0].http.response.bodyFile: "), err


def test_body_file_linking_outside_config_dir(tmp_path):
    (tmp_path / "secret.txt").write_text("top secret")
    cfgdir = tmp_path / "conf"
    cfgdir.mkdir()
    (cfgdir / "innocent.txt").symlink_to(tmp_path / "secret.txt")
    cfg = write_config(cfgdir, """
        mocks:
          - id: leak
            type: http
            http:
              matcher: { path: /leak }
              response: { statusCode: 200, bodyFile: innocent.txt }
    """, "c.yaml")
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert "mocks[0].http.response.bodyFile: " in err and "outside" in err, err


def test_invalid_path_pattern(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: re
            type: http
            http:
              matcher:
                pathPattern: "^/api/(users"
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, "pathPattern")
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert err.startswith(f"mockd: {cfg}:{line}: mocks[0].http.matcher.pathPattern: "), err
    assert "invalid regular expression" in err, err


def test_invalid_body_pattern(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: re
            type: http
            http:
              matcher:
                path: /x
                bodyPattern: "[a-"
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, "bodyPattern")
    r = run_config(cfg)
    err = assert_one_error_line(r)
    assert err.startswith(f"mockd: {cfg}:{line}: mocks[0].http.matcher.bodyPattern: "), err
    assert "invalid regular expression" in err, err


def test_config_error_in_start_mode(tmp_path):
    cfg = write_config(tmp_path, """
        mocks:
          - id: bad
            type: http
            http:
              matcher: { path: bad }
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, "path: bad")
    r = run_config(cfg, mode="start")
    assert_one_error_line(r, expected=f'mockd: {cfg}:{line}: mocks[0].http.matcher.path: must start with "/"')


def test_env_expansion_error_reports_expanded_value(tmp_path):
    # ${VAR:-default} is expanded before parsing, so the default is what gets validated
    cfg = write_config(tmp_path, """
        mocks:
          - id: e
            type: http
            http:
              matcher: { path: "${MOCKD_T_NOPE:-no-slash}" }
              response: { statusCode: 200 }
    """, "c.yaml")
    line = line_of(cfg, "MOCKD_T_NOPE")
    r = run_config(cfg)
    assert_one_error_line(r, expected=f'mockd: {cfg}:{line}: mocks[0].http.matcher.path: must start with "/"')
