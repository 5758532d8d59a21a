"""Layer 90: response templating ({{ ... }} in bodies, header values and body files)."""

import ipaddress
import json
import re
import time
from datetime import date, datetime
from urllib.parse import urlparse

import pytest

from conftest import http_mock, write_config

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ISO_FRACTION_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$")
ALNUM = re.compile(r"^[A-Za-z0-9]*$")
SEP = "|#|"  # between repeated expressions in one body


def one(mock_id, response, path="/t", method=None, **matcher):
    m = {"path": path, **matcher}
    if method:
        m["method"] = method
    return http_mock(mock_id, m, response)


def body_mock(mock_id, body, path="/t", **extra):
    return one(mock_id, {"statusCode": 200, "body": body, **extra}, path=path)


def rep(expr, n):
    return SEP.join([expr] * n)


def samples(server, path, n_expected=None, **kw):
    r = server.get(path, **kw)
    assert r.status_code == 200, r.text
    values = r.text.split(SEP)
    if n_expected is not None:
        assert len(values) == n_expected, r.text[:500]
    return values


# --------------------------------------------------------------------------- request data

SOURCE_CASES = [
    # id, template, mock matcher overrides, request (method, path, kwargs), expected
    ("method", "{{request.method}}", {"path": "/src"}, ("DELETE", "/src", {}), "DELETE"),
    ("path", "{{request.path}}", {"path": "/src/some/where"},
     ("GET", "/src/some/where", {}), "/src/some/where"),
    ("url", "{{request.url}}", {"path": "/src"},
     ("GET", "/src?x=1&y=a%20b&z=", {}), "/src?x=1&y=a%20b&z="),
    ("rawBody", "{{request.rawBody}}", {"path": "/src"},
     ("POST", "/src", {"data": b"plain text, as sent"}), "plain text, as sent"),
    ("body-field", "{{request.body.user.name}}", {"path": "/src"},
     ("POST", "/src", {"json": {"user": {"name": "Ada", "id": 1}}}), "Ada"),
    ("body-array-index", "{{request.body.items.0.sku}},{{request.body.items.1.sku}}",
     {"path": "/src"},
     ("POST", "/src", {"json": {"items": [{"sku": "A1"}, {"sku": "B2"}]}}), "A1,B2"),
    ("query-first-decoded", "{{request.query.q}}", {"path": "/src"},
     ("GET", "/src?q=hello%20w%2Fx&q=second", {}), "hello w/x"),
    ("header", "{{request.header.X-Trace}}", {"path": "/src"},
     ("GET", "/src", {"headers": {"X-Trace": "trace-123"}}), "trace-123"),
    ("header-any-case", "{{request.header.x-trace}}", {"path": "/src"},
     ("GET", "/src", {"headers": {"X-TRACE": "Trace-ABC"}}), "Trace-ABC"),
    ("pathParam", "{{request.pathParam.id}}", {"path": "/users/{id}"},
     ("GET", "/users/u-42", {}), "u-42"),
    ("pathParam-wildcards", "{{request.pathParam.0}}+{{request.pathParam.1}}",
     {"path": "/w/*/x/*/end"}, ("GET", "/w/alpha/x/beta/end", {}), "alpha+beta"),
    ("pathPattern-group", "{{request.pathPattern.order}}",
     {"pathPattern": "^/orders/(?P<order>[0-9]+)$"}, ("GET", "/orders/12345", {}), "12345"),
    ("pathPattern-two-groups", "{{request.pathPattern.order}}/{{request.pathPattern.item}}",
     {"pathPattern": "^/o/(?P<order>[0-9]+)/items/(?P<item>[a-z]+)$"},
     ("GET", "/o/7/items/pen", {}), "7/pen"),
    ("jsonPath", "{{request.jsonPath.user.id}}", {"path": "/src"},
     ("POST", "/src", {"json": {"user": {"id": 77, "name": "x"}}}), "77"),
]


@pytest.mark.parametrize("template,matcher,req,expected",
                         [c[1:] for c in SOURCE_CASES], ids=[c[0] for c in SOURCE_CASES])
def test_request_source_in_body_and_header(serve_mocks, template, matcher, req, expected):
    mock = http_mock("src", matcher, {
        "statusCode": 200,
        "headers": {"X-Out": f"<{template}>"},
        "body": f"<{template}>",
    })
    s = serve_mocks([mock])
    method, path, kw = req
    r = s.request(method, path, **kw)
    assert r.status_code == 200, r.text
    assert r.text == f"<{expected}>"
    assert r.headers["Content-Length"] == str(len(r.content))
    assert r.headers.get("X-Out") == f"<{expected}>"


def test_request_data_missing_renders_empty(serve_mocks):
    t = ("[{{request.query.absent}}][{{request.header.X-Absent}}][{{request.body.user.name}}]"
         "[{{request.pathParam.nope}}][{{request.jsonPath.user.id}}][{{request.body.items.9.sku}}]")
    s = serve_mocks([body_mock("m", t, path="/users/{id}")])
    r = s.post("/users/5", json={"items": [{"sku": "only"}]})
    assert r.status_code == 200
    assert r.text == "[][][][][][]"
    r = s.get("/users/5")  # no body at all
    assert r.status_code == 200
    assert r.text == "[][][][][][]"


