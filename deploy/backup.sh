#!/bin/sh
# Backs Jalon up: the PostgreSQL database, the vault's blobs and, elsewhere, the keyring.
#
#   deploy/backup.sh DATA_DIR KEYRING_DIR
#
# writes DATA_DIR/jalon-<UTC time>/ with
#   database.dump   pg_dump's custom format (pg_restore reads it; compressed)
#   vault.tar       the blobs under VAULT_STORAGE_ROOT (already encrypted; absent when
#                   VAULT_S3_BUCKET is set: back the bucket up with the provider's tools)
#   SHA256SUMS      what restore.sh checks first
# and KEYRING_DIR/vault-keyring-<UTC time>.json (mode 600), the keyring of that moment.
#
# KEEP THE TWO APART. The database and the blobs without the keyring open nothing; with
# it, they open every document. KEYRING_DIR must not be inside DATA_DIR (nor the other
# way round), and the two must be shipped to different places (another host, another
# account, another key): the script refuses nested directories, the rest is yours.
#
# Reads the app's own variables: DATABASE_URL (postgres://user[:password]@host:port/name),
# DATABASE_PASSWORD_FILE or DATABASE_PASSWORD, VAULT_STORAGE_ROOT, VAULT_S3_BUCKET,
# VAULT_KEYRING_FILE or VAULT_KEYRING. Needs pg_dump (the server's major version or
# newer), tar and sha256sum. In docker-compose.yml: docker compose run --rm backup.
#
# The database is dumped first, then the blobs are copied: a document created in between
# has its blob in the copy and no row (harmless); one deleted in between has its row and
# possibly no blob (it reads as damaged after a restore). Documents never change in place.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 DATA_DIR KEYRING_DIR" >&2
    exit 2
fi
: "${DATABASE_URL:?DATABASE_URL is not set}"

# libpq knows postgres:// and postgresql://; Django's other spellings mean the same.
database_url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^(postgres|postgresql|pgsql|psql|postgis)://#postgresql://#')
if [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
    PGPASSWORD=$(cat "$DATABASE_PASSWORD_FILE")
    export PGPASSWORD
elif [ -n "${DATABASE_PASSWORD:-}" ]; then
    PGPASSWORD=$DATABASE_PASSWORD
    export PGPASSWORD
fi

mkdir -p "$1" "$2"
data_dir=$(cd "$1" && pwd -P)
keyring_dir=$(cd "$2" && pwd -P)
case "$keyring_dir/" in
    "$data_dir/"*) echo "refused: KEYRING_DIR ($keyring_dir) is inside DATA_DIR ($data_dir): keep the keyring apart" >&2; exit 1 ;;
esac
case "$data_dir/" in
    "$keyring_dir/"*) echo "refused: DATA_DIR ($data_dir) is inside KEYRING_DIR ($keyring_dir): keep the keyring apart" >&2; exit 1 ;;
esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$data_dir/jalon-$stamp"
work="$target.partial"
umask 077
mkdir "$work"
trap 'rm -rf "$work"' EXIT

pg_dump --format=custom --no-owner --no-privileges --dbname="$database_url" --file="$work/database.dump"
echo "database: $(wc -c < "$work/database.dump") bytes"

if [ -n "${VAULT_S3_BUCKET:-}" ]; then
    echo "blobs: in the bucket $VAULT_S3_BUCKET, not copied (use the provider's versioning or replication, or aws s3 sync / rclone sync)"
else
    : "${VAULT_STORAGE_ROOT:?VAULT_STORAGE_ROOT is not set}"
    mkdir -p "$VAULT_STORAGE_ROOT"
    tar -C "$VAULT_STORAGE_ROOT" -cf "$work/vault.tar" .
    echo "blobs: $(tar -tf "$work/vault.tar" | grep -cv '/$' || true) files"
fi

(cd "$work" && sha256sum -- * > SHA256SUMS)
mv "$work" "$target"
trap - EXIT

keyring="$keyring_dir/vault-keyring-$stamp.json"
if [ -n "${VAULT_KEYRING:-}" ]; then
    printf '%s' "$VAULT_KEYRING" > "$keyring"
else
    : "${VAULT_KEYRING_FILE:?VAULT_KEYRING_FILE (or VAULT_KEYRING) is not set}"
    cp "$VAULT_KEYRING_FILE" "$keyring"
fi
chmod 600 "$keyring"

echo "backup:  $target"
echo "keyring: $keyring   (ship it apart from the backup)"
