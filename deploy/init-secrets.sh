#!/bin/sh
# Makes the secret files docker-compose.yml mounts (Docker secrets), in JALON_SECRETS_DIR
# (default: deploy/secrets/ next to this script). Only the missing ones: an existing
# file is never replaced, so running it again is harmless.
#
#   secret_key           Django's SECRET_KEY (80 random characters)
#   postgres_password    the database password (PostgreSQL's and the app's)
#   vault_keyring.json   the vault's master keyring (one fresh key, version 1)
#   email_password       empty: write the SMTP password into it
#   vault_s3_access_key  empty: with VAULT_S3_BUCKET, the bucket's credentials (or leave
#   vault_s3_secret_key  empty: them empty to use the instance's role)
#
# The directory is 0700 (nobody else on this host reads it); the files 0444, because
# the containers' users read them through their bind mounts (uid 10001 for the app,
# 999 for PostgreSQL). Back the keyring up at once, and apart from the database's and
# the blobs' backups (README.md, "Production topology"): without it no document opens.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir=${JALON_SECRETS_DIR:-$here/secrets}
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"

random() {  # $1 bytes of randomness, as letters and digits
    head -c "$1" /dev/urandom | base64 | tr -d '\n/+='
}

secret_file() {  # secret_file NAME CONTENT: write the file unless it exists
    if [ -e "$dir/$1" ]; then
        echo "kept     $dir/$1"
    else
        printf '%s' "$2" > "$dir/$1"
        chmod 0444 "$dir/$1"
        echo "created  $dir/$1"
    fi
}

secret_file secret_key "$(random 60)"
secret_file postgres_password "$(random 24)"
secret_file vault_keyring.json "{\"current\": \"1\", \"keys\": {\"1\": \"$(head -c 32 /dev/urandom | base64 | tr -d '\n')\"}, \"created\": {\"1\": \"$(date -u +%Y-%m-%d)\"}}"
secret_file email_password ""
secret_file vault_s3_access_key ""
secret_file vault_s3_secret_key ""
