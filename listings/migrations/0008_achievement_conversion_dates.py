from django.db import migrations, models


# The conversion duty's dates, stored on the achievement where they are shown; written by the
# conversion app (``achievement_granted`` seam) and filled for existing rows by conversion 0003.


class Migration(migrations.Migration):

    dependencies = [
        ('listings', '0007_conversion_models_leave'),
    ]

    operations = [
    migrations.AddField(
        model_name='achievement',
        name='conversion_deadline',
        field=models.DateField(blank=True, editable=False, null=True, verbose_name='限时转化截止日'),
    ),
    migrations.AddField(
        model_name='achievement',
        name='free_license_date',
        field=models.DateField(blank=True, editable=False, null=True, verbose_name='可无偿实施日'),
    ),
    ]
