"""Tests: the same settings as development, read from the same environment, plus speed-ups.

DATABASE_URL and REDIS_URL decide which services the suite runs against (CI sets both).
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="klimaalliance-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="klimaalliance-private-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
