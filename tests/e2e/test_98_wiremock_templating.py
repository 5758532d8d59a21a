"""Layer 98: WireMock response templating where the differential corpus cannot compare answers
(random values, the clock, process flags): the helpers' outputs are checked for their form,
and --global-response-templating, --disable-response-templating and --permitted-system-keys for
their effect. Deterministic helpers are compared with WireMock itself in wiremock_diff/10_*.
"""

import re
import time
import uuid

from test_96_wiremock_mode import admin_json, describe, make_root, wiremock

UUID_RX = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def templated(server, body, url="/t", local=True, **response):
    response = {"status": 200, "body": body, **response}
    if local:
        response["transformers"] = ["response-template"]
    admin_json(server, "POST", "/mappings", expect=201,
               json={"id": str(uuid.uuid4()), "request": {"urlPath": url}, "response": response})


def test_random_helpers_have_the_asked_form(servers, tmp_path):
    s = wiremock(servers, make_root(tmp_path / "wm"))
    templated(s, "{{randomValue length=12 type='NUMERIC'}}|{{randomValue length=8 type='ALPHABETIC' "
                 "uppercase=true}}|{{randomValue type='UUID'}}|{{randomValue length=6 "
                 "type='HEXADECIMAL'}}|{{randomInt lower=5 upper=8}}|{{randomDecimal lower=1 "
                 "upper=2}}|{{pickRandom 'a' 'b' 'c'}}")
    seen = set()
    for _ in range(30):
        r = s.get("/t")
        assert r.status_code == 200, describe(r)
        num, alpha, uid, hexa, integer, dec, pick = r.text.split("|")
        assert re.fullmatch(r"[0-9]{12}", num) and re.fullmatch(r"[A-Z]{8}", alpha), r.text
        assert UUID_RX.match(uid) and re.fullmatch(r"[0-9a-f]{6}", hexa), r.text
        assert 5 <= int(integer) < 8 and 1 <= float(dec) < 2 and pick in "abc", r.text
        seen.add(num)
    assert len(seen) == 30, "random values repeat"


def test_now_and_offsets_follow_the_clock(servers, tmp_path):
    s = wiremock(servers, make_root(tmp_path / "wm"))
    templated(s, "{{now format='epoch'}}|{{now format='unix'}}|{{now offset='1 days' "
                 "format='epoch'}}|{{now}}|{{now timezone='+02:00' format='HH:mm XXX'}}")
    before = time.time()
    epoch, unix, tomorrow, iso, zoned = s.get("/t").text.split("|")
    after = time.time()
    assert before - 1 <= int(epoch) / 1000 <= after + 1, epoch
    assert abs(int(unix) - int(epoch) // 1000) <= 1
    assert abs(int(tomorrow) - int(epoch) - 86_400_000) < 5000
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", iso), iso
    assert re.fullmatch(r"\d\d:\d\d \+02:00", zoned), zoned


def test_local_global_and_disabled_templating(servers, tmp_path):
    root = make_root(tmp_path / "wm")
    for flags, with_transformer, without in (((), "T:/t", "T:{{request.path}}"),
                                              (("--global-response-templating",), "T:/t", "T:/t"),
                                              (("--disable-response-templating",),
                                               "T:{{request.path}}", "T:{{request.path}}")):
        s = wiremock(servers, root, *flags)
        templated(s, "T:{{request.path}}", url="/t")
        templated(s, "T:{{request.path}}", url="/u", local=False)
        assert s.get("/t").text == with_transformer, flags
        assert s.get("/u").text == without.replace("/t", "/u"), flags


def test_system_value_reads_only_permitted_keys(servers, tmp_path):
    root = make_root(tmp_path / "wm")
    env = {"WIREMOCK_TOKEN": "tok-1", "APP_SECRET": "s3cret", "APP_MODE": "ci"}
    body = ("{{systemValue key='WIREMOCK_TOKEN'}}|{{systemValue key='APP_MODE'}}|"
            "{{systemValue key='APP_SECRET'}}|{{systemValue key='APP_NONE' default='none'}}")
    s = wiremock(servers, root, "--permitted-system-keys", "WIREMOCK.*,APP_MODE,APP_NONE", env=env)
    templated(s, body)
    token, mode, secret, missing = s.get("/t").text.split("|")
    assert (token, mode, missing) == ("tok-1", "ci", "none")
    assert secret == "[ERROR: Access to APP_SECRET is denied]", secret


def test_template_errors_are_server_errors_and_the_server_goes_on(servers, tmp_path):
    s = wiremock(servers, make_root(tmp_path / "wm"))
    templated(s, "{{#each request.query.x}}never closed", url="/broken")
    templated(s, "{{noSuchHelper 1}}", url="/unknown")
    templated(s, "fine {{request.query.x}}", url="/fine")
    for path in ("/broken", "/unknown"):
        r = s.get(path)
        assert r.status_code == 500 and "text/html" in r.headers["Content-Type"], describe(r)
        assert "HTTP ERROR 500" in r.text, r.text
    assert s.get("/fine?x=1").text == "fine 1"


def test_start_mode_templates_stubs_added_over_admin(servers):
    s = servers.start()
    r = s.post("/__admin/mappings", json={
        "request": {"urlPathTemplate": "/users/{id}"},
        "response": {"status": 200, "body": "user {{request.path.id}} via {{request.method}}",
                     "headers": {"X-Id": "{{request.path.id}}"},
                     "transformers": ["response-template"]}})
    assert r.status_code == 201, describe(r)
    r = s.get("/users/42")
    assert (r.status_code, r.text, r.headers["X-Id"]) == (200, "user 42 via GET", "42"), describe(r)
