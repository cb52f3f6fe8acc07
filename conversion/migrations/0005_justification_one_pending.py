from django.db import migrations, models


class Migration(migrations.Migration):
    """Two concurrent justification filings could both succeed: one pending per achievement, in
    the database, as self-implementation declarations have."""

    dependencies = [("conversion", "0004_sync_xid")]

    operations = [
        migrations.AddConstraint(
            model_name="justification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("achievement",),
                name="justification_one_pending",
            ),
        ),
    ]
