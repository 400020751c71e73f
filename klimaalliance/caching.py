"""Whole-page cache for anonymous visitors, emptied whenever public data changes.

Rather than tracking which pages show which rows, every cached page's key contains a
*public data version*; any save or delete of a model that public pages show bumps the
version, so the next request renders afresh. Old entries simply expire.
"""

import contextlib
import hashlib
import logging
import time
from functools import wraps

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from redis import RedisError

VERSION_KEY = "public-data-version"
PAGE_TIMEOUT = 10 * 60
# Models whose rows appear on public pages (as "app_label.ModelName").
PUBLIC_MODELS = [
    "klimaalliance.Alliance",
    "klimaalliance.AllianceTarget",
    "companies.Company",
    "companies.Membership",
    "companies.Story",
    "partnerships.Agreement",
    "partnerships.AgreementFocusArea",
    "partnerships.Pledge",
    "partnerships.Signature",
    "network.WorkingGroup",
    "network.ChairTerm",
    "network.GroupMember",
    "network.GroupDocument",
    "network.CommitmentPaper",
    "network.CommitmentSignature",
    "network.InspirationCase",
    "network.AllianceNetwork",
    "network.NetworkMember",
    "network.NetworkEvent",
    # An approved report adds a year to a publishing partner's public chart.
    "emissions.Report",
]


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
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    _memo.update(version=version, read_at=now)
    return version


def bump_public_version(**kwargs):
    """Retire every cached page. Never fails the change that called it: with Redis down
    the bump is remembered and made once the cache answers again."""
    _memo["version"] = None
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set yet (or evicted): any new value invalidates old keys
            cache.set(VERSION_KEY, 2, timeout=None)
    except RedisError as error:
        _memo["missed_bump"] = True
        logger.warning("Page cache unreachable, public pages not retired yet: %s", error)
    else:
        _memo["missed_bump"] = False


def connect_signals():
    for model in PUBLIC_MODELS:
        post_save.connect(bump_public_version, sender=model, dispatch_uid=f"public-{model}")
        post_delete.connect(bump_public_version, sender=model, dispatch_uid=f"public-del-{model}")


def public_page(view):
    """Serve anonymous GETs of `view` from the cache; signed-in users always get it fresh."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        anonymous = not request.user.is_authenticated
        if request.method != "GET" or not anonymous:
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        try:
            key = f"page:{public_data_version()}:{get_language()}:{path}"
            cached = cache.get(key)
        except RedisError:  # the cache is down: serve the page uncached
            return view(request, *args, **kwargs)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            patch_cache_control(response, public=True, max_age=60)
            with contextlib.suppress(RedisError):
                cache.set(key, response, PAGE_TIMEOUT)
        return response

    return wrapper
