"""One redis-py client per connection pool serves every cache call (cache_backend.py)."""

import os
import threading

import pytest
from django.core.cache import caches

from tests.conftest import need

pytestmark = pytest.mark.services


@pytest.fixture
def redis_cache(settings):
    need(os.environ.get("REDIS_URL"), "Redis (REDIS_URL)")
    settings.CACHES = {
        "default": {
            "BACKEND": "klimaalliance.cache_backend.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"ka-test-backend-{os.getpid()}",
        }
    }
    return caches["default"]


def test_one_client_serves_every_call_and_every_thread(redis_cache):
    redis_cache.set("greeting", {"da": "Hej", "en": "Hello"}, 60)
    assert redis_cache.get("greeting") == {"da": "Hej", "en": "Hello"}
    assert redis_cache.get_many(["greeting", "nothing"]) == {
        "greeting": {"da": "Hej", "en": "Hello"}
    }
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client

    seen = []

    def in_a_thread():
        seen.append(redis_cache.get("greeting"))
        seen.append(redis_cache._cache.get_client())

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [{"da": "Hej", "en": "Hello"}, client]
    redis_cache.delete("greeting")
    assert redis_cache.get("greeting") is None
