"""Layer 71: persistence of API-made mocks in <data-dir>/mockd.db.

Without --config, mocks created, replaced, patched, toggled and deleted over the admin
API survive a restart with the same --data-dir (also after kill -9, even in the middle
of a burst of writes). With --config the store is neither loaded nor written.

Every server runs with HOME=<tmp>/home, --data-dir and --pid-file under tmp_path, and is
killed by conftest's `servers` fixture.
"""

import os
import random
import signal
import threading
from pathlib import Path

import pytest
import requests

from conftest import http_session, wait_for, write_config


# --------------------------------------------------------------------------- helpers


def isolated_env(tmp_path):
    home = Path(tmp_path) / "home"
    home.mkdir(parents=True, exist_ok=True)
    names = {"MOCKD_CONFIG", "MOCKD_PORT", "MOCKD_ADMIN_PORT", "MOCKD_MAX_LOG_ENTRIES",
             "MOCKD_ADMIN_URL", "MOCKD_API_KEY"}
    names |= {k for k in os.environ if k.startswith("MOCKD_")}
    env = {name: "" for name in names}  # empty values are ignored by mockd
    env.update({
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    })
    return env


def mock_body(mock_id, path=None, body=None, status=200, method="GET", **extra):
    mock = {"id": mock_id, "type": "http",
            "http": {"matcher": {"method": method, "path": path or f"/{mock_id}"},
                     "response": {"statusCode": status, "body": body if body is not None
                                  else mock_id}}}
    mock.update(extra)
    return mock


class Node:
    """One `mockd start` process on a data dir, with admin/mock clients."""

    def __init__(self, server):
        self.server = server
        self.session = http_session()

    @property
    def admin(self):
        return f"http://127.0.0.1:{self.server.admin_port}"

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server.port}"

    def call(self, method, path, **kw):
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.admin + path, **kw)

    def ok(self, method, path, status, **kw):
        r = self.call(method, path, **kw)
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def create(self, mock):
        return self.ok("POST", "/mocks", 201, json=mock)

    def mocks(self):
        data = self.ok("GET", "/mocks", 200, params={"limit": 100000})
        assert data["count"] == data["total"] == len(data["mocks"]), \
            {k: data[k] for k in ("count", "total")}
        return {m["id"]: m for m in data["mocks"]}

    def hit(self, path, method="GET", **kw):
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.base + path, **kw)

    def stop(self):
        """SIGTERM and wait for a clean exit."""
        self.server.signal(signal.SIGTERM)
        rc = self.server.wait_exit(15)
        assert rc == 0, f"exit code {rc}; stderr={self.server.stderr()[-2000:]!r}"
        self.session.close()

    def kill9(self):
        self.server.signal(signal.SIGKILL)
        self.server.wait_exit(10)
        self.session.close()


def content(mocks):
    """The mocks without their timestamps (checked on their own in test_timestamps_...)."""
    return {mid: {k: v for k, v in m.items() if k not in ("createdAt", "updatedAt")}
            for mid, m in mocks.items()}


@pytest.fixture
def node(servers, tmp_path):
    env = isolated_env(tmp_path)

    def _start(data_dir=None, config=None, *flags):
        data_dir = Path(data_dir or tmp_path / "data")
        server = servers.start("--data-dir", str(data_dir),
                               "--pid-file", str(tmp_path / "mockd.pid"),
                               *flags, config=config, env=env)
        return Node(server)

    return _start


# --------------------------------------------------------------------------- clean restarts


