"""Who reaches which company, and which of its data: the one place that decides.

Several alliances share one company register, so every staff and representative view that
reaches a company goes through a function here; a view that filters by hand can forget a
condition, these cannot.

* **Municipal staff** reach the companies with a membership of their alliance (the request's
  alliance, resolved by `klimaalliance.permissions.alliance_staff_required`). Every such
  membership shows the register's public data (name, CVR, industry, address, public
  profile) and what belongs to the alliance itself: its membership timeline, internal notes
  and dialogue log, which no other alliance ever sees.
* Everything else the company keeps (contact persons, representatives and their
  invitations, the change history, climate accounts and reports, agreements and working
  groups) is **shared** with an alliance only once the company agreed
  (`Membership.access_granted_at`): it was first registered by that alliance, or a person
  who may sign for it accepted the alliance's membership invitation. Staff of an alliance
  without that consent get 404 for those pages and never see those data in lists.
* A company **without any representative** cannot answer an invitation. It is reached only
  by the alliance holding its consent, which invites its first representative; other
  alliances keep it as a prospect with their own notes until a person who may sign accepts
  their invitation (or the platform administrator records consent given outside the portal).
* **Representatives** reach the companies they represent; signing for one needs `may_sign`.
* Anyone else gets 404, which does not reveal whether a company exists.
"""

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Company, Membership, Representation

# Memberships whose company shares its non-public data with the alliance.
SHARED = Q(access_granted_at__isnull=False)
# The three circles of membership, each defined once:
# asked for a yearly report and counted in the emissions dashboard,
REPORTING_STATUSES = (Membership.Status.ACTIVE,)
# (for a past year: active then, so active now or left since; see `reporting_companies`),
REPORTED_YEAR_STATUSES = (Membership.Status.ACTIVE, Membership.Status.LEFT)
# current members, who may join working groups and sign their commitment papers,
MEMBER_STATUSES = (Membership.Status.ACTIVE, Membership.Status.PAUSED)
# members now or before, whose climate accounts the alliance's staff may read.
ACCOUNT_STATUSES = (Membership.Status.ACTIVE, Membership.Status.PAUSED, Membership.Status.LEFT)


# --- Staff ---------------------------------------------------------------------------------


def staff_membership(request, pk, *, shared: bool = True) -> Membership:
    """The membership of company `pk` in the request's alliance.

    With `shared` (the default), only if the company shares its data with the alliance;
    `shared=False` is for the pages that show public data and the alliance's own records.
    Raises Http404 otherwise.
    """
    memberships = Membership.objects.select_related("company", "level", "alliance")
    membership = get_object_or_404(memberships, alliance=request.alliance, company_id=pk)
    if shared and not membership.has_access:
        raise Http404
    return membership


def staff_account_company(request, pk) -> Company:
    """Company `pk` if staff may read its climate accounts and reports: it shares its data
    with the request's alliance and is or was a member (ACCOUNT_STATUSES); 404 otherwise."""
    membership = staff_membership(request, pk)
    if membership.status not in ACCOUNT_STATUSES:
        raise Http404
    return membership.company


def shared_memberships(alliance) -> QuerySet[Membership]:
    """Memberships of `alliance` whose companies share their data with it."""
    return Membership.objects.filter(SHARED, alliance=alliance)


def shared_companies(alliance, *, statuses=None) -> QuerySet[Company]:
    """Companies sharing their data with `alliance`, optionally in membership `statuses`."""
    memberships = shared_memberships(alliance)
    if statuses is not None:
        memberships = memberships.filter(status__in=statuses)
    return Company.objects.filter(pk__in=memberships.values("company_id"))


def reporting_companies(alliance, year: int | None = None) -> QuerySet[Company]:
    """Companies asked for a yearly report and counted in the alliance's emission figures.

    Without `year`: the active members now. With `year`: the members whose membership was
    active at some time in that year, so a round for a past year asks them and no one else:
    joined by 31 December (a membership without a join date counts as joined) and not ended
    before 1 January; active now or left since (paused members are not asked, as today).
    """
    if year is None:
        return shared_companies(alliance, statuses=REPORTING_STATUSES)
    memberships = shared_memberships(alliance).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=datetime.date(year, 12, 31)),
        Q(ended_on__isnull=True) | Q(ended_on__gte=datetime.date(year, 1, 1)),
        status__in=REPORTED_YEAR_STATUSES,
    )
    return Company.objects.filter(pk__in=memberships.values("company_id"))


def member_companies(alliance) -> QuerySet[Company]:
    """Current members (active or paused) sharing their data: they may join working groups."""
    return shared_companies(alliance, statuses=MEMBER_STATUSES)


def agreement_companies(alliance) -> QuerySet[Company]:
    """Companies the alliance may draft an agreement with: sharing their data, not left."""
    statuses = [s for s in Membership.Status.values if s != Membership.Status.LEFT]
    return shared_companies(alliance, statuses=statuses)


# --- Representatives ---------------------------------------------------------------------


def represented_companies(user) -> QuerySet[Company]:
    """The companies `user` acts for."""
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(representatives__user=user)


def signing_companies(user) -> QuerySet[Company]:
    """The companies `user` may sign for (*tegningsberettiget*)."""
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(representatives__user=user, representatives__may_sign=True)


def representation(user, pk, *, signing: bool = False) -> Representation:
    """`user`'s representation of company `pk` (with `signing`, one that may sign); 404
    when there is none."""
    representations = Representation.objects.select_related("company").filter(
        user_id=user.pk, company_id=pk
    )
    if signing:
        representations = representations.filter(may_sign=True)
    found = representations.first()
    if found is None:
        raise Http404
    return found


def represented_company(user, pk, *, signing: bool = False) -> Company:
    """Company `pk` if `user` represents it (and, with `signing`, may sign for it); else 404."""
    return representation(user, pk, signing=signing).company
