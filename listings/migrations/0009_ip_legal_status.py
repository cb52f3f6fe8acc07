from django.db import migrations, models


class Migration(migrations.Migration):
    """A patent's legal status is the patent office's fact, not a state this market moves: it is
    named apart from the ``status`` of the market's workflows (every one has a transition table)."""

    dependencies = [("listings", "0008_achievement_conversion_dates")]

    operations = [
        migrations.RenameField("intellectualproperty", "status", "legal_status"),
        migrations.AlterField(
            model_name="intellectualproperty",
            name="legal_status",
            field=models.CharField(
                choices=[("pending", "申请中"), ("granted", "已授权"), ("lapsed", "已失效")],
                default="granted",
                max_length=16,
                verbose_name="法律状态",
            ),
        ),
    ]
