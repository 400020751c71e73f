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

What stays per request: the session, the user and the second factor are read from the
database, and the permission checks run before the decorated view, so a cached page is
only ever served to the session it was rendered for, after the same checks. The staff
roles those checks read are themselves kept at the version (`remembered`), so a role
withdrawn or granted counts on the next request; the version, the roles and the page come
in one cache round trip. With the cache unreachable, pages are rendered afresh and the
cache is left alone for RETRY_SECONDS (no request waits for its time-out meanwhile).

A page's key holds the session, the user, the language, the whole URL, the htmx header and
the date (tasks fall due by the day); its CSRF tokens are masked afresh for every response.
Pages that carry a message, set a cookie or change the session are not kept.
"""

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
    with Redis down, the bump is owed and made before this process uses the cache again."""
    if _cache_resting():
        _state["missed_bump"] = True
        return
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set (or evicted): a value no earlier entry can carry
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except RedisError as error:
        _state["missed_bump"] = True
        _cache_failed(error)
    else:
        _state.update(missed_bump=False, read_since_bump=False)


def _cache_resting() -> bool:
    """After a failure the cache is left alone for RETRY_SECONDS: each try would wait for
    the connection time-out, on every request and every write."""
    return time.monotonic() < _state["retry_at"]


def _cache_failed(error) -> None:
    _state["retry_at"] = time.monotonic() + RETRY_SECONDS
    logger.warning("Cache unreachable, private pages rendered afresh for now: %s", error)


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


# --- Reading at the current version -----------------------------------------------------------


class CacheUnavailable(Exception):
    """The cache cannot be trusted now (unreachable, or a bump is still owed)."""


def _read(request, key):
    """The private data version and the entry at `key` if it was kept at that version.

    One cache round trip a request: the first read also fetches the version (once per
    request) and, on a `private_page`, that page, which the decorator then finds here.
    Raises CacheUnavailable."""
    read = getattr(request, "_private_read", None)
    if read is None or key not in read["found"]:
        read = _fetch(request, key, read)
    return read["version"], read["found"][key]


def _fetch(request, key, read):
    if _state["missed_bump"]:  # owed since the cache was last unreachable
        bump_private_version()
    if _state["missed_bump"] or _cache_resting():
        raise CacheUnavailable
    keys = [key]
    if read is None:
        keys.append(VERSION_KEY)
        # On a private page, fetch the page too: the permission check reads first.
        view = getattr(getattr(request, "resolver_match", None), "func", None)
        page = _page_key(request) if getattr(view, "private_page", False) else None
        if page not in (None, key):
            keys.append(page)
    try:
        found = cache.get_many(keys)
        if read is None:
            _state["read_since_bump"] = True
            version = found.pop(VERSION_KEY, None)
            if version is None:
                cache.add(VERSION_KEY, time.time_ns(), timeout=None)
                version = cache.get(VERSION_KEY)
            read = request._private_read = {"version": version, "found": {}}
    except RedisError as error:
        _cache_failed(error)
        raise CacheUnavailable from error
    for name in keys:
        if name != VERSION_KEY:
            entry = found.get(name)
            current = entry is not None and entry[0] == read["version"]
            read["found"][name] = entry[1] if current else None
    return read


def _keep(key, version, value) -> None:
    try:
        cache.set(key, (version, value), PAGE_TIMEOUT)
    except RedisError as error:
        _cache_failed(error)


def remembered(request, key, compute):
    """`compute()`, kept in the cache under `key` while the private data version stands, so
    that what a request needs of the database is read once for all requests until the next
    write. Falls back to `compute()` when the cache is unavailable."""
    try:
        version, value = _read(request, key)
    except CacheUnavailable:
        return compute()
    if value is None:
        value = compute()
        _keep(key, version, value)
    return value


# --- The decorator ----------------------------------------------------------------------------


def private_page(view):
    """Serve a signed-in GET of `view` from this session's cache while the data is as it
    was. Put it inside the permission decorators: they run on every request."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        try:
            version, response = _read(request, key)
        except CacheUnavailable:
            return view(request, *args, **kwargs)
        if response is not None:
            return _with_fresh_csrf_tokens(request, response)
        response = view(request, *args, **kwargs)
        if _keepable(request, response):
            _keep(key, version, response)
        return response

    wrapper.private_page = True  # copied onto the outer decorators' wrappers (functools.wraps)
    return wrapper


def _page_key(request) -> str | None:
    """The key of this request's page, or None if it is not to be served from the cache."""
    if request.method != "GET" or _has_messages(request) or request.session.session_key is None:
        return None
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
