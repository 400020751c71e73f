from django.conf import settings

from .permissions import staff_roles


def portal(request):
    """Navigation needs: the alliance the page belongs to and the signed-in user's roles."""
    alliance = getattr(request, "alliance", None)
    staff_alliances = []
    if getattr(request, "user", None) is not None:
        staff_alliances = [role.alliance for role in staff_roles(request)]
    return {
        "current_alliance": alliance,
        "staff_alliances": staff_alliances,
        "site_url": settings.SITE_URL,
    }
