"""Look for a person in every table of the database, the way an auditor with a dump would.

``traces_of(person)`` reads every row of every table the database has (Django's own, the
history tables, allauth's, sessions, the admin log...) and returns where it still finds
something that names the person: their e-mail address, first name, display name, monthly
pseudonyms, or their id (as a whole word in text, or as the value of a column that points
at the user table). Sessions are decoded, since their data is only base64 and a signature.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection

from accounts.models import User


@dataclass
class Person:
    """What names an erased person, noted before they go."""

    pk: int
    texts: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, user: User, *extra: str) -> "Person":
        texts = [user.email, str(user), *extra]
        if user.first_name:
            texts.append(user.first_name)
        return cls(pk=user.pk, texts=[text for text in texts if text])


def _user_columns() -> dict[str, set[str]]:
    """``{table: {columns that point at the user table}}``, foreign keys or not (history
    tables keep ids without a constraint)."""
    found: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        for model_field in model._meta.concrete_fields:
            target = getattr(model_field, "related_model", None)
            if target is not None and target is User:
                found.setdefault(model._meta.db_table, set()).add(model_field.column)
    return found


def traces_of(person: Person) -> list[str]:
    """Every place (``table.column = value``) where ``person`` can still be found."""
    needles = [text.lower() for text in person.texts]
    word = re.compile(rf"(?<![0-9]){person.pk}(?![0-9])")
    user_columns = _user_columns()
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # The columns from the answer itself: SQLite's introspection parses each
            # table's SQL, which made this most of an erasure test's time.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None or isinstance(value, bytes | memoryview):
                        continue
                    if column in user_columns.get(table, ()) and str(value) == str(person.pk):
                        found.append(f"{table}.{column} = {value} (points at the person)")
                        continue
                    if not isinstance(value, str):
                        continue
                    lowered = value.lower()
                    if any(needle in lowered for needle in needles) or word.search(value):
                        found.append(f"{table}.{column} = {value[:120]!r}")
    for session in Session.objects.all():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            found.append(f"django_session {session.session_key[:6]}… is the person's")
    return found
