"""Gunicorn reads this file from the working directory (the default `./gunicorn.conf.py`).

The access log prints every request line, and an invitation link carries its token in the
path: put the portal's secret scrubber on gunicorn's own log handlers too.
"""


def post_worker_init(worker):
    from klimaalliance.log_filters import add_to_handlers

    add_to_handlers(worker.log.access_log)
    add_to_handlers(worker.log.error_log)
