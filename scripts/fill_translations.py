"""Fill Danish translations into locale/da/LC_MESSAGES/django.po.

Usage: python scripts/fill_translations.py FILE.json [--list]

FILE.json maps English msgids to Danish msgstrs ({"Save": "Gem"}; for plural entries give a
list of two forms). Matching entries are filled and lose any "fuzzy" flag that msgmerge guessed.
With --list, print the msgids still untranslated or fuzzy and exit 1 if there are any.
Run `make messages` first so new strings are in the catalogue; run `make compilemessages` after.
"""

import json
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/da/LC_MESSAGES/django.po"


def pending(po):
    return [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def main(argv):
    po = polib.pofile(str(CATALOGUE), wrapwidth=100)
    if argv and argv[0] != "--list":
        translations = json.loads(Path(argv[0]).read_text())
        filled = 0
        for entry in po:
            if entry.obsolete or entry.msgid not in translations:
                continue
            value = translations[entry.msgid]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            filled += 1
        po.save()
        print(f"filled {filled} entries")
    missing = pending(po)
    for entry in missing:
        print(f"untranslated: {entry.msgid!r}")
    return 1 if missing and "--list" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
