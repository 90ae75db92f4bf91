"""The HTTP API needs its token on every route; logs do not keep what people wrote."""

import uuid

import pytest

from scripts.processes import http

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


# --- the assistant as `./assistant web` starts it -------------------------------

EMBEDDING_SITE = "https://clinic.example"


@pytest.fixture(scope="module")
def web_server(web_chat_server):
    """The page's address, served with exactly the arguments scripts/run_local.py uses
    (only the model, endpoints and port differ), and one extra origin configured."""
    assert web_chat_server.extra_origin == EMBEDDING_SITE
    return web_chat_server.url


def _get(url: str, origin: str | None = None):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.mark.parametrize("method, path", API_ROUTES)
def test_the_http_api_is_off_by_default(web_server, method, path):
    status, _ = http(method, web_server + path, {"text": "hello"} if method != "GET" else None)
    assert status in (401, 403, 404, 405), f"{method} {path} answered {status}"
    assert status != 200


def test_the_chat_socket_accepts_only_its_own_and_configured_origins(web_server):
    handshake = f"{web_server}/socket.io/?EIO=4&transport=polling"
    assert _get(handshake, origin=web_server)[0] == 200  # the page's own origin
    assert _get(handshake, origin=EMBEDDING_SITE)[0] == 200  # configured
    assert _get(handshake)[0] == 200  # no Origin: not a browser
    status, headers = _get(handshake, origin="https://evil.example")
    assert status == 400 and "Access-Control-Allow-Origin" not in headers


def test_cors_headers_name_configured_origins_only(web_server):
    _, headers = _get(f"{web_server}/chat/", origin=web_server)
    assert headers.get("Access-Control-Allow-Origin") == web_server
    _, headers = _get(f"{web_server}/chat/", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in headers
