"""Tell every open tab of a session that it changed: the WebSocket fan-out.

``chat.store`` sends ``session_changed`` after each commit; this receiver (connected in
``ChatConfig.ready``) posts a small ``chat.changed`` event to the session's channel-layer
group, and each ``ChatConsumer`` in the group renders what its page is missing. The event
carries no content, so a consumer never sends anything it did not read from the database.
Likewise ``session_access_changed`` (the session ended, a device link was revoked) becomes a
``chat.access`` event, on which each consumer re-checks its cookie and closes if it no
longer opens the session.

It runs on the thread that committed (under daphne, the one sync thread of the process), so
it must stay cheap and must never fail the request: a channel-layer error (Redis down) is
logged and dropped, and the send gives up after ``SEND_TIMEOUT`` seconds. After a failure
the ``live_updates`` breaker skips the layer for a few seconds, so while Redis is down a
request pays for at most one failed attempt per interval instead of each waiting on it. A
page that missed an event catches up when its socket reconnects ("resume").
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from chat.ids import short_session_id
from chat.store import PART_RESET, SessionChange
from tutoring.breaker import CircuitBreaker
from tutoring.cache import REDIS_ERRORS

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 2.0
EVENT_TYPE = "chat.changed"
ACCESS_EVENT_TYPE = "chat.access"
# What a channel layer raises when its Redis is unreachable or too slow.
LAYER_ERRORS = (*REDIS_ERRORS, TimeoutError)

# Shared by the broadcast and the sockets (chat.consumers) of this process.
live_updates = CircuitBreaker(
    "The channel layer (Redis)",
    while_down="live updates between tabs are paused (pages still work, and catch up "
    "when their socket reconnects)",
    logger=logger,
)


def group_name(session_id: str) -> str:
    """Return the channel-layer group of a session's sockets."""
    return f"chat.{session_id}"


async def _send(layer, group: str, event: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, event), timeout=SEND_TIMEOUT)


def session_changed_broadcast(sender, change: SessionChange, **kwargs) -> None:
    """Receiver of ``chat.store.session_changed``: post ``chat.changed`` to the group."""
    event = {
        "type": EVENT_TYPE,
        "version": change.version,
        "reset": PART_RESET in change.parts,
    }
    _post(change.session_id, event)


def session_access_broadcast(sender, session_id: str, **kwargs) -> None:
    """Receiver of ``chat.store.session_access_changed``: post ``chat.access`` to the group."""
    _post(session_id, {"type": ACCESS_EVENT_TYPE})


def _post(session_id: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    group = group_name(session_id)
    # The in-memory layer only reaches sockets of this process: with none in the group there
    # is nobody to tell, and the JSON API's appends skip the hop to the event loop.
    if isinstance(layer, InMemoryChannelLayer) and not layer.groups.get(group):
        return
    if not live_updates.allows_call():
        return
    try:
        async_to_sync(_send)(layer, group, event)
    except Exception as exc:
        # The change is committed either way; pages catch up when they reconnect, and a
        # socket that missed an access change is checked again before its next update.
        live_updates.record_failure()
        logger.warning(
            "live update of chat session %s not sent (%s)",
            short_session_id(session_id),
            type(exc).__name__,
        )
    else:
        live_updates.record_success()
