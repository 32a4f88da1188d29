"""Sessions stored under a hash of their key, so that the database holds no usable token.

The app's session token (allauth's ``X-Session-Token``) and the admin's session cookie
are both Django session keys. Django's database store keeps the key itself as the row's
primary key: whoever reads a backup, a replica or a dump of ``django_session`` holds live
tokens. This store keeps only the SHA-256 of the key (the key is 32 random characters,
about 165 bits, so the hash cannot be reversed or guessed); a presented key is hashed
before the look-up, and a stored hash presented as a key hashes to something else.

It also ends a session for good ``SESSION_ABSOLUTE_AGE`` seconds after its first sign-in,
however active it is (``SESSION_COOKIE_AGE`` is the idle limit).

Set as ``SESSION_ENGINE = "accounts.session_store"``.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.sessions.backends import db
from django.utils import timezone

# allauth's log of the sign-ins of the session (allauth.account.internal.flows.login).
AUTHENTICATION_RECORDS_KEY = "account_authentication_methods"


def stored_key(session_key: str) -> str:
    """The form of ``session_key`` kept in the database (40 hex characters, the column's size)."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:40]


def signed_in_at(data: dict) -> float | None:
    """When the session's first sign-in happened (a Unix time), or None if it has none."""
    records = data.get(AUTHENTICATION_RECORDS_KEY)
    if not isinstance(records, list):
        return None
    times = [
        r["at"] for r in records if isinstance(r, dict) and isinstance(r.get("at"), int | float)
    ]
    return min(times) if times else None


def _past_absolute_age(data: dict) -> bool:
    started = signed_in_at(data)
    return started is not None and time.time() - started >= settings.SESSION_ABSOLUTE_AGE


class SessionStore(db.SessionStore):
    """Django's database session store, keyed by the hash of the session key."""

    def _get_session_from_db(self):
        try:
            return self.model.objects.get(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
        except self.model.DoesNotExist:
            self._session_key = None

    async def _aget_session_from_db(self):
        try:
            return await self.model.objects.aget(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
        except self.model.DoesNotExist:
            self._session_key = None

    def load(self):
        """The session's data, or nothing (and the session deleted) once past its absolute age."""
        data = super().load()
        if _past_absolute_age(data):
            self.delete()
            self._session_key = None
            return {}
        return data

    async def aload(self):
        data = await super().aload()
        if _past_absolute_age(data):
            await self.adelete()
            self._session_key = None
            return {}
        return data

    def exists(self, session_key):
        return self.model.objects.filter(session_key=stored_key(session_key)).exists()

    async def aexists(self, session_key):
        return await self.model.objects.filter(session_key=stored_key(session_key)).aexists()

    def create_model_instance(self, data):
        return self.model(
            session_key=stored_key(self._get_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )

    async def acreate_model_instance(self, data):
        return self.model(
            session_key=stored_key(await self._aget_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=await self.aget_expiry_date(),
        )

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=stored_key(session_key)).delete()

    async def adelete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await self.model.objects.filter(session_key=stored_key(session_key)).adelete()
