"""The transactional outbox: the one way work is queued after a commit (PDFs, imports,
batches, annual reports, every mail), so that no job is lost and no request waits.

`enqueue(task, *args)` writes an `OutboxMessage` in the caller's transaction, so the job
exists exactly when the change that needs it (a signature, a published paper) exists.
Once that transaction commits, the message is published to the broker at once. If the
broker is unreachable, the request does not wait for it: the publish gives up after a
short connection time-out, the message stays unsent with its error, and the user's change
stands. The sweeper (`manage.py sweep_outbox`, and the beat task
`klimaalliance.tasks.sweep_outbox`) publishes whatever is still unsent once the broker is
back.

Every publish first locks its row (`SELECT ... FOR UPDATE SKIP LOCKED`) and skips rows
already sent, so two sweepers, or a sweeper and the commit hook, never send one message
twice. Delivery is at least once (a crash between publishing and committing `sent_at`
sends again), which is why the tasks are idempotent.

The request never waits on the broker: the publish does not retry, does not wait for a
result (`ignore_result`; Celery's Redis result store would otherwise retry its connection
for ~19 s and then stay broken for the whole process), and gives up after CONNECT_TIMEOUT
or SOCKET_TIMEOUT (half a second) when Redis is down or hangs. Whatever goes wrong with the
publish is logged and leaves the message for the sweeper; it never fails the request whose
change has already been committed.

Tasks are named by their dotted name (`enqueue("partnerships.tasks.render_agreement_pdf_task",
pk)`), so a service queues work without importing the tasks module that imports it; a
task object is accepted too. The name is checked at once, so a typo fails where it is made.

Without a broker (`task_always_eager`, development and most tests) the commit hook runs
the task in the process, as `.delay()` did before.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .celery import app as celery_app
from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Connecting to the broker, and each answer from it, gives up after this many seconds,
# without retrying: a person must not wait for a broker that is down or hangs.
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 0.5
KEEP_SENT = timedelta(days=30)

# What a page says after a change whose job could not reach the broker
# (`waiting_for_broker`).
QUEUED_NOTICE = gettext_lazy(
    "The background service is not available right now. Your request is saved and queued, "
    "and the work starts by itself as soon as the service is back."
)


def task_name(task) -> str:
    """The registered name of `task` (a task or its dotted name); KeyError if unknown."""
    name = task if isinstance(task, str) else task.name
    _task(name)
    return name


def enqueue(task, *args, unique: bool = False) -> OutboxMessage:
    """Queue `task(*args)` to run once the current transaction commits.

    Call it inside the transaction of the change that needs the job; if that transaction
    rolls back, the job disappears with it. `task` is a task's dotted name (or the task).
    Arguments must be JSON (ids, not objects).

    `unique=True` adds no second message while the same job still waits for the broker
    (a button pressed again during an outage): that one is tried again after the commit,
    and the job runs once when the broker is back.
    """
    name = task_name(task)
    message = waiting_message(name, *args) if unique else None
    if message is None:
        message = OutboxMessage.objects.create(task=name, args=list(args))
    transaction.on_commit(partial(publish, message.pk))
    return message


def waiting_message(task, *args) -> OutboxMessage | None:
    """The oldest message for `task(*args)` not handed to the broker yet, if any."""
    name = task if isinstance(task, str) else task.name
    return (
        OutboxMessage.objects.filter(task=name, args=list(args), sent_at__isnull=True)
        .order_by("pk")
        .first()
    )


def waiting_for_broker(task, *args) -> bool:
    """True when the job `task(*args)` could not be handed to the broker and waits in the
    outbox for the sweeper, so a page can say that the work is queued and starts by itself
    once the background service is back. (A message not tried yet, before its commit hook
    ran, is not counted.)"""
    message = waiting_message(task, *args)
    return message is not None and message.attempts > 0


def publish(message_id: int) -> bool:
    """Send one message now if nobody has; True when it was sent (or run, when eager).

    With a broker it never raises: a failure is logged and the sweeper sends it later.
    """
    if celery_app.conf.task_always_eager:
        return _run_in_process(message_id)
    try:
        return _publish(message_id)
    except Exception:
        logger.exception("Outbox message %s not published; the sweeper will", message_id)
        return False


def _publish(message_id: int) -> bool:
    with _broker_connection() as connection, transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:  # sent already, or a sweeper is sending it right now
            return False
        return _send(message, connection) == SENT


def sweep(*, batch_size: int = 100) -> int:
    """Publish every unsent message, oldest first; stop at the first broker failure.

    Returns how many were sent. Rows another sweeper holds are skipped, not waited for.
    Sent messages older than KEEP_SENT are deleted.
    """
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    if celery_app.conf.task_always_eager:
        unsent = OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
        return sum(_run_in_process(pk) for pk in list(unsent))
    sent = 0
    with _broker_connection() as connection:
        while True:
            with transaction.atomic():
                batch = list(
                    OutboxMessage.objects.select_for_update(skip_locked=True)
                    .filter(sent_at__isnull=True)
                    .order_by("pk")[:batch_size]
                )
                for message in batch:
                    outcome = _send(message, connection)
                    if outcome == BROKER_DOWN:
                        return sent
                    sent += outcome == SENT
            if len(batch) < batch_size:
                return sent


def _broker_connection():
    return celery_app.connection_for_write(
        connect_timeout=CONNECT_TIMEOUT,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
        },
    )


def _task(name):
    try:
        return celery_app.tasks[name]
    except KeyError:  # the module defining it was not imported in this process yet
        celery_app.loader.import_default_modules()
        return celery_app.tasks[name]


SENT, BROKER_DOWN, UNKNOWN_TASK = "sent", "broker down", "unknown task"


def _send(message, connection) -> str:
    """Publish a locked, unsent message and record the outcome on the row."""
    message.attempts += 1
    try:
        task = _task(message.task)
    except KeyError:
        # Stays unsent for a person to look at, but does not hold up the others.
        return _failed(message, UNKNOWN_TASK, f"No task named {message.task!r}")
    try:
        task.apply_async(args=message.args, connection=connection, retry=False, ignore_result=True)
    except Exception as error:  # kombu's OperationalError and socket errors: broker down
        return _failed(message, BROKER_DOWN, f"{type(error).__name__}: {error}")
    message.sent_at = timezone.now()
    message.save(update_fields=["attempts", "sent_at"])
    return SENT


def _failed(message, outcome, error) -> str:
    logger.warning("Outbox message %s (%s) not sent: %s", message.pk, message.task, error)
    message.last_error = error[:2000]
    message.save(update_fields=["attempts", "last_error"])
    return outcome


def _run_in_process(message_id) -> bool:
    """Eager mode: claim the row with a conditional UPDATE, then run the task here."""
    claimed = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    _task(message.task).apply_async(args=message.args)
    return True
