"""Free-text search that treats æ, ø and å like any other letter on every database.

SQLite's LIKE (and so Django's `icontains` there) folds case only for ASCII, so "grøn"
would not find "GRØN". A model keeps a *search key*, its searchable texts folded in Python
(`search_key`) and saved with the row; a query is folded the same way and split into words
(`search_words`), and every word must occur in the key, so words match across the name and
the description. A query of only spaces has no words, so it is no filter.
"""

import unicodedata

from django.db.models import Q


def fold(text: str) -> str:
    """`text` compared without case or Unicode form: "GRØN Øl" → "grøn øl"."""
    return unicodedata.normalize("NFKC", str(text or "")).casefold()


def search_key(*texts) -> str:
    """The searchable texts of a row, folded, one space between them."""
    return " ".join(" ".join(fold(text).split()) for text in texts if text)


def search_words(query) -> list[str]:
    """The query's words, folded; none for a query of only spaces."""
    return fold(query).split()


def all_words_in(field: str, words) -> Q:
    """A filter: every word occurs in the search-key column `field`."""
    condition = Q()
    for word in words:
        condition &= Q(**{f"{field}__contains": word})
    return condition
