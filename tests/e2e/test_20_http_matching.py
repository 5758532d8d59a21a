"""Layer 20: which mock answers a request (criteria, scores, tie-breaks)."""

import json

import pytest

from conftest import curl, http_mock


def who(server, method, path, **kw):
    """Return the id of the mock that answered (mocks answer with their id), or 404."""
    r = server.request(method, path, **kw)
    if r.status_code == 404:
        return 404
    assert r.status_code == 200, (r.status_code, r.text)
    return r.text


# --------------------------------------------------------------------------- method


def test_method_must_match(serve_mocks):
    s = serve_mocks([http_mock("get", {"method": "GET", "path": "/m"})])
    assert who(s, "GET", "/m") == "get"
    assert who(s, "POST", "/m") == 404
    assert who(s, "DELETE", "/m") == 404


def test_method_in_config_is_case_insensitive(serve_mocks):
    s = serve_mocks([
        http_mock("lower", {"method": "post", "path": "/lower"}),
        http_mock("mixed", {"method": "Delete", "path": "/mixed"}),
    ])
    assert who(s, "POST", "/lower") == "lower"
    assert who(s, "DELETE", "/mixed") == "mixed"
    assert who(s, "GET", "/lower") == 404


def test_absent_method_matches_any_method(serve_mocks):
    s = serve_mocks([http_mock("any", {"path": "/any"})])
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert who(s, method, "/any") == "any", method


# --------------------------------------------------------------------------- path


def test_exact_path_is_case_sensitive_and_trailing_slash_matters(serve_mocks):
    s = serve_mocks([http_mock("users", {"method": "GET", "path": "/api/users"})])
    assert who(s, "GET", "/api/users") == "users"
    assert who(s, "GET", "/api/Users") == 404
    assert who(s, "GET", "/api/users/") == 404
    assert who(s, "GET", "/api/users/1") == 404
    assert who(s, "GET", "/api") == 404


def test_exact_path_ignores_query_string(serve_mocks):
    s = serve_mocks([http_mock("users", {"method": "GET", "path": "/api/users"})])
    assert who(s, "GET", "/api/users?page=2&x=y") == "users"


def test_param_segments(serve_mocks):
    s = serve_mocks([
        http_mock("user", {"method": "GET", "path": "/users/{id}"}),
        http_mock("post", {"method": "GET", "path": "/users/{uid}/posts/{pid}"}),
    ])
    assert who(s, "GET", "/users/42") == "user"
    assert who(s, "GET", "/users/abc-def") == "user"
    assert who(s, "GET", "/users/7/posts/9") == "post"
    # segment count must match
    assert who(s, "GET", "/users") == 404
    assert who(s, "GET", "/users/42/posts") == 404
    assert who(s, "GET", "/users/7/posts/9/extra") == 404


def test_mixed_param_segment(serve_mocks):
    s = serve_mocks([http_mock("file", {"method": "GET", "path": "/files/{name}.json"})])
    assert who(s, "GET", "/files/report.json") == "file"
    assert who(s, "GET", "/files/a.b.json") == "file"
    assert who(s, "GET", "/files/report.xml") == 404
    assert who(s, "GET", "/files/report.json/x") == 404


def test_trailing_wildcard(serve_mocks):
    s = serve_mocks([http_mock("api", {"method": "GET", "path": "/api/*"})])
    assert who(s, "GET", "/api") == "api"
    assert who(s, "GET", "/api/") == "api"
    assert who(s, "GET", "/api/users") == "api"
    assert who(s, "GET", "/api/a/b/c") == "api"
    assert who(s, "GET", "/apix") == 404
    assert who(s, "GET", "/ap") == 404
    assert who(s, "GET", "/other/api") == 404


