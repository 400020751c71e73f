"""Whole-page cache for anonymous visitors, emptied whenever public data changes.

Rather than tracking which pages show which rows, every cached page's key contains a
*public data version*; a committed change to a row that public pages show bumps the
version, so the next request renders afresh. Old entries simply expire.

A page's key holds everything its response varies on: the language, the full URL and the
htmx header (a view answers htmx with a fragment, e.g. the partner list's results). The
response says `Vary: HX-Request`, so browsers and proxies keep page and fragment apart
too, and carries an ETag, so a visitor whose copy is still current gets a bodiless 304.

Visitors without a session cookie are answered by PublicPageCacheMiddleware, first in the
stack, before sessions, users and CSRF cost anything; the decorator `public_page` marks the
views it may answer and keeps serving anonymous visitors who carry a session cookie.
"""

import contextlib
import functools
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from redis import RedisError

VERSION_KEY = "public-data-version"
PAGE_TIMEOUT = 10 * 60


def _status_in(*states):
    return lambda instance: instance.status in states


# Models whose rows appear on public pages ("app_label.ModelName"), each with a predicate
# on the saved or deleted row: can this change alter a public page? None: any change can.
#
# A predicate sees the row as it is now, not as it was: the old value would cost a query
# on every save. So each is chosen such that a row cannot leave its public states unseen,
# i.e. it holds for every state that is or ever was public (the reason is given per model).
# Where that does not hold (a published flag a staff form may untick), there is none.
PUBLIC_MODELS = {
    "klimaalliance.Alliance": None,
    "klimaalliance.AllianceTarget": None,
    "companies.Company": None,
    # No public page lists memberships (a partner is a company with an active agreement);
    # a prospect is an internal lead, and no membership state is public to leave.
    "companies.Membership": lambda membership: membership.status != "prospect",
    # Only approved stories are shown; a story is reviewed once, from submitted
    # (companies.services.story_review), and an approved one is not edited again.
    "companies.Story": _status_in("approved"),
    # Public while active; once countersigned an agreement only moves on to expired,
    # terminated or superseded, never back to draft, sent or signed.
    "partnerships.Agreement": _status_in("active", "expired", "terminated", "superseded"),
    "partnerships.AgreementFocusArea": None,
    "partnerships.Pledge": None,
    "partnerships.Signature": None,
    "network.WorkingGroup": None,
    "network.ChairTerm": None,
    "network.GroupMember": None,
    "network.GroupDocument": None,
    # Drafts are for staff only; a paper goes draft → open → closed, never back.
    "network.CommitmentPaper": _status_in("open", "closed"),
    "network.CommitmentSignature": None,
    "network.InspirationCase": None,
    "network.AllianceNetwork": None,
    "network.NetworkMember": None,
    "network.NetworkEvent": None,
    "network.AllianceEvent": None,
    # An approved report adds a year to a publishing partner's public chart. Approved
    # reports never change (only their PDF is added) nor go away (Report.save/delete),
    # so drafts, submissions and returns cannot alter a public page.
    "emissions.Report": _status_in("approved"),
    # The alliance page links the published results once their PDF exists.
    "emissions.PublishedResults": lambda results: bool(results.pdf),
}


# Each process remembers the version for a second: one cache round trip less per page
# view. A change made in this process clears the memo at once; other processes see it
# within VERSION_MEMO_SECONDS.
VERSION_MEMO_SECONDS = 1.0
_memo = {"version": None, "read_at": 0.0, "missed_bump": False}
logger = logging.getLogger(__name__)


def public_data_version() -> int:
    now = time.monotonic()
    if _memo["version"] is not None and now - _memo["read_at"] < VERSION_MEMO_SECONDS:
        return _memo["version"]
    if _memo["missed_bump"]:  # a change happened while the cache was unreachable
        bump_public_version()
    version = cache.get(VERSION_KEY)
    if version is None:
        # Never a number used before (a flushed cache starts again): this process's copies
        # of pages are keyed by it too.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    _memo.update(version=version, read_at=now)
    return version


