"""Messages inside a match: encrypted at rest, only between the two members.

Each conversation has its own key, wrapped by the master keyring (``backend.crypto``);
a message body is sealed with it, bound to its conversation and sender.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend import crypto
from backend.crypto.keyring import load_keyring

from .exceptions import MatchConflict
from .models import Conversation, ConversationReport, Match, Message

MAX_MESSAGE_LENGTH = 2000
_KEY_CONTEXT = b"jalon/conversation-key/v1|"
_BODY_CONTEXT = b"jalon/message/v1|"


def _key_context(conversation: Conversation) -> bytes:
    return _KEY_CONTEXT + conversation.id.bytes + b"|"


def _key(conversation: Conversation) -> bytes:
    return load_keyring().unwrap(
        conversation.master_key_version,
        bytes(conversation.wrapped_key),
        context=_key_context(conversation),
    )


def _body_context(conversation: Conversation, sender_id: int | None, erased: str = "") -> bytes:
    # A message kept after its sender erased their account is bound to the side that
    # wrote it instead of the (gone) id: see ``messages_detach_sender``.
    who = str(sender_id).encode() if sender_id is not None else b"erased:" + erased.encode()
    return _BODY_CONTEXT + conversation.id.bytes + b"|" + who


def _context_of(conversation: Conversation, message: Message) -> bytes:
    return _body_context(conversation, message.sender_id, message.erased_sender)


def conversation_of(match: Match) -> Conversation:
    """The match's conversation, made (with its key) on first use."""
    conversation = Conversation.objects.filter(match=match).first()
    if conversation is not None:
        return conversation
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        conversation = Conversation.objects.filter(match=match).first()
        if conversation is None:
            conversation = Conversation(match=match)
            conversation.master_key_version, conversation.wrapped_key = load_keyring().wrap(
                crypto.new_key(), context=_key_context(conversation)
            )
            conversation.save()
    return conversation


def message_send(*, match: Match, sender, body: str) -> Message:
    """Send ``body`` in ``match``: only a member, only while the match is active."""
    if match.status != Match.Status.ACTIVE:
        raise MatchConflict("wrong_status")
    if sender.pk not in (match.young_person_id, match.mentor_id):
        raise PermissionError("not a member of this match")
    conversation = conversation_of(match)
    sealed = crypto.seal(
        _key(conversation), body.encode(), context=_body_context(conversation, sender.pk)
    )
    return Message.objects.create(conversation=conversation, sender=sender, encrypted_body=sealed)


def with_bodies(conversation: Conversation, messages) -> list[Message]:
    """``messages`` with ``body`` decrypted onto each (one key unwrap for all)."""
    messages = list(messages)
    if messages:
        key = _key(conversation)
        for message in messages:
            message.body = crypto.open_sealed(
                key, bytes(message.encrypted_body), context=_context_of(conversation, message)
            ).decode()
    return messages


def messages_detach_sender(
    *, conversation: Conversation, sender, side: str, covered_until: datetime | None
) -> None:
    """``sender`` erases their account: their messages go, except those a safety report
    covers (written up to ``covered_until``, the latest report), which stay for the
    coordinator under ``side`` ("young_person" or "mentor") instead of the sender's id.

    Each kept message is sealed again, bound to its side, so the id appears nowhere.
    """
    theirs = conversation.messages.filter(sender=sender)
    if covered_until is None:
        theirs.delete()
        return
    theirs.filter(created_at__gt=covered_until).delete()
    key = _key(conversation)
    for message in theirs.filter(created_at__lte=covered_until):
        body = crypto.open_sealed(
            key, bytes(message.encrypted_body), context=_context_of(conversation, message)
        )
        message.sender, message.erased_sender = None, side
        message.encrypted_body = crypto.seal(key, body, context=_context_of(conversation, message))
        message.save(update_fields=["sender", "erased_sender", "encrypted_body"])


def messages_of(conversation: Conversation, *, since: datetime | None = None) -> QuerySet:
    messages = conversation.messages.all()
    if since is not None:
        messages = messages.filter(created_at__gt=since)
    return messages


def messages_mark_read(*, conversation: Conversation, reader) -> int:
    """Read receipts: every message of the other member so far is read by ``reader``."""
    return (
        conversation.messages.exclude(sender=reader)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def conversation_report(
    *, match: Match, reporter, reason: str, message: Message | None = None
) -> ConversationReport:
    """A member reports the conversation: the coordinator may now read it."""
    conversation = conversation_of(match)
    conversation.reported_at = timezone.now()
    conversation.save(update_fields=["reported_at"])
    return ConversationReport.objects.create(
        conversation=conversation, reporter=reporter, reason=reason, message=message
    )


def conversation_keys_rotate() -> int:
    """Re-wrap every conversation key under the keyring's current master key."""
    keyring = load_keyring()
    rotated = 0
    stale = Conversation.objects.exclude(master_key_version=keyring.current)
    for conversation_id in stale.values_list("id", flat=True).iterator():
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
            key = _key(conversation)
            conversation.master_key_version, conversation.wrapped_key = keyring.wrap(
                key, context=_key_context(conversation)
            )
            conversation.save(update_fields=["master_key_version", "wrapped_key"])
            rotated += 1
    return rotated