def test_inner_wildcard_crosses_slashes_in_order(serve_mocks):
    s = serve_mocks([
        http_mock("inner", {"method": "GET", "path": "/a/*/c"}),
        http_mock("order", {"method": "GET", "path": "/start*middle*end"}),
    ])
    assert who(s, "GET", "/a/b/c") == "inner"
    assert who(s, "GET", "/a/b/x/y/c") == "inner"
    assert who(s, "GET", "/a/b/d") == 404
    assert who(s, "GET", "/start-middle-end") == "order"
    assert who(s, "GET", "/start/x/middle/y/end") == "order"
    assert who(s, "GET", "/start-end-middle") == 404


def test_path_pattern_is_unanchored_regex_search(serve_mocks):
    s = serve_mocks([
        http_mock("orders", {"method": "GET", "pathPattern": "orders/[0-9]+"}),
        http_mock("anchored", {"method": "GET", "pathPattern": "^/v[12]/items$"}),
    ])
    assert who(s, "GET", "/api/orders/123/items") == "orders"
    assert who(s, "GET", "/orders/9") == "orders"
    assert who(s, "GET", "/api/orders/abc") == 404
    assert who(s, "GET", "/v1/items") == "anchored"
    assert who(s, "GET", "/v2/items") == "anchored"
    assert who(s, "GET", "/v3/items") == 404
    assert who(s, "GET", "/x/v1/items") == 404


def test_path_pattern_runs_on_decoded_path(serve_mocks):
    s = serve_mocks([http_mock("space", {"method": "GET", "pathPattern": "^/files/my report$"})])
    assert who(s, "GET", "/files/my%20report") == "space"


# --------------------------------------------------------------------------- headers


def test_header_match_kinds(serve_mocks):
    s = serve_mocks([
        http_mock("exact", {"path": "/exact", "headers": {"X-Key": "secret"}}),
        http_mock("prefix", {"path": "/prefix", "headers": {"Content-Type": "application/json*"}}),
        http_mock("suffix", {"path": "/suffix", "headers": {"X-Host": "*.example.com"}}),
        http_mock("contains", {"path": "/contains", "headers": {"User-Agent": "*bot*"}}),
    ])
    assert who(s, "GET", "/exact", headers={"X-Key": "secret"}) == "exact"
    assert who(s, "GET", "/exact", headers={"X-Key": "secret2"}) == 404
    assert who(s, "GET", "/exact", headers={"X-Key": "my-secret"}) == 404
    assert who(s, "GET", "/exact") == 404
    assert who(s, "GET", "/prefix", headers={"Content-Type": "application/json; charset=utf-8"}) == "prefix"
    assert who(s, "GET", "/prefix", headers={"Content-Type": "text/json"}) == 404
    assert who(s, "GET", "/suffix", headers={"X-Host": "api.example.com"}) == "suffix"
    assert who(s, "GET", "/suffix", headers={"X-Host": "api.example.com.evil"}) == 404
    assert who(s, "GET", "/contains", headers={"User-Agent": "Googlebot/2.1"}) == "contains"
    assert who(s, "GET", "/contains", headers={"User-Agent": "curl/8.0"}) == 404


def test_header_name_is_case_insensitive(serve_mocks):
    s = serve_mocks([
        http_mock("lower", {"path": "/h1", "headers": {"x-api-key": "k1"}}),
        http_mock("upper", {"path": "/h2", "headers": {"X-API-KEY": "k2"}}),
    ])
    assert who(s, "GET", "/h1", headers={"X-Api-Key": "k1"}) == "lower"
    assert who(s, "GET", "/h2", headers={"x-api-key": "k2"}) == "upper"


def test_all_headers_required(serve_mocks):
    s = serve_mocks([http_mock("two", {"path": "/two", "headers": {"X-A": "1", "X-B": "2"}})])
    assert who(s, "GET", "/two", headers={"X-A": "1", "X-B": "2"}) == "two"
    assert who(s, "GET", "/two", headers={"X-A": "1"}) == 404
    assert who(s, "GET", "/two", headers={"X-B": "2"}) == 404


# --------------------------------------------------------------------------- query


