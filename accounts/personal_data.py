"""Accounts' part of a user's data export and erasure: the days they used the app, and
what an account leaves outside its own rows.

The account and the profile open the export (``selectors.personal_data_export``).
Activity days, e-mail addresses, authenticators and profiles go with the account by
cascade; ``erase`` takes what a cascade does not reach: the person's sessions (browser
and app tokens), their id in history tables (kept without a foreign key constraint),
and today's activity mark in the cache.
"""

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone
from simple_history.models import HistoricalChanges

from . import selectors
from .models import User
from .services import activity_cache_key

SECTION = "activity_days"

# How many sessions are decoded at a time when looking for the person's.
SESSION_BATCH = 2000


def export(user) -> list[str]:
    """The days ``user`` used the app, oldest first."""
    return selectors.activity_days_export(user)


def erase(user) -> None:
    """Sign ``user`` out everywhere and take their id out of the history tables."""
    sessions_erase(user)
    history_forget(user)
    cache.delete(activity_cache_key(user.pk, timezone.localdate()))


def sessions_erase(user) -> int:
    """Delete every session of ``user``, expired or not: admin browsers and the app's
    session tokens alike, which would otherwise keep their id until purged.

    Sessions are only indexed by key, so each is decoded; erasures are rare.
    """
    mine = []
    for session in Session.objects.iterator(chunk_size=SESSION_BATCH):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            mine.append(session.session_key)
    deleted, _ = Session.objects.filter(session_key__in=mine).delete()
    return deleted


def history_forget(user) -> None:
    """Blank ``user``'s id in every history table (django-simple-history).

    History rows keep foreign keys as plain ids, so a deleted account would stay named
    there (who decided on a mentor, who edited an entry). The rows themselves stay: they
    are other people's history. Rows about the person's own objects go with those objects
    (``HistoricalRecords(cascade_delete_history=True)``).
    """
    for model in apps.get_models():
        if not issubclass(model, HistoricalChanges):
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User and field.null:
                model._default_manager.filter(**{field.attname: user.pk}).update(
                    **{field.attname: None}
                )
