"""Small helpers shared by the Slack and Telegram connectors.

- `read_env`: the connectors take their secrets from the environment, never from
  credentials.yml; an empty variable counts as unset.
- `not_configured`: the answer of a webhook whose channel has no secrets (503),
  so that one missing secret does not stop the whole server from starting.
- `SeenCache`: a bounded, expiring set of ids, used to drop re-deliveries
  (Slack retries, Telegram re-sends) of something already handled. It lives in
  one process: with several Rasa replicas a retry can land on another replica
  (see docs/channels/*.md).
"""
import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Dict, Iterable, List, Mapping, Optional, Text, overload

from sanic import response
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


@overload
def read_env(name: Text, default: Text,
             environ: Optional[Mapping[Text, Text]] = None) -> Text: ...


@overload
def read_env(name: Text, default: None = None,
             environ: Optional[Mapping[Text, Text]] = None) -> Optional[Text]: ...


def read_env(name: Text, default: Optional[Text] = None,
             environ: Optional[Mapping[Text, Text]] = None) -> Optional[Text]:
    """The variable's value, stripped; `default` when unset or blank."""
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return default
    return value.strip()


def missing_variables(values: Dict[Text, Optional[Text]], required: Iterable[Text]) -> List[Text]:
    return [name for name in required if not values.get(name)]


def warn_secrets_in_file(channel: Text, credentials: Optional[Dict], secret_keys: Iterable[Text]) -> None:
    """Secrets belong in the environment: say so if someone put them in the file."""
    found = sorted(k for k in (credentials or {}) if k in set(secret_keys))
    if found:
        logger.warning(
            "%s: ignoring %s in credentials.yml; secrets are read from the "
            "environment only (see docs/channels/%s.md).", channel, ", ".join(found), channel,
        )


def not_configured(channel: Text, problem: Text) -> HTTPResponse:
    """503 with a short JSON body: the channel exists but has no secrets."""
    return response.json(
        {"status": "not_configured", "channel": channel, "detail": problem},
        status=503,
    )


class SeenCache:
    """Remembers ids for `ttl` seconds, at most `max_size` of them.

    `first_time(key)` is True exactly once per key while the key is remembered.
    Thread-safe (the check and the insert are one step), cheap, in-memory.
    """

    def __init__(self, max_size: int = 10_000, ttl: float = 3600.0) -> None:
        self.max_size = max_size
        self.ttl = ttl
        self._seen: OrderedDict[Text, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, *keys: Optional[Text]) -> bool:
        """Record every non-empty key; True unless one of them was seen already."""
        present = tuple(k for k in keys if k)
        if not present:
            return True
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if any(k in self._seen for k in present):
                for k in present:  # remember the other ids too (a retry may carry either)
                    self._seen.setdefault(k, now)
                return False
            for k in present:
                self._seen[k] = now
            while len(self._seen) > self.max_size:
                self._seen.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._seen)

    def _expire(self, now: float) -> None:
        while self._seen:
            stamp = next(iter(self._seen.values()))
            if now - stamp <= self.ttl:
                break
            self._seen.popitem(last=False)
