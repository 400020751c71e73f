"""Public uploads (company and alliance logos, story images) under MEDIA_URL.

Nothing in front of gunicorn serves /media/ (docker-compose.yml has no proxy) and whitenoise
only knows the files present at start-up, so Django serves these small images itself, in
production too. Only files under MEDIA_ROOT are served, and only images:
`django.views.static.serve` refuses paths that lead out of the folder, and files of the
private storage live in PRIVATE_MEDIA_ROOT, which no URL maps to (klimaalliance/storage.py).
The suffix check also keeps a PDF that predates that split and was not yet moved
(`manage.py move_private_media`) from being served here.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.http import Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
# A replaced logo gets a new name, but a deleted file's name may be given out again: an hour,
# then the browser asks again (If-Modified-Since, answered 304 while unchanged).
MAX_AGE = 60 * 60


@require_safe
@cache_control(public=True, max_age=MAX_AGE)
def public_media(request, path):
    name = PurePosixPath(path)
    if ".." in name.parts or name.suffix.lower() not in IMAGE_SUFFIXES:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
