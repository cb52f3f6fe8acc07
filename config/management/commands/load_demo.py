"""Load the demo market (Chinese, realistic). Safe to run any number of times: each app's
``demo.load`` finds what it made before by natural keys and only adds what is missing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Bottom-up, in the order of DESIGN.md's layering; an app without demo data is skipped.
DEMO_MODULES = (
    "accounts.demo",
    "listings.demo",
    "marketplace.demo",
    "auctions.demo",
    # Last, as tonight's beat run would: the use-first job over everything loaded above.
    "conversion.demo",
)


class Command(BaseCommand):
    help = "Load demo data (idempotent)."

    def handle(self, *args, **options):
        context: dict = {}
        for name in DEMO_MODULES:
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            with transaction.atomic():
                module.load(context)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
