"""The addresses already stored, in the one form every new one is stored in (trimmed,
lower case, the domain in its ASCII IDNA form). An address whose normal form another
account already holds is left as it is, for ISU to merge by hand: two people are never
joined by a migration."""

from django.conf import settings
from django.db import migrations

from article6.accounts.emails import normalise_email


def normalise(apps, schema_editor):
    for app_label, model_name in (("auth", "User"), ("account", "EmailAddress")):
        model = apps.get_model(app_label, model_name)
        taken = set(model.objects.values_list("email", flat=True))
        for row in model.objects.exclude(email=""):
            wanted = normalise_email(row.email)
            if wanted != row.email and wanted not in taken:
                taken.add(wanted)
                model.objects.filter(pk=row.pk).update(email=wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_limits_cache_table"),
        ("account", "0009_emailaddress_unique_primary_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
