"""Every deal has its 成交确认书: deals concluded before confirmations existed get theirs here, once,
so that reading one never writes (the API and the page only read). On a database with no such
deal (every new one) this does nothing; the service is imported only when there is work."""

from django.db import migrations


def issue_missing(apps, schema_editor):
    Deal = apps.get_model("marketplace", "Deal")
    missing = list(Deal.objects.filter(confirmation__isnull=True).values_list("pk", flat=True))
    if not missing:
        return
    from marketplace.models import Deal as LiveDeal
    from marketplace.services.confirmation import deal_confirmation_issue

    for pk in missing:
        deal_confirmation_issue(deal=LiveDeal.objects.get(pk=pk))


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0012_sync_xid")]

    operations = [migrations.RunPython(issue_missing, migrations.RunPython.noop)]
