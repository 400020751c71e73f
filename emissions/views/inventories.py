"""Climate accounts (inventories): a representative's own pages under /my/emissions/ and
staff's read-only pages under /<alliance>/staff/emissions/.

Each family finds its company and inventory through one helper, so nobody reaches another's
figures:

* representatives (`_own_company`, `_own_inventory`): companies the user represents; anyone
  else gets 404, which does not reveal whether the company or year exists;
* staff (`_member_company`, `_member_inventory`): companies that share their data with the
  request's alliance and are or were its members (`companies.access.staff_account_company`).

Every form that changes a year carries the inventory's version; a save from a form opened
before someone else's save is refused (`StaleError`) and the user's input is kept. The
figures of a year whose report staff approved are read-only: the pages show no edit
buttons and every change is refused with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access
from companies.models import Company
from klimaalliance.permissions import alliance_staff_required
from klimaalliance.tabular import FORMATS, download

from .. import services
from ..forms import (
    CATEGORY_OF_ACTIVITY,
    AttachmentForm,
    InventoryCreateForm,
    InventoryLineForm,
    VerifyForm,
    plain_number,
    preselected_factor,
)
from ..models import Activity, ImmutableError, Inventory, InventoryLine, Report
from ..services import StaleError
from ..spreadsheets import (
    COLUMNS,
    ImportForm,
    column_label,
    validate_rows,
    write_csv,
    write_xlsx,
)

# Membership statuses under which an alliance's staff see a company's climate accounts.


def _scope_title(number):
    titles = {
        1: _("Scope 1: own combustion, vehicles, processes, livestock and fields"),
        2: _("Scope 2: purchased electricity, heat and cooling"),
        3: _("Scope 3: the value chain"),
    }
    return titles[number]


def _with_lock(inventories):
    """Annotate `locked`: the year's report is approved in some round (the same rule as
    `Inventory.is_locked`, in the same query as the inventories)."""
    approved = Report.objects.filter(
        company=OuterRef("company"), round__year=OuterRef("year"), status=Report.Status.APPROVED
    )
    return inventories.annotate(locked=Exists(approved))


def _add_errors(form, error: ValidationError):
    """Put a service's ValidationError on the form: on a field of the form where it names
    one, else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _posted_version(request) -> int:
    """The version a POSTed form was opened at; 0 (never current) if it is missing."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _locked_message(inventory) -> str:
    return _("The figures for %(year)s are approved and cannot change.") % {"year": inventory.year}


def _with_numbers(line):
    """Set the line's numbers as the page shows them (no trailing zeros), in the active
    language: `quantity_shown`, `factor_shown`, `market_shown`, `tonnes_shown`,
    `market_tonnes_shown`."""
    line.quantity_shown = plain_number(line.quantity, grouping=True)
    line.factor_shown = plain_number(line.factor_value)
    line.market_shown = plain_number(line.market_factor)
    line.tonnes_shown = plain_number(line.tonnes_location, grouping=True)
    line.market_tonnes_shown = plain_number(line.tonnes_market, grouping=True)
    line.direct_shown = plain_number(line.tonnes_direct, grouping=True)
    return line


def _scopes(inventory, lines):
    """The three scopes, each with its lines and totals, empty scopes included."""
    for line in lines:
        _with_numbers(line)
    totals = {
        1: (inventory.scope1_t, inventory.scope1_t),
        2: (inventory.scope2_location_t, inventory.scope2_market_t),
        3: (inventory.scope3_t, inventory.scope3_t),
    }
    return [
        {
            "number": number,
            "title": _scope_title(number),
            "lines": [line for line in lines if line.scope == number],
            "location_t": plain_number(totals[number][0], grouping=True),
            "market_t": plain_number(totals[number][1], grouping=True),
        }
        for number in (1, 2, 3)
    ]


def _with_change(inventories):
    """Set `change_percent` on each inventory: its total against the baseline's (location-
    based), or None for the baseline itself or when there is no baseline."""
    baseline = next((i for i in inventories if i.is_baseline), None)
    for inventory in inventories:
        inventory.change_percent = None
        if baseline and inventory is not baseline and baseline.total_location_t:
            difference = inventory.total_location_t - baseline.total_location_t
            inventory.change_percent = difference / baseline.total_location_t * 100
    return baseline


def _export_response(inventory, fmt):
    if fmt not in FORMATS:
        raise Http404
    lines = inventory.lines.select_related("factor")
    content = write_csv(lines) if fmt == "csv" else write_xlsx(lines)
    return download(content, fmt, f"klimaregnskab-{inventory.company.cvr}-{inventory.year}")


def _attachment_response(inventory):
    if not inventory.attachment:
        raise Http404
    return FileResponse(
        inventory.attachment.open("rb"),
        as_attachment=True,
        filename=inventory.attachment_name or f"klimarapport-{inventory.year}.pdf",
        content_type="application/pdf",
    )


# --- Representatives -----------------------------------------------------------------------


def _own_company(request, pk) -> Company:
    return access.represented_company(request.user, pk)


def _own_inventory(request, pk, year) -> Inventory:
    """The climate account of company `pk` for `year` if the user represents the company."""
    inventories = _with_lock(Inventory.objects.select_related("company", "verified_by"))
    return get_object_or_404(
        inventories,
        company_id=pk,
        company__in=access.represented_companies(request.user),
        year=year,
    )


def _year_page(inventory):
    return redirect("my-emissions:inventory-detail", inventory.company_id, inventory.year)


def _refuse_locked(request, inventory):
    messages.error(request, _locked_message(inventory))
    return _year_page(inventory)


@require_GET
@login_required
def inventory_list(request, pk):
    company = _own_company(request, pk)
    inventories = list(_with_lock(company.inventories.all()).order_by("-year"))
    baseline = _with_change(inventories)
    context = {"company": company, "inventories": inventories, "baseline": baseline}
    return render(request, "emissions/inventory_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def inventory_create(request, pk):
    company = _own_company(request, pk)
    form = InventoryCreateForm(
        request.POST or None, company=company, initial={"year": timezone.localdate().year - 1}
    )
    if request.method == "POST" and form.is_valid():
        try:
            inventory = services.inventory_create(
                company=company,
                year=form.cleaned_data["year"],
                is_baseline=form.cleaned_data["is_baseline"],
            )
        except ValidationError as error:  # a concurrent request created the year first
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The climate account for %(year)s was created. Add its lines.")
                % {"year": inventory.year},
            )
            return _year_page(inventory)
    status = 400 if form.errors else 200
    return render(
        request, "emissions/inventory_form.html", {"company": company, "form": form}, status=status
    )


@require_GET
@login_required
def inventory_detail(request, pk, year):
    inventory = _own_inventory(request, pk, year)
    lines = list(inventory.lines.select_related("factor"))
    other_baseline = (
        Inventory.objects.filter(company_id=inventory.company_id, is_baseline=True)
        .exclude(pk=inventory.pk)
        .values_list("year", flat=True)
        .first()
    )
    context = {
        "company": inventory.company,
        "inventory": inventory,
        "scopes": _scopes(inventory, lines),
        "line_count": len(lines),
        "other_baseline": other_baseline,
        "attachment_form": AttachmentForm(),
        "activities": [(code, Activity(code).label) for code in CATEGORY_OF_ACTIVITY],
        "editable": not inventory.locked,
    }
    return render(request, "emissions/inventory_detail.html", context)


@require_POST
@login_required
def inventory_baseline(request, pk, year):
    """Make the year the baseline ("set") or not ("unset")."""
    inventory = _own_inventory(request, pk, year)
    if inventory.locked:
        return _refuse_locked(request, inventory)
    unset = request.POST.get("baseline") == "unset"
    action = services.inventory_unset_baseline if unset else services.inventory_set_baseline
    try:
        action(inventory=inventory, seen_version=_posted_version(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if unset:
            message = _("%(year)s is no longer the baseline year.")
        else:
            message = _("%(year)s is now the baseline year.")
        messages.success(request, message % {"year": inventory.year})
    return _year_page(inventory)


def _line_page(request, inventory, form, line=None, current=None, status=200, note=None):
    context = {
        "company": inventory.company,
        "inventory": inventory,
        "form": form,
        "line": line,
        "current": current,
        "factor_note": note,
    }
    return render(request, "emissions/inventory_line_form.html", context, status=status)


def _line_form(request, inventory, line=None):
    if inventory.locked:
        return _refuse_locked(request, inventory)
    if request.method != "POST":
        initial = {"version": inventory.version}
        note = None
        activity = request.GET.get("activity", "")
        if line is None and activity in CATEGORY_OF_ACTIVITY:
            initial["category"] = CATEGORY_OF_ACTIVITY[activity]
            factor = preselected_factor(activity, inventory.year)
            if factor is not None:
                initial.update(factor=factor.pk, unit=factor.unit)
            else:
                note = _(
                    "The library has no factor for %(activity)s in %(year)s. Choose one of "
                    "the factors it has; ask the administrator if none fits."
                ) % {"activity": Activity(activity).label, "year": inventory.year}
        form = InventoryLineForm(instance=line, initial=initial, inventory=inventory)
        return _line_page(request, inventory, form, line, note=note)

    instance = line or InventoryLine(inventory=inventory)
    form = InventoryLineForm(request.POST, instance=instance, inventory=inventory)
    if form.is_valid():
        new = form.save(commit=False)
        if line is None:
            highest = inventory.lines.aggregate(highest=Max("order"))["highest"]
            new.order = (highest or 0) + 1
        try:
            services.line_save(line=new, seen_version=form.cleaned_data["version"])
        except StaleError as error:
            return _stale_line_page(request, inventory, line, error)
        except ImmutableError:
            return _refuse_locked(request, inventory)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("The line “%(line)s” was saved.") % {"line": new.description}
            )
            return _year_page(inventory)
    return _line_page(request, inventory, form, line, status=400)


def _stale_line_page(request, inventory, line, error):
    """The form again with the user's input, the other person's figures beside it and the
    current version, so a second save (after comparing) goes through."""
    current_inventory = _with_lock(Inventory.objects.select_related("company")).get(pk=inventory.pk)
    current = InventoryLine.objects.filter(pk=line.pk).first() if line else None
    if current:
        _with_numbers(current)
    data = request.POST.copy()
    data["version"] = str(current_inventory.version)
    instance = current or InventoryLine(inventory=current_inventory)
    form = InventoryLineForm(data, instance=instance, inventory=current_inventory)
    form.is_valid()
    form.add_error(None, error)
    return _line_page(
        request,
        current_inventory,
        form,
        line,
        current=current if current else ("deleted" if line else None),
        status=409,
    )


@require_http_methods(["GET", "POST"])
@login_required
def line_create(request, pk, year):
    return _line_form(request, _own_inventory(request, pk, year))


@require_http_methods(["GET", "POST"])
@login_required
def line_edit(request, pk, year, line_id):
    inventory = _own_inventory(request, pk, year)
    line = get_object_or_404(
        InventoryLine.objects.select_related("factor"), pk=line_id, inventory=inventory
    )
    line.inventory = inventory
    return _line_form(request, inventory, line)


@require_POST
@login_required
def line_delete(request, pk, year, line_id):
    inventory = _own_inventory(request, pk, year)
    line = get_object_or_404(InventoryLine, pk=line_id, inventory=inventory)
    if inventory.locked:
        return _refuse_locked(request, inventory)
    try:
        services.line_delete(line=line, seen_version=_posted_version(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The line “%(line)s” was deleted.") % {"line": line.description}
        )
    return _year_page(inventory)


@require_GET
@login_required
def inventory_export(request, pk, year, fmt):
    return _export_response(_own_inventory(request, pk, year), fmt)


@require_http_methods(["GET", "POST"])
@login_required
def inventory_import(request, pk, year):
    """Upload a file of lines; every row is checked first, then all lines are replaced in
    one transaction, or nothing is saved and the rows' errors are shown."""
    inventory = _own_inventory(request, pk, year)
    if inventory.locked:
        return _refuse_locked(request, inventory)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"version": inventory.version}
    )
    results = None
    if request.method == "POST" and form.is_valid():
        results = validate_rows(form.rows, inventory=inventory)
        invalid = [result for result in results if result.errors]
        if invalid:
            form.add_error(
                None,
                ngettext(
                    "%(count)d row has errors (see below). Nothing was imported.",
                    "%(count)d rows have errors (see below). Nothing was imported.",
                    len(invalid),
                )
                % {"count": len(invalid)},
            )
        else:
            try:
                count = services.lines_replace(
                    inventory=inventory,
                    lines=[result.line for result in results],
                    seen_version=form.cleaned_data["version"],
                )
            except ImmutableError:
                return _refuse_locked(request, inventory)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d line was imported; it replaces the year's earlier lines.",
                        "%(count)d lines were imported; they replace the year's earlier lines.",
                        count,
                    )
                    % {"count": count},
                )
                return _year_page(inventory)
    context = {
        "company": inventory.company,
        "inventory": inventory,
        "form": form,
        "invalid_rows": [result for result in results or [] if result.errors],
        "columns": {key: column_label(key) for key in COLUMNS},
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "emissions/inventory_import.html", context, status=status)


