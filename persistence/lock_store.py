"""Rasa's Redis lock store, with every change of a lock made atomically.

Rasa 3.6's `RedisLockStore` issues a ticket by reading the lock (GET), adding
the ticket in Python and writing it back (SET). Two replicas that receive
messages of one conversation at the same instant can both read "no lock", both
take ticket 0 and handle the two messages at once: one message's events are then
lost, or both are answered from the same state (RasaHQ/rasa#3933; the atomic
version, RasaHQ/rasa#11256, is in Rasa Pro only). tests/test_scale_out.py
measured it: 3 to 11 of every 20 such pairs.

Here each read-modify-write runs in a Redis transaction (WATCH/MULTI/EXEC,
retried when another process changed the lock in between). Everything else -
the key format, the ticket logic, the endpoint settings - is Rasa's own, so
`endpoints.yml` only names this class as the lock store's `type`.
"""

import json
from typing import Any, Callable, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# A change of a lock: (the lock as stored, or None) -> (result, the lock to store)
Change = Callable[[Optional[TicketLock]], Tuple[Any, Optional[TicketLock]]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa creates a custom lock store from its endpoint settings; as with its
        # own `redis` type, the host is given as `url`.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Change) -> Any:
        key = self.key_prefix + conversation_id

        def apply(pipe: Any) -> Any:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            result, lock = change(lock)
            pipe.multi()
            if lock is None or not lock.tickets:
                pipe.delete(key)  # nobody holds or waits for it
            else:
                pipe.set(key, lock.dumps())
            return result

        return self.red.transaction(apply, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]) -> Tuple[int, TicketLock]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._change(conversation_id, change)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def change(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock:
                lock.remove_expired_tickets()
            return None, lock

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        def change(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._change(conversation_id, change)
