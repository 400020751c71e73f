from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from klimaalliance.models import Alliance
from partnerships.selectors import active_agreements


class StaticSitemap(Sitemap):
    i18n = True
    alternates = True
    changefreq = "monthly"

    def items(self):
        return ["home", "accessibility", "privacy", "verify"]

    def location(self, item):
        return reverse(item)


class AllianceSitemap(Sitemap):
    i18n = True
    alternates = True
    changefreq = "weekly"

    def items(self):
        return Alliance.objects.order_by("slug")

    def location(self, alliance):
        return reverse("alliance-detail", args=[alliance.slug])


class PartnerListSitemap(AllianceSitemap):
    def location(self, alliance):
        return reverse("partner-list", args=[alliance.slug])


class PartnerSitemap(Sitemap):
    i18n = True
    alternates = True
    changefreq = "weekly"

    def items(self):
        return (
            active_agreements()
            .select_related("alliance", "company")
            .order_by("alliance__slug", "company__cvr")
            .distinct()
        )

    def location(self, agreement):
        return reverse("partner-detail", args=[agreement.alliance.slug, agreement.company.cvr])

    def lastmod(self, agreement):
        return agreement.company.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "alliances": AllianceSitemap,
    "partner-lists": PartnerListSitemap,
    "partners": PartnerSitemap,
}
