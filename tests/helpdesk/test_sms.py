from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from helpdesk import sms, webhook_signing

SECRET = webhook_signing.generate_secret()


@pytest.fixture
def gateway():
    received = []
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(status["code"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", received, status
    server.shutdown()


def test_the_logging_backend_keeps_the_number_out_of_the_log(settings, caplog):
    settings.SMS_BACKEND = "helpdesk.sms.LoggingBackend"
    sms.LoggingBackend.sent.clear()
    with caplog.at_level("INFO"):
        sms.send_sms("+8613800138000", "您的理赔 XY-1 有新回复")
    assert sms.LoggingBackend.sent[-1].text == "您的理赔 XY-1 有新回复"
    assert "13800138000" not in caplog.text


def test_the_gateway_backend_posts_signed_json(settings, gateway):
    url, received, _status = gateway
    settings.SMS_BACKEND = "helpdesk.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_SECRET = url, SECRET
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    sms.send_sms("+8613800138000", "回电提醒")
    headers, body = received[0]
    assert json.loads(body) == {"to": "+8613800138000", "text": "回电提醒"}
    lowered = {k.lower(): v for k, v in headers.items()}
    assert webhook_signing.verify(
        secret=SECRET, headers_=lowered, body=body, now=int(lowered["webhook-timestamp"])
    )


def test_the_gateway_refuses_loopback_unless_allowed(settings, gateway):
    url, received, _status = gateway
    settings.SMS_BACKEND = "helpdesk.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_SECRET = url, SECRET
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(sms.SmsError, match="non-public"):
        sms.send_sms("+8613800138000", "x")
    assert received == []


def test_a_gateway_error_is_raised_for_retry(settings, gateway):
    url, _received, status = gateway
    status["code"] = 503
    settings.SMS_BACKEND = "helpdesk.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_SECRET = url, SECRET
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with pytest.raises(sms.SmsError, match="503"):
        sms.send_sms("+8613800138000", "x")