# Each process also keeps the pages it served last, for up to NEAR_SECONDS: a page asked
# for again is answered without a cache round trip (a quarter of a millisecond, a third of
# what a cached page costs). The keys are the cache's, data version included, so a change
# retires them as fast as the cache's (VERSION_MEMO_SECONDS). Pickled, as in the cache:
# each answer is a response of its own, which the middleware may add headers to.
NEAR_SECONDS = 60
NEAR_ENTRIES = 200
_near = OrderedDict()
_near_lock = threading.Lock()


def _cached_page(key):
    """The response kept under `key`: this process's copy, else the cache's (RedisError
    passes through)."""
    now = time.monotonic()
    with _near_lock:
        entry = _near.get(key)
        if entry is not None and entry[0] > now:
            _near.move_to_end(key)
            return pickle.loads(entry[1])  # noqa: S301 (pickled by this process itself)
    response = cache.get(key)
    if response is not None:
        _keep_near(key, response)
    return response


def _keep_page(key, response):
    cache.set(key, response, PAGE_TIMEOUT)
    _keep_near(key, response)


def _keep_near(key, response):
    if isinstance(caches["default"], DummyCache):  # caching is off: so are the copies
        return
    data = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
    with _near_lock:
        _near[key] = (time.monotonic() + NEAR_SECONDS, data)
        _near.move_to_end(key)
        while len(_near) > NEAR_ENTRIES:
            _near.popitem(last=False)


def bump_public_version(**kwargs):
    """Retire every cached page. Never fails the change that called it: with Redis down
    the bump is remembered and made once the cache answers again."""
    _memo["version"] = None
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set yet (or evicted): any new value invalidates old keys
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except RedisError as error:
        _memo["missed_bump"] = True
        logger.warning("Page cache unreachable, public pages not retired yet: %s", error)
    else:
        _memo["missed_bump"] = False


class _Bump:
    """One bump shared by every change of a transaction: each public save registers a
    callback (so Django drops exactly those of a rolled-back savepoint), and the first one
    to run after the commit bumps for all of them."""

    def __init__(self):
        self.done = False

    def __call__(self):
        if not self.done:
            self.done = True
            bump_public_version()


def bump_after_commit(using=None):
    """Bump the version once the current transaction commits: once however many public
    rows it changes (an import saving thousands), not at all if it rolls back, and never
    before other requests can read the new data (they would cache old data under the new
    version). Outside a transaction, at once."""
    connection = transaction.get_connection(using)
    bump = getattr(connection, "_public_version_bump", None)
    if bump is None or bump.done:
        bump = connection._public_version_bump = _Bump()
    transaction.on_commit(bump, using=using, robust=True)


def _public_row_changed(sender, instance, using, **kwargs):
    changes_public_page = PUBLIC_MODELS[sender._meta.label]
    if changes_public_page is None or changes_public_page(instance):
        bump_after_commit(using)


def connect_signals():
    for model in PUBLIC_MODELS:
        post_save.connect(_public_row_changed, sender=model, dispatch_uid=f"public-{model}")
        post_delete.connect(_public_row_changed, sender=model, dispatch_uid=f"public-del-{model}")


def request_language(request) -> str:
    """The language LocaleMiddleware will activate for `request`, known before it runs: the
    URL's prefix, else the default (`i18n_patterns` with prefix_default_language=False, so
    neither a cookie nor Accept-Language counts; the same steps as its process_request)."""
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
    language_from_path = translation.get_language_from_path(request.path_info)
    if not language_from_path and i18n_patterns_used and not prefixed_default_language:
        return settings.LANGUAGE_CODE
    return translation.get_language_from_request(request, check_path=i18n_patterns_used)