def test_api_mocks_survive_a_restart(node, tmp_path):
    n = node()
    n.create(mock_body("alpha", body="A", status=201))
    n.create(mock_body("beta", path="/beta/{id}", body={"ok": True}, method="POST",
                       name="Beta"))
    n.create(mock_body("gamma", body="G", enabled=False))
    before = n.mocks()
    assert (tmp_path / "data" / "mockd.db").exists(), "no store in <data-dir>/mockd.db"
    n.stop()

    m = node()
    assert content(m.mocks()) == content(before)
    r = m.hit("/alpha")
    assert (r.status_code, r.text) == (201, "A")
    r = m.hit("/beta/7", method="POST")
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert m.hit("/gamma").status_code == 404  # stored as disabled
    # the restored mocks are the live set: changes go on from there
    m.ok("DELETE", "/mocks/alpha", 204)
    m.stop()
    k = node()
    assert set(k.mocks()) == {"beta", "gamma"}
    assert k.hit("/alpha").status_code == 404


def test_put_patch_delete_toggle_are_stored(node):
    n = node()
    for i in range(6):
        n.create(mock_body(f"m{i}", body=f"body{i}"))
    n.ok("PUT", "/mocks/m0", 200, json=mock_body("m0", path="/replaced", body="put", status=202))
    n.ok("PATCH", "/mocks/m1", 200, json={"http": {"response": {"statusCode": 203}}})
    n.ok("PATCH", "/mocks/m2", 200, json={"name": "renamed"})
    n.ok("DELETE", "/mocks/m3", 204)
    n.ok("POST", "/mocks/m4/toggle", 200)  # now disabled
    n.ok("POST", "/mocks/m5/toggle", 200)
    n.ok("POST", "/mocks/m5/toggle", 200)  # back on
    live = n.mocks()
    assert set(live) == {"m0", "m1", "m2", "m4", "m5"}
    n.stop()

    m = node()
    assert content(m.mocks()) == content(live)
    assert m.hit("/m0").status_code == 404
    r = m.hit("/replaced")
    assert (r.status_code, r.text) == (202, "put")
    r = m.hit("/m1")
    assert (r.status_code, r.text) == (203, "body1")
    assert m.hit("/m3").status_code == 404
    assert m.hit("/m4").status_code == 404
    assert m.hit("/m5").text == "body5"


def test_each_change_writes_its_rows_and_creation_order_survives(node):
    """Every change writes only its own rows: a replaced mock keeps its place, a deleted and
    recreated one goes last, and a bulk batch and a merged config land whole, in order."""
    n = node()
    for i in range(5):
        n.create(mock_body(f"o{i}"))
    n.ok("PUT", "/mocks/o1", 200, json=mock_body("o1", body="again"))
    n.ok("DELETE", "/mocks/o2", 204)
    n.create(mock_body("o2", body="recreated"))
    n.ok("POST", "/mocks/bulk", 201, json=[mock_body(f"b{i}") for i in range(40)])
    n.ok("POST", "/config", 200,
         json={"config": {"version": "1.0", "mocks": [mock_body("cfg", body="merged")]}})
    order = list(n.mocks())
    assert order == ["o0", "o1", "o3", "o4", "o2"] + [f"b{i}" for i in range(40)] + ["cfg"]
    n.stop()

    m = node()
    assert list(m.mocks()) == order
    assert m.hit("/o1").text == "again"
    assert m.hit("/o2").text == "recreated"
    assert m.hit("/b39").text == "b39"
    assert m.hit("/cfg").text == "merged"
    # A mock created after the restart still goes after every stored one.
    m.create(mock_body("late"))
    m.stop()
    k = node()
    assert list(k.mocks()) == order + ["late"]


def test_timestamps_survive_a_restart(node):
    n = node()
    n.create(mock_body("ts-new"))
    n.create(mock_body("ts-patched"))
    n.ok("PATCH", "/mocks/ts-patched", 200, json={"name": "later"})
    live = n.mocks()
    assert all("createdAt" in m and "updatedAt" in m for m in live.values()), live
    n.stop()
    m = node()
    restored = m.mocks()
    assert {k: (v.get("createdAt"), v.get("updatedAt")) for k, v in restored.items()} == \
        {k: (v["createdAt"], v["updatedAt"]) for k, v in live.items()}
    assert restored == live


