"""Pages of the open data lists: `limit` and `offset`, and for the partner list a `cursor`.

An offset page makes the database read and drop every row before it, so the deeper the page
the dearer; and a partner joining or leaving between two requests shifts every later row,
so a walk by offsets can skip or repeat one. A cursor names the sort key of the row a page
starts after (or ends before): the database seeks to it in an index, at any depth, and a
walk along the `next` links sees every row that stays in the list exactly once.
"""

import base64
import binascii
import json

from django.core.cache import cache
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from klimaalliance.caching import PAGE_TIMEOUT, public_data_version

INVALID_CURSOR = "Invalid cursor: use the next and previous links as given."


class ApiPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 500
    # No page links in the browsable API: DRF's HTML controls cannot cope with an offset
    # past the end, and the JSON carries `next` and `previous` anyway.
    template = None
    # Query parameters that choose a page of the list rather than the list itself.
    page_params = ("limit", "offset")

    def get_count(self, queryset):
        """The list's length, counted once per public data version and set of filters:
        every other page of the same list reuses it (a harvester walking the list asks
        for each of them), so only the page's own rows are read."""
        params = self.request.query_params.copy()
        for name in self.page_params:
            params.pop(name, None)
        key = f"api-count:{public_data_version()}:{self.request.path}:{params.urlencode()}"
        count = cache.get(key)
        if count is None:
            count = super().get_count(queryset)
            cache.set(key, count, PAGE_TIMEOUT)
        return count


class KeysetPagination(ApiPagination):
    """`limit`/`offset` as everywhere, plus `cursor`. With a sort in `keyset_sorts` the
    `next` and `previous` links carry a cursor; with any other sort they stay offsets.

    The queryset's rows are dicts (`values()`) holding `key_field` and `id`, and the
    database needs an index on (key_field, id) for the seek.
    """

    cursor_query_param = "cursor"
    page_params = ("limit", "offset", "cursor")
    key_field = "sort_name"
    # Sort parameter value → whether the key descends; ties are broken by id, same way.
    keyset_sorts = {"name": False, "-name": True}
    default_sort = "name"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.descending = self.keyset_sorts.get(request.query_params.get("sort") or "name")
        raw_cursor = request.query_params.get(self.cursor_query_param)
        if raw_cursor is None or self.descending is None:
            if raw_cursor is not None:
                raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
            self.cursor = None
            self.page = super().paginate_queryset(queryset, request, view)
            return self.page
        self.cursor = self._decode(raw_cursor)
        self.limit = self.get_limit(request)
        self.count = self.get_count(queryset)
        before, key, pk = self.cursor
        rows = list(self._seek(queryset, before, key, pk)[: self.limit + 1])
        self.more = len(rows) > self.limit  # beyond the page, in the direction walked
        self.page = rows[: self.limit]
        if before:
            self.page.reverse()
        return self.page

    def _seek(self, queryset, before, key, pk):
        """Rows after (before=False) or before the key (key, pk) in the list's order,
        nearest first: a range condition on the indexed key, then the ties by id."""
        descending = self.descending != before  # walking backwards reverses the order
        field = self.key_field
        if descending:
            rows = queryset.filter(**{f"{field}__lte": key}).exclude(
                Q(**{field: key}) & Q(id__gte=pk)
            )
            return rows.order_by(f"-{field}", "-id")
        rows = queryset.filter(**{f"{field}__gte": key}).exclude(Q(**{field: key}) & Q(id__lte=pk))
        return rows.order_by(field, "id")

    # --- Links ----------------------------------------------------------------------------

    def get_next_link(self):
        if self.cursor is None:
            if self.descending is None or not self.page:
                return super().get_next_link()
            if self.offset + self.limit >= self.count:
                return None
        elif not self.page or (not self.cursor[0] and not self.more):
            return None
        return self._link(before=False, row=self.page[-1])

    def get_previous_link(self):
        if self.cursor is None:
            if self.descending is None or not self.page:
                return super().get_previous_link()
            if self.offset <= 0:
                return None
        elif not self.page or (self.cursor[0] and not self.more):
            return None
        return self._link(before=True, row=self.page[0])

    def _link(self, *, before, row):
        url = remove_query_param(self.request.build_absolute_uri(), self.offset_query_param)
        cursor = self._encode(before, row[self.key_field], row["id"])
        return replace_query_param(url, self.cursor_query_param, cursor)

    # --- The cursor: [before?, key, id] as URL-safe base64 JSON -----------------------------

    @staticmethod
    def _encode(before, key, pk):
        data = json.dumps([int(before), key, pk], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")

    @staticmethod
    def _decode(raw):
        try:
            data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            before, key, pk = data
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        valid = (
            before in (0, 1)
            and isinstance(key, str)
            and "\x00" not in key
            and type(pk) is int
            and 0 < pk < 2**63
        )
        if not valid:
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        return bool(before), key, pk

    # --- The schema -----------------------------------------------------------------------

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "A page of a list sorted by name: take it from the `next` or "
                "`previous` link. Cheaper than a deep offset at any depth, and a walk along "
                "the `next` links neither skips nor repeats a partner. Replaces `offset`.",
                "schema": {"type": "string"},
            },
        ]
