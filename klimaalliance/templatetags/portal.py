from django import template
from django.urls import translate_url

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
