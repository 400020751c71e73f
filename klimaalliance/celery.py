import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klimaalliance.settings.base")

app = Celery("klimaalliance")
# All CELERY_* settings come from Django's settings (which read the environment).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
