"""Layer 96, WireMock's /__admin under load: its work runs on the admin thread, never on the
mock port's event loops, so a bulk import of thousands of stubs does not hold up the mock
requests that share the port.

The proof is an order, not a time: with one worker thread, a mock request sent while the
import is being processed is answered before the import is.
"""

import json
import socket
import threading
import time

from test_96_wiremock_mode import make_root, stub, wiremock

IMPORTED = 40_000  # about 5.6 MB of JSON, under the 10 MiB body limit


def raw_exchange(port, request, answered):
    """Sends `request` on a new connection, reads the whole response (Connection: close) and
    records when it ended in `answered`."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    answered.append(time.monotonic())
    return b"".join(chunks)


def test_a_bulk_import_does_not_hold_up_mock_requests(servers, tmp_path):
    server = wiremock(servers, make_root(tmp_path / "root", {"static.json": stub("/static", "ok")}),
                      "--workers", "1")
    body = json.dumps({"mappings": [stub(f"/bulk/{i}", "b") for i in range(IMPORTED)]}).encode()
    import_request = (b"POST /__admin/mappings/import HTTP/1.1\r\nHost: localhost\r\n"
                      b"Content-Type: application/json\r\nConnection: close\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body)) + body
    import_done, static_done = [], []
    result = {}
    importer = threading.Thread(target=lambda: result.update(
        imported=raw_exchange(server.port, import_request, import_done)))
    importer.start()
    # Once the import's bytes are in (the server reads them at once), it is being processed.
    time.sleep(0.3)
    static = raw_exchange(server.port, b"GET /static HTTP/1.1\r\nHost: localhost\r\n"
                          b"Connection: close\r\n\r\n", static_done)
    importer.join(timeout=300)
    assert static.startswith(b"HTTP/1.1 200") and static.endswith(b"\r\n\r\nok"), static[:300]
    assert result["imported"].startswith(b"HTTP/1.1 200"), result["imported"][:300]
    assert static_done[0] < import_done[0], "the mock request waited for the import"
    # And the import did all its work.
    listed = server.get("/__admin/mappings?limit=1").json()
    assert listed["meta"]["total"] == IMPORTED + 1
    assert server.get(f"/bulk/{IMPORTED - 1}").text == "b"
