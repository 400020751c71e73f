"""The Celery app and the one base class every task of the portal runs on.

`PortalTask` (the app's `task_cls`, so every `@shared_task` gets it) says once what each
task used to say for itself: acknowledge a message only when the work is done (a worker
killed mid-task hands it back to the broker), time limits, and automatic retries with
exponential back-off and jitter for errors that go away by themselves (a database restart,
Redis or the SMTP server briefly gone), never for errors that will not (a row that no
longer exists, a bug). A task may lower its limits or raise its time limits where it has a
reason; retry policy lives here only.

Work reaches the broker only through the outbox (`klimaalliance.outbox.enqueue`), after the
transaction that needs it has committed; tasks take ids and are idempotent (they claim the
row or check its status before working), because delivery is at least once.
"""

import logging
import os
import smtplib
import socket

from celery import Celery, Task, signals
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klimaalliance.settings.base")

# Errors that say "not now" rather than "never". OSError as a whole is not among them:
# FileNotFoundError and PermissionError do not go away by waiting.
TRANSIENT_ERRORS = (
    OperationalError,  # the database restarts, a connection was dropped, a lock timed out
    InterfaceError,
    ConnectionError,  # refused, reset, aborted, broken pipe (socket level)
    TimeoutError,  # socket.timeout is TimeoutError
    socket.gaierror,  # a name that does not resolve for a moment
    smtplib.SMTPException,  # 4xx/5xx answers and SMTPServerDisconnected
    BrokerOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
)


class PortalTask(Task):
    """The defaults of every task; see the module docstring."""

    acks_late = True
    reject_on_worker_lost = True
    soft_time_limit = 4 * 60
    time_limit = 5 * 60
    autoretry_for = TRANSIENT_ERRORS
    dont_autoretry_for = (ObjectDoesNotExist,)
    max_retries = 6
    # Wait a random time up to 5 s, 10 s, 20 s, ... capped at 5 minutes before each retry
    # (full jitter: retries of many tasks that failed together do not arrive together).
    retry_backoff = 5
    retry_backoff_max = 5 * 60
    retry_jitter = True


app = Celery("klimaalliance", task_cls=PortalTask)
# All CELERY_* settings come from Django's settings (which read the environment).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _load_pdf_resources(**kwargs):
    """Each pool process (one per core under the default prefork pool) loads the PDF fonts
    and shared stylesheet once, as it starts, in itself: Fontconfig and Pango state is not
    made to be shared across a fork."""
    from .pdf import warm_up

    try:
        warm_up()
    except Exception:  # a PDF problem must not keep the worker from its other tasks
        logging.getLogger(__name__).exception("Could not load the PDF fonts and stylesheet.")


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _scrub_worker_logs(logger, **kwargs):
    """A worker replaces Django's log handlers with its own: keep secrets out of those too."""
    from .log_filters import add_to_handlers

    add_to_handlers(logger)
