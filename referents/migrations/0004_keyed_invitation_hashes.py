"""Invitation codes and addresses: from plain SHA-256 to SHA-256 keyed with the server's
secret (``referents.selectors.keyed_hash``). The stored digest is keyed in place, so open
invitations keep working. Backwards, the keyed digests stay: open invitations then no
longer match (they last a week at most) and nothing else is lost."""

from django.db import migrations
from django.utils.crypto import salted_hmac

# A copy of ``referents.selectors.INVITATION_HASH_SALT``: a migration does not import
# the app's code, which may change after it.
INVITATION_HASH_SALT = "jalon.referents.invitation"


def _keyed(digest: str) -> str:
    return salted_hmac(INVITATION_HASH_SALT, digest, algorithm="sha256").hexdigest()


def key_the_hashes(apps, schema_editor):
    LinkInvitation = apps.get_model("referents", "LinkInvitation")
    for invitation in LinkInvitation.objects.all().only("pk", "code_hash", "email_hash"):
        if invitation.code_hash:
            invitation.code_hash = _keyed(invitation.code_hash)
        if invitation.email_hash:
            invitation.email_hash = _keyed(invitation.email_hash)
        invitation.save(update_fields=["code_hash", "email_hash"])


class Migration(migrations.Migration):
    dependencies = [("referents", "0003_link_adult_on")]

    operations = [migrations.RunPython(key_the_hashes, migrations.RunPython.noop)]
