"""A browser tab keeps its Reflex session when the backend process it was connected to dies.

Why this exists (Reflex 0.10.1, `reflex/utils/token_manager.py`): with Redis, Reflex records for every client token
which process holds its socket (`token_manager_socket_record_<token>`, expiring after `redis_token_expiration`, one
hour) and deletes the record when the socket disconnects. A tab that connects with a token whose record still exists
is taken for a duplicated browser tab (sessionStorage is copied with the tab) and is handed a *new* token — an empty
state. A backend killed with -9 (or by the OOM killer, or a crash) never deletes its records, so every tab it served
came back, to its restart or through the load balancer to another backend, as a "duplicate" and lost its search,
filters, sort and page size, although its state was intact in Redis.

The fix: a record means "duplicate" only while its owner is alive. Every backend process (a Reflex "instance", one
per server worker) keeps a Redis subscription to a channel named after its instance id for as long as it runs.
When a process dies in any way the kernel closes its connections and Redis drops the subscription at once, so
`PUBSUB NUMSUB` of that channel says whether the owner of a record still lives. A record of a dead owner is stale:
it is removed (only if unchanged) and the tab keeps its token, so its state. A record of a live owner is a real
duplicate, or a reconnect that overtook the disconnect of its old socket (a graceful stop, a proxy reload): the
connect waits up to RECONNECT_GRACE seconds for the record to go before Reflex hands out a new token.

Installed by `adopt(app)` right after `rx.App(...)`: it replaces the event namespace's RedisTokenManager (created by
`TokenManager.create()`, not connected to anything yet) with this subclass on the same Redis client. Nothing else of
Reflex changes; without Redis (embedded mode, one process) Reflex's LocalTokenManager stays.

Limit: a backend whose *machine* vanishes without closing its TCP connections (power loss, network partition) keeps
its subscription on the Redis side until Redis' `tcp-keepalive` notices (300 s by default; deploy/README.md lowers it
to 30 s): tabs reconnecting before that are still taken for duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from reflex.utils.token_manager import RedisTokenManager, SocketRecord

if TYPE_CHECKING:
    import reflex as rx

logger = logging.getLogger(__name__)

ALIVE_CHANNEL = "printer_app:reflex_instance_alive:"  # + instance id; a channel nobody publishes to
RECONNECT_GRACE = 3.0  # seconds a connect waits for the record of a live owner to go (its disconnect in flight)
RECHECK = 0.1  # seconds between two looks at that record
ANNOUNCE_TIMEOUT = 5.0  # seconds a first connect waits for this process's liveness subscription
RESUBSCRIBE_AFTER = 1.0  # seconds before the liveness subscription is made again after losing Redis

# Delete the record only if it is still the one judged stale (a newer link of the token by another tab must win).
_DELETE_IF_UNCHANGED = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class CrashSafeTokenManager(RedisTokenManager):
    """RedisTokenManager whose duplicate-tab detection ignores the socket records of dead processes."""

    def _reset_instance_id(self) -> None:
        """A new identity (Reflex gives each forked server worker one at its start): announce it anew."""
        super()._reset_instance_id()
        task = getattr(self, "_liveness_task", None)
        if task is not None and not task.done():
            task.cancel()
        self._liveness_task: asyncio.Task | None = None
        self._announced: asyncio.Event | None = None

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        if (record := self.token_to_socket.get(token)) is not None and record.sid == sid:
            return None  # the same socket again: Reflex's fast path
        # Before this process stores a record of its own, another one must be able to see that it lives.
        await self._announce_alive()
        try:
            await self._drop_stale_record(token)
        except RedisError as exc:  # Reflex itself falls back to its local view when Redis fails
            logger.warning("could not check the socket record of a reconnecting tab: %s", exc)
        return await super().link_token_to_sid(token, sid)

    async def _drop_stale_record(self, token: str) -> None:
        """Remove the token's socket record if its owner is gone; wait a little if the owner lives."""
        key = self._get_redis_key(token)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECONNECT_GRACE
        while (raw := await self.redis.get(key)) is not None:
            record: SocketRecord = pickle.loads(raw)  # Reflex's own record, written by RedisTokenManager
            if not await self._alive(record, token):
                await self.redis.eval(_DELETE_IF_UNCHANGED, 1, key, raw)
                self._forget(token, record)
                logger.info("tab %s is back after its backend %s died: it keeps its state", token, record.instance_id)
                return
            if loop.time() >= deadline:
                return  # a live duplicate: Reflex gives this tab a new token
            await asyncio.sleep(RECHECK)

    async def _alive(self, record: SocketRecord, token: str) -> bool:
        if record.instance_id == self.instance_id:  # ours: alive while that socket is still linked here
            return self.sid_to_token.get(record.sid) == token
        ((_channel, subscribers),) = await self.redis.pubsub_numsub(ALIVE_CHANNEL + record.instance_id)
        return subscribers > 0

    def _forget(self, token: str, record: SocketRecord) -> None:
        """Drop what this process cached of the stale record (Reflex caches the owners of foreign tokens)."""
        if self.token_to_socket.get(token) == record:
            self.token_to_socket.pop(token, None)
        if record.instance_id != self.instance_id and self.sid_to_token.get(record.sid) == token:
            self.sid_to_token.pop(record.sid, None)

    async def _announce_alive(self) -> None:
        if self._announced is None:
            self._announced = asyncio.Event()
        if self._liveness_task is None or self._liveness_task.done():
            self._liveness_task = asyncio.create_task(self._stay_subscribed(self._announced), name="reflex-alive")
        try:
            await asyncio.wait_for(self._announced.wait(), ANNOUNCE_TIMEOUT)
        except TimeoutError:  # Redis unreachable: Reflex's own link fails the same way and logs it
            logger.warning("the liveness subscription is not confirmed yet")

    async def _stay_subscribed(self, announced: asyncio.Event) -> None:
        """Hold the subscription that tells other processes this one lives, re-made after a lost connection."""
        channel = ALIVE_CHANNEL + self.instance_id
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(channel)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            announced.set()
            except (RedisError, OSError) as exc:
                logger.warning("liveness subscription lost (%s); subscribing again", exc)
            await asyncio.sleep(RESUBSCRIBE_AFTER)

    async def close(self) -> None:
        task, self._liveness_task = self._liveness_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await super().close()


def adopt(app: rx.App) -> None:
    """Put CrashSafeTokenManager in place of the app's RedisTokenManager (production mode only)."""
    namespace: Any = app.event_namespace
    current = getattr(namespace, "_token_manager", None)
    if type(current) is RedisTokenManager:
        namespace._token_manager = CrashSafeTokenManager(current.redis)
