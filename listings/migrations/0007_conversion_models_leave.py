
from django.db import migrations, models


# The use-first models (entries, justifications, self-implementations, registrations and their
# overdue notices) move to the conversion app (conversion 0001): removed from listings' STATE only;
# their tables and rows stay, and conversion 0002 renames the tables.

class Migration(migrations.Migration):

    dependencies = [
        ('listings', '0006_commit_ordered_sync'),
        ('marketplace', '0010_conversion_models_leave'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='justification',
                name='achievement',
            ),
            migrations.RemoveField(
                model_name='justification',
                name='decided_by',
            ),
            migrations.RemoveField(
                model_name='justification',
                name='filed_by',
            ),
            migrations.RemoveField(
                model_name='registrationoverduenotice',
                name='achievement',
            ),
            migrations.RemoveField(
                model_name='selfimplementation',
                name='achievement',
            ),
            migrations.RemoveField(
                model_name='selfimplementation',
                name='decided_by',
            ),
            migrations.RemoveField(
                model_name='selfimplementation',
                name='declared_by',
            ),
            migrations.RemoveField(
                model_name='usefirstentry',
                name='achievement',
            ),
            migrations.RemoveField(
                model_name='usefirstentry',
                name='holder',
            ),
            migrations.RemoveField(
                model_name='usefirstentry',
                name='listing',
            ),
            migrations.DeleteModel(
                name='AchievementRegistration',
            ),
            migrations.DeleteModel(
                name='Justification',
            ),
            migrations.DeleteModel(
                name='RegistrationOverdueNotice',
            ),
            migrations.DeleteModel(
                name='SelfImplementation',
            ),
            migrations.DeleteModel(
                name='UseFirstEntry',
            ),
        
            ],
            database_operations=[],
        ),
    ]
