"""Where files live: public uploads in MEDIA_ROOT, private files in PRIVATE_MEDIA_ROOT.

Public files (company and alliance logos, story images) use the default storage: MEDIA_ROOT,
served at MEDIA_URL to anyone. Private files (agreement, report and commitment paper PDFs,
import spreadsheets, climate report attachments, working-group documents) use the "private"
storage of settings.STORAGES: a folder outside MEDIA_ROOT that no URL maps to, so the only way
to such a file is a view that checks who asks.

Model fields name the storage through `private_storage`, a callable, so migrations record a
reference to it instead of the folder of the machine that made them.
"""

import filecmp
import shutil
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, storages
from django.db import models
from django.utils._os import safe_join
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage rooted at PRIVATE_MEDIA_ROOT instead of MEDIA_ROOT.

    Like Django's own default storage it reads the setting when first used and again after a
    test changes it. It has no base URL of its own: `url()` falls back to MEDIA_URL (so the
    admin's file widgets keep working), where the file is not, and /media/ answers 404.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage():
    """The storage of files served only through permission-checked views."""
    return storages["private"]


# --- Moving files stored before the split ------------------------------------------------


def private_file_fields():
    """(model, field) for every FileField of every installed model that uses the private
    storage; read from the app registry, so the core imports no feature app."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
        and isinstance(field.storage, PrivateFileSystemStorage)
    ]


def move_private_media(*, dry_run=False):
    """Move every file a private field refers to from MEDIA_ROOT to PRIVATE_MEDIA_ROOT.

    Idempotent: a file already in PRIVATE_MEDIA_ROOT is left there (and a leftover copy in
    MEDIA_ROOT that is byte for byte the same is removed). Stored names do not change: both
    storages resolve the same relative name. Returns {"moved": n, "already": n,
    "missing": [names in neither folder], "conflicts": [names left alone, with why]}.
    """
    media_root = Path(settings.MEDIA_ROOT)
    target = private_storage()
    result = {"moved": 0, "already": 0, "missing": [], "conflicts": []}
    for model, field in private_file_fields():
        names = (
            model._default_manager.exclude(**{field.name: ""})
            .exclude(**{f"{field.name}__isnull": True})
            .values_list(field.name, flat=True)
            .distinct()
        )
        for name in names.iterator():
            try:
                source = Path(safe_join(media_root, name))
                destination = Path(target.path(name))
            except SuspiciousFileOperation:
                result["conflicts"].append(f"{name!r}: not a safe relative name")
                continue
            if destination.exists():
                result["already"] += 1
                if not source.exists():
                    continue
                if source.is_file() and filecmp.cmp(source, destination, shallow=False):
                    if not dry_run:
                        source.unlink()
                else:
                    result["conflicts"].append(f"{name}: differs from the private copy")
            elif source.is_file():
                result["moved"] += 1
                if not dry_run:
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(source, destination)
            else:
                result["missing"].append(name)
    return result