def test_request_body_utf8_field_and_nested_object(serve_mocks):
    s = serve_mocks([body_mock("m", "{{request.body.user.name}}|{{request.body.count}}",
                               path="/u")])
    r = s.post("/u", data=json.dumps({"user": {"name": "Zoë ✓"}, "count": 3}).encode(),
               headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.content == "Zoë ✓|3".encode()


# --------------------------------------------------------------------------- functions


def test_now_is_rfc3339_current_time(serve_mocks):
    s = serve_mocks([body_mock("m", "{{now}}")])
    before = time.time()
    text = s.get("/t").text
    after = time.time()
    assert RFC3339.match(text), text
    ts = datetime.fromisoformat(text).timestamp()
    assert before - 2 <= ts <= after + 2, (text, before, after)


def test_timestamps_are_current_epoch_values(serve_mocks):
    s = serve_mocks([body_mock(
        "m", "{{timestamp}}|{{timestamp.unix}}|{{timestamp.unix_ms}}|{{timestamp.iso}}")])
    before = time.time()
    r = s.get("/t")
    after = time.time()
    plain, unix, unix_ms, iso = r.text.split("|")
    for v in (plain, unix):
        assert re.fullmatch(r"\d{10}", v), r.text
        assert int(before) - 1 <= int(v) <= after + 1, (v, before, after)
    assert re.fullmatch(r"\d{13}", unix_ms), r.text
    assert before * 1000 - 1000 <= int(unix_ms) <= after * 1000 + 1000
    assert ISO_FRACTION_Z.match(iso), iso
    ts = datetime.fromisoformat(iso).timestamp()
    assert before - 1 <= ts <= after + 1, (iso, before, after)


def test_uuid_and_short_uuid_shapes(serve_mocks):
    s = serve_mocks([
        body_mock("u", rep("{{uuid}}", 200), path="/u"),
        body_mock("s", rep("{{uuid.short}}", 200), path="/s"),
    ])
    uuids = samples(s, "/u", 200)
    assert all(UUID4.match(u) for u in uuids), [u for u in uuids if not UUID4.match(u)][:5]
    assert len(set(uuids)) == 200
    shorts = samples(s, "/s", 200)
    assert all(len(x) == 8 and ALNUM.match(x) for x in shorts), shorts[:5]
    assert len(set(shorts)) >= 195


def test_random_is_eight_hex_chars(serve_mocks):
    s = serve_mocks([body_mock("r", rep("{{random}}", 300))])
    values = samples(s, "/t", 300)
    bad = [v for v in values if not re.fullmatch(r"[0-9a-fA-F]{8}", v)]
    assert not bad, bad[:5]
    assert len(set(values)) >= 295


def test_random_int_default_range(serve_mocks):
    s = serve_mocks([body_mock("r", rep("{{random.int}}", 1000))])
    values = samples(s, "/t", 1000)
    assert all(re.fullmatch(r"\d+", v) for v in values), values[:10]
    nums = [int(v) for v in values]
    assert min(nums) >= 0 and max(nums) <= 100
    assert min(nums) <= 5 and max(nums) >= 95  # the whole range is used
    assert len(set(nums)) >= 60


@pytest.mark.parametrize("expr,lo,hi", [
    ("random.int(5, 7)", 5, 7),
    ("random.int 5 7", 5, 7),
    ("randomInt(5, 7)", 5, 7),
    ("random.int(-3, 3)", -3, 3),
    ("random.int(42, 42)", 42, 42),
], ids=["paren", "space", "alias", "negative", "single-value"])
def test_random_int_range_is_inclusive(serve_mocks, expr, lo, hi):
    s = serve_mocks([body_mock("r", rep("{{" + expr + "}}", 400))])
    values = samples(s, "/t", 400)
    assert all(re.fullmatch(r"-?\d+", v) for v in values), values[:10]
    assert {int(v) for v in values} == set(range(lo, hi + 1))


def test_random_float_default_range(serve_mocks):
    s = serve_mocks([body_mock("r", rep("{{random.float}}", 500), path="/a"),
                     body_mock("r2", rep("{{randomFloat}}", 500), path="/b")])
    for path in ("/a", "/b"):
        values = [float(v) for v in samples(s, path, 500)]
        assert all(0.0 <= v <= 1.0 for v in values), (path, min(values), max(values))
        assert len(set(values)) >= 490, path
        assert min(values) < 0.1 and max(values) > 0.9, path


@pytest.mark.parametrize("expr,lo,hi,decimals", [
    ("random.float(10, 20, 3)", 10, 20, 3),
    ("random.float 10 20 3", 10, 20, 3),
    ("randomFloat(-1, 1, 2)", -1, 1, 2),
    ("random.float(0, 1000, 5)", 0, 1000, 5),
], ids=["paren", "space", "alias-negative", "five-decimals"])
def test_random_float_range_and_precision(serve_mocks, expr, lo, hi, decimals):
    s = serve_mocks([body_mock("r", rep("{{" + expr + "}}", 300))])
    values = samples(s, "/t", 300)
    shape = re.compile(r"^-?\d+\.\d{%d}$" % decimals)
    bad = [v for v in values if not shape.match(v)]
    assert not bad, bad[:5]
    nums = [float(v) for v in values]
    assert all(lo <= v <= hi for v in nums), (min(nums), max(nums))
    assert len(set(values)) >= 20


@pytest.mark.parametrize("expr,length", [
    ("random.string", 10),
    ("randomString", 10),
    ("random.string(25)", 25),
    ("random.string 3", 3),
    ("randomString(1)", 1),
], ids=["default", "alias", "paren-25", "space-3", "alias-1"])
def test_random_string_length_and_alphabet(serve_mocks, expr, length):
    s = serve_mocks([body_mock("r", rep("{{" + expr + "}}", 200))])
    values = samples(s, "/t", 200)
    bad = [v for v in values if len(v) != length or not ALNUM.match(v)]
    assert not bad, bad[:5]
    chars = set("".join(values))
    assert len(chars) >= min(40, len(values) * length // 4)
    if length >= 10:
        assert any(c.isupper() for c in chars) and any(c.islower() for c in chars)
        assert any(c.isdigit() for c in chars)


@pytest.mark.parametrize("expr,choices", [
    ('random.element("red", "green", "blue")', {"red", "green", "blue"}),
    ('random.element "red" "green" "blue"', {"red", "green", "blue"}),
    ('randomElement("x", "y")', {"x", "y"}),
    ('random.element("a b", "c, d", "e")', {"a b", "c, d", "e"}),
], ids=["paren", "space", "alias", "quoted-separators"])
def test_random_element_picks_every_choice(serve_mocks, expr, choices):
    s = serve_mocks([body_mock("r", rep("{{" + expr + "}}", 300))])
    values = samples(s, "/t", 300)
    assert set(values) == choices


def test_sequence_counts_per_name_across_mocks(serve_mocks):
    s = serve_mocks([
        body_mock("a", '{{sequence("orders")}}', path="/a"),
        body_mock("b", '{{sequence "orders"}}', path="/b"),
        body_mock("c", '{{sequence("other")}}', path="/c"),
        body_mock("d", '{{sequence("big", 100)}}|{{sequence "big" 100}}', path="/d"),
        body_mock("e", '{{sequence("orders")}}', path="/e", seed=9),
    ])
    assert [s.get(p).text for p in ("/a", "/a", "/b", "/a")] == ["1", "2", "3", "4"]
    assert s.get("/c").text == "1"
    assert s.get("/c").text == "2"
    assert s.get("/d").text == "100|101"
    assert s.get("/d").text == "102|103"
    # Same seed on every request: the sequence still keeps counting.
    assert s.get("/e").text == "5"
    assert s.get("/a?_mockd_seed=1").text == "6"
    assert s.get("/a?_mockd_seed=1").text == "7"
    assert s.get("/b", headers={"X-Mockd-Seed": "1"}).text == "8"


def test_upper_lower_with_literals_and_request_paths(serve_mocks):
    s = serve_mocks([body_mock(
        "m",
        '{{upper("abc")}}|{{upper "xYz"}}|{{lower("MiXeD")}}|{{lower \"QQ\"}}|'
        "{{upper(request.query.n)}}|{{lower request.header.X-Name}}|{{upper(request.method)}}",
    )])
    r = s.get("/t?n=hello%20there", headers={"X-Name": "BoB"})
    assert r.status_code == 200
    assert r.text == "ABC|XYZ|mixed|qq|HELLO THERE|bob|GET"


def test_default_uses_fallback_only_when_empty(serve_mocks):
    s = serve_mocks([body_mock(
        "m",
        '{{default(request.query.name, "anon")}}|{{default request.header.X-User "nobody"}}|'
        '{{default(request.body.user.name, "none")}}|{{default("given", "unused")}}',
    )])
    assert s.get("/t").text == "anon|nobody|none|given"
    r = s.post("/t?name=bob", headers={"X-User": "carol"}, json={"user": {"name": "dave"}})
    assert r.text == "bob|carol|dave|given"
    assert s.get("/t?name=").text == "anon|nobody|none|given"


def test_names_are_case_insensitive(serve_mocks):
    s = serve_mocks([body_mock(
        "m",
        "{{UUID}}|{{Random.Int(5, 5)}}|{{RANDOMINT 3 3}}|{{UPPER(\"ab\")}}|{{Lower \"CD\"}}|"
        "{{REQUEST.METHOD}}|{{Request.Header.X-Trace}}|{{Faker.ZipCode}}|{{FAKER.BOOLEAN}}|"
        "{{Default(Request.Query.none, \"d\")}}|{{Timestamp.Unix}}",
    )])
    r = s.get("/t", headers={"x-trace": "tr"})
    parts = r.text.split("|")
    assert len(parts) == 11, r.text
    assert UUID4.match(parts[0]), parts[0]
    assert parts[1:7] == ["5", "3", "AB", "cd", "GET", "tr"]
    assert re.fullmatch(r"\d{5}", parts[7]), parts[7]
    assert parts[8] in ("true", "false")
    assert parts[9] == "d"
    assert abs(int(parts[10]) - time.time()) < 5


SYNTAX_PAIRS = [
    ("random.int", "random.int(1, 1000000)", "random.int 1 1000000", r"\d+"),
    ("random.float", "random.float(1, 2, 3)", "random.float 1 2 3", r"[12]\.\d{3}"),
    ("random.string", "random.string(12)", "random.string 12", r"[A-Za-z0-9]{12}"),
    ("random.element", 'random.element("a", "b", "c", "d", "e", "f", "g", "h")',
     'random.element "a" "b" "c" "d" "e" "f" "g" "h"', r"[a-h]"),
    ("faker.words", "faker.words(4)", "faker.words 4", r"\S+( \S+){3}"),
    ("upper", 'upper("abc")', 'upper "abc"', r"ABC"),
    ("lower", 'lower("ABC")', 'lower "ABC"', r"abc"),
    ("default", 'default(request.query.n, "anon")', 'default request.query.n "anon"', r"anon"),
    ("sequence-start", 'sequence("s", 10)', 'sequence "t" 10', r"1[0-2]"),
]


@pytest.mark.parametrize("paren,space,shape", [p[1:] for p in SYNTAX_PAIRS],
                         ids=[p[0] for p in SYNTAX_PAIRS])
def test_both_call_syntaxes_give_the_same_result(serve_mocks, paren, space, shape):
    s = serve_mocks([
        body_mock("paren", "{{" + paren + "}}", path="/paren"),
        body_mock("space", "{{" + space + "}}", path="/space"),
    ])
    for seed in (1, 2, 3):
        a = s.get(f"/paren?_mockd_seed={seed}")
        b = s.get(f"/space?_mockd_seed={seed}")
        assert a.status_code == b.status_code == 200
        assert re.fullmatch(shape, a.text), (paren, a.text)
        if "sequence" in paren:
            assert a.text == b.text == str(9 + seed)
        else:
            assert a.text == b.text, (paren, a.text, space, b.text)


def test_expressions_in_header_values(serve_mocks):
    s = serve_mocks([one("h", {
        "statusCode": 201,
        "headers": {
            "X-Request-Id": "{{uuid}}",
            "X-Count": "n={{random.int(1, 3)}}",
            "X-Who": '{{default(request.query.who, "anon")}}-{{upper(request.method)}}',
            "X-Seq": '{{sequence("hdr")}}',
            "X-Static": "plain",
        },
        "body": "ok",
    })])
    r = s.get("/t")
    assert r.status_code == 201
    assert r.text == "ok"
    assert UUID4.match(r.headers["X-Request-Id"]), r.headers
    assert re.fullmatch(r"n=[123]", r.headers["X-Count"]), r.headers
    assert r.headers["X-Who"] == "anon-GET"
    assert r.headers["X-Seq"] == "1"
    assert r.headers["X-Static"] == "plain"
    r2 = s.get("/t?who=eve")
    assert r2.headers["X-Who"] == "eve-GET"
    assert r2.headers["X-Seq"] == "2"
    assert r2.headers["X-Request-Id"] != r.headers["X-Request-Id"]


# --------------------------------------------------------------------------- faker


def luhn_ok(number):
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(iban):
    iban = iban.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1


def card_ok(value):
    digits = re.sub(r"[ -]", "", value)
    return bool(re.fullmatch(r"\d{13,19}", digits)) and luhn_ok(digits)


def exp_ok(value):
    m = re.fullmatch(r"(0[1-9]|1[0-2])/(\d{2})", value)
    if not m:
        return False
    today = date.today()
    return (2000 + int(m.group(2)), int(m.group(1))) >= (today.year, today.month)


def email_ok(value):
    if value.count("@") != 1 or re.search(r"\s", value):
        return False
    local, domain = value.split("@")
    labels = domain.split(".")
    return bool(local) and len(labels) >= 2 and all(labels)


def ipv4_ok(value):
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def ipv6_ok(value):
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def url_ok(value):
    u = urlparse(value)
    return u.scheme in ("http", "https") and "." in u.netloc and " " not in value


def float_in(lo, hi):
    def check(value):
        if not re.fullmatch(r"-?\d+(\.\d+)?", value):
            return False
        return lo <= float(value) <= hi
    return check


def words_between(lo, hi):
    return lambda v: lo <= len(v.split(" ")) <= hi and all(re.fullmatch(r"[A-Za-z'-]+", w)
                                                          for w in v.split(" "))


def rx(pattern):
    c = re.compile(pattern)
    return lambda v: bool(c.fullmatch(v))


NAME_WORD = r"[A-Z][A-Za-z'.-]*"
FAKER = {
    # type: (validator, minimum number of distinct values among 200 samples)
    "name": (rx(rf"{NAME_WORD}( {NAME_WORD})+"), 20),
    "firstName": (rx(r"[A-Z][A-Za-z'-]*"), 10),
    "lastName": (rx(r"[A-Z][A-Za-z'-]*"), 10),
    "email": (email_ok, 100),
    "phone": (lambda v: len(re.sub(r"\D", "", v)) >= 7 and bool(re.fullmatch(r"[0-9+()\-. x]+", v)),
              150),
    "company": (rx(r"\S.*\S"), 10),
    "address": (lambda v: bool(re.search(r"\d", v)) and bool(re.search(r"[A-Za-z]", v))
                and " " in v.strip(), 100),
    "city": (rx(r"[A-Z][A-Za-z .'-]+"), 5),
    "state": (rx(r"[A-Za-z][A-Za-z ]+"), 5),
    "zipCode": (rx(r"\d{5}"), 150),
    "country": (rx(r"[A-Z][A-Za-z .'-]+"), 5),
    "word": (rx(r"[A-Za-z]+"), 10),
    "words": (words_between(3, 5), 50),
    "sentence": (lambda v: bool(re.fullmatch(r"[A-Z][^.]*\S\.", v)) and len(v.split()) >= 3, 150),
    "paragraph": (lambda v: v.count(".") >= 2 and v[0].isupper() and v.endswith(".")
                  and len(v.split()) >= 6, 150),
    "username": (rx(r"[A-Za-z0-9._-]+"), 100),
    "boolean": (lambda v: v in ("true", "false"), 2),
    "uuid": (rx(UUID4.pattern[1:-1]), 200),
    "ipv4": (ipv4_ok, 190),
    "ipv6": (ipv6_ok, 190),
    "macAddress": (rx(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}"), 190),
    "userAgent": (lambda v: "/" in v and v.isprintable() and v == v.strip(), 2),
    "url": (url_ok, 20),
    "creditCard": (card_ok, 190),
    "creditCardExp": (exp_ok, 10),
    "cvv": (rx(r"\d{3}"), 100),
    "currencyCode": (rx(r"[A-Z]{3}"), 5),
    "currency": (rx(r"[A-Za-z][A-Za-z .'-]*"), 5),
    "iban": (iban_ok, 190),
    "price": (rx(r"\d+\.\d{2}"), 100),
    "productName": (rx(r"\S.*\S"), 5),
    "color": (rx(r"[A-Za-z][A-Za-z ]*"), 5),
    "hexColor": (rx(r"#[0-9a-fA-F]{6}"), 190),
    "ssn": (rx(r"\d{3}-\d{2}-\d{4}"), 190),
    "passport": (rx(r"[A-Z0-9]{6,12}"), 150),
    "jobTitle": (rx(r"\S.*\S"), 5),
    "latitude": (float_in(-90, 90), 190),
    "longitude": (float_in(-180, 180), 190),
    "slug": (rx(r"[a-z0-9]+(-[a-z0-9]+)+"), 50),
    "mimeType": (rx(r"[a-z]+/[a-z0-9.+-]+"), 4),
    "fileExtension": (rx(r"[a-z0-9]+"), 4),
}

FAKER_SEEDS = 40  # seeded requests per type
FAKER_REPEAT = 5  # expressions per body: 200 samples per type


@pytest.mark.parametrize("kind", sorted(FAKER))
def test_faker_type_values_are_valid(serve_mocks, kind):
    check, min_distinct = FAKER[kind]
    s = serve_mocks([body_mock("f", rep("{{faker.%s}}" % kind, FAKER_REPEAT))])
    values, first = [], None
    for seed in range(1, FAKER_SEEDS + 1):
        r = s.get(f"/t?_mockd_seed={seed}")
        assert r.status_code == 200
        if first is None:
            first = r.text
        parts = r.text.split(SEP)
        assert len(parts) == FAKER_REPEAT, r.text
        values += parts
    bad = [v for v in values if not check(v)]
    assert not bad, f"{len(bad)} invalid {kind} values, e.g. {bad[:5]}"
    assert len(set(values)) >= min_distinct, f"only {len(set(values))} distinct: {sorted(set(values))[:10]}"
    assert s.get("/t?_mockd_seed=1").text == first  # seeded: reproducible


def test_faker_words_with_count(serve_mocks):
    s = serve_mocks([
        body_mock("a", rep("{{faker.words(7)}}", 50), path="/a"),
        body_mock("b", rep("{{faker.words 2}}", 50), path="/b"),
        body_mock("c", rep("{{faker.words}}", 300), path="/c"),
    ])
    assert all(len(v.split(" ")) == 7 for v in samples(s, "/a", 50))
    assert all(len(v.split(" ")) == 2 for v in samples(s, "/b", 50))
    counts = {len(v.split(" ")) for v in samples(s, "/c", 300)}
    assert counts == {3, 4, 5}


def test_faker_unseeded_values_vary(serve_mocks):
    s = serve_mocks([body_mock("f", "{{faker.uuid}}|{{faker.iban}}|{{faker.creditCard}}")])
    bodies = {s.get("/t").text for _ in range(20)}
    assert len(bodies) == 20


# --------------------------------------------------------------------------- determinism

GENERATORS = [
    "uuid", "uuid.short", "random", "random.int", "random.int(1, 1000000)", "randomInt 1 50",
    "random.float", "random.float(0, 1000, 4)", "randomFloat", "random.string",
    "random.string(30)", "randomString 5",
    'random.element("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")',
    'randomElement "k" "l" "m"',
] + ["faker." + k for k in sorted(FAKER)] + ["faker.words(6)"]
ALL_GENERATORS = "\n".join(f"{g}={{{{{g}}}}}" for g in GENERATORS)
HIGH_ENTROPY = ["uuid", "random", "random.string(30)", "faker.uuid", "faker.iban",
                "faker.creditCard", "faker.ipv6"]


def lines_of(text):
    out = {}
    for line in text.split("\n"):
        key, _, value = line.partition("=")
        out[key] = value
    return out


def test_same_seed_gives_identical_output_for_every_generator(serve_mocks):
    s = serve_mocks([body_mock("g", ALL_GENERATORS, headers={"X-Id": "{{uuid}}"})])
    a = s.get("/t?_mockd_seed=12345")
    b = s.get("/t?_mockd_seed=12345")
    assert a.status_code == b.status_code == 200
    assert a.content == b.content
    assert a.headers["X-Id"] == b.headers["X-Id"]
    assert UUID4.match(a.headers["X-Id"])
    la = lines_of(a.text)
    assert set(la) == set(GENERATORS), a.text
    assert all(la[g] for g in GENERATORS), [g for g in GENERATORS if not la[g]]
    # Unseeded traffic in between does not disturb a seeded request.
    for _ in range(5):
        s.get("/t")
    c = s.get("/t?_mockd_seed=12345")
    assert c.content == a.content
    # Nor does another process: the seed alone decides the output.
    other = serve_mocks([body_mock("g", ALL_GENERATORS, headers={"X-Id": "{{uuid}}"})])
    d = other.get("/t?_mockd_seed=12345")
    assert d.content == a.content
    assert d.headers["X-Id"] == a.headers["X-Id"]


def test_different_seeds_differ(serve_mocks):
    s = serve_mocks([body_mock("g", ALL_GENERATORS)])
    bodies = {}
    for seed in (1, 2, 3, -7, 9007199254740993):
        r = s.get(f"/t?_mockd_seed={seed}")
        assert r.status_code == 200
        bodies[seed] = lines_of(r.text)
    seeds = list(bodies)
    for i, x in enumerate(seeds):
        for y in seeds[i + 1:]:
            same = [g for g in HIGH_ENTROPY if bodies[x][g] == bodies[y][g]]
            assert not same, (x, y, same)


def test_unseeded_requests_vary(serve_mocks):
    s = serve_mocks([body_mock("g", ALL_GENERATORS)])
    a, b = lines_of(s.get("/t").text), lines_of(s.get("/t").text)
    same = [g for g in HIGH_ENTROPY if a[g] == b[g]]
    assert not same, same


def test_seed_header_and_query_precedence(serve_mocks):
    s = serve_mocks([body_mock("g", "{{uuid}} {{random.string(20)}} {{faker.name}}")])
    q5 = s.get("/t?_mockd_seed=5").text
    h5 = s.get("/t", headers={"X-Mockd-Seed": "5"}).text
    h6 = s.get("/t", headers={"X-Mockd-Seed": "6"}).text
    q6 = s.get("/t?_mockd_seed=6").text
    both = s.get("/t?_mockd_seed=5", headers={"X-Mockd-Seed": "6"}).text
    assert h5 == q5  # the header seeds the same generator as the query parameter
    assert q6 == h6
    assert q5 != q6
    assert both == q5  # the query parameter wins over the header
    assert s.get("/t?a=1&_mockd_seed=5&b=2").text == q5  # anywhere in the query
    assert s.get("/t?_mockd_seed=5&_mockd_seed=6").text == q5  # the first one


def test_mock_seed_from_config(serve_mocks):
    t = "{{uuid}} {{random.int(1, 1000000)}} {{faker.email}}"
    s = serve_mocks([
        body_mock("seeded", t, path="/seeded", seed=42),
        body_mock("plain", t, path="/plain"),
    ])
    a = s.get("/seeded").text
    assert s.get("/seeded").text == a  # fixed across requests
    assert s.get("/plain?_mockd_seed=42").text == a  # same seed, same generator
    assert s.get("/plain").text != s.get("/plain").text
    # A request seed overrides the mock's seed.
    q7 = s.get("/seeded?_mockd_seed=7").text
    assert q7 != a
    assert q7 == s.get("/plain?_mockd_seed=7").text
    assert s.get("/seeded", headers={"X-Mockd-Seed": "7"}).text == q7


def test_mock_seed_from_yaml_config(serve):
    s = serve("""
        mocks:
          - id: y
            type: http
            http:
              matcher: { method: GET, path: /y }
              response:
                statusCode: 200
                seed: 1234
                body: "{{uuid}}/{{faker.iban}}/{{random.float(0, 10, 3)}}"
    """)
    a = s.get("/y")
    assert a.status_code == 200
    u, iban, f = a.text.split("/")
    assert UUID4.match(u) and iban_ok(iban) and re.fullmatch(r"\d+\.\d{3}", f), a.text
    assert s.get("/y").text == a.text
    assert s.get("/y?_mockd_seed=1234").text == a.text


def test_clock_and_sequence_are_not_seeded(serve_mocks):
    s = serve_mocks([body_mock("c", '{{timestamp.unix_ms}}|{{sequence("seeded")}}|{{uuid}}',
                               seed=1)])
    results = []
    for _ in range(3):
        before = time.time() * 1000
        ms, seq, uuid = s.get("/t?_mockd_seed=99").text.split("|")
        after = time.time() * 1000
        assert before - 1000 <= int(ms) <= after + 1000, (ms, before, after)
        results.append((seq, uuid))
    assert [r[0] for r in results] == ["1", "2", "3"]
    assert len({r[1] for r in results}) == 1


def test_ten_thousand_unseeded_uuids_are_distinct(serve_mocks):
    s = serve_mocks([body_mock("u", "{{uuid}}")])
    seen = set()
    for _ in range(10000):
        r = s.get("/t")
        assert r.status_code == 200
        seen.add(r.text)
    assert len(seen) == 10000
    bad = [u for u in seen if not UUID4.match(u)]
    assert not bad, bad[:5]


# --------------------------------------------------------------------------- bodyFile


def test_body_file_is_templated(servers, tmp_path):
    cfgdir = tmp_path / "conf"
    (cfgdir / "tpl").mkdir(parents=True)
    (cfgdir / "tpl" / "user.json").write_text(
        '{"id": "{{request.pathParam.id}}", "method": "{{request.method}}", '
        '"uuid": "{{uuid}}", "n": {{random.int(1, 9)}}, '
        '"who": "{{request.query.who}}", "email": "{{faker.email}}"}\n')
    (cfgdir / "tpl" / "plain.txt").write_text(
        'hello {{upper(request.query.n)}} {{default(request.query.who, "anon")}} {{ unclosed')
    cfg = write_config(cfgdir, """
        mocks:
          - id: user
            type: http
            http:
              matcher: { method: GET, path: "/users/{id}" }
              response: { statusCode: 200, bodyFile: tpl/user.json }
          - id: plain
            type: http
            http:
              matcher: { method: GET, path: /plain }
              response: { statusCode: 200, bodyFile: tpl/plain.txt }
    """)
    s = servers.engine(cfg)
    r = s.get("/users/abc-9?who=zed")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    data = r.json()
    assert data["id"] == "abc-9" and data["method"] == "GET" and data["who"] == "zed"
    assert UUID4.match(data["uuid"]) and 1 <= data["n"] <= 9 and email_ok(data["email"])
    assert r.headers["Content-Length"] == str(len(r.content))
    assert s.get("/users/1").json()["who"] == ""
    a = s.get("/users/1?_mockd_seed=3").content
    assert s.get("/users/1?_mockd_seed=3").content == a
    assert s.get("/users/1?_mockd_seed=4").content != a
    r = s.get("/plain?n=yo")
    assert r.text == "hello YO anon {{ unclosed"
    assert s.get("/plain?n=a&who=kim").text == "hello A kim {{ unclosed"
    assert r.headers["Content-Type"] == "text/plain"


# --------------------------------------------------------------------------- Content-Type


@pytest.mark.parametrize("template,sent,expected", [
    ("{{request.rawBody}}", b'{"a": [1, 2]}', "application/json"),
    ("{{request.rawBody}}", b"[1, 2, 3]", "application/json"),
    ("{{request.rawBody}}", b"<doc><a>1</a></doc>", "application/xml"),
    ("{{request.rawBody}}", b"just some text", "text/plain"),
    ("{{request.rawBody}}", b"{not json", "text/plain"),
    ('{"id": "{{uuid}}", "n": {{random.int}}}', b"", "application/json"),
    ("{{uuid}}", b"", "text/plain"),
    ("{{nope}}", b"", "text/plain"),
    ("{{request.query.o}}\"k\": 1{{request.query.c}}", b"", "application/json"),
], ids=["json-object", "json-array", "xml", "text", "broken-json", "json-template", "uuid-text",
        "empty", "braces-from-query"])
def test_content_type_sniffed_after_rendering(serve_mocks, template, sent, expected):
    s = serve_mocks([body_mock("m", template)])
    r = s.post("/t?o=%7B&c=%7D", data=sent)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == expected, r.text
    assert r.headers["Content-Length"] == str(len(r.content))


def test_explicit_content_type_kept_for_templates(serve_mocks):
    s = serve_mocks([body_mock("m", "{{request.rawBody}}", headers={"Content-Type": "text/csv"})])
    r = s.post("/t", data=b'{"a": 1}')
    assert r.headers["Content-Type"] == "text/csv"
    assert r.content == b'{"a": 1}'


def test_head_on_templated_mock_has_no_body(serve_mocks):
    s = serve_mocks([body_mock("m", '{"id": "{{uuid}}"}')])
    c = s.raw()
    r = c.request(b"HEAD /t HTTP/1.1\r\nHost: x\r\n\r\n", head=True)
    r2 = c.request(b"GET /t HTTP/1.1\r\nHost: x\r\n\r\n")
    c.close()
    assert r.status == 200
    assert r2.status == 200 and UUID4.match(r2.json()["id"])


# --------------------------------------------------------------------------- malformed templates


MALFORMED = [
    # template, expected body (str) or regex (re.Pattern)
    ("a {{ uuid", "a {{ uuid"),
    ("{{", "{{"),
    ("x {{uuid", "x {{uuid"),
    ("{{uuid}}|{{ tail", re.compile(r"^[0-9a-f-]{36}\|\{\{ tail$")),
    ("}} stray {", "}} stray {"),
    ("[{{nope}}]", "[]"),
    ("[{{nope.deeper 1 2}}]", "[]"),
    ("[{{faker.notAType}}]", "[]"),
    ("[{{request.nothing}}]", "[]"),
    ("[{{random.nothing(1, 2)}}]", "[]"),
    ("[{{}}]", "[]"),
    ("[{{   }}]", "[]"),
    ("<{{random.int(1)}}>", re.compile(r"^<-?\d*>$")),
    ("<{{random.int(1, 2, 3, 4)}}>", re.compile(r"^<-?\d*>$")),
    ('<{{random.int("a", "b")}}>', re.compile(r"^<-?\d*>$")),
    ("<{{random.int(}}>", re.compile(r"^<.*>$", re.S)),
    ("<{{random.int 1,}}>", re.compile(r"^<.*>$", re.S)),
    ('<{{random.float("x")}}>', re.compile(r"^<.*>$", re.S)),
    ("<{{random.float(1, 2, 3, 4, 5)}}>", re.compile(r"^<.*>$", re.S)),
    ("<{{random.string(1, 2)}}>", re.compile(r"^<[A-Za-z0-9]*>$")),
    ("<{{random.string(-3)}}>", re.compile(r"^<[A-Za-z0-9]*>$")),
    ("<{{random.element}}>", "<>"),
    ("<{{random.element()}}>", "<>"),
    ("<{{upper}}>", "<>"),
    ("<{{lower(\"A\", \"B\", \"C\")}}>", re.compile(r"^<.*>$", re.S)),
    ('<{{upper("unterminated)}}>', re.compile(r"^<.*>$", re.S)),
    ("<{{default}}>", "<>"),
    ("<{{default(request.query.none)}}>", "<>"),
    ("<{{sequence}}>", re.compile(r"^<\d*>$")),
    ('<{{sequence("x", "notanumber")}}>', re.compile(r"^<\d*>$")),
    ("<{{uuid(1, 2)}}>", re.compile(r"^<.*>$", re.S)),
    ("<{{now 1 2 3}}>", re.compile(r"^<.*>$", re.S)),
    ('<{{faker.words("x", "y")}}>', re.compile(r"^<.*>$", re.S)),
    ("<{{faker.name(1)}}>", re.compile(r"^<.*>$", re.S)),
    ("<{{request.body.}}>", "<>"),
    ("<{{request.jsonPath.[[[}}>", "<>"),
    ("<{{request.jsonPath.$..*}}>", re.compile(r"^<.*>$", re.S)),
]


def test_malformed_templates_never_fail_the_request(serve_mocks):
    mocks = [body_mock(f"m{i}", t, path=f"/m/{i}") for i, (t, _) in enumerate(MALFORMED)]
    mocks.append(one("hdr", {"statusCode": 200, "body": "ok",
                             "headers": {"X-Broken": "a {{ b", "X-Unknown": "[{{nope}}]"}},
                     path="/hdr"))
    s = serve_mocks(mocks)
    failures = []
    for i, (template, expected) in enumerate(MALFORMED):
        r = s.post(f"/m/{i}", data=b'{"a": 1}')
        ok = r.status_code == 200 and (
            expected.match(r.text) if isinstance(expected, re.Pattern) else r.text == expected)
        if not ok:
            failures.append((template, r.status_code, r.text[:200], expected))
    assert not failures, failures
    r = s.get("/hdr")
    assert r.status_code == 200 and r.text == "ok"
    assert r.headers["X-Broken"] == "a {{ b"
    assert r.headers["X-Unknown"] == "[]"
    s.assert_serving()


def test_bad_seed_values_do_not_fail(serve_mocks):
    s = serve_mocks([body_mock("g", "{{uuid}}")])
    for path, headers in [("/t?_mockd_seed=abc", {}), ("/t?_mockd_seed=", {}),
                          ("/t", {"X-Mockd-Seed": "1.5"}),
                          ("/t?_mockd_seed=99999999999999999999999", {})]:
        r = s.get(path, headers=headers)
        assert r.status_code == 200, (path, headers, r.text)
        assert UUID4.match(r.text), (path, r.text)
    s.assert_serving()