def _variant(request, language=None, headers=()) -> str:
    """What a public response depends on besides the data: the language, the whole URL
    (host, path, query string) and the request headers the view reads (HX-Request on every
    page; the API's content negotiation also reads Accept)."""
    parts = [
        language if language is not None else (get_language() or ""),
        request.headers.get("HX-Request", ""),
        *(request.headers.get(header, "") for header in headers),
        request.build_absolute_uri(),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def public_page(view=None, *, vary_on=()):
    """Serve anonymous GETs of `view` from the cache; signed-in users always get it fresh.

    `vary_on`: request headers besides HX-Request that change the response (part of the
    key). Anonymous visitors without a session cookie are mostly answered before the view,
    by PublicPageCacheMiddleware, under a key made by the same function.
    """
    if view is None:
        return lambda view: public_page(view, vary_on=vary_on)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        anonymous = not request.user.is_authenticated
        if request.method != "GET" or not anonymous:
            return _varies_on_htmx(view(request, *args, **kwargs))
        # Missed by the front cache: it stores the finished response, so no copy here.
        front_miss = getattr(request, "_public_cache_key", None) is not None
        variant = _variant(request, headers=vary_on)
        key = None
        if not front_miss:
            try:
                key = f"page:{public_data_version()}:{variant}"
                response = _cached_page(key)
            except RedisError:  # the cache is down: serve the page uncached
                return _varies_on_htmx(view(request, *args, **kwargs))
            if response is not None:
                return get_conditional_response(request, etag=response["ETag"], response=response)
        response = _varies_on_htmx(view(request, *args, **kwargs))
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response.render()  # e.g. a REST framework response: the ETag needs its content
        if response.status_code != 200 or response.cookies or response.streaming:
            return response
        patch_cache_control(response, public=True, max_age=60)
        # From the content, not the data version: after a bump that left this page
        # as it was, a browser's copy is still current.
        etag = hashlib.sha256(variant.encode() + response.content).hexdigest()[:32]
        response["ETag"] = f'"{etag}"'
        request._public_page_cacheable = True
        if key is not None:
            with contextlib.suppress(RedisError):
                _keep_page(key, response)
        return get_conditional_response(request, etag=response["ETag"], response=response)

    wrapper.public_page_vary_on = tuple(vary_on)
    return wrapper


@functools.lru_cache(maxsize=4096)
def _public_view_headers(urlconf, language, path_info):
    """The `vary_on` headers of the public page at `path_info`, or None when it is not one
    (remembered per path: resolving costs more than the rest of a cached answer)."""
    with translation.override(language):
        try:
            match = resolve(path_info, urlconf)
        except Resolver404:
            return None
    return getattr(match.func, "public_page_vary_on", None)


class PublicPageCacheMiddleware:
    """Answer anonymous GETs of public pages from the page cache before the middleware that
    reads sessions, users or CSRF tokens runs, i.e. at the cost of a cache read.

    Only requests without a session cookie: a visitor who has one may be signed in, and
    goes through the whole stack (where `public_page` still serves anonymous ones from the
    cache). The finished response (security and CSP headers included) is stored once the
    view has marked it cacheable, under the same data version and variant as `public_page`
    uses, so it varies on the language, the whole URL and the headers the view reads.
    Placed after CorsMiddleware, which adds its headers per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key(request)
        response = None
        if key is not None:
            try:
                response = _cached_page(key)
            except RedisError:  # the cache is down: the whole stack answers, uncached
                key = None
        if response is not None:
            return get_conditional_response(request, etag=response["ETag"], response=response)
        if key is None:
            return self.get_response(request)
        request._public_cache_key = key
        response = self.get_response(request)
        if (
            getattr(request, "_public_page_cacheable", False)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
        ):
            with contextlib.suppress(RedisError):
                _keep_page(key, response)
        return response

    @staticmethod
    def _key(request):
        if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        language = request_language(request)
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        headers = _public_view_headers(urlconf, language, request.path_info)
        if headers is None:
            return None
        try:
            variant = _variant(request, language, headers)
        except DisallowedHost:  # the stack answers it as usual (a 400)
            return None
        try:
            return f"front:{public_data_version()}:{variant}"
        except RedisError:
            return None


def _varies_on_htmx(response):
    patch_vary_headers(response, ["HX-Request"])
    return response
