"""The HTTP API needs its token on every route; logs do not keep what people wrote."""
import uuid

import pytest

from tests.stack import http

pytestmark = pytest.mark.server

SENDER = "someone"
# Every route of Rasa 3.6's HTTP API (rasa/server.py) that reads or changes
# conversations or the model.
API_ROUTES = [
    ("GET", "/status"),
    ("GET", "/domain"),
    ("GET", f"/conversations/{SENDER}/tracker"),
    ("POST", f"/conversations/{SENDER}/tracker/events"),
    ("PUT", f"/conversations/{SENDER}/tracker/events"),
    ("GET", f"/conversations/{SENDER}/story"),
    ("POST", f"/conversations/{SENDER}/execute"),
    ("POST", f"/conversations/{SENDER}/trigger_intent"),
    ("POST", f"/conversations/{SENDER}/predict"),
    ("POST", f"/conversations/{SENDER}/messages"),
    ("POST", "/model/train"),
    ("POST", "/model/test/stories"),
    ("POST", "/model/test/intents"),
    ("POST", "/model/predict"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
]


@pytest.mark.parametrize("method, path", API_ROUTES)
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_api_routes_refuse_requests_without_the_right_token(rasa_server, method, path, token):
    url = rasa_server.url + path + (f"?token={token}" if token else "")
    status, _ = http(method, url, {"text": "hello"} if method != "GET" else None)
    assert status in (401, 403), f"{method} {path} answered {status}"


def test_the_right_token_is_accepted(rasa_server):
    status, body = http("GET", f"{rasa_server.url}/status?token={rasa_server.token}")
    assert status == 200 and "model_id" in body


def test_logs_at_the_default_level_do_not_contain_message_text(rasa_server, log_dir):
    secret = f"my daughter Zelda-{uuid.uuid4().hex[:8]} has a dimple with a tuft of hair"
    rasa_server.send(f"privacy-{uuid.uuid4().hex[:6]}", secret)
    rasa_server.send(f"privacy-{uuid.uuid4().hex[:6]}", "/start_screening")
    marker = secret.split()[2]
    logs = {path.name: path.read_text(errors="replace") for path in log_dir.glob("*.log")}
    assert logs, "no server logs found"
    leaked = [name for name, text in logs.items() if marker in text]
    assert not leaked, f"message text found in {leaked}"
