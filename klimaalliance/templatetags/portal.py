from django import template
from django.urls import translate_url

from klimaalliance.numbers import format_number

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code):
    """The current page's address in another language, keeping the query string.

    Languages are chosen by URL (Danish unprefixed, English under /en/) so switching
    needs no cookie and no session.
    """
    request = context["request"]
    url = translate_url(request.path, language_code)
    if request.META.get("QUERY_STRING"):
        url = f"{url}?{request.META['QUERY_STRING']}"
    return url


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
