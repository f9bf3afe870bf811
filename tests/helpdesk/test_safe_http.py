from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from helpdesk.safe_http import BlockedDestination, parse_networks, post_json, resolve_checked

LOOPBACK = parse_networks(["127.0.0.0/8"])


@pytest.fixture
def receiver():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(
                {"body": self.rfile.read(length), "headers": dict(self.headers), "path": self.path}
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.1/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://2130706433/hook",
        "ftp://example.com/hook",
        "http://user:pass@example.com/hook",
    ],
)
def test_private_loopback_and_odd_destinations_are_refused(url):
    with pytest.raises(BlockedDestination):
        post_json(url, b"{}", {}, allowed_networks=[], timeout=1)


def test_an_allow_listed_network_is_reachable(receiver):
    base, received = receiver
    response = post_json(
        f"{base}/hook?x=1",
        json.dumps({"a": 1}).encode(),
        {"webhook-id": "m1"},
        allowed_networks=LOOPBACK,
        timeout=5,
    )
    assert response.status == 204
    assert received[0]["path"] == "/hook?x=1"
    assert received[0]["headers"]["webhook-id"] == "m1"
    assert json.loads(received[0]["body"]) == {"a": 1}


def test_resolution_checks_every_address(monkeypatch):
    import socket

    def fake_getaddrinfo(host, port, type=0):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(BlockedDestination, match=r"10\.1\.2\.3"):
        resolve_checked("mixed.example", 443, [])
