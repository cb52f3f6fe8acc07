import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("market")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_to_start_on_errors(**kwargs: object) -> None:
    """Workers and beat stop at start-up on a system check error, as the web server does."""
    from config.checks import refuse_to_start_on_errors

    refuse_to_start_on_errors()
