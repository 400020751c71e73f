from django import template
from django.urls import translate_url
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from klimaalliance.forms import filter_field as render_filter_field
from klimaalliance.numbers import format_number

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code):
    """The current page's address in another language, keeping the query string.

    Languages are chosen by URL (Danish unprefixed, English under /en/) so switching
    needs no cookie and no session.
    """
    request = context["request"]
    # Once per request and language: base.html asks three times (links and switcher), and
    # each answer resolves the path and reverses it again.
    known = request.__dict__.setdefault("_urls_in_language", {})
    if language_code not in known:
        url = translate_url(request.path, language_code)
        if request.META.get("QUERY_STRING"):
            url = f"{url}?{request.META['QUERY_STRING']}"
        known[language_code] = url
    return known[language_code]


@register.filter
def filter_field(field):
    """`{{ field|filter_field }}`: a filter form's field as crispy-forms lays it out, cheaply
    (klimaalliance.forms.filter_field)."""
    return render_filter_field(field)


@register.filter
def num(value, decimals=2):
    """The one way a number is printed: `{{ value|num }}` (at most 2 decimals),
    `{{ value|num:1 }}`, `{{ value|num:0 }}`; grouped, no trailing zeros, "–" when empty.
    1234.50 reads "1.234,5" in Danish and "1,234.5" in English, on a page and in a PDF."""
    return format_number(value, decimals=int(decimals))


@register.filter
def tonnes(value, decimals=1):
    """`{{ value|tonnes }}`: "1.234,5 t" (a no-break space before the unit); "–" when empty."""
    text = format_number(value, decimals=int(decimals))
    return text if text == "–" else f"{text}\u00a0t"


def _shows_danish_original(value, original):
    """True when `value` is Danish user content shown on a page in another language:
    the active language is not Danish, the value is not empty, and (when the Danish
    `original` is given) the value is that original, not its English translation."""
    from django.utils.translation import get_language

    if not value or (get_language() or "da").split("-")[0] == "da":
        return False
    return original is None or str(value) == str(original)


@register.simple_tag
def lang_of(value, original=None):
    """` lang="da"` for the element holding Danish user content on a non-Danish page
    (WCAG 3.1.2): `<p{% lang_of description company.description %}>`. With one argument
    the value is always Danish (it has no English field, e.g. a group's name)."""
    return mark_safe(' lang="da"') if _shows_danish_original(value, original) else ""


@register.filter(is_safe=True)
def in_danish(value, original=None):
    """`{{ group.name|in_danish }}`: the value (escaped) in `<span lang="da">` on a
    non-Danish page; `{{ text|in_danish:group.description }}` only when the value is that
    Danish original. Unchanged (but escaped) on Danish pages."""
    if _shows_danish_original(value, original):
        return format_html('<span lang="da">{}</span>', value)
    return conditional_escape(value)
