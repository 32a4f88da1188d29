# Production image of Jalon: one image for every application process (web, migrate,
# worker, beat); only the command differs. See docker-compose.yml for the topology.
FROM python:3.11-slim

ENV DJANGO_ENV=production \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/static

WORKDIR /app

# Unprivileged user that runs the application; the code itself stays owned by root.
RUN groupadd --system --gid 10001 jalon \
    && useradd --system --uid 10001 --gid jalon --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin jalon

# Only what the package needs, copied selectively (no .dockerignore): pinned dependencies
# from pyproject.toml, installed with the project's packages.
COPY pyproject.toml README.md ./
COPY backend/ backend/
COPY accounts/ accounts/
COPY services_catalog/ services_catalog/
COPY vault/ vault/
COPY mentoring/ mentoring/
RUN pip install --no-cache-dir . \
    && rm -rf build *.egg-info

COPY manage.py ./
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

EXPOSE 8000

# backend/gunicorn_conf.py: bind, workers, and an access log without query strings,
# client addresses or referrers, through the project's redaction filter.
CMD ["gunicorn", "--config", "python:backend.gunicorn_conf", "backend.wsgi:application"]
