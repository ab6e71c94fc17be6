"""On PostgreSQL, the database itself refuses UPDATE and DELETE of timeline rows.

Row-level triggers only: Django's test teardown flushes with TRUNCATE, which they do not see
(see PITFALLS.md). SQLite gets no trigger: its flush deletes rows and would be aborted; there the
hash chain and ``verify_timeline`` are the guard.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION docket_timeline_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'timeline entries are append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER docket_timeline_no_update BEFORE UPDATE ON directives_timelineentry
    FOR EACH ROW EXECUTE FUNCTION docket_timeline_append_only();
CREATE TRIGGER docket_timeline_no_delete BEFORE DELETE ON directives_timelineentry
    FOR EACH ROW EXECUTE FUNCTION docket_timeline_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS docket_timeline_no_update ON directives_timelineentry;
DROP TRIGGER IF EXISTS docket_timeline_no_delete ON directives_timelineentry;
DROP FUNCTION IF EXISTS docket_timeline_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("directives", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
