import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klimaalliance.settings.base")

app = Celery("klimaalliance")
# All CELERY_* settings come from Django's settings (which read the environment).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _scrub_worker_logs(logger, **kwargs):
    """A worker replaces Django's log handlers with its own: keep secrets out of those too."""
    from .log_filters import add_to_handlers

    add_to_handlers(logger)