def test_delete_all_is_stored(node):
    n = node()
    n.create(mock_body("x1"))
    n.create(mock_body("x2"))
    n.ok("DELETE", "/mocks", 204)
    n.stop()
    m = node()
    assert m.mocks() == {}
    assert m.hit("/x1").status_code == 404


def test_data_dirs_are_separate_stores(node, tmp_path):
    a = node(tmp_path / "data-a")
    a.create(mock_body("only-a"))
    a.stop()
    b = node(tmp_path / "data-b")
    assert b.mocks() == {}
    assert b.hit("/only-a").status_code == 404
    b.stop()
    a2 = node(tmp_path / "data-a")
    assert set(a2.mocks()) == {"only-a"}


# --------------------------------------------------------------------------- kill -9


def test_kill9_right_after_writes_keeps_every_acknowledged_change(node):
    n = node()
    n.create(mock_body("k1", body="one"))
    n.create(mock_body("k2", body="two"))
    n.create(mock_body("k3", body="three"))
    n.ok("PATCH", "/mocks/k1", 200, json={"http": {"response": {"body": "patched"}}})
    n.ok("DELETE", "/mocks/k2", 204)
    n.ok("POST", "/mocks/k3/toggle", 200)
    n.create(mock_body("k4", body="last"))
    live = n.mocks()
    n.kill9()  # at once: no clean shutdown

    m = node()
    assert content(m.mocks()) == content(live)
    assert m.hit("/k1").text == "patched"
    assert m.hit("/k2").status_code == 404
    assert m.hit("/k3").status_code == 404
    assert m.hit("/k4").text == "last"


def build_ops(count, seed=7):
    """A deterministic mix of creates, patches, toggles and deletes, valid in sequence."""
    rng = random.Random(seed)
    ops, existing, n = [], [], 0
    for i in range(count):
        kind = "create" if len(existing) < 5 else rng.choice(
            ["create", "create", "create", "patch", "toggle", "delete"])
        if kind == "create":
            mid = f"b{n:04d}"
            n += 1
            existing.append(mid)
            ops.append(("create", mid, f"v{i}"))
        else:
            mid = rng.choice(existing)
            if kind == "delete":
                existing.remove(mid)
            ops.append((kind, mid, f"v{i}"))
    return ops


def apply_op(state, op):
    kind, mid, value = op
    state = dict(state)
    if kind == "create":
        state[mid] = (value, True)
    elif kind == "patch":
        state[mid] = (value, state[mid][1])
    elif kind == "toggle":
        state[mid] = (state[mid][0], not state[mid][1])
    else:
        del state[mid]
    return state


def summarize(mocks):
    return {mid: (m["http"]["response"]["body"], m.get("enabled", True))
            for mid, m in mocks.items()}


