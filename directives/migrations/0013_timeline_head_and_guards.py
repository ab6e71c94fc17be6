
"""The database guards the legal record on both backends, and keeps each chain's head apart from it.

- ``directives_timelinehead`` holds each directive's last ``seq`` and that entry's hash. An ``AFTER INSERT``
  trigger on the timeline writes it in the same transaction as every insert, whichever code inserts, so
  removing the last entries or a whole chain leaves a head that ``verify_timeline`` finds disagreeing.
  A head moves only forward, to an entry that exists; it is never deleted.
- PostgreSQL: a statement-level ``BEFORE TRUNCATE`` trigger on both tables (row-level triggers do not see
  TRUNCATE). UPDATE and DELETE of entries were already refused (0002). The head trigger's function is
  ``SECURITY DEFINER``: it runs as the tables' owner, so the runtime role needs no write privilege on heads.
- SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers abort any change to an entry.

The test suite lifts these guards only to flush tables between transactional tests (tests/db_guards.py).
"""

from django.db import migrations, models
import django.db.models.deletion

ENTRIES = "directives_timelineentry"
HEADS = "directives_timelinehead"

BACKFILL = f"""
INSERT INTO {HEADS} (directive_id, seq, hash)
SELECT e.directive_id, e.seq, e.hash FROM {ENTRIES} e
WHERE e.seq = (SELECT MAX(m.seq) FROM {ENTRIES} m WHERE m.directive_id = e.directive_id)
"""

# A head may be written only to name an entry that exists, and only forward.
HEAD_NAMES_AN_ENTRY = (
    f"EXISTS (SELECT 1 FROM {ENTRIES} e WHERE e.directive_id = NEW.directive_id AND e.seq = NEW.seq "
    "AND e.hash = NEW.hash)"
)

POSTGRESQL_FORWARD = f"""
CREATE FUNCTION docket_timeline_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the timeline is append-only: TRUNCATE refused on %', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER docket_timeline_no_truncate BEFORE TRUNCATE ON {ENTRIES}
    FOR EACH STATEMENT EXECUTE FUNCTION docket_timeline_no_truncate();
CREATE TRIGGER docket_timeline_head_no_truncate BEFORE TRUNCATE ON {HEADS}
    FOR EACH STATEMENT EXECUTE FUNCTION docket_timeline_no_truncate();

CREATE FUNCTION docket_timeline_advance_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO {HEADS} AS h (directive_id, seq, hash)
    SELECT DISTINCT ON (directive_id) directive_id, seq, hash FROM docket_new_entries
    ORDER BY directive_id, seq DESC
    ON CONFLICT (directive_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash
        WHERE h.seq < EXCLUDED.seq;
    RETURN NULL;
END;
$$;
CREATE TRIGGER docket_timeline_head AFTER INSERT ON {ENTRIES}
    REFERENCING NEW TABLE AS docket_new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION docket_timeline_advance_head();

CREATE FUNCTION docket_timeline_head_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'timeline heads are never deleted (directive %)', OLD.directive_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (TG_OP = 'UPDATE' AND (NEW.directive_id <> OLD.directive_id OR NEW.seq <= OLD.seq))
            OR NOT {HEAD_NAMES_AN_ENTRY} THEN
        RAISE EXCEPTION 'a timeline head moves only forward, to an entry that exists (directive %)',
            NEW.directive_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER docket_timeline_head_guard BEFORE INSERT OR UPDATE OR DELETE ON {HEADS}
    FOR EACH ROW EXECUTE FUNCTION docket_timeline_head_guard();
"""

POSTGRESQL_BACKWARD = f"""
DROP TRIGGER IF EXISTS docket_timeline_head_guard ON {HEADS};
DROP TRIGGER IF EXISTS docket_timeline_head ON {ENTRIES};
DROP TRIGGER IF EXISTS docket_timeline_head_no_truncate ON {HEADS};
DROP TRIGGER IF EXISTS docket_timeline_no_truncate ON {ENTRIES};
DROP FUNCTION IF EXISTS docket_timeline_head_guard();
DROP FUNCTION IF EXISTS docket_timeline_advance_head();
DROP FUNCTION IF EXISTS docket_timeline_no_truncate();
"""

# SQLite: one statement per trigger (its driver runs one statement per execute). The guards, by name,
# so the test suite can lift and restore exactly these (tests/db_guards.py).
SQLITE_GUARDS = {
    "docket_timeline_no_update": f"""
CREATE TRIGGER docket_timeline_no_update BEFORE UPDATE ON {ENTRIES}
BEGIN SELECT RAISE(ABORT, 'timeline entries are append-only: UPDATE refused'); END""",
    "docket_timeline_no_delete": f"""
CREATE TRIGGER docket_timeline_no_delete BEFORE DELETE ON {ENTRIES}
BEGIN SELECT RAISE(ABORT, 'timeline entries are append-only: DELETE refused'); END""",
    "docket_timeline_head_no_delete": f"""
CREATE TRIGGER docket_timeline_head_no_delete BEFORE DELETE ON {HEADS}
BEGIN SELECT RAISE(ABORT, 'timeline heads are never deleted'); END""",
    "docket_timeline_head_guard_insert": f"""
CREATE TRIGGER docket_timeline_head_guard_insert BEFORE INSERT ON {HEADS}
WHEN NOT {HEAD_NAMES_AN_ENTRY}
BEGIN SELECT RAISE(ABORT, 'a timeline head moves only forward, to an entry that exists'); END""",
    "docket_timeline_head_guard_update": f"""
CREATE TRIGGER docket_timeline_head_guard_update BEFORE UPDATE ON {HEADS}
WHEN NEW.directive_id <> OLD.directive_id OR NEW.seq <= OLD.seq OR NOT {HEAD_NAMES_AN_ENTRY}
BEGIN SELECT RAISE(ABORT, 'a timeline head moves only forward, to an entry that exists'); END""",
}
SQLITE_HEAD_TRIGGER = f"""
CREATE TRIGGER docket_timeline_head AFTER INSERT ON {ENTRIES}
BEGIN
    INSERT INTO {HEADS} (directive_id, seq, hash) VALUES (NEW.directive_id, NEW.seq, NEW.hash)
    ON CONFLICT (directive_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
        WHERE excluded.seq > {HEADS}.seq;
END"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    schema_editor.execute(BACKFILL, params=None)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD, params=None)
    else:
        for sql in [SQLITE_HEAD_TRIGGER, *SQLITE_GUARDS.values()]:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD, params=None)
    elif vendor == "sqlite":
        for name in ["docket_timeline_head", *SQLITE_GUARDS]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("directives", "0012_calendar_feed_token_hashed")]

    operations = [
        migrations.CreateModel(
            name="TimelineHead",
            fields=[
                (
                    "directive",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="directives.directive",
                    ),
                ),
                ("seq", models.PositiveIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "timeline head"},
        ),
        migrations.RunPython(forward, backward),
    ]
