"""Messages inside a match: encrypted at rest, only between the two members.

Each conversation has its own key, wrapped by the master keyring (``backend.crypto``);
a message body is sealed with it, bound to its conversation, its own id and its sender,
so a body copied onto another message or into another conversation fails to open. The
same key seals what the match's two members share (meeting places, feedback, report
reasons: ``match_key``).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend import crypto
from backend.crypto.keyring import count_by_version, load_keyring

from .exceptions import MatchConflict
from .models import Conversation, ConversationReport, Match, Message

MAX_MESSAGE_LENGTH = 2000
_KEY_CONTEXT = b"jalon/conversation-key/v1|"
_BODY_CONTEXT = b"jalon/message/v2|"


def _key_context(conversation: Conversation) -> bytes:
    return _KEY_CONTEXT + conversation.id.bytes + b"|"


def _key(conversation: Conversation) -> bytes:
    return load_keyring().unwrap(
        conversation.master_key_version,
        bytes(conversation.wrapped_key),
        context=_key_context(conversation),
    )


def conversation_key(conversation: Conversation) -> bytes:
    """The conversation's key in clear, unwrapped once per loaded row."""
    cached = conversation.__dict__.get("_key")
    if cached is None:
        cached = conversation.__dict__["_key"] = _key(conversation)
    return cached


def match_key(match: Match) -> bytes:
    """The key of the match's conversation (made on first use): what seals the pair's data."""
    try:
        conversation = match.conversation
    except Conversation.DoesNotExist:
        conversation = conversation_of(match)
        match.conversation = conversation
    return conversation_key(conversation)


def body_context(
    conversation_id, message_id: int, sender_id: int | None, erased_side: str = ""
) -> bytes:
    """A message body's associated data: its conversation, its id and its sender.

    A message kept after its sender erased their account is bound to the side that wrote
    it (``erased_side``) instead of the gone id: see ``messages_detach_sender``.
    """
    sender = str(sender_id) if sender_id is not None else f"erased:{erased_side}"
    return _BODY_CONTEXT + f"{conversation_id}|{message_id}|{sender}".encode()


def _context_of(message: Message) -> bytes:
    return body_context(
        message.conversation_id, message.pk, message.sender_id, message.erased_sender
    )


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
    with transaction.atomic():
        # Inserted first: the body is bound to the message's id, known from the insert.
        message = Message.objects.create(
            conversation=conversation, sender=sender, encrypted_body=b""
        )
        message.encrypted_body = crypto.seal(
            conversation_key(conversation),
            body.encode(),
            context=body_context(conversation.id, message.pk, sender.pk),
        )
        Message.objects.filter(pk=message.pk).update(encrypted_body=message.encrypted_body)
    return message


def with_bodies(conversation: Conversation, messages) -> list[Message]:
    """``messages`` with ``body`` decrypted onto each (one key unwrap for all)."""
    messages = list(messages)
    if messages:
        key = conversation_key(conversation)
        for message in messages:
            message.body = crypto.open_sealed(
                key, bytes(message.encrypted_body), context=_context_of(message)
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
    key = conversation_key(conversation)
    for message in theirs.filter(created_at__lte=covered_until):
        body = crypto.open_sealed(key, bytes(message.encrypted_body), context=_context_of(message))
        message.sender, message.erased_sender = None, side
        message.encrypted_body = crypto.seal(key, body, context=_context_of(message))
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


def conversation_keys_by_master_version() -> dict[str, int]:
    """How many conversation keys each master key version wraps (for its retirement)."""
    return count_by_version(Conversation.objects.all())