@pytest.mark.parametrize("kill_after", [1, 120, 450])
def test_kill9_during_a_burst_of_writes_leaves_a_consistent_store(node, kill_after):
    n = node()
    ops = build_ops(700)
    acked = [0]          # ops whose 2xx answer arrived
    error = []
    stop = threading.Event()

    def writer():
        session = http_session()
        try:
            for kind, mid, value in ops:
                if stop.is_set():
                    return
                try:
                    if kind == "create":
                        r = session.post(n.admin + "/mocks", timeout=10,
                                         json=mock_body(mid, path=f"/burst/{mid}", body=value))
                        want = 201
                    elif kind == "patch":
                        r = session.patch(n.admin + f"/mocks/{mid}", timeout=10,
                                          json={"http": {"response": {"body": value}}})
                        want = 200
                    elif kind == "toggle":
                        r = session.post(n.admin + f"/mocks/{mid}/toggle", timeout=10)
                        want = 200
                    else:
                        r = session.delete(n.admin + f"/mocks/{mid}", timeout=10)
                        want = 204
                except requests.RequestException:
                    return  # the server died under us: this op is the one in flight
                if r.status_code != want:
                    error.append(f"{kind} {mid}: {r.status_code} {r.text}")
                    return
                acked[0] += 1
        finally:
            session.close()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    wait_for(lambda: acked[0] >= kill_after or not thread.is_alive(), 30,
             f"{kill_after} acknowledged writes")
    n.kill9()
    thread.join(15)
    stop.set()
    assert not thread.is_alive()
    assert not error, error
    done = acked[0]
    assert done < len(ops), "the burst finished before the kill; the test proves nothing"

    expected_before = {}
    for op in ops[:done]:
        expected_before = apply_op(expected_before, op)
    expected_after = apply_op(expected_before, ops[done])  # the one in flight

    m = node()  # fails the test if the store is corrupt and the server cannot start
    loaded = summarize(m.mocks())
    assert loaded in (expected_before, expected_after), (
        f"after {done} acknowledged writes the store holds {len(loaded)} mocks; "
        f"missing={sorted(set(expected_before) - set(loaded))[:10]} "
        f"extra={sorted(set(loaded) - set(expected_after))[:10]} "
        f"differing={[k for k in loaded if k in expected_before and loaded[k] != expected_before[k]][:10]}")

    # what was loaded is what is served
    for mid, (body, enabled) in list(loaded.items())[-5:] + list(loaded.items())[:5]:
        r = m.hit(f"/burst/{mid}")
        if enabled:
            assert (r.status_code, r.text) == (200, body), mid
        else:
            assert r.status_code == 404, mid
    # and the store keeps working after the recovery
    m.create(mock_body("after-crash"))
    m.stop()
    k = node()
    assert "after-crash" in k.mocks()
    assert k.hit("/after-crash").text == "after-crash"


def test_repeated_kill9_restarts_stay_consistent(node):
    for round_ in range(3):
        n = node()
        have = n.mocks()
        assert set(have) == {f"r{i}" for i in range(round_)}, round_
        n.create(mock_body(f"r{round_}"))
        n.kill9()
    m = node()
    assert set(m.mocks()) == {"r0", "r1", "r2"}
    assert m.hit("/r2").text == "r2"


# --------------------------------------------------------------------------- --config mode

CONFIG = """
    mocks:
      - id: from-config
        type: http
        http:
          matcher: { method: GET, path: /from-config }
          response: { statusCode: 200, body: "config" }
"""


def test_config_mode_neither_loads_nor_writes_the_store(node, tmp_path):
    cfg = write_config(tmp_path / "cfg", CONFIG)

    plain = node()
    plain.create(mock_body("stored", body="from the store"))
    plain.stop()

    c1 = node(None, cfg)
    assert set(c1.mocks()) == {"from-config"}, "--config loaded the store"
    assert c1.hit("/stored").status_code == 404
    assert c1.hit("/from-config").text == "config"
    c1.create(mock_body("api-in-config-mode"))
    c1.ok("DELETE", "/mocks/from-config", 204)
    assert c1.hit("/api-in-config-mode").status_code == 200
    c1.stop()

    c2 = node(None, cfg)
    assert set(c2.mocks()) == {"from-config"}, "API changes under --config outlived a restart"
    assert c2.hit("/api-in-config-mode").status_code == 404
    assert c2.hit("/from-config").text == "config"
    c2.stop()

    back = node()
    assert set(back.mocks()) == {"stored"}, "--config mode wrote to the store"
    assert back.hit("/stored").text == "from the store"
    assert back.hit("/api-in-config-mode").status_code == 404


def test_config_mode_kill9_does_not_touch_the_store(node, tmp_path):
    cfg = write_config(tmp_path / "cfg", CONFIG)
    plain = node()
    plain.create(mock_body("kept"))
    plain.stop()
    c = node(None, cfg)
    c.ok("DELETE", "/mocks", 204)
    c.create(mock_body("transient"))
    c.kill9()
    back = node()
    assert set(back.mocks()) == {"kept"}
    assert back.hit("/kept").status_code == 200
