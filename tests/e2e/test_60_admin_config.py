"""Admin API, part 4: config export and import.

(The brief names this file test_63_admin_config.py; files here must match test_60_admin_*.py.)
"""

import json

import pytest

from test_60_admin_helpers import hm, mockd  # noqa: F401


@pytest.fixture
def ab(mockd):
    """Config mocks 'a' and 'b'; an API mock 'api'."""
    a = mockd(mocks=[hm("/a", body="a1", mock_id="a", name="Alpha"), hm("/b", body="b1", mock_id="b")])
    a.create(hm("/api", body="from api", mock_id="api", status=202))
    return a


# --------------------------------------------------------------------------- export


def test_export_json(ab):
    r = ab.get("/config")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["version"] == "1.0"
    assert doc["kind"] == "MockCollection"
    assert isinstance(doc["name"], str) and doc["name"]
    by_id = {m["id"]: m for m in doc["mocks"]}
    assert set(by_id) == {"a", "b", "api"}
    assert by_id["a"]["name"] == "Alpha"
    assert by_id["a"]["http"]["matcher"]["path"] == "/a"
    assert by_id["api"]["http"]["response"]["statusCode"] == 202


def test_export_yaml(ab):
    r = ab.get("/config", headers={"Accept": "application/yaml"})
    assert r.status_code == 200
    assert "yaml" in r.headers["Content-Type"]
    text = r.text
    with pytest.raises(ValueError):
        json.loads(text)
    assert "kind: MockCollection" in text
    for mock_id in ("a", "b", "api"):
        assert f"id: {mock_id}\n" in text or f'id: "{mock_id}"' in text or f"id: '{mock_id}'" in text, text
    assert "/api" in text


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_export_then_import_restores_everything(ab, fmt):
    if fmt == "json":
        exported = ab.get("/config").content
        headers = {"Content-Type": "application/json"}
    else:
        exported = ab.get("/config", headers={"Accept": "application/yaml"}).content
        headers = {"Content-Type": "application/yaml"}
    before = {m["id"]: m["http"] for m in ab.mocks()["mocks"]}
    ab.ok("DELETE", "/mocks", 204)
    assert ab.hit("/a").status_code == 404
    data = ab.ok("POST", "/config", data=exported, headers=headers)
    assert data["imported"] == 3 and data["total"] == 3
    after = {m["id"]: m["http"] for m in ab.mocks()["mocks"]}
    assert after == before
    assert ab.hit("/a").text == "a1"
    assert ab.hit("/b").text == "b1"
    r = ab.hit("/api")
    assert r.status_code == 202 and r.text == "from api"


# --------------------------------------------------------------------------- import


def test_import_merges(ab):
    data = ab.ok("POST", "/config", json={"version": "1.0", "mocks": [
        hm("/a", body="a2", mock_id="a"),
        hm("/c", body="c1", mock_id="c"),
    ]})
    assert data["imported"] == 2
    assert data["replaced"] is False
    assert data["total"] == 4
    assert isinstance(data["message"], str) and data["message"]
    assert sorted(ab.mock_ids()) == ["a", "api", "b", "c"]
    assert ab.hit("/a").text == "a2"  # same id replaced
    assert ab.hit("/b").text == "b1"  # others kept
    assert ab.hit("/c").text == "c1"  # new one live
    assert ab.hit("/api").status_code == 202


def test_import_without_version_field(ab):
    data = ab.ok("POST", "/config", json={"mocks": [hm("/d", body="d1", mock_id="d")]})
    assert data["imported"] == 1 and data["total"] == 4
    assert ab.hit("/d").text == "d1"


def test_import_replace_query(ab):
    data = ab.ok("POST", "/config", params={"replace": "true"},
                 json={"mocks": [hm("/c", body="c1", mock_id="c")]})
    assert data["imported"] == 1
    assert data["replaced"] is True
    assert data["total"] == 1
    assert ab.mock_ids() == ["c"]
    assert ab.hit("/c").text == "c1"
    for gone in ("/a", "/b", "/api"):
        assert ab.hit(gone).status_code == 404


def test_import_wrapped_with_replace_flag(ab):
    data = ab.ok("POST", "/config", json={
        "config": {"version": "1.0", "mocks": [hm("/w", body="w1", mock_id="w"), hm("/a", body="a3", mock_id="a")]},
        "replace": True,
    })
    assert data["imported"] == 2 and data["replaced"] is True and data["total"] == 2
    assert sorted(ab.mock_ids()) == ["a", "w"]
    assert ab.hit("/a").text == "a3"
    assert ab.hit("/b").status_code == 404


def test_import_wrapped_without_replace_merges(ab):
    data = ab.ok("POST", "/config", json={"config": {"mocks": [hm("/w", body="w1", mock_id="w")]}})
    assert data["imported"] == 1 and data["replaced"] is False and data["total"] == 4
    assert ab.hit("/b").text == "b1"
    assert ab.hit("/w").text == "w1"


@pytest.mark.parametrize("replace", [False, True])
def test_import_dry_run_changes_nothing(ab, replace):
    before = ab.mocks()
    params = {"dryRun": "true"}
    if replace:
        params["replace"] = "true"
    data = ab.ok("POST", "/config", params=params, json={"mocks": [
        hm("/a", body="changed", mock_id="a"), hm("/x", mock_id="x"), hm("/y", mock_id="y")]})
    assert data["dryRun"] is True
    assert data["mocks"] == 3
    assert ab.mocks() == before
    assert ab.hit("/a").text == "a1"
    assert ab.hit("/x").status_code == 404


def test_import_yaml_body(ab):
    yaml_text = (
        "version: \"1.0\"\n"
        "mocks:\n"
        "  - id: y1\n"
        "    type: http\n"
        "    http:\n"
        "      matcher:\n"
        "        method: GET\n"
        "        path: /yaml\n"
        "      response:\n"
        "        statusCode: 203\n"
        "        body: from yaml\n"
    )
    data = ab.ok("POST", "/config", data=yaml_text.encode(), headers={"Content-Type": "application/yaml"})
    assert data["imported"] == 1 and data["total"] == 4
    r = ab.hit("/yaml")
    assert r.status_code == 203 and r.text == "from yaml"


def test_import_bad_collection_names_the_field_and_changes_nothing(ab):
    before = ab.mocks()
    bad = hm("/fine", mock_id="fine")
    bad["http"]["matcher"]["path"] = "no-slash"
    r = ab.post("/config", json={"mocks": [bad, hm("/other", mock_id="other")]})
    assert r.status_code == 400, r.text
    data = r.json()
    assert data["error"] == "validation_error"
    assert "mocks[0].http.matcher.path" in data["message"], data
    assert ab.mocks() == before
    assert ab.hit("/other").status_code == 404


def test_import_bad_second_mock_names_index(ab):
    bad = hm("/s", mock_id="s")
    bad["http"]["response"]["statusCode"] = "x"
    r = ab.post("/config", params={"replace": "true"}, json={"mocks": [hm("/ok", mock_id="ok"), bad]})
    assert r.status_code == 400
    assert r.json()["error"] == "validation_error"
    assert "mocks[1].http.response.statusCode" in r.json()["message"]
    assert sorted(ab.mock_ids()) == ["a", "api", "b"]  # the replace did not happen
    assert ab.hit("/a").text == "a1"


def test_import_bad_json_is_400(ab):
    r = ab.post("/config", data=b'{"mocks": [', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_json"
    assert sorted(ab.mock_ids()) == ["a", "api", "b"]