def test_query_params(serve_mocks):
    s = serve_mocks([
        http_mock("q", {"path": "/q", "queryParams": {"page": "2", "sort": "name"}}),
        http_mock("text", {"path": "/search", "queryParams": {"q": "hello world"}}),
    ])
    assert who(s, "GET", "/q?page=2&sort=name") == "q"
    assert who(s, "GET", "/q?sort=name&page=2&extra=1&more") == "q"  # extra params ignored
    assert who(s, "GET", "/q?page=3&sort=name") == 404
    assert who(s, "GET", "/q?page=2") == 404
    assert who(s, "GET", "/q") == 404
    # URL-decoded, + is a space
    assert who(s, "GET", "/search?q=hello%20world") == "text"
    assert who(s, "GET", "/search?q=hello+world") == "text"
    assert who(s, "GET", "/search?q=hello%2Bworld") == 404


def test_query_param_compares_first_value(serve_mocks):
    s = serve_mocks([
        http_mock("first", {"path": "/first", "queryParams": {"a": "1"}}),
        http_mock("second", {"path": "/second", "queryParams": {"a": "2"}}),
    ])
    assert who(s, "GET", "/first?a=1&a=2") == "first"
    assert who(s, "GET", "/second?a=1&a=2") == 404


# --------------------------------------------------------------------------- body


def test_body_equals_exact(serve_mocks):
    s = serve_mocks([http_mock("eq", {"method": "POST", "path": "/b", "bodyEquals": "ping"})])
    assert who(s, "POST", "/b", data=b"ping") == "eq"
    assert who(s, "POST", "/b", data=b"ping ") == 404
    assert who(s, "POST", "/b", data=b"Ping") == 404
    assert who(s, "POST", "/b", data=b"") == 404


def test_body_contains_substring(serve_mocks):
    s = serve_mocks([http_mock("c", {"method": "POST", "path": "/b", "bodyContains": "needle"})])
    assert who(s, "POST", "/b", data=b"hay needle hay") == "c"
    assert who(s, "POST", "/b", data=b"needle") == "c"
    assert who(s, "POST", "/b", data=b"need le") == 404


def test_body_pattern_regex_search(serve_mocks):
    s = serve_mocks([http_mock("p", {"method": "POST", "path": "/b", "bodyPattern": "order-[0-9]{3}"})])
    assert who(s, "POST", "/b", data=b"id=order-123&x=1") == "p"
    assert who(s, "POST", "/b", data=b"order-12") == 404


def test_body_json_path(serve_mocks):
    s = serve_mocks([
        http_mock("num", {"method": "POST", "path": "/num", "bodyJsonPath": {"$.a.b": 5}}),
        http_mock("str", {"method": "POST", "path": "/str", "bodyJsonPath": {"$.user.name": "ada"}}),
        http_mock("one", {"method": "POST", "path": "/one", "bodyJsonPath": {"$.n": 1}}),
        http_mock("strone", {"method": "POST", "path": "/strone", "bodyJsonPath": {"$.n": "1"}}),
        http_mock("bool", {"method": "POST", "path": "/bool", "bodyJsonPath": {"$.ok": True}}),
    ])
    assert who(s, "POST", "/num", data=b'{"a":{"b":5}}') == "num"
    assert who(s, "POST", "/num", data=b'{"a": {"b": 5.0}, "c": 1}') == "num"  # numeric compare
    assert who(s, "POST", "/num", data=b'{"a":{"b":6}}') == 404
    assert who(s, "POST", "/num", data=b'{"a":{"b":"5"}}') == 404
    assert who(s, "POST", "/str", data=b'{"user":{"name":"ada","age":36}}') == "str"
    assert who(s, "POST", "/str", data=b'{"user":{"name":"bob"}}') == 404
    assert who(s, "POST", "/one", data=b'{"n":1}') == "one"
    assert who(s, "POST", "/one", data=b'{"n":"1"}') == 404  # string "1" != number 1
    assert who(s, "POST", "/strone", data=b'{"n":"1"}') == "strone"
    assert who(s, "POST", "/strone", data=b'{"n":1}') == 404
    assert who(s, "POST", "/bool", data=b'{"ok":true}') == "bool"
    assert who(s, "POST", "/bool", data=b'{"ok":false}') == 404


