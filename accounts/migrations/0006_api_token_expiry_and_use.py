import datetime as dt

from django.db import migrations, models


def expire_existing(apps, schema_editor):
    """Tokens issued before expiry existed get the default term from their creation."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=models.F("created_at") + dt.timedelta(days=90)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_related_party_function_plpgsql")]

    operations = [
        migrations.AddField(
            model_name="apitoken", name="last_used_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField()),
        migrations.AddIndex(
            model_name="apitoken",
            index=models.Index(fields=["user", "-created_at"], name="apitoken_user_created"),
        ),
    ]
