"""Layer 80: stateful tables (tables, extend / statefulBinding, CRUD actions, admin /state)."""

import copy
import json
import re
import signal
import threading
import time
from urllib.parse import quote

import pytest

from test_80_tables_helpers import (
    HEX16, ULID, UUID4, Configs, admin, answer, api, assert_recent, concurrent_creates,
    config, config_error, ids_of, list_all, parse_iso, ulid_ms,
)

USERS = [
    {"id": 1, "name": "Ada", "age": 30, "role": "admin", "active": True,
     "metadata": {"tier": "gold", "score": 9}},
    {"id": "2", "name": "Bob", "age": "30", "role": "user", "active": False,
     "metadata": {"tier": "silver"}},
    {"id": "u3", "name": "Cy", "age": 41, "role": "user", "metadata": {"tier": "gold"},
     "tags": ["x", None, 2.5], "nothing": None, "city": "Zürich \"quoted\""},
]


def users_table(**extra):
    return {"name": "users", "seedData": copy.deepcopy(USERS), **extra}


@pytest.fixture
def cfgs(tmp_path):
    return Configs(tmp_path)


@pytest.fixture
def run(servers, cfgs):
    """run(config dict) -> a running `mockd engine` on it."""
    def _run(doc):
        return servers.engine(cfgs.write(doc))
    return _run


@pytest.fixture
def users(run):
    """An engine with the users table on /api/users and /api/users/{id}."""
    return run(config([users_table()], api("users", "/api/users")))


def create(server, path, body=None, status=201, **kw):
    if body is not None:
        kw["json"] = body
    return answer(server.post(path, **kw), status)


def call(server, method, path, status, **kw):
    return answer(server.request(method, path, **kw), status)


# =========================================================================== config errors


