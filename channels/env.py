"""Small helpers shared by the Slack and Telegram connectors.

- `read_env`: the connectors take their secrets from the environment, never from
  credentials.yml; an empty variable counts as unset.
- `not_configured`: the answer of a webhook whose channel has no secrets (503),
  so that one missing secret does not stop the whole server from starting.
- `SeenCache`: a bounded, expiring set of ids, used to drop re-deliveries
  (Slack retries, Telegram re-sends) of something already handled, in one
  process. `RedisSeenCache` does the same in Redis, so that a retry that lands
  on another Rasa replica is dropped too; `seen_cache()` picks Redis when
  REDIS_HOST is set (the variables the lock store reads in deploy/), else the
  process's own memory.
"""

import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Mapping, Optional, Text, overload

from redis import Redis
from redis.exceptions import RedisError
from sanic import response
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


@overload
def read_env(name: Text, default: Text, environ: Optional[Mapping[Text, Text]] = None) -> Text: ...


@overload
def read_env(
    name: Text, default: None = None, environ: Optional[Mapping[Text, Text]] = None
) -> Optional[Text]: ...


def read_env(
    name: Text, default: Optional[Text] = None, environ: Optional[Mapping[Text, Text]] = None
) -> Optional[Text]:
    """The variable's value, stripped; `default` when unset or blank."""
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return default
    return value.strip()


def missing_variables(values: Dict[Text, Optional[Text]], required: Iterable[Text]) -> List[Text]:
    return [name for name in required if not values.get(name)]


def warn_secrets_in_file(
    channel: Text, credentials: Optional[Dict], secret_keys: Iterable[Text]
) -> None:
    """Secrets belong in the environment: say so if someone put them in the file."""
    found = sorted(k for k in (credentials or {}) if k in set(secret_keys))
    if found:
        logger.warning(
            "%s: ignoring %s in credentials.yml; secrets are read from the "
            "environment only (see docs/channels/%s.md).",
            channel,
            ", ".join(found),
            channel,
        )


def not_configured(channel: Text, problem: Text) -> HTTPResponse:
    """503 with a short JSON body: the channel exists but has no secrets."""
    return response.json(
        {"status": "not_configured", "channel": channel, "detail": problem},
        status=503,
    )


# What `claim` says of an id: never seen (handle it now), being handled by some
# process (answer "try again later"), or handled (drop it).
NEW, HANDLING, DONE = "new", "handling", "done"


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

    def claim(self, *keys: Optional[Text]) -> Text:
        """NEW the first time, DONE after (in one process, handling ends with it)."""
        return NEW if self.first_time(*keys) else DONE

    def finish(self, *keys: Optional[Text]) -> None:
        """Nothing to do: `claim` already recorded the ids."""

    def __len__(self) -> int:
        return len(self._seen)

    def _expire(self, now: float) -> None:
        while self._seen:
            stamp = next(iter(self._seen.values()))
            if now - stamp <= self.ttl:
                break
            self._seen.popitem(last=False)


# The ids are kept an hour: Slack retries within minutes, Telegram re-sends for hours
# only while it gets no 2xx, and both connectors always answer 2xx.
SEEN_TTL_SECONDS = 3600
DEFAULT_SEEN_KEY_PREFIX = "backdimples:seen:"


class RedisSeenCache:
    """`SeenCache` in Redis, shared by every replica: one SET NX EX per id.

    SET NX is atomic, so of two replicas that get the same retry at the same
    instant exactly one sees the id as new. If Redis cannot be reached the ids
    are checked in this process only (a retry may then be answered twice; not
    answering a message at all would be worse).

    `claim` and `finish` mark an id "handling" for `claim_ttl` seconds, then
    "done". A retry that finds it still "handling" is answered with a 503, so the
    platform tries again later: if the replica that took it was killed mid-turn,
    the claim expires and a later retry is answered by another replica, instead
    of being dropped as a duplicate of a message nobody answered.
    """

    def __init__(
        self,
        client: Any,
        prefix: Text = DEFAULT_SEEN_KEY_PREFIX,
        ttl: int = SEEN_TTL_SECONDS,
        claim_ttl: int = 60,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.claim_ttl = claim_ttl
        self.fallback = SeenCache(ttl=ttl)

    def claim(self, *keys: Optional[Text]) -> Text:
        present = tuple(k for k in keys if k)
        if not present:
            return NEW
        try:
            pipe = self.client.pipeline(transaction=False)
            for key in present:
                pipe.set(self.prefix + key, HANDLING, nx=True, ex=self.claim_ttl)
            for key in present:
                pipe.get(self.prefix + key)
            results = pipe.execute()
        except RedisError as error:
            logger.warning(
                "Redis not reachable for de-duplication (%s); checking ids in this process only.",
                type(error).__name__,
            )
            return self.fallback.claim(*present)
        if all(results[: len(present)]):
            return NEW
        values = [v.decode() if isinstance(v, bytes) else v for v in results[len(present) :]]
        return DONE if DONE in values else HANDLING

    def finish(self, *keys: Optional[Text]) -> None:
        present = tuple(k for k in keys if k)
        try:
            pipe = self.client.pipeline(transaction=False)
            for key in present:
                pipe.set(self.prefix + key, DONE, ex=self.ttl)
            pipe.execute()
        except RedisError as error:
            logger.warning("Redis not reachable to mark an id handled (%s).", type(error).__name__)

    def first_time(self, *keys: Optional[Text]) -> bool:
        """Record every non-empty key; True unless one of them was seen already."""
        present = tuple(k for k in keys if k)
        if not present:
            return True
        try:
            pipe = self.client.pipeline(transaction=False)
            for key in present:
                pipe.set(self.prefix + key, b"1", nx=True, ex=self.ttl)
            new = pipe.execute()
        except RedisError as error:
            logger.warning(
                "Redis not reachable for de-duplication (%s); checking ids in this process only.",
                type(error).__name__,
            )
            return self.fallback.first_time(*present)
        return all(new)


def seen_cache(environ: Optional[Mapping[Text, Text]] = None) -> Any:
    """A RedisSeenCache when REDIS_HOST is set, else a SeenCache of this process.

    REDIS_HOST, REDIS_PORT (6379), REDIS_PASSWORD and REDIS_DB (1, as the lock store
    in deploy/endpoints.deploy.yml) locate Redis; SEEN_KEY_PREFIX prefixes the keys;
    SEEN_CLAIM_SECONDS (60) is how long an id stays "handling" if its replica dies.
    """
    host = read_env("REDIS_HOST", environ=environ)
    if not host:
        return SeenCache(max_size=10_000, ttl=SEEN_TTL_SECONDS)
    client = Redis(
        host=host,
        port=int(read_env("REDIS_PORT", "6379", environ)),
        password=read_env("REDIS_PASSWORD", environ=environ),
        db=int(read_env("REDIS_DB", "1", environ)),
        # A webhook must answer quickly; a Redis that hangs falls back to memory.
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
    )
    return RedisSeenCache(
        client,
        read_env("SEEN_KEY_PREFIX", DEFAULT_SEEN_KEY_PREFIX, environ),
        claim_ttl=int(read_env("SEEN_CLAIM_SECONDS", "60", environ)),
    )
