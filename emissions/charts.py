"""Charts as server-side SVG, one rendering for the pages and the PDFs.

matplotlib draws on its Agg backend through `Figure` (no pyplot, so no global figure state
and nothing that needs a display). Text stays text (`svg.fonttype: none`) in DejaVu Sans, the
font of the PDFs, so the SVG is small, searchable and readable by pdftotext once embedded.
Numbers on the axes follow the language the chart is drawn in: 1.234,5 in Danish.

Each chart comes with its numbers (`*Chart` dataclasses): pages show them in a table beside
the image and use `summary()` as its text alternative.
"""

import base64
import io
import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

from django.db.models import Exists, OuterRef, Q
from django.utils import formats, translation
from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from . import selectors
from .models import Inventory, Report
from .progress import target_path

RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "klimaalliance",  # the same chart gives the same bytes
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
}
# Okabe–Ito: told apart with every common colour-vision deficiency.
SCOPE_COLOURS = {1: "#0072B2", 2: "#E69F00", 3: "#009E73"}
TOTAL_COLOUR = "#0072B2"
TARGET_COLOUR = "#000000"
BASELINE_COLOUR = "#CC79A7"
SIZE = (7.0, 3.6)  # inches; scales to the column on a page and to A4 in a PDF
CO2E = re.compile(r"co2", re.IGNORECASE)
ZERO = Decimal(0)


def number(value, decimals=0) -> str:
    """A number in the active language's style (Danish: 1.234,5)."""
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


class LocalisedFormatter(Formatter):
    """Axis ticks in the active language, with as many decimals as the tick step needs."""

    decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        steps = [b - a for a, b in itertools.pairwise(locs) if b > a]
        step = min(steps) if steps else 1
        self.decimals = 0 if step >= 1 else min(3, math.ceil(-math.log10(step)))

    def __call__(self, value, pos=None):
        return number(round(value, self.decimals), self.decimals)


# --- Data --------------------------------------------------------------------------------------


@dataclass
class CompanyChart:
    company: str
    years: list[int] = field(default_factory=list)
    scope1: list[Decimal] = field(default_factory=list)
    scope2: list[Decimal] = field(default_factory=list)
    scope3: list[Decimal] = field(default_factory=list)
    totals: list[Decimal] = field(default_factory=list)
    baseline_year: int | None = None
    target: list[tuple[int, Decimal]] = field(default_factory=list)
    target_pledge: str = ""
    target_scopes: list[int] = field(default_factory=list)

    @property
    def rows(self):
        """(year, scope 1, scope 2, scope 3, total, is_baseline) for the data table."""
        return [
            (y, s1, s2, s3, t, y == self.baseline_year)
            for y, s1, s2, s3, t in zip(
                self.years, self.scope1, self.scope2, self.scope3, self.totals, strict=True
            )
        ]

    def summary(self) -> str:
        """The chart in one or two sentences, for the image's text alternative."""
        if not self.years:
            text = _("Emissions of %(company)s: no figures to show yet.") % {
                "company": self.company
            }
        else:
            text = _(
                "Emissions of %(company)s by scope, location-based, %(first)s–%(last)s: "
                "%(first_total)s t CO2e in %(first)s and %(last_total)s t CO2e in %(last)s."
            ) % {
                "company": self.company,
                "first": self.years[0],
                "last": self.years[-1],
                "first_total": number(self.totals[0], 1),
                "last_total": number(self.totals[-1], 1),
            }
        if self.target:
            (start_year, start), (end_year, end) = self.target[0], self.target[-1]
            text += " " + _(
                "Target path: from %(start)s t in %(start_year)s to %(end)s t in %(end_year)s."
            ) % {
                "start": number(start, 1),
                "start_year": start_year,
                "end": number(end, 1),
                "end_year": end_year,
            }
        return text


