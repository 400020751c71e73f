"""The Celery app's pooled connections, dropped so the next use connects afresh."""

from klimaalliance.celery import app as celery_app


def forget_broker_connections():
    """Drop the app's pooled broker and result connections, so the next publish and the next
    wait for a result use the current broker_url and result_backend, and no connection a
    previous test broke (a stopped or hanging Redis) is used again."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.backend = None
