"""Fill what the earlier migrations add for the rows that already exist: the conversion dates stored
on each achievement (listings 0008), computed by ``conversion.rules`` as the services do, and the
status history of justifications and declarations decided before it was recorded."""

from django.db import migrations


def achievement_dates(apps, schema_editor):
    from conversion import rules

    Achievement = apps.get_model("listings", "Achievement")
    granted = (
        Achievement.objects.filter(first_granted_on__isnull=False)
        .values_list("first_granted_on", flat=True)
        .distinct()
    )
    for day in granted:  # one statement per distinct grant date, not per achievement
        Achievement.objects.filter(first_granted_on=day).update(
            conversion_deadline=rules.conversion_deadline(day), free_license_date=rules.free_license_date(day)
        )


HISTORY = """
    INSERT INTO conversion_{table}statuschange ({fk}_id, from_status, to_status, actor_id, reason, created_at)
    SELECT id, '', 'pending', {filer}_id, '', created_at FROM conversion_{table}
    UNION ALL
    SELECT id, 'pending', status, decided_by_id, decision_reason, decided_at FROM conversion_{table}
    WHERE status <> 'pending'
"""


class Migration(migrations.Migration):

    dependencies = [
        ("conversion", "0002_tables_renamed_status_changes"),
        ("listings", "0008_achievement_conversion_dates"),
    ]

    operations = [
        migrations.RunPython(achievement_dates, migrations.RunPython.noop),
        migrations.RunSQL(
            HISTORY.format(table="justification", fk="justification", filer="filed_by"),
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            HISTORY.format(table="selfimplementation", fk="declaration", filer="declared_by"),
            migrations.RunSQL.noop,
        ),
    ]