def co2e_pledge(pledges):
    """The first quantitative pledge counted in tonnes CO2e, or None."""
    for pledge in pledges:
        if (
            not pledge.is_milestone
            and CO2E.search(pledge.metric or "")
            and not pledge.metric.strip().lower().startswith("kg")
            and None not in (pledge.baseline_year, pledge.target_year)
        ):
            return pledge
    return None


def company_chart(company, *, pledges=(), approved_only=False, until_year=None) -> CompanyChart:
    """The company's yearly totals per scope (location-based) and, for its first CO2e
    pledge among `pledges`, the target path. One query, plus the pledges if a queryset.

    `approved_only`: only years whose report staff approved (the public chart). With
    `until_year` (a report's chart): the years up to that one, which is shown with its
    baseline even before approval, so the preview is the report as it will be published.
    """
    inventories = Inventory.objects.filter(company=company).order_by("year")
    if until_year is not None:
        inventories = inventories.filter(year__lte=until_year)
    if approved_only:
        approved = Q(
            Exists(
                Report.objects.filter(
                    company=OuterRef("company"),
                    round__year=OuterRef("year"),
                    status=Report.Status.APPROVED,
                )
            )
        )
        if until_year is not None:
            approved |= Q(year=until_year) | Q(is_baseline=True)
        inventories = inventories.filter(approved)
    chart = CompanyChart(company=company.name)
    for inventory in inventories.only(
        "year", "is_baseline", "scope1_t", "scope2_location_t", "scope3_t", "total_location_t"
    ):
        chart.years.append(inventory.year)
        chart.scope1.append(inventory.scope1_t)
        chart.scope2.append(inventory.scope2_location_t)
        chart.scope3.append(inventory.scope3_t)
        chart.totals.append(inventory.total_location_t)
        if inventory.is_baseline:
            chart.baseline_year = inventory.year
    pledge = co2e_pledge(pledges)
    if pledge is not None:
        chart.target = target_path(pledge, [pledge.baseline_year, pledge.target_year])
        chart.target_pledge = pledge.title
        chart.target_scopes = sorted(pledge.scopes or [1, 2, 3])
    return chart


@dataclass
class AllianceChart:
    alliance: str
    years: list[selectors.YearTotal] = field(default_factory=list)
    baseline_t: Decimal = ZERO
    baseline_year: int | None = None
    target_year: int | None = None
    target_percent: Decimal | None = None

    @property
    def target_t(self) -> Decimal | None:
        if self.target_percent is None or not self.baseline_t:
            return None
        return self.baseline_t * (1 - self.target_percent / 100)

    def summary(self) -> str:
        if not self.years:
            text = _("Emissions of the members of %(alliance)s: no approved figures yet.") % {
                "alliance": self.alliance
            }
        else:
            first, last = self.years[0], self.years[-1]
            text = _(
                "Approved emissions of the members of %(alliance)s, %(first)s–%(last)s: "
                "%(last_total)s t CO2e in %(last)s (%(companies)s companies), against a "
                "baseline of %(baseline)s t CO2e."
            ) % {
                "alliance": self.alliance,
                "first": first.year,
                "last": last.year,
                "last_total": number(last.total_location_t, 1),
                "companies": last.companies,
                "baseline": number(self.baseline_t, 1),
            }
        if self.target_t is not None:
            text += " " + _("Target: %(target)s t CO2e in %(year)s (−%(percent)s %%).") % {
                "target": number(self.target_t, 1),
                "year": self.target_year,
                "percent": number(self.target_percent, 0),
            }
        return text


def alliance_chart(alliance, *, years=None, baseline_t=None) -> AllianceChart:
    """The members' approved totals per year against the sum of their baselines and the
    alliance's next target. Pass `years`/`baseline_t` when the caller has them already."""
    chart = AllianceChart(alliance=alliance.name)
    chart.years = years if years is not None else selectors.year_totals(alliance)
    chart.baseline_t = (
        baseline_t if baseline_t is not None else selectors.headline(alliance).baseline_t
    )
    chart.baseline_year = selectors.first_baseline_year(alliance)
    target = selectors.current_target(alliance)
    if target is not None and chart.baseline_year and target.target_year > chart.baseline_year:
        chart.target_year = target.target_year
        chart.target_percent = target.reduction_percent
    return chart


