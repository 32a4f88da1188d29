"""Invitation hashes keyed with the server's secret: an invitation stored by the old code
(plain SHA-256) still opens after the migration, and a copy of the database alone no
longer finds a code or an address by hashing guesses."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from referents import selectors

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("referents", "0003_link_adult_on")]
AFTER = [
    node
    # Every app's: going back also unapplies the apps that depend on referents, and the
    # test leaves the whole schema as it found it.
    for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
]
CODE, EMAIL = "K7Q4M2XP", "aminata@example.org"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_open_invitations_survive_and_the_stored_hashes_are_keyed(referent_unlinked):
    old = _migrate(BEFORE)
    LinkInvitation = old.get_model("referents", "LinkInvitation")
    plain_code = hashlib.sha256(CODE.encode()).hexdigest()
    plain_email = hashlib.sha256(EMAIL.encode()).hexdigest()
    expires = timezone.now() + timezone.timedelta(days=7)
    by_code = LinkInvitation.objects.create(
        referent_id=referent_unlinked.pk, kind="code", code_hash=plain_code, expires_at=expires
    )
    by_email = LinkInvitation.objects.create(
        referent_id=referent_unlinked.pk, kind="account", email_hash=plain_email, expires_at=expires
    )

    _migrate(AFTER)

    found = selectors.invitation_by_code("k7q4-m2xp")
    assert found is not None and found.pk == by_code.pk
    stored = found.__class__.objects.get(pk=by_email.pk)
    assert stored.email_hash == selectors.email_hash(EMAIL)
    assert found.code_hash != plain_code and stored.email_hash != plain_email