@require_POST
@login_required
def attachment_upload(request, pk, year):
    inventory = _own_inventory(request, pk, year)
    if inventory.locked:
        return _refuse_locked(request, inventory)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _year_page(inventory)
    try:
        services.inventory_attach(inventory=inventory, file=form.cleaned_data["file"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The climate report was attached."))
    return _year_page(inventory)


@require_GET
@login_required
def attachment_download(request, pk, year):
    return _attachment_response(_own_inventory(request, pk, year))


# --- Staff ---------------------------------------------------------------------------------


def _member_company(request, pk) -> Company:
    return access.staff_account_company(request, pk)


def _member_inventory(request, pk, year) -> Inventory:
    company = access.staff_account_company(request, pk)
    inventories = _with_lock(Inventory.objects.select_related("company", "verified_by"))
    return get_object_or_404(inventories, company=company, year=year)


@require_GET
@alliance_staff_required
def staff_inventory_list(request, pk):
    company = _member_company(request, pk)
    inventories = list(_with_lock(company.inventories.all()).order_by("-year"))
    baseline = _with_change(inventories)
    context = {
        "alliance": request.alliance,
        "company": company,
        "inventories": inventories,
        "baseline": baseline,
        "staff": True,
    }
    return render(request, "emissions/inventory_list.html", context)


def _staff_year_page(request, inventory, verify_form=None, status=200):
    lines = list(inventory.lines.select_related("factor"))
    context = {
        "alliance": request.alliance,
        "company": inventory.company,
        "inventory": inventory,
        "scopes": _scopes(inventory, lines),
        "line_count": len(lines),
        "verify_form": verify_form or VerifyForm(),
        "staff": True,
        "editable": False,
    }
    return render(request, "emissions/inventory_detail.html", context, status=status)


@require_GET
@alliance_staff_required
def staff_inventory_detail(request, pk, year):
    return _staff_year_page(request, _member_inventory(request, pk, year))


@require_POST
@alliance_staff_required
def inventory_verify(request, pk, year):
    """Record that the year's figures were checked: by whom (the signed-in user), when
    (now) and how (the form)."""
    inventory = _member_inventory(request, pk, year)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _staff_year_page(request, inventory, verify_form=form, status=400)
    services.inventory_verify(
        inventory=inventory,
        by=request.user,
        method=form.cleaned_data["method"],
        alliance=request.alliance,
    )
    messages.success(
        request,
        _("The figures of %(company)s for %(year)s are marked as verified.")
        % {"company": inventory.company.name, "year": inventory.year},
    )
    return redirect("emissions:inventory-detail", request.alliance.slug, pk, year)


@require_GET
@alliance_staff_required
def staff_inventory_export(request, pk, year, fmt):
    return _export_response(_member_inventory(request, pk, year), fmt)


@require_GET
@alliance_staff_required
def staff_attachment_download(request, pk, year):
    return _attachment_response(_member_inventory(request, pk, year))
