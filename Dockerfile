# Production image of Jalon: one image for every application process (web, migrate,
# worker, beat); only the command differs. See docker-compose.yml for the topology.
#
# Python: any of those CI runs the suite on (3.11, 3.12, 3.13); 3.13 by default, the one
# CI runs on PostgreSQL + Redis, as in production (docker build --build-arg
# PYTHON_VERSION=3.12 . for another).
ARG PYTHON_VERSION=3.13
FROM python:${PYTHON_VERSION}-slim

ENV DJANGO_ENV=production \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/static \
    PORT=8000

WORKDIR /app

# Unprivileged user that runs the application; the code itself stays owned by root.
RUN groupadd --system --gid 10001 jalon \
    && useradd --system --uid 10001 --gid jalon --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin jalon

# The runtime dependencies exactly as locked (requirements.txt, `make lock`): every
# version pinned, every file checked against its hash, nothing else resolved.
COPY requirements.txt ./
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements.txt

# The code, copied selectively (no .dockerignore): every app of INSTALLED_APPS in
# production (not demo, which holds a public password), run from /app (PYTHONPATH).
COPY manage.py ./
COPY backend/ backend/
COPY accounts/ accounts/
COPY vault/ vault/
COPY services_catalog/ services_catalog/
COPY mentoring/ mentoring/
COPY referents/ referents/
COPY autonomy/ autonomy/
COPY figures/ figures/
COPY locale/ locale/

# Static files are collected into the image (served by WhiteNoise from gunicorn). The
# production settings refuse to load without a strong secret, allowed hosts and the
# servers' URLs: throwaway values, for this step only (nothing connects to them).
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=localhost EMAIL_URL=consolemail:// \
    DATABASE_URL=postgres://build@localhost:5432/build REDIS_URL=redis://localhost:6379/0 \
    VAULT_KEYRING_FILE=/run/secrets/vault-keyring \
    python manage.py collectstatic --noinput

# Runtime state (uploaded media and vault blobs on volumes, beat schedule) is the only
# writable place.
RUN mkdir -p /app/var/media /app/var/vault \
    && chown -R jalon:jalon /app/var

USER jalon

# gunicorn listens on PORT (8000 unless the container is given another).
EXPOSE 8000

# backend/gunicorn_conf.py: bind (PORT), workers, and an access log without query strings,
# client addresses or referrers, through the project's redaction filter.
CMD ["gunicorn", "--config", "python:backend.gunicorn_conf", "backend.wsgi:application"]
