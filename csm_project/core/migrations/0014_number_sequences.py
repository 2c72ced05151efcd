"""Record numbers from one sequence per prefix on PostgreSQL (csm_project.core.sql.numbers).

A trigger on ``sys_number_counter`` keeps each counter row's sequence: a new row creates it
(starting at the row's ``next_value``), a raised ``next_value`` moves it forward (never back),
a deleted row drops it. Existing counters get their sequence here, at the value they reached.
Reversed, the counters take over again at the sequences' values. SQLite keeps its counters.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION sys_number_counter_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    seq text;
    following bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        EXECUTE format('DROP SEQUENCE IF EXISTS %I', 'sys_number_' || OLD.prefix);
        RETURN NULL;
    END IF;
    seq := format('%I', 'sys_number_' || NEW.prefix);
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %s AS bigint MINVALUE 1', seq);
        PERFORM setval(seq, GREATEST(NEW.next_value, 1), false);
        RETURN NULL;
    END IF;
    IF to_regclass(seq) IS NULL THEN
        EXECUTE format('CREATE SEQUENCE %s AS bigint MINVALUE 1', seq);
        PERFORM setval(seq, GREATEST(NEW.next_value, 1), false);
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM %s', seq)
        INTO following;
    IF NEW.next_value > following THEN
        PERFORM setval(seq, NEW.next_value, false);
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = """
DROP TRIGGER IF EXISTS sys_number_counter_sequence_ins ON sys_number_counter;
DROP TRIGGER IF EXISTS sys_number_counter_sequence_upd ON sys_number_counter;
DROP TRIGGER IF EXISTS sys_number_counter_sequence_del ON sys_number_counter;
CREATE TRIGGER sys_number_counter_sequence_ins AFTER INSERT ON sys_number_counter
    FOR EACH ROW EXECUTE FUNCTION sys_number_counter_sequence();
CREATE TRIGGER sys_number_counter_sequence_upd AFTER UPDATE OF next_value ON sys_number_counter
    FOR EACH ROW WHEN (NEW.next_value IS DISTINCT FROM OLD.next_value)
    EXECUTE FUNCTION sys_number_counter_sequence();
CREATE TRIGGER sys_number_counter_sequence_del AFTER DELETE ON sys_number_counter
    FOR EACH ROW EXECUTE FUNCTION sys_number_counter_sequence();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        cursor.execute(TRIGGERS)
        cursor.execute("SELECT prefix, next_value FROM sys_number_counter")
        for prefix, next_value in cursor.fetchall():
            cursor.execute("SELECT format('%%I', 'sys_number_' || %s)", [prefix])
            (seq,) = cursor.fetchone()
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {seq} AS bigint MINVALUE 1")
            cursor.execute("SELECT setval(%s::regclass, %s, false)", [seq, max(next_value, 1)])


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT prefix FROM sys_number_counter")
        for (prefix,) in cursor.fetchall():
            cursor.execute("SELECT format('%%I', 'sys_number_' || %s)", [prefix])
            (seq,) = cursor.fetchone()
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [seq])
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"UPDATE sys_number_counter SET next_value = GREATEST(next_value, "  # noqa: S608 - our names
                    f"(SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {seq})) "
                    "WHERE prefix = %s",
                    [prefix],
                )
        cursor.execute(
            "DROP TRIGGER IF EXISTS sys_number_counter_sequence_ins ON sys_number_counter;"
            "DROP TRIGGER IF EXISTS sys_number_counter_sequence_upd ON sys_number_counter;"
            "DROP TRIGGER IF EXISTS sys_number_counter_sequence_del ON sys_number_counter;"
            "DROP FUNCTION IF EXISTS sys_number_counter_sequence()"
        )
        cursor.execute("SELECT prefix FROM sys_number_counter")
        for (prefix,) in cursor.fetchall():
            cursor.execute("SELECT format('%%I', 'sys_number_' || %s)", [prefix])
            cursor.execute(f"DROP SEQUENCE IF EXISTS {cursor.fetchone()[0]}")


class Migration(migrations.Migration):
    dependencies = [("core", "0013_field_access")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
