#!/bin/sh
# Restores a backup of deploy/backup.sh into an EMPTY database and an EMPTY blob directory.
#
#   deploy/restore.sh BACKUP_DIR [KEYRING_BACKUP]
#
# BACKUP_DIR is one DATA_DIR/jalon-<UTC time>/ of backup.sh. Checks its SHA256SUMS, then
# - restores database.dump into DATABASE_URL's database, which must exist and hold no
#   table (createdb NAME first; on a running site, stop web, worker and beat, then drop
#   and create the database again), in one transaction;
# - unpacks vault.tar into VAULT_STORAGE_ROOT, which must be empty or absent (with
#   VAULT_S3_BUCKET, bring the bucket back with the provider's tools instead);
# - with KEYRING_BACKUP (a vault-keyring-<UTC time>.json of the same run or later),
#   installs it as VAULT_KEYRING_FILE, or checks that the file already there is the
#   same: the documents open with a keyring that holds the master key versions that
#   wrapped them (any later keyring that retired none of them will do).
# Then run python manage.py migrate (a newer release may have migrations to apply) and
# start the app.
#
# Same variables as backup.sh: DATABASE_URL, DATABASE_PASSWORD_FILE or DATABASE_PASSWORD,
# VAULT_STORAGE_ROOT, VAULT_S3_BUCKET, VAULT_KEYRING_FILE. Needs pg_restore, psql, tar
# and sha256sum. In docker-compose.yml:
#   docker compose run --rm backup sh /deploy/restore.sh /backups/jalon-<UTC time>
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BACKUP_DIR [KEYRING_BACKUP]" >&2
    exit 2
fi
: "${DATABASE_URL:?DATABASE_URL is not set}"
backup=$(cd "$1" && pwd -P)

database_url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^(postgres|postgresql|pgsql|psql|postgis)://#postgresql://#')
if [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
    PGPASSWORD=$(cat "$DATABASE_PASSWORD_FILE")
    export PGPASSWORD
elif [ -n "${DATABASE_PASSWORD:-}" ]; then
    PGPASSWORD=$DATABASE_PASSWORD
    export PGPASSWORD
fi

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
echo "checked: $backup"

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$database_url" \
    --command="SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
    echo "refused: the database already holds $tables tables: restore into an empty one (createdb)" >&2
    exit 1
fi

if [ -f "$backup/vault.tar" ]; then
    : "${VAULT_STORAGE_ROOT:?VAULT_STORAGE_ROOT is not set}"
    mkdir -p "$VAULT_STORAGE_ROOT"
    if [ -n "$(ls -A "$VAULT_STORAGE_ROOT")" ]; then
        echo "refused: $VAULT_STORAGE_ROOT is not empty: restore the blobs into an empty directory" >&2
        exit 1
    fi
fi

if [ $# -eq 2 ]; then
    : "${VAULT_KEYRING_FILE:?VAULT_KEYRING_FILE is not set}"
    if [ -e "$VAULT_KEYRING_FILE" ]; then
        if ! cmp -s "$2" "$VAULT_KEYRING_FILE"; then
            echo "refused: $VAULT_KEYRING_FILE exists and differs from $2: move it away first" >&2
            exit 1
        fi
        echo "keyring: $VAULT_KEYRING_FILE is already this one"
    else
        (umask 077 && cp "$2" "$VAULT_KEYRING_FILE")
        echo "keyring: $VAULT_KEYRING_FILE"
    fi
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$database_url" "$backup/database.dump"
echo "database: restored"

if [ -f "$backup/vault.tar" ]; then
    # Files 600 and directories 700, as the vault writes them (tar keeps the modes).
    tar -C "$VAULT_STORAGE_ROOT" -xf "$backup/vault.tar"
    echo "blobs: restored into $VAULT_STORAGE_ROOT"
else
    echo "blobs: none in this backup (VAULT_S3_BUCKET was set): restore the bucket"
fi