BAD_CONFIGS = {
    "extend-unknown-mock": (
        lambda: {"tables": [{"name": "users"}],
                 "mocks": [{"id": "t", "type": "http", "http": {"matcher": {"path": "/t"}}}],
                 "extend": [{"mock": "x", "table": "users", "action": "list"}]},
        'extend[0].mock: no mock with id, operationId or method and path "x"'),
    "extend-unknown-table": (
        lambda: {"tables": [{"name": "users"}],
                 "mocks": [{"id": "t", "type": "http", "http": {"matcher": {"path": "/t"}}}],
                 "extend": [{"mock": "t", "table": "x", "action": "list"}]},
        'extend[0].table: no table named "x"'),
    "extend-bad-action": (
        lambda: {"tables": [{"name": "users"}],
                 "mocks": [{"id": "t", "type": "http", "http": {"matcher": {"path": "/t"}}}],
                 "extend": [{"mock": "t", "table": "users", "action": "explode"}]},
        "extend[0].action: must be list, get, "),
    "inline-unknown-table": (
        lambda: {"tables": [{"name": "users"}],
                 "mocks": [
                     {"id": "ok", "type": "http", "http": {"matcher": {"path": "/ok"}}},
                     {"id": "t", "type": "http", "http": {
                         "matcher": {"path": "/t"},
                         "statefulBinding": {"table": "nope", "action": "list"}}}]},
        'mocks[1].http.statefulBinding.table: no table named "nope"'),
    "duplicate-seed-id": (
        lambda: {"tables": [{"name": "users",
                             "seedData": [{"id": "a"}, {"id": "a", "n": 2}]}]},
        "tables[0].seedData[1].id: duplicate id "),
    "duplicate-seed-id-by-text": (
        lambda: {"tables": [{"name": "users", "seedData": [{"id": 1}, {"id": "1"}]}]},
        "tables[0].seedData[1].id: duplicate id "),
    "duplicate-seed-custom-id-field": (
        lambda: {"tables": [{"name": "other"},
                            {"name": "skus", "idField": "sku",
                             "seedData": [{"sku": "k1"}, {"sku": "k2"}, {"sku": "k1"}]}]},
        "tables[1].seedData[2].sku: duplicate id "),
    "unknown-id-strategy": (
        lambda: {"tables": [{"name": "users", "idStrategy": "snowflake"}]},
        "tables[0].idStrategy: "),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_table_config_is_one_clear_error(cfgs, case):
    build, message = BAD_CONFIGS[case]
    path = cfgs.write(build())
    err = config_error(path)
    assert err.startswith(f"mockd: {path}"), err
    assert message in err, err
    if case == "unknown-id-strategy":
        assert "snowflake" in err, err


# =========================================================================== id strategies


def test_default_id_strategy_is_uuid_v4(users):
    item = create(users, "/api/users", {"name": "Neo"})
    assert UUID4.match(item["id"]), item
    assert len(item["id"]) == 36


@pytest.mark.parametrize("strategy, extra, pattern", [
    ("uuid", {}, UUID4),
    ("prefix", {"idPrefix": "cus_"}, None),
    ("short", {}, HEX16),
    ("ulid", {}, ULID),
])
def test_id_strategy_format_and_uniqueness(run, strategy, extra, pattern):
    s = run(config([{"name": "things", "idStrategy": strategy, **extra}],
                   api("things", "/things")))
    ids = [create(s, "/things", {"n": i})["id"] for i in range(40)]
    for value in ids:
        assert isinstance(value, str), value
        if strategy == "prefix":
            assert value.startswith("cus_") and HEX16.match(value[4:]), value
        else:
            assert pattern.match(value), value
    assert len(set(ids)) == len(ids), "generated ids repeat"
    for value in ids[:5]:
        assert answer(s.get(f"/things/{value}"), 200)["id"] == value


def test_ulid_ids_carry_the_creation_time_and_sort_by_it(run):
    s = run(config([{"name": "events", "idStrategy": "ulid"}], api("events", "/events")))
    before = int(time.time() * 1000)
    ids = [create(s, "/events", {"n": i})["id"] for i in range(30)]
    after = int(time.time() * 1000)
    for value in ids:
        assert ULID.match(value), value
        assert before - 2000 <= ulid_ms(value) <= after + 2000, (value, before, after)
    times = [ulid_ms(v) for v in ids]
    assert times == sorted(times), "later items got earlier ULID timestamps"
    # Time-sortable: an item created in a later millisecond sorts after an earlier one.
    for a, b in zip(ids, ids[1:]):
        if ulid_ms(a) < ulid_ms(b):
            assert a < b, (a, b)


def test_sequence_ids_continue_after_largest_numeric_seed(run):
    s = run(config([{"name": "orders", "idStrategy": "sequence",
                     "seedData": [{"id": 3}, {"id": 10, "n": "ten"}, {"id": "x"}, {"id": 7}]}],
                   api("orders", "/orders")))
    created = [create(s, "/orders", {"n": i}) for i in range(3)]
    got = [c["id"] for c in created]
    assert got == [11, 12, 13]
    assert all(type(v) is int for v in got), "sequence ids must be JSON numbers"
    raw = s.post("/orders", json={}).text
    assert '"id":14' in raw.replace(" ", ""), raw
    assert answer(s.get("/orders/12"), 200)["n"] == 1


def test_sequence_without_seeds_starts_at_one(run):
    s = run(config([{"name": "orders", "idStrategy": "sequence"}], api("orders", "/orders")))
    assert [create(s, "/orders", {})["id"] for _ in range(3)] == [1, 2, 3]


def test_custom_id_field(run):
    s = run(config([{"name": "products", "idField": "sku", "idStrategy": "short",
                     "seedData": [{"sku": "p-1", "title": "Pen"}]}],
                   api("products", "/products", "/products/{sku}")))
    item = create(s, "/products", {"title": "Ink"})
    assert HEX16.match(item["sku"]), item
    assert "id" not in item, item
    assert answer(s.get(f"/products/{item['sku']}"), 200) == item
    assert answer(s.get("/products/p-1"), 200) == {"sku": "p-1", "title": "Pen"}
    create(s, "/products", {"sku": "p-1"}, status=409)


# =========================================================================== get


def test_get_returns_seed_exactly_as_written(users):
    for seed in USERS:
        r = users.get(f"/api/users/{quote(str(seed['id']))}")
        assert answer(r, 200) == seed
        assert "createdAt" not in r.text and "updatedAt" not in r.text, r.text


def test_get_unknown_is_404_json_error(users):
    body = call(users, "GET", "/api/users/nope", 404)
    assert body == {"error": "resource not found", "resource": "users", "id": "nope",
                    "statusCode": 404}


def test_ids_compare_by_their_text(users):
    # Seed 1 is a number, seed "2" a string: both are found by the text in the URL.
    one = answer(users.get("/api/users/1"), 200)
    assert one["id"] == 1 and type(one["id"]) is int
    two = answer(users.get("/api/users/2"), 200)
    assert two["id"] == "2"
    # Item actions too, keeping the id as stored.
    patched = call(users, "PATCH", "/api/users/1", 200, json={"name": "Ada L."})
    assert patched["id"] == 1 and type(patched["id"]) is int
    assert patched["name"] == "Ada L."
    # A body id equal in text to a stored one is taken.
    create(users, "/api/users", {"id": 2, "name": "dup"}, status=409)
    create(users, "/api/users", {"id": "1", "name": "dup"}, status=409)


def test_item_id_is_the_last_path_parameter(run):
    s = run(config(
        [{"name": "customers", "seedData": [{"id": "c1", "n": 1}, {"id": "acme", "n": 2}]}],
        api("customers", "/v1/customers", "/v1/customers/{customer}", actions=("get",)),
        api("customers", "/v1/orgs/{org}/customers", "/v1/orgs/{org}/customers/{customer}",
            actions=("get", "delete"))))
    assert answer(s.get("/v1/customers/c1"), 200) == {"id": "c1", "n": 1}
    assert answer(s.get("/v1/orgs/acme/customers/c1"), 200) == {"id": "c1", "n": 1}
    assert answer(s.get("/v1/orgs/c1/customers/acme"), 200) == {"id": "acme", "n": 2}
    r = s.request("DELETE", "/v1/orgs/acme/customers/c1")
    assert r.status_code == 204, r.text
    assert answer(s.get("/v1/customers/c1"), 404)["id"] == "c1"
    assert answer(s.get("/v1/customers/acme"), 200)["n"] == 2


# =========================================================================== list


def test_list_envelope_with_seeds_in_seed_order(users):
    r = users.get("/api/users")
    body = answer(r, 200)
    assert body == {"data": USERS,
                    "meta": {"total": 3, "limit": 100, "offset": 0, "count": 3,
                             "has_more": False}}


def test_list_empty_table(run):
    s = run(config([{"name": "empty"}], api("empty", "/empty")))
    assert answer(s.get("/empty"), 200) == {
        "data": [], "meta": {"total": 0, "limit": 100, "offset": 0, "count": 0,
                             "has_more": False}}


def test_list_default_order_is_newest_created_first_then_seeds(users):
    created = [create(users, "/api/users", {"n": i})["id"] for i in range(20)]
    body = answer(users.get("/api/users"), 200)
    assert body["meta"]["total"] == 23
    listed = ids_of(body["data"])
    # Creation positions in the order listed (newest first means 19, 18, ..., 0).
    positions = [created.index(i) if i in created else i for i in listed]
    assert positions == list(range(19, -1, -1)) + ids_of(USERS), positions
    asc = answer(users.get("/api/users", params={"order": "asc"}), 200)
    positions = [created.index(i) if i in created else i for i in ids_of(asc["data"])]
    assert positions == list(range(20)) + ids_of(USERS), positions


def test_list_envelope_false_on_table(run):
    s = run(config([users_table(response={"list": {"envelope": False}})],
                   api("users", "/api/users")))
    r = s.get("/api/users")
    assert answer(r, 200) == USERS
    assert answer(s.get("/api/users", params={"role": "user", "limit": 1}), 200) == [USERS[1]]


@pytest.mark.parametrize("via", ["extend", "inline"])
def test_list_envelope_false_on_binding(run, via):
    s = run(config([users_table()],
                   api("users", "/bare/users", via=via, actions=("list",),
                       response={"list": {"envelope": False}}),
                   api("users", "/api/users", via=via)))
    new = create(s, "/api/users", {"name": "Dee"})
    assert answer(s.get("/bare/users"), 200) == [new] + USERS
    wrapped = answer(s.get("/api/users"), 200)
    assert wrapped["data"] == [new] + USERS and wrapped["meta"]["total"] == 4


def test_list_filters(users):
    def ids(**params):
        body = answer(users.get("/api/users", params=params), 200)
        assert body["meta"]["total"] == len(body["data"])
        return ids_of(body["data"])

    assert ids(age="30") == [1, "2"]          # 30 and "30" both match the text 30
    assert ids(age="41") == ["u3"]
    assert ids(**{"metadata[tier]": "gold"}) == [1, "u3"]
    assert ids(**{"metadata[score]": "9"}) == [1]
    assert ids(role="user", **{"metadata[tier]": "gold"}) == ["u3"]  # AND
    assert ids(role="user", age="30") == ["2"]
    assert ids(active="true") == [1]
    assert ids(active="false") == ["2"]
    assert ids(name="Nobody") == []
    assert ids(role="admin", age="41") == []
    assert ids(id="2") == ["2"]
    assert ids(id="1") == [1]


def test_list_sort_and_order(run):
    seeds = [{"id": "a", "name": "Mo", "rank": 3}, {"id": "b", "name": "Al"},
             {"id": "c", "name": "Zed", "rank": 1}, {"id": "d", "name": "Bea"},
             {"id": "e", "name": "Cy", "rank": 2}]
    s = run(config([{"name": "ranked", "seedData": seeds}], api("ranked", "/ranked")))

    def ids(**params):
        return ids_of(answer(s.get("/ranked", params=params), 200)["data"])

    assert ids(sort="name", order="asc") == ["b", "d", "e", "a", "c"]
    assert ids(sort="name", order="desc") == ["c", "a", "e", "d", "b"]
    assert ids(sort="name") == ["c", "a", "e", "d", "b"]  # order defaults to desc
    # Items without the field come after, in seed order.
    assert ids(sort="rank", order="asc") == ["c", "e", "a", "b", "d"]
    assert ids(sort="rank", order="desc") == ["a", "e", "c", "b", "d"]
    assert ids(sort="name", order="asc", limit="2", offset="1") == ["d", "e"]


def test_list_limit_and_offset(run):
    seeds = [{"id": c} for c in "abcde"]
    s = run(config([{"name": "letters", "seedData": seeds}], api("letters", "/letters")))

    def page(**params):
        return answer(s.get("/letters", params=params), 200)

    body = page(limit="2")
    assert ids_of(body["data"]) == ["a", "b"]
    assert body["meta"] == {"total": 5, "limit": 2, "offset": 0, "count": 2, "has_more": True}
    body = page(limit="2", offset="2")
    assert ids_of(body["data"]) == ["c", "d"]
    assert body["meta"] == {"total": 5, "limit": 2, "offset": 2, "count": 2, "has_more": True}
    body = page(limit="2", offset="4")
    assert ids_of(body["data"]) == ["e"]
    assert body["meta"] == {"total": 5, "limit": 2, "offset": 4, "count": 1, "has_more": False}
    body = page(offset="3")
    assert ids_of(body["data"]) == ["d", "e"]
    assert body["meta"] == {"total": 5, "limit": 100, "offset": 3, "count": 2,
                            "has_more": False}
    body = page(offset="10")
    assert body["data"] == []
    assert body["meta"] == {"total": 5, "limit": 100, "offset": 10, "count": 0,
                            "has_more": False}
    body = page(limit="5")
    assert body["meta"]["has_more"] is False and body["meta"]["count"] == 5


def test_list_default_limit_is_100(run):
    seeds = [{"id": f"s{i:03d}"} for i in range(105)]
    s = run(config([{"name": "many", "seedData": seeds}], api("many", "/many")))
    body = answer(s.get("/many"), 200)
    assert ids_of(body["data"]) == [f"s{i:03d}" for i in range(100)]
    assert body["meta"] == {"total": 105, "limit": 100, "offset": 0, "count": 100,
                            "has_more": True}
    rest = answer(s.get("/many", params={"offset": "100"}), 200)
    assert ids_of(rest["data"]) == [f"s{i:03d}" for i in range(100, 105)]


def test_list_cursor_paging(run):
    seeds = [{"id": c, "name": c.upper()} for c in "abcde"]
    s = run(config([{"name": "letters", "seedData": seeds}], api("letters", "/letters")))

    def page(**params):
        body = answer(s.get("/letters", params={"limit": "2", **params}), 200)
        return ids_of(body["data"]), body["meta"]["has_more"]

    assert page(starting_after="b") == (["c", "d"], True)
    assert page(starting_after="d") == (["e"], False)
    assert page(starting_after="e") == ([], False)
    assert page(ending_before="d") == (["b", "c"], True)
    assert page(ending_before="b") == (["a"], False)
    assert page(ending_before="a") == ([], False)
    # Cursors follow the requested sort.
    assert page(starting_after="c", sort="name", order="desc") == (["b", "a"], False)
    assert page(starting_after="e", sort="name", order="desc") == (["d", "c"], True)
    # Walking a whole list with starting_after visits every item once.
    seen, cursor = [], None
    for _ in range(10):
        params = {"starting_after": cursor} if cursor else {}
        ids, more = page(**params)
        seen += ids
        if not more:
            break
        cursor = ids[-1]
    assert seen == list("abcde")


@pytest.mark.parametrize("query", [
    "limit=abc", "limit=-1", "limit=1.5", "limit=", "starting_after=zzz", "ending_before=zzz",
])
def test_list_bad_limit_or_unknown_cursor_is_400(users, query):
    r = users.get("/api/users?" + query)
    answer(r, 400)


# =========================================================================== parents


@pytest.fixture
def posts(run):
    seeds = [{"id": "p1", "userId": 1, "title": "A"}, {"id": "p2", "userId": "2", "title": "B"},
             {"id": "p3", "userId": 1, "title": "C"}]
    return run(config([{"name": "posts", "parentField": "userId", "seedData": seeds}],
                      api("posts", "/users/{userId}/posts", "/users/{userId}/posts/{postId}")))


def test_parent_list_shows_only_that_parents_items(posts):
    body = answer(posts.get("/users/1/posts"), 200)
    assert ids_of(body["data"]) == ["p1", "p3"]
    assert body["meta"]["total"] == 2
    assert ids_of(answer(posts.get("/users/2/posts"), 200)["data"]) == ["p2"]
    assert answer(posts.get("/users/9/posts"), 200)["data"] == []
    assert ids_of(answer(posts.get("/users/1/posts", params={"title": "C"}), 200)["data"]) == \
        ["p3"]


def test_parent_create_sets_the_parent_field(posts):
    item = create(posts, "/users/9/posts", {"title": "new"})
    assert str(item["userId"]) == "9", item
    assert answer(posts.get("/users/9/posts"), 200)["data"] == [item]
    assert ids_of(answer(posts.get("/users/1/posts"), 200)["data"]) == ["p1", "p3"]
    assert answer(posts.get(f"/users/9/posts/{item['id']}"), 200) == item


def test_parent_item_actions_take_id_from_last_param(posts):
    assert answer(posts.get("/users/1/posts/p3"), 200) == {"id": "p3", "userId": 1,
                                                          "title": "C"}
    patched = call(posts, "PATCH", "/users/1/posts/p3", 200, json={"title": "C2"})
    assert patched["id"] == "p3" and patched["title"] == "C2" and patched["userId"] == 1
    r = posts.request("DELETE", "/users/1/posts/p1")
    assert r.status_code == 204
    assert ids_of(answer(posts.get("/users/1/posts"), 200)["data"]) == ["p3"]


def test_parent_item_actions_are_scoped_to_the_parent(posts):
    # The parent id of item actions comes from the second-to-last parameter: p1 belongs
    # to user 1, so it is not an item under user 2.
    assert answer(posts.get("/users/2/posts/p1"), 404)["id"] == "p1"
    call(posts, "PATCH", "/users/2/posts/p1", 404, json={"title": "hijacked"})
    assert posts.request("DELETE", "/users/2/posts/p1").status_code == 404
    assert answer(posts.get("/users/1/posts/p1"), 200)["title"] == "A"


# =========================================================================== create


def test_create_adds_id_and_timestamps(users):
    r = users.post("/api/users", json={"name": "Eve", "nested": {"a": [1, 2]}})
    item = answer(r, 201)
    assert set(item) == {"id", "name", "nested", "createdAt", "updatedAt"}
    assert item["name"] == "Eve" and item["nested"] == {"a": [1, 2]}
    assert_recent(item["createdAt"])
    assert_recent(item["updatedAt"])
    assert answer(users.get(f"/api/users/{item['id']}"), 200) == item
    assert answer(users.get("/api/users"), 200)["meta"]["total"] == 4


def test_create_with_given_id_and_taken_id_is_409(users):
    item = create(users, "/api/users", {"id": "custom-1", "name": "X"})
    assert item["id"] == "custom-1"
    body = create(users, "/api/users", {"id": "custom-1", "name": "Y"}, status=409)
    assert body["statusCode"] == 409
    body = create(users, "/api/users", {"id": "u3"}, status=409)
    assert body["statusCode"] == 409
    assert answer(users.get("/api/users/custom-1"), 200)["name"] == "X"
    assert answer(users.get("/api/users/u3"), 200) == USERS[2]
    assert answer(users.get("/api/users"), 200)["meta"]["total"] == 4


def test_create_from_form_body(users):
    form = "&".join([
        "name=Ann+Lee", "a%5Bb%5D=1", "a%5Bc%5D%5Bd%5D=x", "tags%5B0%5D=x", "tags%5B1%5D=y",
        "active=true", "off=false", "n=42", "f=1.5", "phone=%2B123", "neg=-7",
    ])
    r = users.post("/api/users", data=form,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    item = answer(r, 201)
    fields = {k: v for k, v in item.items() if k not in ("id", "createdAt", "updatedAt")}
    assert fields == {
        "name": "Ann Lee", "a": {"b": 1, "c": {"d": "x"}}, "tags": ["x", "y"],
        "active": True, "off": False, "n": 42, "f": 1.5, "phone": "+123", "neg": -7,
    }
    assert UUID4.match(item["id"])
    assert answer(users.get(f"/api/users/{item['id']}"), 200) == item


@pytest.mark.parametrize("content_type", ["application/json", None])
def test_create_with_empty_body(users, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    item = answer(users.post("/api/users", data=b"", headers=headers), 201)
    assert set(item) == {"id", "createdAt", "updatedAt"}
    assert answer(users.get(f"/api/users/{item['id']}"), 200) == item


@pytest.mark.parametrize("payload", ['{"name": ', "not json", '[{"name": "a"}]', "[]"])
def test_create_with_bad_json_is_400_and_creates_nothing(users, payload):
    r = users.post("/api/users", data=payload, headers={"Content-Type": "application/json"})
    answer(r, 400)
    assert answer(users.get("/api/users"), 200)["meta"]["total"] == 3


def test_create_body_over_1mib_is_413(users):
    big = json.dumps({"blob": "x" * (1024 * 1024)})
    r = users.post("/api/users", data=big, headers={"Content-Type": "application/json"})
    answer(r, 413)
    assert answer(users.get("/api/users"), 200)["meta"]["total"] == 3
    # Just under the limit is fine.
    ok = json.dumps({"blob": "y" * (1024 * 1024 - 100)})
    assert len(ok) <= 1024 * 1024
    item = answer(users.post("/api/users", data=ok,
                             headers={"Content-Type": "application/json"}), 201)
    assert len(item["blob"]) == 1024 * 1024 - 100


def test_max_items_is_507(run):
    s = run(config([{"name": "small", "maxItems": 3, "seedData": [{"id": "s1"}]}],
                   api("small", "/small")))
    create(s, "/small", {"n": 1})
    create(s, "/small", {"n": 2})
    answer(s.post("/small", json={"n": 3}), 507)
    answer(s.post("/small", json={"id": "explicit"}), 507)
    assert answer(s.get("/small"), 200)["meta"]["total"] == 3
    # Room again after a delete.
    assert s.request("DELETE", "/small/s1").status_code == 204
    create(s, "/small", {"n": 4})


# =========================================================================== update / patch / delete


def test_update_replaces_the_whole_item(users):
    item = create(users, "/api/users", {"name": "Old", "age": 20, "keep": "no"})
    r = users.request("PUT", f"/api/users/{item['id']}",
                      json={"id": "hijack", "name": "New", "extra": [1]})
    new = answer(r, 200)
    assert set(new) == {"id", "name", "extra", "createdAt", "updatedAt"}
    assert new["id"] == item["id"]
    assert new["name"] == "New" and new["extra"] == [1]
    assert new["createdAt"] == item["createdAt"]
    assert parse_iso(new["updatedAt"]) >= parse_iso(item["updatedAt"])
    assert answer(users.get(f"/api/users/{item['id']}"), 200) == new
    answer(users.get("/api/users/hijack"), 404)


def test_update_and_patch_refresh_updated_at(run):
    seeds = [{"id": "n1", "text": "old", "createdAt": "2019-06-01T00:00:00Z",
              "updatedAt": "2020-01-01T00:00:00Z"},
             {"id": "n2", "text": "old", "createdAt": "2019-06-01T00:00:00Z",
              "updatedAt": "2020-01-01T00:00:00Z"}]
    s = run(config([{"name": "notes", "seedData": seeds}], api("notes", "/notes")))
    put = call(s, "PUT", "/notes/n1", 200, json={"text": "new"})
    assert put["createdAt"] == "2019-06-01T00:00:00Z"
    assert put["updatedAt"] != "2020-01-01T00:00:00Z"
    assert_recent(put["updatedAt"])
    patched = call(s, "PATCH", "/notes/n2", 200, json={"text": "new"})
    assert patched["createdAt"] == "2019-06-01T00:00:00Z"
    assert_recent(patched["updatedAt"])


def test_update_seed_drops_unsent_fields(users):
    new = call(users, "PUT", "/api/users/2", 200, json={"name": "Bobby"})
    assert new["id"] == "2" and new["name"] == "Bobby"
    for gone in ("age", "role", "active", "metadata"):
        assert gone not in new, new
    assert answer(users.get("/api/users/2"), 200) == new


def test_patch_merges_and_null_removes(users):
    item = create(users, "/api/users", {"name": "Pat", "age": 5, "city": "Oslo"})
    r = users.request("PATCH", f"/api/users/{item['id']}",
                      json={"id": "other", "age": 6, "city": None, "pet": "cat"})
    new = answer(r, 200)
    assert new["id"] == item["id"]
    assert new["name"] == "Pat" and new["age"] == 6 and new["pet"] == "cat"
    assert "city" not in new, new
    assert new["createdAt"] == item["createdAt"]
    assert answer(users.get(f"/api/users/{item['id']}"), 200) == new
    answer(users.get("/api/users/other"), 404)
    seed = call(users, "PATCH", "/api/users/u3", 200, json={"tags": None})
    assert "tags" not in seed and seed["name"] == "Cy" and seed["metadata"] == {"tier": "gold"}


def test_delete_then_get_is_404(users):
    item = create(users, "/api/users", {"name": "Tmp"})
    r = users.request("DELETE", f"/api/users/{item['id']}")
    assert r.status_code == 204
    assert r.content == b""
    answer(users.get(f"/api/users/{item['id']}"), 404)
    r = users.request("DELETE", "/api/users/1")
    assert (r.status_code, r.content) == (204, b"")
    assert ids_of(answer(users.get("/api/users"), 200)["data"]) == ["2", "u3"]
    body = call(users, "DELETE", "/api/users/1", 404)
    assert body["statusCode"] == 404 and body["id"] == "1"
    # The deleted id can be used again.
    assert create(users, "/api/users", {"id": 1, "name": "again"})["id"] == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_item_action_on_unknown_id_is_404(users, method):
    kw = {} if method == "DELETE" else {"json": {"name": "x"}}
    body = call(users, method, "/api/users/ghost", 404, **kw)
    assert body == {"error": "resource not found", "resource": "users", "id": "ghost",
                    "statusCode": 404}
    assert answer(users.get("/api/users"), 200)["meta"]["total"] == 3


# =========================================================================== sharing


def test_tables_are_shared_by_name_across_mocks(run):
    s = run(config([users_table()],
                   api("users", "/api/users"),
                   api("users", "/inline/users", via="inline")))
    item = create(s, "/inline/users", {"name": "Shared"})
    assert answer(s.get(f"/api/users/{item['id']}"), 200) == item
    call(s, "PATCH", f"/api/users/{item['id']}", 200, json={"name": "Changed"})
    assert answer(s.get(f"/inline/users/{item['id']}"), 200)["name"] == "Changed"
    assert s.request("DELETE", "/inline/users/u3").status_code == 204
    assert ids_of(answer(s.get("/api/users"), 200)["data"]) == [item["id"], 1, "2"]


def test_each_engine_has_its_own_state(servers, cfgs):
    path = cfgs.write(config([users_table()], api("users", "/api/users")))
    a = servers.engine(path)
    b = servers.engine(path)
    item = create(a, "/api/users", {"name": "OnlyA"})
    assert a.request("DELETE", "/api/users/1").status_code == 204
    answer(b.get(f"/api/users/{item['id']}"), 404)
    assert answer(b.get("/api/users/1"), 200) == USERS[0]
    assert answer(b.get("/api/users"), 200)["data"] == USERS
    assert answer(a.get("/api/users"), 200)["meta"]["total"] == 3


def test_answers_are_json(users):
    item = create(users, "/api/users", {"name": "J"})
    for method, path, status in [("GET", "/api/users", 200),
                                 ("GET", f"/api/users/{item['id']}", 200),
                                 ("PUT", f"/api/users/{item['id']}", 200),
                                 ("PATCH", f"/api/users/{item['id']}", 200),
                                 ("GET", "/api/users/none", 404)]:
        kw = {"json": {"a": 1}} if method in ("PUT", "PATCH") else {}
        answer(users.request(method, path, **kw), status)


# =========================================================================== admin


ADMIN_TABLES = [
    {"name": "seqs", "idStrategy": "sequence",
     "seedData": [{"id": 1, "n": "a"}, {"id": 4, "n": "b"}]},
    users_table(),
    {"name": "posts", "parentField": "userId",
     "seedData": [{"id": "p1", "userId": 1}, {"id": "p2", "userId": 2}]},
]


@pytest.fixture
def adm(servers, cfgs):
    doc = config(copy.deepcopy(ADMIN_TABLES),
                 api("seqs", "/seqs"), api("users", "/api/users"),
                 api("posts", "/users/{userId}/posts", "/users/{userId}/posts/{id}"))
    return servers.start(config=cfgs.write(doc), env={"MOCKD_API_KEY": ""})


def aok(server, method, path, status=200, **kw):
    return answer(admin(server, method, path, **kw), status)


def info_by_name(body):
    return {r["name"]: r for r in body["resources"]}


def test_admin_state_overview(adm):
    create(adm, "/api/users", {"name": "extra"})
    body = aok(adm, "GET", "/state")
    assert body["total"] == 3
    assert body["totalItems"] == 8
    assert sorted(body["resourceList"]) == ["posts", "seqs", "users"]
    infos = info_by_name(body)
    assert set(infos) == {"posts", "seqs", "users"}
    parents = {name: info.pop("parentField") for name, info in infos.items()}
    assert parents["posts"] == "userId"
    assert parents["seqs"] in ("", None) and parents["users"] in ("", None)
    assert infos == {
        "seqs": {"name": "seqs", "itemCount": 2, "seedCount": 2, "idField": "id",
                 "idStrategy": "sequence"},
        "users": {"name": "users", "itemCount": 4, "seedCount": 3, "idField": "id",
                  "idStrategy": "uuid"},
        "posts": {"name": "posts", "itemCount": 2, "seedCount": 2, "idField": "id",
                  "idStrategy": "uuid"},
    }


@pytest.mark.parametrize("path", ["/state/reset", "/reset"])
def test_admin_reset_all_restores_seeds(adm, path):
    assert create(adm, "/seqs", {})["id"] == 5
    assert create(adm, "/seqs", {})["id"] == 6
    assert adm.request("DELETE", "/seqs/1").status_code == 204
    create(adm, "/api/users", {"name": "x"})
    call(adm, "PATCH", "/api/users/u3", 200, json={"name": "changed"})
    create(adm, "/users/1/posts", {"t": 1})
    assert aok(adm, "POST", path) == {"status": "reset", "tables": 3}
    assert answer(adm.get("/seqs"), 200)["data"] == ADMIN_TABLES[0]["seedData"]
    assert answer(adm.get("/api/users"), 200)["data"] == USERS
    assert answer(adm.get("/api/users/u3"), 200) == USERS[2]
    assert answer(adm.get("/users/1/posts"), 200)["meta"]["total"] == 1
    # The sequence restarts after the largest seed id.
    assert create(adm, "/seqs", {})["id"] == 5
    assert aok(adm, "GET", "/state")["totalItems"] == 8


@pytest.mark.parametrize("style", ["state", "short"])
def test_admin_reset_one_table(adm, style):
    create(adm, "/seqs", {})
    create(adm, "/seqs", {})
    extra = create(adm, "/api/users", {"name": "stays"})
    path = "/state/resources/seqs/reset" if style == "state" else "/reset/seqs"
    assert aok(adm, "POST", path) == {"status": "reset", "table": "seqs", "itemCount": 2}
    assert answer(adm.get("/seqs"), 200)["data"] == ADMIN_TABLES[0]["seedData"]
    assert create(adm, "/seqs", {})["id"] == 5
    assert answer(adm.get(f"/api/users/{extra['id']}"), 200) == extra
    path = "/state/resources/users/reset" if style == "state" else "/reset/users"
    assert aok(adm, "POST", path) == {"status": "reset", "table": "users", "itemCount": 3}
    answer(adm.get(f"/api/users/{extra['id']}"), 404)
    assert answer(adm.get("/seqs"), 200)["meta"]["total"] == 3


@pytest.mark.parametrize("method, path", [
    ("POST", "/state/resources/nope/reset"),
    ("POST", "/reset/nope"),
    ("GET", "/state/resources/nope"),
    ("DELETE", "/state/resources/nope"),
    ("POST", "/state/resources/nope/unregister"),
    ("GET", "/state/resources/nope/items"),
    ("GET", "/state/resources/nope/items/1"),
])
def test_admin_unknown_table_is_404(adm, method, path):
    body = aok(adm, method, path, 404)
    assert body["error"] == "not_found", body
    assert aok(adm, "GET", "/state")["total"] == 3


def test_admin_clear_table_then_reset_brings_seeds_back(adm):
    create(adm, "/api/users", {"name": "x"})
    assert aok(adm, "DELETE", "/state/resources/users") == {
        "status": "cleared", "table": "users", "cleared": 4}
    assert answer(adm.get("/api/users"), 200) == {
        "data": [], "meta": {"total": 0, "limit": 100, "offset": 0, "count": 0,
                             "has_more": False}}
    answer(adm.get("/api/users/u3"), 404)
    info = aok(adm, "GET", "/state/resources/users")
    assert (info["itemCount"], info["seedCount"]) == (0, 3)
    # Still a table: items can be created in it.
    item = create(adm, "/api/users", {"name": "after"})
    assert answer(adm.get("/api/users"), 200)["data"] == [item]
    assert aok(adm, "POST", "/state/resources/users/reset") == {
        "status": "reset", "table": "users", "itemCount": 3}
    assert answer(adm.get("/api/users"), 200)["data"] == USERS


def test_admin_resource_info(adm):
    info = aok(adm, "GET", "/state/resources/posts")
    assert info == {"name": "posts", "itemCount": 2, "seedCount": 2, "idField": "id",
                    "idStrategy": "uuid", "parentField": "userId"}
    listed = aok(adm, "GET", "/state/resources")
    assert sorted(info_by_name(listed)) == ["posts", "seqs", "users"]
    assert info_by_name(listed)["posts"] == info


def test_admin_register_table_and_use_its_items(adm):
    info = aok(adm, "POST", "/state/resources", 201, json={
        "name": "widgets", "idField": "sku", "idStrategy": "short",
        "seedData": [{"sku": "w1", "color": "red"}, {"sku": "w2", "color": "blue"}]})
    parent = info.pop("parentField", None)
    assert parent in ("", None)
    assert info == {"name": "widgets", "itemCount": 2, "seedCount": 2, "idField": "sku",
                    "idStrategy": "short"}
    assert "widgets" in aok(adm, "GET", "/state")["resourceList"]
    assert "widgets" in info_by_name(aok(adm, "GET", "/state/resources"))
    assert aok(adm, "GET", "/state/resources/widgets")["itemCount"] == 2

    base = "/state/resources/widgets/items"
    item = aok(adm, "POST", base, 201, json={"color": "green"})
    assert HEX16.match(item["sku"]), item
    assert_recent(item["createdAt"])
    body = aok(adm, "GET", base)
    assert ids_of(body["data"], "sku") == [item["sku"], "w1", "w2"]
    assert body["meta"] == {"total": 3, "limit": 100, "offset": 0, "count": 3,
                            "has_more": False}
    body = aok(adm, "GET", base, params={"color": "blue"})
    assert body["data"] == [{"sku": "w2", "color": "blue"}]
    body = aok(adm, "GET", base, params={"limit": "1", "sort": "color", "order": "asc"})
    assert ids_of(body["data"], "sku") == ["w2"] and body["meta"]["has_more"] is True
    assert aok(adm, "GET", f"{base}/w1") == {"sku": "w1", "color": "red"}
    put = aok(adm, "PUT", f"{base}/w1", json={"size": 1})
    assert put["sku"] == "w1" and put["size"] == 1 and "color" not in put
    patched = aok(adm, "PATCH", f"{base}/w1", json={"color": "pink", "size": None})
    assert patched["sku"] == "w1" and patched["color"] == "pink" and "size" not in patched
    r = admin(adm, "DELETE", f"{base}/w1")
    assert (r.status_code, r.content) == (204, b"")
    aok(adm, "GET", f"{base}/w1", 404)
    aok(adm, "POST", base, 409, json={"sku": "w2"})
    assert aok(adm, "POST", "/state/resources/widgets/reset")["itemCount"] == 2
    assert aok(adm, "GET", f"{base}/w1") == {"sku": "w1", "color": "red"}


@pytest.mark.parametrize("payload, status, error", [
    ({"name": "users"}, 409, None),
    ({"idField": "x"}, 400, "validation_error"),
    ({"name": "bad", "idStrategy": "snowflake"}, 400, "validation_error"),
    ({"name": "dup", "seedData": [{"id": 1}, {"id": 1}]}, 400, "validation_error"),
])
def test_admin_register_conflict_or_invalid(adm, payload, status, error):
    body = aok(adm, "POST", "/state/resources", status, json=payload)
    if error:
        assert body["error"] == error, body
    state = aok(adm, "GET", "/state")
    assert sorted(state["resourceList"]) == ["posts", "seqs", "users"]
    assert info_by_name(state)["users"]["itemCount"] == 3


def test_admin_items_share_state_with_the_mocks(adm):
    base = "/state/resources/users/items"
    made = aok(adm, "POST", base, 201, json={"name": "via admin"})
    assert answer(adm.get(f"/api/users/{made['id']}"), 200) == made
    mocked = create(adm, "/api/users", {"name": "via mock"})
    assert aok(adm, "GET", f"{base}/{mocked['id']}") == mocked
    assert aok(adm, "GET", f"{base}/1") == USERS[0]
    aok(adm, "PATCH", f"{base}/1", json={"name": "Ada!"})
    assert answer(adm.get("/api/users/1"), 200)["name"] == "Ada!"
    assert admin(adm, "DELETE", f"{base}/u3").status_code == 204
    answer(adm.get("/api/users/u3"), 404)
    body = aok(adm, "GET", base, params={"age": "30"})
    assert ids_of(body["data"]) == [1, "2"]
    aok(adm, "PUT", f"{base}/ghost", 404, json={})
    aok(adm, "PATCH", f"{base}/ghost", 404, json={})
    aok(adm, "DELETE", f"{base}/ghost", 404)
    body = aok(adm, "GET", f"{base}/ghost", 404)
    assert body["statusCode"] == 404


def test_admin_unregister_table(adm):
    body = aok(adm, "POST", "/state/resources/users/unregister")
    assert body["status"] == "unregistered", body
    state = aok(adm, "GET", "/state")
    assert sorted(state["resourceList"]) == ["posts", "seqs"]
    assert state["total"] == 2
    aok(adm, "GET", "/state/resources/users", 404)
    # The bound mocks still route, but their table is gone.
    body = answer(adm.get("/api/users"), 404)
    assert "error" in body
    body = answer(adm.get("/api/users/1"), 404)
    assert "error" in body
    answer(adm.post("/api/users", json={"name": "x"}), 404)
    # Other tables are unaffected.
    assert answer(adm.get("/seqs"), 200)["meta"]["total"] == 2


def test_admin_wrong_method_is_405(adm):
    cases = [
        ("GET", "/state/reset"), ("GET", "/reset"), ("GET", "/reset/users"),
        ("POST", "/state"), ("DELETE", "/state"),
        ("DELETE", "/state/resources"), ("PUT", "/state/resources"),
        ("PUT", "/state/resources/users"), ("POST", "/state/resources/users"),
        ("GET", "/state/resources/users/reset"), ("GET", "/state/resources/users/unregister"),
        ("DELETE", "/state/resources/users/items"), ("PUT", "/state/resources/users/items"),
        ("POST", "/state/resources/users/items/1"),
    ]
    got = {(m, p): admin(adm, m, p, json={}).status_code for m, p in cases}
    assert got == {case: 405 for case in cases}
    # Nothing changed.
    assert aok(adm, "GET", "/state")["totalItems"] == 7


# =========================================================================== concurrency


def test_concurrent_creates_keep_every_item_with_unique_ids(run):
    s = run(config([users_table()], api("users", "/api/users")))
    statuses, items = concurrent_creates(s.port, "/api/users", 5000, connections=8)
    assert set(statuses) == {201}, set(statuses)
    assert len(items) == 5000
    ids = [i["id"] for i in items]
    assert len(set(ids)) == 5000, "duplicate ids under concurrency"
    body = list_all(s, "/api/users")
    assert body["meta"]["total"] == 5003
    listed = ids_of(body["data"])
    assert len(listed) == 5003 and len(set(listed)) == 5003
    assert set(listed) == set(ids) | {1, "2", "u3"}


def test_concurrent_creates_with_sequence_ids(run):
    seeds = [{"id": 1}, {"id": 2}, {"id": 3}]
    s = run(config([{"name": "seq", "idStrategy": "sequence", "seedData": seeds}],
                   api("seq", "/seq")))
    statuses, items = concurrent_creates(s.port, "/seq", 5000, connections=8)
    assert sorted(set(statuses)) == [201]
    ids = [i["id"] for i in items]
    assert all(type(v) is int for v in ids)
    assert sorted(ids) == list(range(4, 5004))
    body = list_all(s, "/seq")
    assert body["meta"]["total"] == 5003
    assert sorted(ids_of(body["data"])) == list(range(1, 5004))
    assert create(s, "/seq", {})["id"] == 5004


def test_api_made_tables_survive_a_restart_with_their_seeds(servers, tmp_path):
    data = tmp_path / "persist"
    s = servers.start("--data-dir", data)
    r = s.session.post(s.admin_base + "/state/resources", json={
        "name": "notes", "idStrategy": "sequence", "seedData": [{"id": 1, "text": "seed"}]}, timeout=5)
    assert r.status_code == 201, r.text
    r = s.session.post(s.admin_base + "/mocks", json={
        "id": "get-note", "type": "http",
        "http": {"matcher": {"method": "GET", "path": "/notes/{id}"},
                 "statefulBinding": {"table": "notes", "action": "get"}}}, timeout=5)
    assert r.status_code == 201, r.text
    r = s.session.post(s.admin_base + "/state/resources/notes/items", json={"text": "made"}, timeout=5)
    assert r.status_code == 201 and r.json()["id"] == 2
    s.signal(signal.SIGTERM)
    assert s.wait_exit(5) == 0

    again = servers.start("--data-dir", data)
    assert again.get("/notes/1").json() == {"id": 1, "text": "seed"}
    # Items start from the seeds again; the definition and the binding are back.
    assert again.get("/notes/2").status_code == 404
    info = again.session.get(again.admin_base + "/state/resources/notes", timeout=5).json()
    assert info["idStrategy"] == "sequence" and info["seedCount"] == 1


def test_table_changes_are_stored_one_by_one_and_a_replace_whole(servers, tmp_path):
    data = tmp_path / "persist"
    s = servers.start("--data-dir", data)

    def admin(server, method, path, body=None, status=200):
        r = server.session.request(method, server.admin_base + path, json=body, timeout=5)
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    def table_names(server):
        return sorted(t["name"] for t in admin(server, "GET", "/state/resources")["resources"])

    for name in ("keep", "drop", "later"):
        admin(s, "POST", "/state/resources", {"name": name}, status=201)
    admin(s, "POST", "/state/resources/drop/unregister")
    s.signal(signal.SIGTERM)
    assert s.wait_exit(5) == 0

    again = servers.start("--data-dir", data)
    assert table_names(again) == ["keep", "later"]
    # A replacing import is one change of every set: only its tables are left.
    admin(again, "POST", "/config?replace=true",
          {"version": "1.0", "tables": [{"name": "fresh"}], "mocks": []})
    again.signal(signal.SIGTERM)
    assert again.wait_exit(5) == 0
    third = servers.start("--data-dir", data)
    assert table_names(third) == ["fresh"]


def test_config_export_carries_tables_and_imports_whole(servers, tmp_path):
    cfg = tmp_path / "tables.yaml"
    cfg.write_text(
        "tables:\n"
        "  - name: users\n"
        "    seedData: [{ id: u1, name: Ann }]\n"
        "mocks:\n"
        "  - id: get-user\n"
        "    type: http\n"
        "    http: { matcher: { method: GET, path: \"/users/{id}\" } }\n"
        "extend:\n"
        "  - { mock: get-user, table: users, action: get }\n")
    a = servers.start(config=cfg)
    exported = a.session.get(a.admin_base + "/config", timeout=5).json()
    assert [t["name"] for t in exported["tables"]] == ["users"]
    binding = exported["mocks"][0]["http"]["statefulBinding"]
    assert binding == {"table": "users", "action": "get"}

    b = servers.start()
    r = b.session.post(b.admin_base + "/config?replace=true", json=exported, timeout=5)
    assert r.status_code == 200, r.text
    assert b.get("/users/u1").json() == {"id": "u1", "name": "Ann"}
    assert b.get("/users/u2").status_code == 404


STRIPE_LIKE = """
tables:
  - name: customers
    idStrategy: prefix
    idPrefix: cus_
    seedData:
      - { id: cus_seed, email: seed@example.com, secret: s3cret }
    response:
      fields:
        hide: [secret]
        inject: { object: customer }
      timestamps: { format: unix, fields: { createdAt: created } }
      list:
        extraFields: { object: list, url: /v1/customers, has_more: false }
        hideMeta: true
      create: { status: 200 }
      delete: { status: 200, body: { id: "{{item.id}}", object: customer, deleted: true } }
      errors:
        wrap: error
        fields: { message: message }
        typeMap: { NOT_FOUND: invalid_request_error }
        codeMap: { NOT_FOUND: resource_missing }
  - name: charges
    relationships: { customer: { table: customers } }
    seedData:
      - { id: ch_1, customer: cus_seed, amount: 100 }
mocks:
  - { id: list, type: http, http: { matcher: { method: GET, path: /v1/customers } } }
  - { id: create, type: http, http: { matcher: { method: POST, path: /v1/customers } } }
  - { id: get, type: http, http: { matcher: { method: GET, path: "/v1/customers/{customer}" } } }
  - { id: delete, type: http, http: { matcher: { method: DELETE, path: "/v1/customers/{customer}" } } }
  - { id: charge, type: http, http: { matcher: { method: GET, path: "/v1/charges/{charge}" } } }
extend:
  - { mock: list, table: customers, action: list }
  - { mock: create, table: customers, action: create }
  - { mock: get, table: customers, action: get }
  - { mock: delete, table: customers, action: delete }
  - { mock: charge, table: charges, action: get }
"""


def test_response_transforms_make_a_stripe_like_twin(servers, tmp_path):
    cfg = tmp_path / "stripe.yaml"
    cfg.write_text(STRIPE_LIKE)
    s = servers.engine(cfg)
    r = s.post("/v1/customers", data="email=new%40example.com&metadata[tier]=gold",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["id"].startswith("cus_") and created["object"] == "customer"
    assert created["metadata"] == {"tier": "gold"}
    assert isinstance(created["created"], int) and "createdAt" not in created

    seed = s.get("/v1/customers/cus_seed").json()
    assert seed == {"id": "cus_seed", "email": "seed@example.com", "object": "customer"}

    listing = s.get("/v1/customers?limit=10").json()
    assert listing["object"] == "list" and listing["url"] == "/v1/customers"
    assert "meta" not in listing and len(listing["data"]) == 2

    missing = s.get("/v1/customers/cus_nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"message": "resource not found",
                                        "type": "invalid_request_error",
                                        "code": "resource_missing"}}

    gone = s.request("DELETE", f"/v1/customers/{created['id']}")
    assert gone.status_code == 200
    assert gone.json() == {"id": created["id"], "object": "customer", "deleted": True}
    assert s.get(f"/v1/customers/{created['id']}").status_code == 404

    charge = s.get("/v1/charges/ch_1?expand[]=customer").json()
    assert charge["customer"]["email"] == "seed@example.com"
    assert s.get("/v1/charges/ch_1").json()["customer"] == "cus_seed"


BANK = """
tables:
  - name: accounts
    seedData:
      - { id: a, balance: 100 }
      - { id: b, balance: 5 }
  - name: signups
    validation:
      mode: strict
      fields:
        email: { type: string, format: email, required: true }
        age: { type: integer, min: 18 }
customOperations:
  - name: transfer
    consistency: atomic
    steps:
      - { type: read, resource: accounts, id: input.from, as: src }
      - { type: read, resource: accounts, id: input.to, as: dst }
      - { type: update, resource: accounts, id: input.from, set: { balance: "src.balance - input.amount" } }
      - { type: validate, condition: "src.balance >= input.amount", errorMessage: insufficient funds, errorStatus: 422 }
      - { type: update, resource: accounts, id: input.to, set: { balance: "dst.balance + input.amount" } }
    response:
      from: "src.balance - input.amount"
      to: "dst.balance + input.amount"
mocks:
  - id: transfer
    type: http
    http:
      matcher: { method: POST, path: /transfers }
      statefulOperation: transfer
  - id: account
    type: http
    http:
      matcher: { method: GET, path: "/accounts/{id}" }
      statefulBinding: { table: accounts, action: get }
  - id: signup
    type: http
    http:
      matcher: { method: POST, path: /signups }
      statefulBinding: { table: signups, action: create }
"""


def test_custom_operations_over_http_and_admin_with_rollback(servers, tmp_path):
    cfg = tmp_path / "bank.yaml"
    cfg.write_text(BANK)
    s = servers.start(config=cfg)
    r = s.post("/transfers", json={"from": "a", "to": "b", "amount": 30})
    assert r.status_code == 200, r.text
    assert r.json() == {"from": 70, "to": 35}
    # Too much: the validate step fails after the first update, and atomic puts it back.
    r = s.post("/transfers", json={"from": "b", "to": "a", "amount": 500})
    assert r.status_code == 422
    assert r.json()["error"] == "insufficient funds" and r.json()["rolledBack"] is True
    assert s.get("/accounts/b").json()["balance"] == 35
    assert s.get("/accounts/a").json()["balance"] == 70

    ops = s.session.get(s.admin_base + "/state/operations", timeout=5).json()
    assert ops == {"operations": [{"name": "transfer", "stepCount": 5, "consistency": "atomic"}],
                   "count": 1}
    r = s.session.post(s.admin_base + "/state/operations/transfer/execute",
                       json={"from": "a", "to": "b", "amount": 10}, timeout=5)
    assert r.status_code == 200 and r.json() == {"from": 60, "to": 45}
    bad = s.session.post(s.admin_base + "/state/operations", json={
        "name": "broken", "steps": [{"type": "set", "var": "x", "value": "1 +"}]}, timeout=5)
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "steps[0].value"
    # A step without its id is taken, as mockd takes it, and fails when it runs.
    idless = s.session.post(s.admin_base + "/state/operations", json={
        "name": "idless", "steps": [{"type": "read", "resource": "accounts", "as": "x"}]},
        timeout=5)
    assert idless.status_code in (200, 201), idless.text
    r = s.session.post(s.admin_base + "/state/operations/idless/execute", json={}, timeout=5)
    assert r.status_code == 400 and "read step requires id expression" in r.text, r.text
    assert s.session.get(s.admin_base + "/state/operations/nope", timeout=5).status_code == 404


def test_table_validation_over_http(servers, tmp_path):
    cfg = tmp_path / "bank.yaml"
    cfg.write_text(BANK)
    s = servers.engine(cfg)
    r = s.post("/signups", json={"email": "not-an-email", "age": 12})
    assert r.status_code == 400
    message = r.json()["error"]
    assert "email: must be a valid email" in message and "age: must be >= 18" in message
    assert s.post("/signups", json={"age": 30}).json()["error"] == "validation failed: email: is required"
    assert s.post("/signups", json={"email": "ann@example.com", "age": 30}).status_code == 201


def test_unknown_operation_in_config_is_one_clear_error(tmp_path):
    from conftest import run_mockd
    cfg = tmp_path / "c.yaml"
    cfg.write_text("mocks:\n  - id: x\n    type: http\n    http:\n"
                   "      matcher: { path: /x }\n      statefulOperation: nope\n")
    r = run_mockd(["engine", "--config", str(cfg), "--port", "0"])
    assert r.returncode != 0
    assert 'no custom operation named "nope"' in r.stderr and str(cfg) in r.stderr


def test_stateful_cli_commands(servers, tmp_path):
    from conftest import run_mockd
    s = servers.start()
    env = {"MOCKD_ADMIN_URL": s.admin_base, "HOME": str(tmp_path / "home")}
    seeds = tmp_path / "seeds.json"
    seeds.write_text('[{"id": "1", "t": "seed"}]')

    def cli(*args):
        return run_mockd(list(args), env=env)

    r = cli("stateful", "add", "notes", "--id-strategy", "sequence", "--seed-file", str(seeds))
    assert r.returncode == 0 and "Created table: notes" in r.stdout, r.stderr
    r = cli("stateful", "list")
    assert r.returncode == 0 and "notes" in r.stdout and " 1 " in r.stdout
    assert s.session.post(s.admin_base + "/state/resources/notes/items", json={"t": "new"}, timeout=5).status_code == 201
    r = cli("stateful", "items", "notes", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["meta"]["total"] == 2
    assert cli("stateful", "reset", "notes").returncode == 0
    assert json.loads(cli("stateful", "items", "notes", "--json").stdout)["meta"]["total"] == 1
    r = cli("stateful", "clear", "notes")
    assert r.returncode == 0 and "1 items removed" in r.stdout
    assert cli("stateful", "reset").returncode == 1  # neither a name nor --all

    op = tmp_path / "op.yaml"
    op.write_text('name: double\nsteps:\n  - { type: set, var: twice, value: "input.n * 2" }\n'
                  'response: { result: twice }\n')
    assert cli("stateful", "custom", "add", "--file", str(op)).returncode == 0
    r = cli("stateful", "custom", "run", "double", "--input", '{"n": 21}')
    assert r.returncode == 0 and json.loads(r.stdout) == {"result": 42}
    r = cli("stateful", "custom", "run", "double", "--input", '{"n": "x"}')
    assert r.returncode == 1 and "needs numbers" in r.stderr
    assert "double" in cli("stateful", "custom", "list").stdout
    assert cli("stateful", "custom", "delete", "double").returncode == 0
    assert cli("stateful", "delete", "notes").returncode == 0
    assert "notes" not in cli("stateful", "list").stdout


def test_validation_warn_mode_accepts_and_logs(servers, tmp_path):
    cfg = tmp_path / "warn.yaml"
    cfg.write_text(
        "tables:\n"
        "  - name: leads\n"
        "    validation: { mode: warn, fields: { email: { format: email } } }\n"
        "  - name: notes\n"
        "    validation: { mode: permissive, required: [text] }\n"
        "mocks:\n"
        "  - { id: lead, type: http, http: { matcher: { method: POST, path: /leads },"
        " statefulBinding: { table: leads, action: create } } }\n"
        "  - { id: note, type: http, http: { matcher: { method: POST, path: /notes },"
        " statefulBinding: { table: notes, action: create } } }\n")
    s = servers.engine(cfg)
    assert s.post("/leads", json={"email": "nope"}).status_code == 201
    assert s.post("/notes", json={}).status_code == 201
    deadline = time.monotonic() + 5
    while "failed validation" not in s.stderr() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "email: must be a valid email" in s.stderr()
    assert "text: is required" not in s.stderr()  # permissive checks nothing


# =========================================================================== form coercion


def test_form_numbers_with_leading_zeros_stay_text(users):
    form = "zip=0123&n=007&code=-01&pad=00.5&count=12&zero=0&ratio=0.5&neg=-3"
    item = answer(users.post("/api/users", data=form,
                             headers={"Content-Type": "application/x-www-form-urlencoded"}), 201)
    fields = {k: v for k, v in item.items() if k not in ("id", "createdAt", "updatedAt")}
    assert fields == {"zip": "0123", "n": "007", "code": "-01", "pad": "00.5",
                      "count": 12, "zero": 0, "ratio": 0.5, "neg": -3}
    assert type(fields["count"]) is int and type(fields["zero"]) is int
    assert answer(users.get(f"/api/users/{item['id']}"), 200) == item


# =========================================================================== error shaping


SHAPED_ERRORS = {
    "wrap": "error",
    "fields": {"message": "message", "statusCode": "status"},
    "typeMap": {"NOT_FOUND": "invalid_request_error", "PAYLOAD_TOO_LARGE": "invalid_request_error",
                "VALIDATION_ERROR": "invalid_request_error"},
    "codeMap": {"NOT_FOUND": "resource_missing", "PAYLOAD_TOO_LARGE": "payload_too_large",
                "VALIDATION_ERROR": "parameter_invalid"},
    "inject": {"doc_url": "https://docs.example.test/errors"},
}


def shaped(message, status, code):
    return {"error": {"message": message, "status": status, "type": "invalid_request_error",
                      "code": code, "doc_url": "https://docs.example.test/errors"}}


@pytest.mark.parametrize("where", ["table", "binding"])
def test_errors_transform_shapes_body_errors_too(run, where):
    table = {"name": "notes", "seedData": [{"id": "n1", "text": "a"}]}
    binding = None
    if where == "table":
        table["response"] = {"errors": SHAPED_ERRORS}
    else:
        binding = {"errors": SHAPED_ERRORS}
    s = run(config([table], api("notes", "/notes", response=binding)))
    big = json.dumps({"text": "x" * (1024 * 1024)})
    r = s.post("/notes", data=big, headers={"Content-Type": "application/json"})
    assert answer(r, 413) == shaped("the request body is larger than 1 MiB", 413,
                                    "payload_too_large")
    r = s.request("PUT", "/notes/n1", data="{not json", headers={"Content-Type": "application/json"})
    assert answer(r, 400) == shaped("the request body is not valid JSON", 400, "parameter_invalid")
    r = s.request("PATCH", "/notes/n1", data=big, headers={"Content-Type": "application/json"})
    assert answer(r, 413)["error"]["code"] == "payload_too_large"
    # errors.inject and the maps apply to the table's own errors as well.
    assert answer(s.get("/notes/nope"), 404) == shaped("resource not found", 404,
                                                       "resource_missing")
    # Nothing was written.
    assert answer(s.get("/notes/n1"), 200) == {"id": "n1", "text": "a"}
    assert answer(s.get("/notes"), 200)["meta"]["total"] == 1


# =========================================================================== relationships


def test_expand_follows_the_relationships_field(run):
    people = {"name": "people", "seedData": [
        {"id": "p1", "email": "ann@example.test", "name": "Ann"},
        {"id": "p2", "email": "bob@example.test", "name": "Bob"}]}
    orders = {"name": "orders",
              "relationships": {"buyer": {"table": "people", "field": "email"},
                                "seller": {"table": "people"}},
              "seedData": [{"id": "o1", "buyer": "bob@example.test", "seller": "p1"},
                           {"id": "o2", "buyer": "p1", "seller": "nobody"}]}
    s = run(config([people, orders], api("orders", "/orders")))
    o1 = answer(s.get("/orders/o1?expand[]=buyer&expand[]=seller"), 200)
    assert o1["buyer"] == people["seedData"][1]  # found by email, not by id
    assert o1["seller"] == people["seedData"][0]  # no field: by id
    assert answer(s.get("/orders/o1?expand=buyer,seller"), 200) == o1
    # "p1" is nobody's email, and "nobody" nobody's id: the values stay as they are.
    o2 = answer(s.get("/orders/o2?expand=buyer,seller"), 200)
    assert o2 == orders["seedData"][1]


# =========================================================================== soft delete


def test_preserved_delete_hides_the_item_and_reset_brings_seeds_back(servers, cfgs):
    doc = config([{"name": "notes", "seedData": [{"id": "n1", "t": "a"}, {"id": "n2", "t": "b"}],
                   "response": {"delete": {"preserve": True}}}],
                 api("notes", "/notes"))
    s = servers.start(config=cfgs.write(doc), env={"MOCKD_API_KEY": ""})
    made = create(s, "/notes", {"t": "c"})
    for gone in ("n1", made["id"]):
        r = s.request("DELETE", f"/notes/{gone}")
        assert (r.status_code, r.content) == (204, b"")
        assert answer(s.get(f"/notes/{gone}"), 404)["id"] == gone
        assert answer(s.request("DELETE", f"/notes/{gone}"), 404)["id"] == gone
        call(s, "PATCH", f"/notes/{gone}", 404, json={"t": "z"})
    assert ids_of(answer(s.get("/notes"), 200)["data"]) == ["n2"]
    assert aok(s, "GET", "/state/resources/notes")["itemCount"] == 1
    # Kept, not gone: its id is still taken.
    body = create(s, "/notes", {"id": "n1", "t": "again"}, status=409)
    assert body["id"] == "n1"
    aok(s, "POST", "/state/resources/notes/reset")
    assert answer(s.get("/notes/n1"), 200) == {"id": "n1", "t": "a"}
    assert answer(s.get("/notes"), 200)["meta"]["total"] == 2
    answer(s.get(f"/notes/{made['id']}"), 404)


# =========================================================================== item transforms


def test_fields_rename_and_wrap_as_list(run):
    response = {"fields": {"rename": {"name": "full_name"},
                           "wrapAsList": {"lines": {"url": "/v1/invoices/{{id}}/lines"},
                                          "notes": {}}}}
    seed = {"id": "in_1", "name": "Ann", "lines": [{"amount": 5}, {"amount": 7}],
            "notes": "not a list"}
    s = run(config([{"name": "invoices", "seedData": [seed], "response": response}],
                   api("invoices", "/v1/invoices")))
    got = answer(s.get("/v1/invoices/in_1"), 200)
    assert got == {
        "id": "in_1", "full_name": "Ann", "notes": "not a list",
        "lines": {"object": "list", "data": [{"amount": 5}, {"amount": 7}], "has_more": False,
                  "url": "/v1/invoices/in_1/lines"},
    }
    made = create(s, "/v1/invoices", {"name": "Bob", "lines": []})
    assert made["full_name"] == "Bob" and "name" not in made
    assert made["lines"] == {"object": "list", "data": [], "has_more": False,
                             "url": f"/v1/invoices/{made['id']}/lines"}
    listed = {i["id"]: i for i in answer(s.get("/v1/invoices"), 200)["data"]}
    assert listed["in_1"] == got and listed[made["id"]]["lines"] == made["lines"]
    # A renamed field is still stored under its own name: filters use it.
    assert ids_of(answer(s.get("/v1/invoices?name=Ann"), 200)["data"]) == ["in_1"]


ISO_SECONDS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
RFC_FRACTION = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$"


@pytest.mark.parametrize("fmt, seed_created, seed_updated, pattern", [
    ("iso8601", "2024-03-05T06:07:08Z", "2024-03-05T08:07:08+02:00", ISO_SECONDS),
    ("rfc3339", "2024-03-05T06:07:08.123Z", "2024-03-05T08:07:08.5+02:00", RFC_FRACTION),
])
def test_timestamp_formats(run, fmt, seed_created, seed_updated, pattern):
    seed = {"id": "e1", "createdAt": "2024-03-05T06:07:08.123Z",
            "updatedAt": "2024-03-05T08:07:08.5+02:00"}
    s = run(config([{"name": "events", "seedData": [seed],
                     "response": {"timestamps": {"format": fmt,
                                                 "fields": {"createdAt": "created"}}}}],
                   api("events", "/events")))
    assert answer(s.get("/events/e1"), 200) == {"id": "e1", "created": seed_created,
                                                "updatedAt": seed_updated}
    made = create(s, "/events", {"n": 1})
    assert set(made) == {"id", "n", "created", "updatedAt"}
    assert re.match(pattern, made["created"]) and re.match(pattern, made["updatedAt"]), made
    assert_recent(made["created"])
    listed = {i["id"]: i for i in answer(s.get("/events"), 200)["data"]}
    assert listed["e1"]["created"] == seed_created


def test_timestamp_format_none_leaves_them_out(run):
    seed = {"id": "e1", "createdAt": "2024-03-05T06:07:08.123Z", "kind": "seed"}
    s = run(config([{"name": "events", "seedData": [seed],
                     "response": {"timestamps": {"format": "none",
                                                 "fields": {"createdAt": "created"}}}}],
                   api("events", "/events")))
    assert answer(s.get("/events/e1"), 200) == {"id": "e1", "kind": "seed"}
    made = create(s, "/events", {"n": 1})
    assert set(made) == {"id", "n"}
    assert answer(s.request("PATCH", f"/events/{made['id']}", json={"n": 2}), 200) == \
        {"id": made["id"], "n": 2}
    # Sorting still sees the stored times: the newest first.
    assert ids_of(answer(s.get("/events"), 200)["data"]) == [made["id"], "e1"]


# =========================================================================== list shaping


def test_list_data_field_and_meta_fields(run):
    # mockd merges the (renamed) meta fields into the envelope itself: no nested meta object.
    seeds = [{"id": f"c{i}"} for i in range(3)]
    response = {"list": {"dataField": "items",
                         "metaFields": {"total": "total_count", "count": "page_count"}}}
    s = run(config([{"name": "cards", "seedData": seeds, "response": response}],
                   api("cards", "/cards")))
    body = answer(s.get("/cards?limit=2&offset=1"), 200)
    assert body == {"items": seeds[1:], "total_count": 3, "page_count": 2,
                    "limit": 2, "offset": 1}
    empty = answer(s.get("/cards?id=nope"), 200)
    assert empty == {"items": [], "total_count": 0, "page_count": 0, "limit": 100, "offset": 0}


@pytest.mark.parametrize("list_cfg, expected", [
    # Any list transform flattens the meta into the envelope, under its own names.
    ({}, {"data": [{"id": "c0"}], "total": 2, "limit": 1, "offset": 0, "count": 1}),
    # Only total/limit/offset/count can be renamed; other names and empty ones are ignored.
    ({"metaFields": {"limit": "per_page", "offset": "", "has_more": "more"}},
     {"data": [{"id": "c0"}], "total": 2, "per_page": 1, "offset": 0, "count": 1}),
    # Extra fields sit beside them; a has_more / hasMore there is the computed value.
    ({"extraFields": {"object": "list", "has_more": False, "hasMore": "x"},
      "metaFields": {"total": "total_count"}},
     {"object": "list", "has_more": True, "hasMore": True, "data": [{"id": "c0"}],
      "total_count": 2, "limit": 1, "offset": 0, "count": 1}),
    # hideMeta: no meta at all, renamed or not.
    ({"dataField": "results", "metaFields": {"total": "total_count"}, "hideMeta": True,
      "extraFields": {"object": "list"}},
     {"object": "list", "results": [{"id": "c0"}]}),
])
def test_list_transform_envelope_shapes(run, list_cfg, expected):
    seeds = [{"id": "c0"}, {"id": "c1"}]
    s = run(config([{"name": "cards", "seedData": seeds, "response": {"list": list_cfg}}],
                   api("cards", "/cards")))
    assert answer(s.get("/cards?limit=1"), 200) == expected


def test_list_without_list_transform_keeps_nested_meta(run):
    seeds = [{"id": "c0"}, {"id": "c1"}]
    s = run(config([{"name": "cards", "seedData": seeds,
                     "response": {"fields": {"inject": {"object": "card"}}}}],
                   api("cards", "/cards")))
    assert answer(s.get("/cards?limit=1"), 200) == {
        "data": [{"id": "c0", "object": "card"}],
        "meta": {"total": 2, "limit": 1, "offset": 0, "count": 1, "has_more": True}}


# =========================================================================== validation auto


def test_validation_auto_infers_types_and_required_fields_from_seeds(run):
    seeds = [{"id": "p1", "name": "Pen", "price": 1.5, "tags": ["a"]},
             {"id": "p2", "name": "Ink", "price": 3}]
    s = run(config([{"name": "products", "seedData": seeds, "validation": {"auto": True}}],
                   api("products", "/products")))

    def rejected(method, path, body):
        return answer(s.request(method, path, json=body), 400)["error"]

    assert rejected("POST", "/products", {"name": "Cap"}) == "validation failed: price: is required"
    assert "name: must be a string, not integer" in rejected("POST", "/products",
                                                             {"name": 5, "price": 2})
    assert "tags: must be an array" in rejected("POST", "/products",
                                                {"name": "Cap", "price": 2, "tags": "x"})
    assert "price: must be a number" in rejected("PATCH", "/products/p1", {"price": "cheap"})
    assert answer(s.get("/products/p1"), 200) == seeds[0]
    assert answer(s.get("/products"), 200)["meta"]["total"] == 2
    # tags is in only one seed, so it may be left out; an integer is a number.
    made = create(s, "/products", {"name": "Cap", "price": 2})
    assert made["price"] == 2
    create(s, "/products", {"name": "Mug", "price": 4.25, "tags": ["b"]})


def test_validation_auto_leaves_the_id_field_out(run):
    # Integer seed ids with generated uuids: the id is neither required nor typed.
    seeds = [{"id": 1, "name": "Pen"}, {"id": 2, "name": "Ink"}]
    s = run(config([{"name": "products", "idStrategy": "uuid", "seedData": seeds,
                     "validation": {"auto": True}}],
                   api("products", "/products")))
    made = create(s, "/products", {"name": "Cap"})
    assert set(made) == {"id", "name", "createdAt", "updatedAt"} and made["name"] == "Cap"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        made["id"]), made
    assert answer(s.request("PUT", "/products/1", json={"name": "Pencil"}), 200)["name"] == \
        "Pencil"
    assert answer(s.post("/products", json={"name": 5}), 400)["error"] == \
        "validation failed: name: must be a string, not integer"
    # A custom idField is left out the same way.
    seeds = [{"sku": 10, "title": "Pen"}]
    s = run(config([{"name": "items", "idField": "sku", "idStrategy": "short",
                     "seedData": seeds, "validation": {"auto": True}}],
                   api("items", "/items")))
    assert isinstance(create(s, "/items", {"title": "Cap"})["sku"], str)
    assert answer(s.post("/items", json={}), 400)["error"] == \
        "validation failed: title: is required"


# =========================================================================== custom operations


SHOP = """
tables:
  - name: carts
    seedData:
      - { id: c1, owner: ann }
      - { id: c2, owner: bob }
  - name: cart_items
    seedData:
      - { id: i1, cart: c1, sku: pen }
      - { id: i2, cart: c1, sku: ink }
      - { id: i3, cart: c2, sku: cap }
  - name: orders
    idStrategy: sequence
customOperations:
  - name: checkout
    steps:
      - { type: list, resource: cart_items, filter: { cart: input.cart }, as: lines }
      - { type: validate, condition: "len(lines) > 0", errorMessage: cart is empty, errorStatus: 409 }
      - { type: create, resource: orders, set: { cart: input.cart, lines: "len(lines)", first: "lines[0].sku" }, as: order }
      - { type: delete, resource: carts, id: input.cart }
    response:
      order: order.id
      lines: len(lines)
      status: "'placed'"
mocks:
  - { id: checkout, type: http, http: { matcher: { method: POST, path: /checkout } } }
  - { id: cart, type: http, http: { matcher: { method: GET, path: "/carts/{id}" } } }
  - { id: order, type: http, http: { matcher: { method: GET, path: "/orders/{id}" } } }
extend:
  - { mock: checkout, action: custom, operation: checkout }
  - { mock: cart, table: carts, action: get }
  - { mock: order, table: orders, action: get }
"""


def test_custom_operation_list_create_delete_steps_via_extend(servers, tmp_path):
    cfg = tmp_path / "shop.yaml"
    cfg.write_text(SHOP)
    s = servers.engine(cfg)
    r = s.post("/checkout", json={"cart": "c1"})
    assert r.status_code == 200, r.text
    assert r.json() == {"order": 1, "lines": 2, "status": "placed"}
    order = answer(s.get("/orders/1"), 200)
    assert {k: order[k] for k in ("id", "cart", "lines", "first")} == \
        {"id": 1, "cart": "c1", "lines": 2, "first": "pen"}
    assert_recent(order["createdAt"])
    answer(s.get("/carts/c1"), 404)  # the delete step
    assert answer(s.get("/carts/c2"), 200) == {"id": "c2", "owner": "bob"}
    # A form body is input as well.
    r = s.post("/checkout", data="cart=c2",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.json() == {"order": 2, "lines": 1, "status": "placed"}
    # No lines: the validate step stops it before anything is written.
    r = s.post("/checkout", json={"cart": "c9"})
    assert r.status_code == 409
    assert r.json() == {"error": "cart is empty", "operation": "checkout", "statusCode": 409,
                        "rolledBack": False}
    answer(s.get("/orders/3"), 404)


def place_orders_config():
    doc = config([{"name": "orders", "idStrategy": "sequence"}], api("orders", "/orders"),
                 extra_mocks=[{"id": "place", "type": "http", "http": {
                     "matcher": {"method": "POST", "path": "/place"},
                     "statefulOperation": "place"}}])
    doc["customOperations"] = [{
        "name": "place", "consistency": "atomic",
        "steps": [
            {"type": "create", "resource": "orders", "set": {"qty": "input.qty"}, "as": "order"},
            {"type": "validate", "condition": "input.qty > 0",
             "errorMessage": "qty must be positive", "errorStatus": 422},
        ],
        "response": {"id": "order.id", "qty": "order.qty"},
    }]
    return doc


def test_atomic_rollback_gives_back_the_sequence_number(run):
    s = run(place_orders_config())
    r = s.post("/place", json={"qty": 0})
    assert r.status_code == 422 and r.json()["rolledBack"] is True
    r = s.post("/place", json={"qty": 2})
    assert r.status_code == 200 and r.json() == {"id": 1, "qty": 2}
    assert ids_of(answer(s.get("/orders"), 200)["data"]) == [1]
    assert create(s, "/orders", {"qty": 3})["id"] == 2


def test_atomic_rollbacks_keep_items_other_connections_create(run):
    from conftest import http_session
    s = run(place_orders_config())
    stop, first = threading.Event(), threading.Event()
    statuses, errors = [], []

    def failing_operations():
        session = http_session()
        try:
            while not stop.is_set():
                statuses.append(session.post(s.base + "/place", json={"qty": 0}, timeout=10)
                                .status_code)
                first.set()
        except Exception as exc:  # reported by the test thread
            errors.append(repr(exc))
            first.set()

    worker = threading.Thread(target=failing_operations)
    worker.start()
    try:
        assert first.wait(10), "no operation answered"
        created_statuses, items = concurrent_creates(s.port, "/orders", 2000, connections=4)
    finally:
        stop.set()
        worker.join(30)
    assert not errors, errors
    assert len(statuses) > 1 and set(statuses) == {422}, set(statuses)
    assert set(created_statuses) == {201}
    ids = [i["id"] for i in items]
    assert len(set(ids)) == 2000, "an id was handed out twice"
    listed = list_all(s, "/orders")
    assert listed["meta"]["total"] == 2000, "a rollback removed items it did not make"
    assert set(ids_of(listed["data"])) == set(ids)
    # The failed operations used up no numbers.
    assert sorted(ids) == list(range(1, 2001))
    r = s.post("/place", json={"qty": 1})
    assert r.status_code == 200 and r.json()["id"] == 2001


def test_api_made_custom_operations_survive_a_restart(servers, tmp_path):
    data = tmp_path / "persist"
    s = servers.start("--data-dir", data)

    def post(server, path, body, status=201):
        r = server.session.post(server.admin_base + path, json=body, timeout=5)
        assert r.status_code == status, r.text
        return r.json()

    post(s, "/state/resources", {"name": "counters", "idStrategy": "sequence"})
    op = {"name": "bump", "consistency": "atomic",
          "steps": [{"type": "create", "resource": "counters", "set": {"by": "input.by * 2"},
                     "as": "c"}],
          "response": {"id": "c.id", "by": "c.by"}}
    post(s, "/state/operations", op)
    post(s, "/mocks", {"id": "bump", "type": "http", "http": {
        "matcher": {"method": "POST", "path": "/bump"}, "statefulOperation": "bump"}})
    assert s.post("/bump", json={"by": 2}).json() == {"id": 1, "by": 4}
    s.signal(signal.SIGTERM)
    assert s.wait_exit(5) == 0

    again = servers.start("--data-dir", data)
    ops = again.session.get(again.admin_base + "/state/operations", timeout=5).json()
    assert ops == {"operations": [{"name": "bump", "stepCount": 1, "consistency": "atomic"}],
                   "count": 1}
    stored = again.session.get(again.admin_base + "/state/operations/bump", timeout=5).json()
    assert stored == op
    # The mock still runs it; items started again from the (empty) seeds.
    r = again.post("/bump", json={"by": 5})
    assert r.status_code == 200 and r.json() == {"id": 1, "by": 10}
    assert post(again, "/state/operations/bump/execute", {"by": 1}, status=200) == \
        {"id": 2, "by": 2}
    # A deleted operation stays deleted after the next restart.
    r = again.session.delete(again.admin_base + "/state/operations/bump", timeout=5)
    assert r.status_code == 204
    again.signal(signal.SIGTERM)
    assert again.wait_exit(5) == 0
    third = servers.start("--data-dir", data)
    assert third.session.get(third.admin_base + "/state/operations", timeout=5).json() == \
        {"operations": [], "count": 0}