def test_body_json_path_exists(serve_mocks):
    s = serve_mocks([
        http_mock("has", {"method": "POST", "path": "/has", "bodyJsonPath": {"$.item": {"exists": True}}}),
        http_mock("hasnt", {"method": "POST", "path": "/hasnt", "bodyJsonPath": {"$.item": {"exists": False}}}),
    ])
    assert who(s, "POST", "/has", data=b'{"item":"book"}') == "has"
    assert who(s, "POST", "/has", data=b'{"item":null}') == "has"
    assert who(s, "POST", "/has", data=b'{"other":1}') == 404
    assert who(s, "POST", "/hasnt", data=b'{"other":1}') == "hasnt"
    assert who(s, "POST", "/hasnt", data=b'{"item":1}') == 404


def test_non_json_body_never_matches_json_path(serve_mocks):
    s = serve_mocks([
        http_mock("has", {"method": "POST", "path": "/has", "bodyJsonPath": {"$.item": {"exists": True}}}),
        http_mock("hasnt", {"method": "POST", "path": "/hasnt", "bodyJsonPath": {"$.item": {"exists": False}}}),
    ])
    assert who(s, "POST", "/has", data=b"item=book") == 404
    assert who(s, "POST", "/hasnt", data=b"not json at all") == 404
    assert who(s, "POST", "/hasnt", data=b"") == 404


def test_all_criteria_must_hold(serve_mocks):
    s = serve_mocks([http_mock("all", {
        "method": "PUT", "path": "/all", "headers": {"X-T": "1"},
        "queryParams": {"q": "1"}, "bodyContains": "yes",
    })])
    ok = dict(headers={"X-T": "1"}, data=b"yes")
    assert who(s, "PUT", "/all?q=1", **ok) == "all"
    assert who(s, "POST", "/all?q=1", **ok) == 404
    assert who(s, "PUT", "/all?q=2", **ok) == 404
    assert who(s, "PUT", "/all?q=1", headers={"X-T": "2"}, data=b"yes") == 404
    assert who(s, "PUT", "/all?q=1", headers={"X-T": "1"}, data=b"no") == 404


# --------------------------------------------------------------------------- scores


def test_exact_beats_regex_beats_params_beats_wildcard(serve_mocks):
    # Defined weakest-last so "newest wins" would pick the wrong one if scores were ignored.
    s = serve_mocks([
        http_mock("exact", {"method": "GET", "path": "/r/me"}),
        http_mock("regex", {"method": "GET", "pathPattern": "^/r/[a-z]+$"}),
        http_mock("params", {"method": "GET", "path": "/r/{id}"}),
        http_mock("wild", {"method": "GET", "path": "/r/*"}),
    ])
    assert who(s, "GET", "/r/me") == "exact"      # 15 > 14 > 12 > 10
    assert who(s, "GET", "/r/you") == "regex"     # 14 > 12 > 10
    assert who(s, "GET", "/r/42") == "params"     # 12 > 10
    assert who(s, "GET", "/r/4/2") == "wild"


def test_body_criteria_order(serve_mocks):
    body = b'{"kind":"order","n":1}'
    s = serve_mocks([
        http_mock("equals", {"method": "POST", "path": "/o", "bodyEquals": body.decode()}),
        http_mock("pattern", {"method": "POST", "path": "/o", "bodyPattern": "\"kind\":\"order\""}),
        http_mock("contains", {"method": "POST", "path": "/o", "bodyContains": "order"}),
        http_mock("jsonpath", {"method": "POST", "path": "/o", "bodyJsonPath": {"$.kind": "order"}}),
        http_mock("plain", {"method": "POST", "path": "/o"}),
    ])
    assert who(s, "POST", "/o", data=body) == "equals"                       # 25
    assert who(s, "POST", "/o", data=b'{"kind":"order","n":2}') == "pattern"  # 22
    assert who(s, "POST", "/o", data=b'{"kind": "order"}') == "contains"     # 20 (pattern needs no space)
    assert who(s, "POST", "/o", data=b'{"kind": "ord\\u0065r"}') == "jsonpath"  # 15
    assert who(s, "POST", "/o", data=b'{"kind":"other"}') == "plain"


