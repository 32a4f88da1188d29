"""The throw-away PostgreSQL database and Redis databases a bench works in."""

import psycopg
import redis


def recreate_database(server: str, name: str) -> None:
    """Drop database ``name`` on ``server`` (a ``postgres://`` URL) if it exists, create it."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    """Close Django's connections and drop database ``name``."""
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(*urls: str) -> None:
    """Empty each Redis database of ``urls``."""
    for url in urls:
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()