# --- Drawing -----------------------------------------------------------------------------------


def _figure():
    figure = Figure(figsize=SIZE, layout="constrained")
    axes = figure.add_subplot()
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3))
    axes.yaxis.set_major_formatter(LocalisedFormatter())
    axes.set_ylabel(_("t CO2e"))
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _years_axis(axes, years):
    axes.set_xticks(years, [str(year) for year in years])
    if len(years) > 12:
        axes.tick_params(axis="x", labelrotation=45)


def _headroom(axes, values):
    """From zero to a little above the highest bar or line, so nothing touches the top."""
    top = max(values, default=0)
    axes.set_ylim(0, top * 1.08 if top > 0 else 1)


def _no_data(axes, text):
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes)
    axes.set_yticks([])
    axes.set_xticks([])


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def company_svg(chart: CompanyChart, language: str) -> str:
    """Stacked bars per scope per year and the target path as a line, in `language`."""
    with translation.override(language), matplotlib.rc_context(RC):
        figure, axes = _figure()
        axes.set_title(_("Emissions by scope, location-based"), loc="left")
        if not chart.years:
            _no_data(axes, _("No figures yet"))
            return _svg(figure)
        years = chart.years
        bottom = [0.0] * len(years)
        for scope, values in ((1, chart.scope1), (2, chart.scope2), (3, chart.scope3)):
            heights = [float(v) for v in values]
            axes.bar(
                years,
                heights,
                0.6,
                bottom=bottom,
                color=SCOPE_COLOURS[scope],
                label=_("Scope %(scope)s") % {"scope": scope},
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ticks = list(years)
        if chart.target:
            xs = [year for year, _value in chart.target]
            ys = [float(value) for _year, value in chart.target]
            scopes = "+".join(str(s) for s in chart.target_scopes)
            axes.plot(
                xs,
                ys,
                color=TARGET_COLOUR,
                linestyle="--",
                marker="o",
                markersize=3,
                label=_("Target path (scope %(scopes)s)") % {"scopes": scopes},
            )
            ticks = sorted(set(ticks) | set(xs))
            bottom += ys
        _years_axis(axes, ticks)
        _headroom(axes, bottom)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _svg(figure)


def alliance_svg(chart: AllianceChart, language: str) -> str:
    """The members' approved total per year as bars, their baseline as a line, and the
    straight path from the baseline to the alliance's target."""
    with translation.override(language), matplotlib.rc_context(RC):
        figure, axes = _figure()
        axes.set_title(_("Members' emissions, location-based"), loc="left")
        if not chart.years and not chart.baseline_t:
            _no_data(axes, _("No approved figures yet"))
            return _svg(figure)
        years = [row.year for row in chart.years]
        axes.bar(
            years,
            [float(row.total_location_t) for row in chart.years],
            0.6,
            color=TOTAL_COLOUR,
            label=_("Approved total"),
        )
        ticks = set(years)
        baseline = float(chart.baseline_t)
        if baseline:
            axes.axhline(
                baseline,
                color=BASELINE_COLOUR,
                linewidth=1.2,
                label=_("Sum of the members' baselines"),
            )
        if chart.target_t is not None:
            xs = [chart.baseline_year, chart.target_year]
            axes.plot(
                xs,
                [float(chart.baseline_t), float(chart.target_t)],
                color=TARGET_COLOUR,
                linestyle="--",
                marker="o",
                markersize=3,
                label=_("Path to the target"),
            )
            ticks |= set(xs)
        _years_axis(axes, sorted(ticks))
        _headroom(axes, [float(row.total_location_t) for row in chart.years] + [baseline])
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _svg(figure)


def data_uri(svg: str) -> str:
    """The SVG as a data: URI for <img src> in a PDF (WeasyPrint fetches nothing)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