def test_header_and_query_add_to_score(serve_mocks):
    s = serve_mocks([
        http_mock("hdr", {"method": "GET", "path": "/s", "headers": {"X-A": "1"}}),
        http_mock("qry", {"method": "GET", "path": "/s", "queryParams": {"q": "1"}}),
        http_mock("plain", {"method": "GET", "path": "/s"}),
    ])
    assert who(s, "GET", "/s") == "plain"
    assert who(s, "GET", "/s?q=1") == "qry"
    assert who(s, "GET", "/s", headers={"X-A": "1"}) == "hdr"
    assert who(s, "GET", "/s?q=1", headers={"X-A": "1"}) == "hdr"  # 10 > 5


@pytest.mark.parametrize(
    "first,second,request_kw",
    [
        # two query params (5+5) == one header (10)
        (("hdr", {"path": "/t", "headers": {"X-A": "1"}}),
         ("qq", {"path": "/t", "queryParams": {"a": "1", "b": "1"}}),
         {"path": "/t?a=1&b=1", "headers": {"X-A": "1"}}),
        # method (10) == one header (10)
        (("method", {"method": "GET", "path": "/t"}),
         ("hdr", {"path": "/t", "headers": {"X-A": "1"}}),
         {"path": "/t", "headers": {"X-A": "1"}}),
        # bodyContains (20) == two headers (20)
        (("contains", {"path": "/t", "bodyContains": "x"}),
         ("hdrs", {"path": "/t", "headers": {"X-A": "1", "X-B": "1"}}),
         {"path": "/t", "headers": {"X-A": "1", "X-B": "1"}, "data": b"x"}),
        # bodyEquals (25) == bodyContains + query (20+5)
        (("equals", {"path": "/t", "bodyEquals": "x"}),
         ("contq", {"path": "/t", "bodyContains": "x", "queryParams": {"a": "1"}}),
         {"path": "/t?a=1", "data": b"x"}),
        # exact path (15) == wildcard path + query (10+5)
        (("exact", {"path": "/t"}),
         ("wildq", {"path": "/*", "queryParams": {"a": "1"}}),
         {"path": "/t?a=1"}),
        # JSONPath (15) == exact path (15)
        (("jsonpath", {"bodyJsonPath": {"$.a": 1}}),
         ("exact", {"path": "/t"}),
         {"path": "/t", "data": b'{"a":1}'}),
        # method (10) + params (12) == bodyPattern (22)
        (("method+params", {"method": "POST", "path": "/{x}"}),
         ("pattern", {"bodyPattern": "x"}),
         {"path": "/t", "data": b"x"}),
    ],
    ids=["2query=header", "method=header", "contains=2headers", "equals=contains+query",
         "exact=wild+query", "jsonpath=exact", "method+params=pattern"],
)
def test_equal_scores_newest_wins(serve_mocks, first, second, request_kw):
    first_id, first_m = first
    second_id, second_m = second
    req = dict(request_kw)
    path = req.pop("path")
    method = "POST" if "data" in req else "GET"
    s = serve_mocks([http_mock(first_id, first_m), http_mock(second_id, second_m)])
    assert who(s, method, path, **req) == second_id
    s2 = serve_mocks([http_mock(second_id, second_m), http_mock(first_id, first_m)])
    assert who(s2, method, path, **req) == first_id


