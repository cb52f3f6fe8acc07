
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The moved tables get their app's names (conversion_*): AlterModelTable renames them in place,
# rows, sequences, indexes and constraints included (the index and constraint names do not
# change). (core.sync's trigger, added later, stamps it under that name).
# Justifications and self-implementation declarations get status-change rows (core.transitions).


class Migration(migrations.Migration):

    dependencies = [
        ('conversion', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelTable(
            name='achievementregistration',
            table=None,
        ),
        migrations.AlterModelTable(
            name='justification',
            table=None,
        ),
        migrations.AlterModelTable(
            name='registrationoverduenotice',
            table=None,
        ),
        migrations.AlterModelTable(
            name='selfimplementation',
            table=None,
        ),
        migrations.AlterModelTable(
            name='usefirstagreement',
            table=None,
        ),
        migrations.AlterModelTable(
            name='usefirstagreementstatuschange',
            table=None,
        ),
        migrations.AlterModelTable(
            name='usefirstapplication',
            table=None,
        ),
        migrations.AlterModelTable(
            name='usefirstapplicationstatuschange',
            table=None,
        ),
        migrations.AlterModelTable(
            name='usefirstentry',
            table=None,
        ),
        migrations.CreateModel(
            name='JustificationStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(blank=True, choices=[('pending', '待审核'), ('accepted', '已认可'), ('rejected', '未认可')], max_length=16)),
                ('to_status', models.CharField(choices=[('pending', '待审核'), ('accepted', '已认可'), ('rejected', '未认可')], max_length=16)),
                ('reason', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('justification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='conversion.justification')),
            ],
            options={
                'ordering': ('created_at', 'id'),
            },
        ),
        migrations.CreateModel(
            name='SelfImplementationStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(blank=True, choices=[('pending', '待审核'), ('accepted', '已认可'), ('rejected', '未认可')], max_length=16)),
                ('to_status', models.CharField(choices=[('pending', '待审核'), ('accepted', '已认可'), ('rejected', '未认可')], max_length=16)),
                ('reason', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('declaration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='conversion.selfimplementation')),
            ],
            options={
                'ordering': ('created_at', 'id'),
            },
        ),
    ]
