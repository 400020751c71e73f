"""Logo uploads: raster images only, re-encoded so nothing but pixels survives."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 800
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP"}
# Refuse decompression bombs early: a 2 MB file may claim enormous dimensions.
Image.MAX_IMAGE_PIXELS = 40_000_000


def clean_logo(upload):
    """Check an uploaded logo and return it re-encoded as PNG, at most 800 px on a side.

    Raises ValidationError for files over 2 MB and anything that is not a PNG, JPEG or
    WebP image (whatever its name or declared content type says).
    """
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(
            _("The logo is %(size)s MB; it may be at most 2 MB."),
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("The file is not a PNG, JPEG or WebP image."), code="not_image"
        ) from exc
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("The logo must be a PNG, JPEG or WebP image (not %(format)s)."),
            params={"format": image_format},
            code="format",
        )
    image.thumbnail((MAX_LOGO_SIDE, MAX_LOGO_SIDE))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    size = buffer.tell()
    buffer.seek(0)
    return InMemoryUploadedFile(buffer, "logo", "logo.png", "image/png", size, None)
