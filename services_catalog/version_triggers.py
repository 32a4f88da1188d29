"""The database triggers that move the catalogue's version (``models.CatalogueVersion``).

The lists' cached answers and ETags are keyed by that version, so every write to what
the lists show must move it: bulk imports, ``update()`` and raw SQL included, which
signals would miss. Triggers see them all.

SQLite rebuilds a table to alter it (a migration adding a column, say), and the rebuilt
table has lost its triggers: ``ensure`` runs after every ``migrate`` (``apps.py``) and
puts back whatever is missing.
"""

# What the app's lists show or filter on. A new table the lists read goes here too.
WATCHED_TABLES = (
    "services_catalog_entry",
    "services_catalog_structure",
    "services_catalog_thematique",
    "services_catalog_entry_thematiques",
    "services_catalog_entry_zone_departements",
    "services_catalog_entryremoval",
    "services_catalog_entryclosure",
)

# The number moves to "now" in microseconds (or one more, if the clock is behind): it never
# comes back to a value that an answer was cached under, even after a flush or a restore.
POSTGRESQL_BUMP = (
    "INSERT INTO services_catalog_catalogueversion (id, number) "
    "VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) "
    "ON CONFLICT (id) DO UPDATE SET number = GREATEST("
    "services_catalog_catalogueversion.number + 1, EXCLUDED.number)"
)
SQLITE_BUMP = (
    "INSERT INTO services_catalog_catalogueversion (id, number) "
    "VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) "
    "ON CONFLICT (id) DO UPDATE SET number = MAX("
    "services_catalog_catalogueversion.number + 1, excluded.number)"
)
_EVENTS = ("insert", "update", "delete")

# PostgreSQL: one trigger per statement, which moves the version only if the statement
# changed rows (its transition table is not empty): an hourly task that touches nothing
# does not throw every cached answer away.
_POSTGRESQL_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION catalogue_version_bump() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN {POSTGRESQL_BUMP}; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION catalogue_version_bump_if_rows() RETURNS trigger "  # noqa: S608 - constant SQL
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"IF EXISTS (SELECT 1 FROM changed_rows) THEN {POSTGRESQL_BUMP}; END IF; "
    "RETURN NULL; END $$",
)


def _postgresql_triggers(table: str) -> list[tuple[str, str]]:
    triggers = [
        (
            f"{table}_version_{event}",
            f"CREATE TRIGGER {table}_version_{event} AFTER {event.upper()} ON {table} "
            f"REFERENCING {'OLD' if event == 'delete' else 'NEW'} TABLE AS changed_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_bump_if_rows()",
        )
        for event in _EVENTS
    ]
    triggers.append(
        (
            f"{table}_version_truncate",
            f"CREATE TRIGGER {table}_version_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_bump()",
        )
    )
    return triggers


def ensure(connection) -> int:
    """Create the triggers missing on the watched tables that exist; returns how many."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if "services_catalog_catalogueversion" not in tables:
            return 0
        watched = [table for table in WATCHED_TABLES if table in tables]
        created = 0
        if connection.vendor == "postgresql":
            for sql in _POSTGRESQL_FUNCTIONS:
                cursor.execute(sql)
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            present = {row[0] for row in cursor.fetchall()}
            for table in watched:
                if f"{table}_version" in present:  # the first version's single trigger
                    cursor.execute(f"DROP TRIGGER {table}_version ON {table}")
                for name, sql in _postgresql_triggers(table):
                    if name not in present:
                        cursor.execute(sql)
                        created += 1
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {row[0] for row in cursor.fetchall()}
            for table in watched:
                # SQLite has row triggers only; a single-row upsert per row is cheap.
                for event in _EVENTS:
                    name = f"{table}_version_{event}"
                    if name in present:
                        continue
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                        f"BEGIN {SQLITE_BUMP}; END"
                    )
                    created += 1
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
            raise NotImplementedError(connection.vendor)
    return created


def drop(connection) -> None:
    """Remove the triggers (and PostgreSQL's function)."""
    with connection.cursor() as cursor:
        for table in WATCHED_TABLES:
            if connection.vendor == "postgresql":
                if table in connection.introspection.table_names(cursor):
                    for name, _sql in _postgresql_triggers(table):
                        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                for event in _EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS catalogue_version_bump()")
            cursor.execute("DROP FUNCTION IF EXISTS catalogue_version_bump_if_rows()")
