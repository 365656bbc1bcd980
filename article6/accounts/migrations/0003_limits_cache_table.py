"""The table of the "limits" cache (settings.CACHES): failed sign-ins, second-factor and
password-reset attempts, counted for every process at once. Made here so that `migrate`
alone (the development server, the test database, a deployment) creates it."""

from django.conf import settings
from django.db import migrations


def limits_tables():
    return [
        cache["LOCATION"]
        for cache in settings.CACHES.values()
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    ]


def create(apps, schema_editor):
    from django.core.management import call_command

    for table in limits_tables():
        if table not in schema_editor.connection.introspection.table_names():
            call_command("createcachetable", table, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    for table in limits_tables():
        if table in schema_editor.connection.introspection.table_names():
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_account_events_and_withdrawn_invitations")]

    operations = [migrations.RunPython(create, drop)]