def test_score_sums_decide(serve_mocks):
    s = serve_mocks([
        # 10 + 10 = 20
        http_mock("method+wild", {"method": "GET", "path": "/n/*"}),
        # 14 + 5 = 19
        http_mock("regex+query", {"pathPattern": "^/n/", "queryParams": {"q": "1"}}),
    ])
    assert who(s, "GET", "/n/x?q=1") == "method+wild"
    s2 = serve_mocks([
        # 22
        http_mock("pattern", {"path": "/*", "bodyPattern": "z"}),
        # 10 + 10 = 20 (+10 wildcard each)
        http_mock("two-headers", {"path": "/*", "headers": {"X-A": "1", "X-B": "1"}}),
        # 5 * 3 = 15
        http_mock("three-query", {"path": "/*", "queryParams": {"a": "1", "b": "1", "c": "1"}}),
    ])
    assert who(s2, "POST", "/p?a=1&b=1&c=1", headers={"X-A": "1", "X-B": "1"}, data=b"z") == "pattern"
    assert who(s2, "POST", "/p?a=1&b=1&c=1", headers={"X-A": "1", "X-B": "1"}, data=b"y") == "two-headers"
    assert who(s2, "POST", "/p?a=1&b=1&c=1", data=b"y") == "three-query"


def test_tie_broken_by_priority_then_newest(serve_mocks):
    s = serve_mocks([
        http_mock("high", {"method": "GET", "path": "/p"}, priority=5),
        http_mock("low", {"method": "GET", "path": "/p"}, priority=1),
        http_mock("same-a", {"method": "GET", "path": "/q"}, priority=3),
        http_mock("same-b", {"method": "GET", "path": "/q"}, priority=3),
        http_mock("none-a", {"method": "GET", "path": "/r"}),
        http_mock("none-b", {"method": "GET", "path": "/r"}),
    ])
    assert who(s, "GET", "/p") == "high"
    assert who(s, "GET", "/q") == "same-b"
    assert who(s, "GET", "/r") == "none-b"


def test_priority_does_not_override_score(serve_mocks):
    s = serve_mocks([
        http_mock("specific", {"method": "GET", "path": "/x"}),
        http_mock("vip", {"method": "GET", "path": "/*"}, priority=1000),
    ])
    assert who(s, "GET", "/x") == "specific"
    assert who(s, "GET", "/y") == "vip"


def test_disabled_mocks_never_match(serve_mocks):
    s = serve_mocks([
        http_mock("fallback", {"method": "GET", "path": "/d/*"}),
        http_mock("off", {"method": "GET", "path": "/d/x"}, enabled=False),
        http_mock("off-only", {"method": "GET", "path": "/gone"}, enabled=False),
        http_mock("on", {"method": "GET", "path": "/on"}, enabled=True),
    ])
    assert who(s, "GET", "/d/x") == "fallback"
    assert who(s, "GET", "/gone") == 404
    assert who(s, "GET", "/on") == "on"


def test_head_falls_back_to_get_mock(serve_mocks):
    body = "0123456789" * 7
    s = serve_mocks([http_mock("g", {"method": "GET", "path": "/h"},
                               {"statusCode": 200, "body": body, "headers": {"X-From": "get"}})])
    c = s.raw()
    r = c.request(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n", head=True)
    assert r.status == 200
    assert r.header("content-length") == str(len(body))
    assert r.header("x-from") == "get"
    # No body bytes follow: the next response on the same connection starts right away.
    r2 = c.request(b"GET /h HTTP/1.1\r\nHost: x\r\n\r\n")
    assert r2.status == 200 and r2.body == body.encode()
    c.close()
    # curl -I agrees
    out = curl("-I", s.base + "/h")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"HTTP/1.1 200")
    assert f"content-length: {len(body)}".encode() in out.stdout.lower()


def test_head_without_get_mock_is_404(serve_mocks):
    s = serve_mocks([http_mock("p", {"method": "POST", "path": "/h"})])
    assert s.request("HEAD", "/h").status_code == 404


def test_yaml_legacy_and_collection_mocks_match(serve):
    s = serve("""
        mocks:
          - id: legacy
            matcher: { method: GET, path: /legacy }
            response: { statusCode: 200, body: legacy }
          - id: modern
            type: http
            http:
              matcher: { method: GET, path: /modern }
              response: { statusCode: 200, body: modern }
    """)
    assert who(s, "GET", "/legacy") == "legacy"
    assert who(s, "GET", "/modern") == "modern"
