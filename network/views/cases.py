"""The inspiration catalogue and the networks of municipalities.

Staff of any alliance publish cases under /<alliance>/staff/groups/cases/ (namespace
`groups`) and only ever reach their own alliance's cases (others get 404). The public
catalogue at /inspiration/ shows the published cases of every alliance on the portal, so
municipalities learn from each other; /networks/ shows networks such as DK2020's.
Public pages set no cookie (GET forms only) and are cached (`public_page`).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from klimaalliance.caching import public_page
from klimaalliance.choices import PartnershipForm
from klimaalliance.permissions import alliance_staff_required

from ..case_forms import CaseFilterForm, CaseForm
from ..models import AllianceNetwork, InspirationCase

PAGE_SIZE = 20


# --- Staff -------------------------------------------------------------------------------


@alliance_staff_required
@require_GET
def staff_case_list(request):
    cases = InspirationCase.objects.filter(alliance=request.alliance).select_related("created_by")
    return render(
        request, "network/case_staff_list.html", {"alliance": request.alliance, "cases": cases}
    )


def _save_case(request, form, case):
    created = case is None
    case = form.save(commit=False)
    if created:
        case.alliance = request.alliance
        case.created_by = request.user
    case.save()
    if created:
        messages.success(request, _("The case “%(title)s” has been saved.") % {"title": case})
    else:
        messages.success(request, _("The case “%(title)s” has been updated.") % {"title": case})
    return redirect("groups:case-list", request.alliance.slug)


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    form = CaseForm(request.POST or None, initial={"municipality": request.alliance.municipality})
    if request.method == "POST" and form.is_valid():
        return _save_case(request, form, None)
    return render(request, "network/case_form.html", {"alliance": request.alliance, "form": form})


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def case_edit(request, case_id):
    case = get_object_or_404(InspirationCase, pk=case_id, alliance=request.alliance)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        return _save_case(request, form, case)
    context = {"alliance": request.alliance, "form": form, "case": case}
    return render(request, "network/case_form.html", context)


# --- Public ------------------------------------------------------------------------------


def published_cases():
    return InspirationCase.objects.filter(is_published=True).select_related("alliance")


def filter_cases(cases, q="", form="", focus=""):
    if q:
        cases = cases.filter(
            Q(title__icontains=q)
            | Q(municipality__icontains=q)
            | Q(what_was_done__icontains=q)
            | Q(results__icontains=q)
            | Q(companies_involved__icontains=q)
        )
    if form:
        cases = cases.filter(partnership_form=form)
    if focus:
        cases = cases.filter(focus_area=focus)
    return cases


@require_GET
@public_page
def case_list(request):
    filter_form = CaseFilterForm(request.GET)
    cases = filter_cases(published_cases(), **filter_form.filters())
    page = Paginator(cases.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filter_form": filter_form,
        "query": query.urlencode(),
        "partnership_forms": PartnershipForm.choices,
    }
    return render(request, "network/case_list.html", context)


# KL's seven forms of a climate partnership, explained (KL's inspiration catalogue).
FORM_EXPLANATIONS = {
    PartnershipForm.PRODUCT: gettext_lazy(
        "A company delivers a product or a service that cuts the municipality's own CO2 "
        "emissions, in a public-private partnership."
    ),
    PartnershipForm.PROCUREMENT: gettext_lazy(
        "The municipality demands products with a low climate footprint when it buys, in a "
        "partnership or a procurement, and so moves the market."
    ),
    PartnershipForm.RESOURCES: gettext_lazy(
        "Municipality and companies work together on resources, for example energy or waste, "
        "so that what one leaves becomes what another uses."
    ),
    PartnershipForm.JOINT: gettext_lazy(
        "Municipality and companies sign a joint agreement in which they commit each other to "
        "cutting CO2."
    ),
    PartnershipForm.NETWORK: gettext_lazy(
        "A network or working group in which municipality and companies explore shared "
        "challenges in cutting CO2, for example transport, solar panels, CO2 accounting, "
        "electricity use or charging infrastructure."
    ),
    PartnershipForm.PROJECT: gettext_lazy(
        "Projects in which the municipality helps companies cut their CO2 emissions."
    ),
    PartnershipForm.SKILLS: gettext_lazy(
        "Upskilling of employees and recruiting of a green workforce."
    ),
}
KL_CATALOGUE_URL = (
    "https://www.kl.dk/kommunale-opgaver/erhvervsudvikling/den-groenne-omstilling/"
    "inspirationskatalog/"
)


@require_GET
@public_page
def partnership_form_detail(request, form):
    """One of KL's seven partnership forms, explained, with the published cases of that form."""
    if form not in PartnershipForm.values:
        raise Http404
    form = PartnershipForm(form)
    cases = published_cases().filter(partnership_form=form).order_by("municipality", "title")
    context = {
        "form_label": form.label,
        "explanation": FORM_EXPLANATIONS[form],
        "cases": cases,
        "partnership_forms": PartnershipForm.choices,
        "current_form": form.value,
        "kl_catalogue_url": KL_CATALOGUE_URL,
    }
    return render(request, "network/partnership_form.html", context)


@require_GET
@public_page
def case_detail(request, case_id):
    case = get_object_or_404(published_cases(), pk=case_id)
    return render(request, "network/case_detail.html", {"case": case})


@require_GET
@public_page
def network_list(request):
    networks = AllianceNetwork.objects.annotate(
        member_count=Count("members", distinct=True)
    ).order_by("name")
    networks = list(networks)
    for network in networks:
        network.display_name = network.name_in(request.LANGUAGE_CODE)
    return render(request, "network/network_list.html", {"networks": networks})


@require_GET
@public_page
def network_detail(request, slug):
    network = get_object_or_404(AllianceNetwork, slug=slug)
    today = timezone.localdate()
    events = list(network.events.order_by("date", "pk"))
    for event in events:
        event.display_title = event.title_in(request.LANGUAGE_CODE)
    context = {
        "network": network,
        "network_name": network.name_in(request.LANGUAGE_CODE),
        "members": network.members.select_related("alliance").order_by("municipality"),
        "upcoming_events": [event for event in events if event.date >= today],
        "past_events": [event for event in reversed(events) if event.date < today],
    }
    return render(request, "network/network_detail.html", context)
