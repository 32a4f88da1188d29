"""deploy/backup.sh and deploy/restore.sh, tried as an operator would: back up, restore into a
fresh database and a fresh blob directory, and open a document from the restored copy."""

import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import TEST_KEYRING
from tests.vault import samples
from vault import keys, services
from vault.uploads import encrypt_file

BASE_DIR = Path(__file__).resolve().parent.parent
BACKUP = BASE_DIR / "deploy" / "backup.sh"
RESTORE = BASE_DIR / "deploy" / "restore.sh"
CLIENTS = ("pg_dump", "pg_restore", "psql", "createdb", "dropdb")
REQUIRED = os.environ.get("JALON_DEPLOY_TESTS") == "required"

# The opening of the document, in a fresh process whose settings point at the restored copy.
OPEN_DOCUMENT = """
import hashlib
from vault import services
from vault.models import AccessEvent, Document
document = Document.objects.select_related("owner").get()
content = b"".join(services.document_content(
    document=document, action=AccessEvent.Action.DOWNLOAD, actor=AccessEvent.Actor.OWNER))
print(document.owner.email, hashlib.sha256(content).hexdigest())
"""


postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="backup and restore are PostgreSQL's: run with DATABASE_URL=postgres://...",
)


def _needs_postgresql_clients():
    missing = [name for name in CLIENTS if shutil.which(name) is None]
    if missing:
        message = f"PostgreSQL's client programs are missing: {', '.join(missing)}"
        if REQUIRED:
            pytest.fail(message + " (JALON_DEPLOY_TESTS=required)")
        pytest.skip(message + " (apt-get install postgresql-client)")


def _run(*command, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 - fixed command lines
        [str(part) for part in command],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _clean_environment(**changes: str) -> dict:
    """This process's environment without the app's own settings, plus ``changes``."""
    app_prefixes = ("DATABASE_", "REDIS_", "VAULT_", "DJANGO_", "SECRET_KEY", "EMAIL_")
    base = {k: v for k, v in os.environ.items() if not k.startswith(app_prefixes)}
    return {**base, **changes}


def _server_options() -> list[str]:
    database = connection.settings_dict
    options = ["--host", database["HOST"] or "127.0.0.1", "--port", str(database["PORT"] or 5432)]
    if database["USER"]:
        options += ["--username", database["USER"]]
    return options


def _database_url(name: str) -> str:
    database = connection.settings_dict
    user = f"{database['USER']}@" if database["USER"] else ""
    host = database["HOST"] or "127.0.0.1"
    return f"postgres://{user}{host}:{database['PORT'] or 5432}/{name}"


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_fresh_database_and_its_document_opens(young_person, tmp_path):
    _needs_postgresql_clients()
    content = samples.pdf(8192)
    user_key = keys.user_key_ensure(young_person)
    upload = encrypt_file(
        io.BytesIO(content),
        file_name="carte-vitale.pdf",
        user_key_id=user_key.id,
        max_size=settings.VAULT_MAX_FILE_SIZE,
    )
    services.document_create(
        owner=young_person, upload=upload, document_type="other", title="Carte Vitale"
    )
    keyring = tmp_path / "live-keyring.json"
    keyring.write_text(TEST_KEYRING)  # what the tests' settings hold (VAULT_KEYRING)
    password = connection.settings_dict["PASSWORD"] or ""
    live = _clean_environment(
        DATABASE_URL=_database_url(connection.settings_dict["NAME"]),
        DATABASE_PASSWORD=password,
        VAULT_STORAGE_ROOT=str(settings.STORAGES["vault"]["OPTIONS"]["location"]),
        VAULT_KEYRING_FILE=str(keyring),
    )

    backup = _run("sh", BACKUP, tmp_path / "backups", tmp_path / "keyring-backups", env=live)

    (backup_dir,) = (tmp_path / "backups").iterdir()
    assert sorted(path.name for path in backup_dir.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "vault.tar",
    ]
    (keyring_backup,) = (tmp_path / "keyring-backups").iterdir()
    assert keyring_backup.read_text() == TEST_KEYRING
    assert str(backup_dir) in backup.stdout

    restored_name = connection.settings_dict["NAME"].removeprefix("test_") + "_restore"
    server = _server_options()
    server_env = _clean_environment(PGPASSWORD=password)
    _run("dropdb", *server, "--if-exists", restored_name, env=server_env)
    _run("createdb", *server, restored_name, env=server_env)
    try:
        restored = _clean_environment(
            DATABASE_URL=_database_url(restored_name),
            DATABASE_PASSWORD=password,
            VAULT_STORAGE_ROOT=str(tmp_path / "restored-vault"),
            VAULT_KEYRING_FILE=str(tmp_path / "restored-keyring.json"),
        )
        _run("sh", RESTORE, backup_dir, keyring_backup, env=restored)

        opened = _run(
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            OPEN_DOCUMENT,
            env={**restored, "VAR_DIR": str(tmp_path / "restored-var")},
        )
        assert opened.stdout.split() == [young_person.email, hashlib.sha256(content).hexdigest()]

        # A second restore into what now holds the site is refused, and changes nothing.
        again = _run("sh", RESTORE, backup_dir, env=restored, check=False)
        assert again.returncode == 1
        assert "refused: the database already holds" in again.stderr
    finally:
        _run("dropdb", *server, "--if-exists", "--force", restored_name, env=server_env)


def test_a_backup_refuses_to_keep_the_keyring_with_the_data(tmp_path):
    if shutil.which("sh") is None:
        pytest.skip("no POSIX shell")
    result = _run(
        "sh",
        BACKUP,
        tmp_path / "backups",
        tmp_path / "backups" / "keyring",
        env=_clean_environment(DATABASE_URL="postgres://nobody@127.0.0.1:9/none"),
        check=False,
    )
    assert result.returncode == 1
    assert "keep the keyring apart" in result.stderr
    assert not list((tmp_path / "backups").glob("jalon-*"))


def test_a_restore_refuses_a_damaged_backup(tmp_path):
    backup_dir = tmp_path / "jalon-20261201T000000Z"
    backup_dir.mkdir()
    (backup_dir / "database.dump").write_bytes(b"dump")
    digest = hashlib.sha256(b"dump").hexdigest()
    (backup_dir / "SHA256SUMS").write_text(f"{digest}  database.dump\n")
    (backup_dir / "database.dump").write_bytes(b"dumq")  # one bit flipped since
    result = _run(
        "sh",
        RESTORE,
        backup_dir,
        env=_clean_environment(DATABASE_URL="postgres://nobody@127.0.0.1:9/none"),
        check=False,
    )
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
