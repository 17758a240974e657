"""One turn of the conversation, inside the session's single writer.

``take_turn`` stores the student's message, reads it, lets the policy decide the reply and
the state changes, and stores the reply, all in one ``session_write`` transaction: they
commit together or not at all. Everything the conversation needs between turns lives in the
session's rows, so any client, tab or process continues where the last one stopped. The
assistant is deterministic and local; nothing slow or remote runs under the lock.
"""

import logging
from dataclasses import dataclass

from chat.assistant import replies
from chat.assistant.context import Conversation
from chat.assistant.policy import Policy
from chat.assistant.understanding import understand
from chat.assistant.vocabulary import roster_words
from chat.ids import short_session_id
from chat.models import ChatMessage
from chat.store import session_write
from tutoring.center import center_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnResult:
    messages: list[ChatMessage]  # the student's message, then the reply
    version: int
    replayed: bool = False


def take_turn(
    session_id: str,
    *,
    text: str,
    client_id: str | None = None,
    expected_version: int | None = None,
) -> TurnResult:
    """Let the student say ``text``; store it, the reply and every state change at once.

    A retry with the same ``client_id`` returns the turn as it was first answered.
    """
    with session_write(session_id) as write:
        earlier = write.find_retry(client_id=client_id, role="user", content=text)
        if earlier is not None:
            return TurnResult(
                messages=_turn_from(write.session.pk, earlier.seq),
                version=write.session.version,
                replayed=True,
            )
        write.require_version(expected_version)
        said = write.append_message(role="user", content=text, client_id=client_id)
        conversation = Conversation(write)
        now = center_now()
        words = roster_words()
        heard = understand(text, vocabulary=words.vocabulary, today=now.date())
        # What was understood, never what was said: the text may hold names and emails.
        logger.info(
            "chat turn in session %s: %s",
            short_session_id(write.session.pk),
            heard.intent,
            extra={
                "intent": str(heard.intent),
                "acts": [type(act).__name__ for act in heard.acts],
                "step": conversation.draft.step if conversation.draft else None,
            },
        )
        reply = Policy(conversation, heard, now=now, words=words).reply()
        text_out = replies.not_again(reply.text, conversation.notes.last_reply, text)
        conversation.notes.last_reply = text_out
        conversation.save_notes()
        answer = write.append_message(
            role="assistant", content=text_out, tutor_match=reply.tutor_match
        )
    return TurnResult(messages=[said, answer], version=write.session.version)


def _turn_from(session_id: str, seq: int) -> list[ChatMessage]:
    """Return the student's message at ``seq`` and the replies up to the next one of theirs."""
    following = ChatMessage.objects.filter(session_id=session_id, seq__gte=seq).order_by("seq")
    turn: list[ChatMessage] = []
    for message in following[:10]:
        if turn and message.role == ChatMessage.Role.USER:
            break
        turn.append(message)
    return turn
