from django.conf import settings


def portal(request):
    """Navigation needs: the alliance the page belongs to and the signed-in user's roles."""
    alliance = getattr(request, "alliance", None)
    user = getattr(request, "user", None)
    staff_alliances = []
    if user is not None and user.is_authenticated:
        staff_alliances = [role.alliance for role in user.staff_roles.select_related("alliance")]
    return {
        "current_alliance": alliance,
        "staff_alliances": staff_alliances,
        "site_url": settings.SITE_URL,
    }
