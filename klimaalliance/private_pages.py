"""Per-session cache of signed-in pages, retired by any write to the database.

A staff member goes back and forth between the member list, a company and the dashboard;
rendering those from scratch each time is most of what a signed-in request costs. A view
decorated with `private_page` keeps its rendered response for the session that asked for
it, and serves it again while nothing in the database has changed.

"Nothing has changed" is decided below the ORM, not per model: every INSERT, UPDATE or
DELETE any process sends (saves, `QuerySet.update()`, `bulk_create`, raw SQL, the Celery
workers) bumps one *private data version*, so no write path can be forgotten. A commit
bumps once for all of its transaction's writes; a write inside a transaction also bumps
at once when this process has read the version since (it sees its own writes before the
commit, e.g. a test, whose transaction never commits). Writes that no cached page shows
are left out: sessions, sign-in logs and worker heartbeats (so pages that show heartbeats
must not use this cache).

What stays per request: signing in, the second factor and the permission checks all run
before the decorated view, so a cached page is only ever served to the session it was
rendered for, after the same checks. Its key holds the session, the user, the language,
the whole URL, the htmx header and the date (tasks fall due by the day); its CSRF tokens
are masked afresh for every response. Pages that carry a message, set a cookie or change
the session are not kept.
"""

import contextlib
import hashlib
import logging
import re
import time
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language
from redis import RedisError

VERSION_KEY = "private-data-version"
PAGE_TIMEOUT = 10 * 60
RETRY_SECONDS = 5.0
WRITES = ("INSERT", "UPDATE", "DELETE")
# Tables written while nobody changes what a cached page shows (signing in, heartbeats).
UNSHOWN_TABLES = ("django_session", "axes_", "klimaalliance_workerheartbeat")
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}"')

logger = logging.getLogger(__name__)
_state = {"missed_bump": False, "retry_at": 0.0, "read_since_bump": True}


# --- The private data version -----------------------------------------------------------------


def bump_private_version() -> None:
    """Retire every cached private page. Never fails nor slows the write that called it:
    with Redis down, the bump is owed, retried at most every RETRY_SECONDS (not on each
    write: each try waits for the connection time-out) and made before this process next
    serves from the cache."""
    if _state["missed_bump"] and time.monotonic() < _state["retry_at"]:
        return
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set (or evicted): a value no earlier entry can carry
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except RedisError as error:
        _state.update(missed_bump=True, retry_at=time.monotonic() + RETRY_SECONDS)
        logger.warning("Page cache unreachable, private pages not retired yet: %s", error)
    else:
        _state.update(missed_bump=False, read_since_bump=False)


class _CommitBump:
    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        bump_private_version()


def _table(sql: str) -> str:
    """The first quoted name in a write statement: its table in Django's SQL."""
    parts = sql.split('"', 2)
    return parts[1] if len(parts) == 3 else ""


def watch_writes(execute, sql, params, many, context):
    """An execute wrapper on every database connection (installed by `install`)."""
    if sql[:6].upper() in WRITES and not _table(sql).startswith(UNSHOWN_TABLES):
        _data_changed(context["connection"])
    return execute(sql, params, many, context)


def _data_changed(connection) -> None:
    if not connection.in_atomic_block:
        bump_private_version()
        return
    # Inside a transaction other processes see nothing until the commit, which bumps. This
    # process sees its own writes at once: bump now too if it read the version since its
    # last bump (a page it caches from now on must not be served for the data before).
    if _state["read_since_bump"]:
        bump_private_version()
    bump = getattr(connection, "_private_commit_bump", None)
    # A rollback (also of the savepoint that registered it) drops the callback.
    pending = bump is not None and not bump.done
    if not (pending and any(callback is bump for _, callback, _ in connection.run_on_commit)):
        bump = connection._private_commit_bump = _CommitBump()
        transaction.on_commit(bump, using=connection.alias, robust=True)


def install(sender=None, connection=None, **kwargs) -> None:
    """`connection_created` receiver: watch the new connection's writes (once per
    connection object, which outlives its reconnections)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


# --- The decorator ----------------------------------------------------------------------------


def private_page(view):
    """Serve a signed-in GET of `view` from this session's cache while the data is as it
    was. Put it inside the permission decorators: they run on every request."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or _has_messages(request) or request.session.session_key is None:
            return view(request, *args, **kwargs)
        key = _key(request)
        try:
            if _state["missed_bump"]:  # owed since the cache was last unreachable
                bump_private_version()
                if _state["missed_bump"]:
                    return view(request, *args, **kwargs)
            found = cache.get_many([VERSION_KEY, key])
            _state["read_since_bump"] = True
            version = found.get(VERSION_KEY)
            if version is None:
                cache.add(VERSION_KEY, time.time_ns(), timeout=None)
                version = cache.get(VERSION_KEY)
        except RedisError:  # the cache is down: render the page uncached
            return view(request, *args, **kwargs)
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            return _with_fresh_csrf_tokens(request, entry[1])
        response = view(request, *args, **kwargs)
        if _keepable(request, response):
            with contextlib.suppress(RedisError):
                cache.set(key, (version, response), PAGE_TIMEOUT)
        return response

    return wrapper


def _key(request) -> str:
    parts = [
        request.session.session_key,
        str(request.user.pk),
        get_language() or "",
        request.headers.get("HX-Request", ""),
        timezone.localdate().isoformat(),
        request.build_absolute_uri(),
    ]
    return "private:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(messages.get_messages(request)) > 0


def _keepable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.session.modified
        and not _has_messages(request)
    )


def _with_fresh_csrf_tokens(request, response):
    """The cached page's CSRF tokens, masked anew for this response (as Django does for
    every page, against BREACH); `get_token` also renews the cookie where needed."""
    if b"csrfmiddlewaretoken" in response.content:
        token = get_token(request).encode()
        response.content = CSRF_INPUT.sub(lambda match: match[1] + token + b'"', response.content)
    return response
