
from django.db import migrations


# Use-first applications and agreements (with their status changes) move to the conversion app
# (conversion 0001): removed from marketplace's STATE only; tables and rows stay.

class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0009_deal_confirmation_immutable'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='usefirstagreementstatuschange',
                name='agreement',
            ),
            migrations.RemoveField(
                model_name='usefirstagreementstatuschange',
                name='actor',
            ),
            migrations.RemoveField(
                model_name='usefirstapplication',
                name='applicant',
            ),
            migrations.RemoveField(
                model_name='usefirstapplication',
                name='applied_by',
            ),
            migrations.RemoveField(
                model_name='usefirstapplication',
                name='entry',
            ),
            migrations.RemoveField(
                model_name='usefirstapplicationstatuschange',
                name='application',
            ),
            migrations.RemoveField(
                model_name='usefirstapplicationstatuschange',
                name='actor',
            ),
            migrations.DeleteModel(
                name='UseFirstAgreement',
            ),
            migrations.DeleteModel(
                name='UseFirstAgreementStatusChange',
            ),
            migrations.DeleteModel(
                name='UseFirstApplication',
            ),
            migrations.DeleteModel(
                name='UseFirstApplicationStatusChange',
            ),
        
            ],
            database_operations=[],
        ),
    ]
