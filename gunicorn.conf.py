"""Gunicorn reads this file from the working directory (the default `./gunicorn.conf.py`).

The access log prints every request line, and an invitation link carries its token in the
path: put the portal's secret scrubber on gunicorn's own log handlers too.

A (re)started server may be a new release that renders pages differently, so it retires
the cached public and signed-in pages once, before its workers start.

Each worker then imports every view (the URLconf) and freezes what it holds: the cycle
collector's full collections otherwise walk all of Django and the portal again, every few
hundred requests that allocate many objects (a signed-in page's queries), which shows in
both the time a page costs and its slowest responses.
"""

import gc


def when_ready(server):
    import django

    django.setup()
    from klimaalliance.caching import bump_public_version
    from klimaalliance.private_pages import bump_private_version

    bump_public_version()
    bump_private_version()


def post_worker_init(worker):
    from django.urls import get_resolver

    from klimaalliance.log_filters import add_to_handlers

    add_to_handlers(worker.log.access_log)
    add_to_handlers(worker.log.error_log)
    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view module)
    gc.collect()
    gc.freeze()
