"""Seal appointments, meeting places, feedback and report reasons; bind messages to their id.

What was in clear (an appointment's "Préfecture - titre de séjour", its notes, a meeting
place, feedback, a report's reason) is sealed, bound to its table, row and field: an
appointment with its young person's own key (the vault's user key, made here for whoever
has none yet), the rest with the key of the match's conversation (made here for a match
that has none yet). Message bodies, bound so far to their conversation and sender, are
sealed again bound to their own id as well. Notifications already sent are rewritten in
the discreet words reminders use now. The clear columns go once every row is sealed;
going back opens them again (notifications keep their discreet words).
"""

import uuid

from django.db import migrations, models

from backend import crypto
from backend.crypto import sealed
from backend.crypto.keyring import load_keyring
from mentoring import conversations
from vault import keys as vault_keys

OLD_BODY_CONTEXT = b"jalon/message/v1|"

# (model, table, fields, whose key): "owner" the young person's, "match" the pair's.
SEALED = [
    ("appointment", "mentoring_appointment", ["title", "place", "notes"], "owner"),
    ("meeting", "mentoring_meeting", ["place", "video_url"], "match"),
    ("match", "mentoring_match", ["young_person_feedback", "mentor_feedback"], "match"),
    ("conversationreport", "mentoring_conversationreport", ["reason"], "match"),
]

DISCREET = {
    "appointment": ("Rendez-vous bientôt", "Ouvre Jalon pour voir les détails."),
    "meeting": ("Rendez-vous bientôt", "Ouvre Jalon pour voir les détails."),
    "document_expiry": (
        "Un document de ton coffre arrive bientôt à échéance",
        "Ouvre Jalon pour voir lequel.",
    ),
}
DISCREET_OTHER = ("Jalon", "Ouvre Jalon pour voir les détails.")


class _Keys:
    """Keys found (or made, going forward) once per person and per match."""

    def __init__(self, apps, *, create: bool):
        self.UserKey = apps.get_model("vault", "UserKey")
        self.Conversation = apps.get_model("mentoring", "Conversation")
        self.Match = apps.get_model("mentoring", "Match")
        self.create = create
        self.people, self.matches = {}, {}

    def person(self, user_id):
        if user_id not in self.people:
            user_key = self.UserKey.objects.filter(user_id=user_id).first()
            if user_key is None:
                if not self.create:
                    raise RuntimeError(f"user {user_id} has sealed values but no key")
                key_id = uuid.uuid4()
                version, wrapped = load_keyring().wrap(
                    crypto.new_key(), context=vault_keys._user_key_context(key_id)
                )
                user_key = self.UserKey.objects.create(
                    id=key_id, user_id=user_id, master_key_version=version, wrapped_key=wrapped
                )
            self.people[user_id] = vault_keys.user_secret(user_key)
        return self.people[user_id]

    def match(self, match_id):
        if match_id not in self.matches:
            conversation = self.Conversation.objects.filter(match_id=match_id).first()
            if conversation is None:
                if not self.create:
                    raise RuntimeError(f"match {match_id} has sealed values but no conversation")
                conversation = self.Conversation(id=uuid.uuid4(), match_id=match_id)
                conversation.master_key_version, conversation.wrapped_key = load_keyring().wrap(
                    crypto.new_key(), context=conversations._key_context(conversation)
                )
                conversation.save()
            self.matches[match_id] = conversations._key(conversation)
        return self.matches[match_id]

    def of(self, row, whose):
        if whose == "owner":
            return self.person(row.owner_id)
        if hasattr(row, "match_id"):
            return self.match(row.match_id)
        if hasattr(row, "conversation_id"):
            return self.match(self.Conversation.objects.get(pk=row.conversation_id).match_id)
        return self.match(row.pk)  # the match itself


def seal_forward(apps, schema_editor):
    found = _Keys(apps, create=True)
    for model_name, table, fields, whose in SEALED:
        model = apps.get_model("mentoring", model_name)
        for row in model.objects.all().iterator():
            values = {name: getattr(row, name) for name in fields}
            if not any(values.values()):
                continue  # nothing to hide, and no key to make
            key = found.of(row, whose)
            model.objects.filter(pk=row.pk).update(
                **{
                    f"{name}_sealed": sealed.seal_value(
                        key, value, table=table, row_id=row.pk, field=name
                    )
                    for name, value in values.items()
                }
            )
    _messages(apps, found, forward=True)
    Notification = apps.get_model("mentoring", "Notification")
    for notification in Notification.objects.select_related("reminder").iterator():
        kind = notification.reminder.kind if notification.reminder else None
        title, body = DISCREET.get(kind, DISCREET_OTHER)
        Notification.objects.filter(pk=notification.pk).update(title=title, body=body)
    RecordedSend = apps.get_model("mentoring", "RecordedSend")
    RecordedSend.objects.update(title=DISCREET_OTHER[0])


def seal_backward(apps, schema_editor):
    found = _Keys(apps, create=False)
    for model_name, table, fields, whose in SEALED:
        model = apps.get_model("mentoring", model_name)
        for row in model.objects.all().iterator():
            raws = {name: getattr(row, f"{name}_sealed") for name in fields}
            if not any(raws.values()):
                continue
            key = found.of(row, whose)
            model.objects.filter(pk=row.pk).update(
                **{
                    name: sealed.open_value(key, raw, table=table, row_id=row.pk, field=name)
                    for name, raw in raws.items()
                }
            )
    _messages(apps, found, forward=False)


def _messages(apps, found, *, forward: bool):
    Message = apps.get_model("mentoring", "Message")
    for message in Message.objects.select_related("conversation").iterator():
        conversation = message.conversation
        key = found.match(conversation.match_id)
        old = OLD_BODY_CONTEXT + conversation.id.bytes + b"|" + str(message.sender_id).encode()
        new = conversations.body_context(conversation.id, message.pk, message.sender_id)
        opened, sealing = (old, new) if forward else (new, old)
        body = crypto.open_sealed(key, bytes(message.encrypted_body), context=opened)
        Message.objects.filter(pk=message.pk).update(
            encrypted_body=crypto.seal(key, body, context=sealing)
        )


def _binary(model_name, name):
    return migrations.AddField(
        model_name=model_name,
        name=f"{name}_sealed",
        field=models.BinaryField(blank=True, default=b""),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_reminder_exactly_one_target"),
        ("vault", "0003_seal_document_metadata"),
    ]

    operations = [
        *[_binary(model, name) for model, _table, fields, _whose in SEALED for name in fields],
        migrations.RunPython(seal_forward, seal_backward, elidable=False),
        # Defaults first, so that going back re-adds the clear columns on existing rows.
        migrations.AlterField(
            model_name="appointment",
            name="title",
            field=models.CharField(default="", max_length=200, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="conversationreport",
            name="reason",
            field=models.TextField(default="", verbose_name="reason"),
        ),
        migrations.RemoveField(model_name="appointment", name="title"),
        migrations.RemoveField(model_name="appointment", name="place"),
        migrations.RemoveField(model_name="appointment", name="notes"),
        migrations.RemoveField(model_name="meeting", name="place"),
        migrations.RemoveField(model_name="meeting", name="video_url"),
        migrations.RemoveField(model_name="match", name="young_person_feedback"),
        migrations.RemoveField(model_name="match", name="mentor_feedback"),
        migrations.RemoveField(model_name="conversationreport", name="reason"),
    ]
