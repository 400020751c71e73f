"""Charts as server-side SVG, one rendering for the pages and the PDFs.

The geometry is computed here (a scale from zero to a "nice" top tick, one slot per year,
bars, lines and labels placed in pixels) and drawn by templates/emissions/charts/*.svg.
The SVG is styled with presentation attributes only (fill, stroke, font-size), never a
style attribute or element, so it needs no exemption from the site's Content Security
Policy. Text stays text in DejaVu Sans, the font of the PDFs, so it is small, searchable and
readable by pdftotext once embedded. Numbers on the axes follow the language the chart is
drawn in: 1.234,5 in Danish.

Each chart comes with its numbers (`*Chart` dataclasses): pages show them in a table beside
the image and use `summary()` as its text alternative, which is also the SVG's <desc>.
"""

import base64
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klimaalliance.numbers import format_number

from . import selectors
from .models import Inventory, Report
from .progress import target_path

# Okabe–Ito, told apart with every common colour-vision deficiency; each at least 3:1
# against the white background (WCAG 1.4.11). Stacked bars are parted by a white line.
SCOPE_COLOURS = {1: "#0072B2", 2: "#D55E00", 3: "#009E73"}
TOTAL_COLOUR = "#0072B2"
TARGET_COLOUR = "#000000"
BASELINE_COLOUR = "#AA3377"  # 6:1; Okabe–Ito's reddish purple is 3.1:1
CO2E = re.compile(r"co2", re.IGNORECASE)
ZERO = Decimal(0)


def number(value, decimals=0) -> str:
    """A number in the active language's style (Danish: 1.234,5)."""
    return format_number(value, decimals)


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
        elif len(self.years) == 1:
            text = _(
                "Emissions of %(company)s by scope, location-based: %(total)s t CO2e in %(year)s."
            ) % {"company": self.company, "year": self.years[0], "total": number(self.totals[0], 1)}
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

    def target_text(self) -> str:
        """ " Target: … t CO2e in <year> (−… %)." or nothing, for the text alternative."""
        if self.target_t is None:
            return ""
        return " " + _("Target: %(target)s t CO2e in %(year)s (−%(percent)s %%).") % {
            "target": number(self.target_t, 1),
            "year": self.target_year,
            "percent": number(self.target_percent, 0),
        }

    def summary(self) -> str:
        if not self.years:
            text = _("Emissions of the members of %(alliance)s: no approved figures yet.") % {
                "alliance": self.alliance
            }
        elif len(self.years) == 1:
            text = _(
                "Approved emissions of the members of %(alliance)s: %(total)s t CO2e in "
                "%(year)s (%(companies)s companies), against a baseline of %(baseline)s t CO2e."
            ) % {
                "alliance": self.alliance,
                "year": self.years[0].year,
                "total": number(self.years[0].total_location_t, 1),
                "companies": self.years[0].companies,
                "baseline": number(self.baseline_t, 1),
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
        return text + self.target_text()


def alliance_chart(alliance, *, years=None, baseline_t=None, headline=None) -> AllianceChart:
    """The members' approved totals per year against the sum of their baselines and the
    alliance's next target. Pass `years` and `headline` (or `baseline_t`) when the caller
    has them already."""
    chart = AllianceChart(alliance=alliance.name)
    chart.years = years if years is not None else selectors.year_totals(alliance)
    if baseline_t is None:
        headline = headline or selectors.headline(alliance)
        baseline_t = headline.baseline_t
    chart.baseline_t = baseline_t
    chart.baseline_year = (
        headline.first_baseline_year if headline else selectors.first_baseline_year(alliance)
    )
    target = selectors.current_target(alliance)
    if target is not None and chart.baseline_year and target.target_year > chart.baseline_year:
        chart.target_year = target.target_year
        chart.target_percent = target.reduction_percent
    return chart


@dataclass
class PublicChart(AllianceChart):
    """The public progress chart (emissions.public.Progress): partners that publish their
    figures, approved years only; for the country (no target) or one alliance."""

    def summary(self) -> str:
        if not self.years:
            return _("Emissions of the partners of %(alliance)s: no published figures yet.") % {
                "alliance": self.alliance
            }
        first, last = self.years[0], self.years[-1]
        if first.year == last.year:  # one year: name it once
            text = _(
                "Approved emissions of the partners of %(alliance)s that publish their "
                "figures: %(last_total)s t CO2e in %(last)s (%(companies)s companies), "
                "against a sum of baselines of %(baseline)s t CO2e."
            )
        else:
            text = _(
                "Approved emissions of the partners of %(alliance)s that publish their figures, "
                "%(first)s–%(last)s: %(last_total)s t CO2e in %(last)s (%(companies)s "
                "companies), against a sum of baselines of %(baseline)s t CO2e."
            )
        text %= {
            "alliance": self.alliance,
            "first": first.year,
            "last": last.year,
            "last_total": number(last.total_location_t, 1),
            "companies": last.companies,
            "baseline": number(self.baseline_t, 1),
        }
        return text + self.target_text()


def public_chart(progress, name: str) -> PublicChart:
    """The chart of `progress` (emissions.public.Progress) titled `name`; with the
    alliance's next target when it is an alliance's (no extra query: the caller prefetches
    `targets`)."""
    chart = PublicChart(
        alliance=name,
        years=progress.years,
        baseline_t=progress.baseline_t,
        baseline_year=progress.baseline_year,
    )
    if progress.alliance is not None and chart.baseline_year:
        # The next target, as selectors.current_target, from the prefetched targets.
        targets = sorted(progress.alliance.targets.all(), key=lambda t: t.target_year)
        this_year = timezone.localdate().year
        target = ([t for t in targets if t.target_year >= this_year] or targets or [None])[0]
        if target is not None and target.target_year > chart.baseline_year:
            chart.target_year = target.target_year
            chart.target_percent = target.reduction_percent
    return chart


# --- Drawing -----------------------------------------------------------------------------------

WIDTH, HEIGHT = 700, 360  # the <img> size on the pages; a PDF scales it to its column
FONT_SIZE = 12
# DejaVu Sans and Verdana, its fallback, are wide fonts: 0.64 em per digit. Labels are
# measured with it so that they neither overlap nor leave the picture.
EM_WIDTH = 0.64
LEFT, RIGHT, TOP = 30, 16, 44  # room for the unit (rotated), at the right edge, for the title
ROW = 20  # the height of the line of years and of each line of the legend
TICKS = 6  # at most this many steps up the tonnes axis
STEPS = [Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)]
BAR_SHARE, BAR_MAX = 0.6, 48  # a bar's width: of its year's slot, and at most (px)
SAMPLE = 24  # a legend sample's width (px)
# DejaVu Sans's advance widths (em) of what axis labels are made of, for `placed`: every
# digit is as wide as every other, the separators half that.
ADVANCE_EM = {**dict.fromkeys("0123456789", 1303 / 2048), ".": 651 / 2048, ",": 651 / 2048}


def text_width(text: str, size: int = FONT_SIZE) -> float:
    return len(text) * size * EM_WIDTH


def placed(labels, anchor: str, size: int = FONT_SIZE):
    """`labels`, each anchored at its x ("middle" or "end"), as one Label whose every
    character has its own position: x and y lists for a single <text> drawn from its start,
    as WeasyPrint would place them. For the PDFs: WeasyPrint lays out and draws each letter
    of an SVG text on its own anyway, and each text element, above all an anchored one,
    costs as much again as its letters. None if a character's width is not known."""
    xs, ys = [], []
    for label in labels:
        if any(character not in ADVANCE_EM for character in label.text):
            return None
        advances = [ADVANCE_EM[character] * size for character in label.text]
        x = float(label.x) - sum(advances) / (2 if anchor == "middle" else 1)
        for advance in advances:
            xs.append(coordinate(x))
            ys.append(label.y)
            x += advance
    return Label(" ".join(xs), " ".join(ys), "".join(label.text for label in labels))


def coordinate(value: float) -> str:
    """One decimal and a full stop, whatever the language: "12.5", "300"."""
    return f"{value:.1f}".removesuffix(".0")


def nice_ticks(top) -> tuple[list[Decimal], int]:
    """Ticks from zero to `top` or a little beyond in at most TICKS steps of 1, 2, 2.5 or 5
    times a power of ten, and the decimals their labels need (steps of 0.2: one)."""
    top = Decimal(top) if top and top > 0 else Decimal(1)
    raw = top / TICKS
    power = Decimal(10) ** raw.adjusted()  # 10 ** floor(log10(raw))
    step = next(multiple * power for multiple in STEPS if multiple * power >= raw)
    decimals = max(0, -step.normalize().as_tuple().exponent)
    return [step * i for i in range(math.ceil(top / step) + 1)], decimals


@dataclass(frozen=True, slots=True)
class Label:
    x: str
    y: str
    text: str


@dataclass(frozen=True, slots=True)
class Bars:
    """The bars of one colour (a scope, the total) as one path: `d` holds a closed
    rectangle per bar. One element per series, not per bar, keeps the template fast."""

    fill: str
    d: str


@dataclass(frozen=True, slots=True)
class Line:
    """From (x1, y) to (x2, y): a grid line, or the baseline across the plot."""

    x1: str
    x2: str
    y: str


@dataclass(frozen=True, slots=True)
class Path:
    """A dashed line through points, each with a dot: a target path."""

    points: list[tuple[str, str]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass(frozen=True, slots=True)
class Key:
    """A legend entry: a sample (kind "bar", "line" or "path") in `colour`, then the label."""

    kind: str
    colour: str
    label: str
    x: str
    x_middle: str
    x_end: str
    y: str
    box_x: str
    box_y: str
    text_x: str
    text_y: str


class Frame:
    """Where things go on the picture: one slot per year across, from the first year shown
    to the last; tonnes up from zero to the top tick. Lays out the axes and the legend for
    the templates; `bars()`, `line()` and `path()` place the marks."""

    def __init__(self, *, years, highest, keys, keep=()):
        values, decimals = nice_ticks(Decimal(highest) * Decimal("1.05"))  # room at the top
        labels = [number(value, decimals) for value in values]
        self.left = LEFT + max(text_width(label) for label in labels) + 8
        self.right = WIDTH - RIGHT
        self.keys, legend_rows = self._legend(keys)
        self.bottom = HEIGHT - 8 - ROW * (1 + legend_rows)
        self.top_value = float(values[-1])
        years = sorted(set(years))
        self.first = years[0] if years else 0
        self.slot = (self.right - self.left) / (years[-1] - self.first + 1 if years else 1)
        self.bar_width = min(self.slot * BAR_SHARE, BAR_MAX)

        self.x_left, self.x_right = coordinate(self.left), coordinate(self.right)
        self.axis_y = coordinate(self.bottom)
        self.unit = _("t CO2e")
        self.unit_x, self.unit_y = str(LEFT - 14), coordinate((TOP + self.bottom) / 2)
        self.grid = [self.line(value) for value in values[1:]]
        tick_x = coordinate(self.left - 6)
        self.y_ticks = [
            Label(tick_x, coordinate(self.y(value) + FONT_SIZE * 0.35), label)
            for value, label in zip(values, labels, strict=True)
        ]
        self.x_ticks = self._year_labels(years, keep)
        self.y_anchor, self.x_anchor = "end", "middle"

    def place_ticks(self) -> None:
        """For a PDF: the numbers on each axis as one text element (`placed`); left as
        they are if a character's width is not known."""
        if self.x_anchor == "start":  # placed already
            return
        y_ticks, x_ticks = placed(self.y_ticks, "end"), placed(self.x_ticks, "middle")
        if y_ticks and x_ticks:
            self.y_ticks, self.x_ticks = [y_ticks], [x_ticks]
            self.y_anchor = self.x_anchor = "start"

    def x(self, year) -> float:
        """The middle of the year's slot."""
        return self.left + (year - self.first + 0.5) * self.slot

    def y(self, value) -> float:
        return self.bottom - max(float(value), 0) / self.top_value * (self.bottom - TOP)

    def bars(self, fill, spans) -> Bars:
        """A bar from `low` to `high` tonnes in the slot of each (year, low, high)."""
        width, rectangles = coordinate(self.bar_width), []
        for year, low, high in spans:
            y_low, y_high = self.y(low), self.y(high)
            rectangles.append(
                f"M{coordinate(self.x(year) - self.bar_width / 2)},{coordinate(y_high)}"
                f"h{width}v{coordinate(y_low - y_high)}h-{width}z"
            )
        return Bars(fill, " ".join(rectangles))

    def line(self, value) -> Line:
        return Line(self.x_left, self.x_right, coordinate(self.y(value)))

    def path(self, points) -> Path:
        return Path(
            [(coordinate(self.x(year)), coordinate(self.y(value))) for year, value in points]
        )

    def _year_labels(self, years, keep) -> list[Label]:
        """Every year if they fit; else those in `keep` (first, last, target) and as many
        of the others as fit between them."""
        room = text_width("2030") + 6
        shown = []
        for year in [year for year in keep if year in years] + years:
            if all(abs(self.x(year) - self.x(other)) >= room for other in shown):
                shown.append(year)
        y = coordinate(self.bottom + ROW - 4)
        return [Label(coordinate(self.x(year)), y, str(year)) for year in sorted(shown)]

    def _legend(self, keys) -> tuple[list[Key], int]:
        """Samples and labels in a row under the years, wrapping when the row is full; and
        the number of rows."""
        placed, x, row = [], self.left, 0
        for kind, colour, label in keys:
            width = SAMPLE + 6 + text_width(label)
            if x + width > self.right and x > self.left:
                x, row = self.left, row + 1
            placed.append((kind, colour, label, x, row))
            x += width + 20
        rows = row + 1 if keys else 0
        first_row = HEIGHT - 8 - ROW * rows
        entries = []
        for kind, colour, label, x, row in placed:
            y = first_row + ROW * row + ROW / 2
            entries.append(
                Key(
                    kind,
                    colour,
                    label,
                    x=coordinate(x),
                    x_middle=coordinate(x + SAMPLE / 2),
                    x_end=coordinate(x + SAMPLE),
                    y=coordinate(y),
                    box_x=coordinate(x + SAMPLE / 2 - 6),
                    box_y=coordinate(y - 6),
                    text_x=coordinate(x + SAMPLE + 6),
                    text_y=coordinate(y + FONT_SIZE * 0.35),
                )
            )
        return entries, rows


def _render(template, chart, language, title, **context) -> str:
    """The chart's template, with its title and summary in `language` (active already)."""
    return render_to_string(
        template,
        {
            "language": language,
            "title": title,
            "summary": chart.summary(),
            "width": WIDTH,
            "height": HEIGHT,
            "centre_x": coordinate(WIDTH / 2),
            "centre_y": coordinate(HEIGHT / 2),
            "target_colour": TARGET_COLOUR,
            "baseline_colour": BASELINE_COLOUR,
            **context,
        },
    )


def company_svg(chart: CompanyChart, language: str, *, for_pdf: bool = False) -> str:
    """Stacked bars per scope per year and the target path as a dashed line, in `language`;
    `for_pdf`: drawn the same, with fewer text elements (`Frame.place_ticks`)."""
    template = "emissions/charts/company.svg"
    with translation.override(language):
        title = _("Emissions by scope, location-based")
        if not chart.years:
            return _render(template, chart, language, title, empty=_("No figures yet"))
        keys = [
            ("bar", colour, _("Scope %(scope)s") % {"scope": scope})
            for scope, colour in SCOPE_COLOURS.items()
        ]
        if chart.target:
            scopes_text = "+".join(str(scope) for scope in chart.target_scopes)
            label = _("Target path (scope %(scopes)s)") % {"scopes": scopes_text}
            keys.append(("path", TARGET_COLOUR, label))
        stacks = [
            [max(value, ZERO) for value in values]
            for values in zip(chart.scope1, chart.scope2, chart.scope3, strict=True)
        ]
        target_years = [year for year, _value in chart.target]
        frame = Frame(
            years=chart.years + target_years,
            highest=max([sum(stack) for stack in stacks] + [v for _year, v in chart.target]),
            keys=keys,
            keep=[chart.years[0], chart.years[-1], *target_years],
        )
        if for_pdf:
            frame.place_ticks()
        spans = {scope: [] for scope in SCOPE_COLOURS}
        for year, stack in zip(chart.years, stacks, strict=True):
            low = ZERO
            for scope, value in enumerate(stack, start=1):
                if value:
                    spans[scope].append((year, low, low + value))
                low += value
        bars = [frame.bars(SCOPE_COLOURS[scope], spans[scope]) for scope in spans if spans[scope]]
        target = frame.path(chart.target) if chart.target else None
        return _render(template, chart, language, title, frame=frame, bars=bars, target=target)


def alliance_svg(chart: AllianceChart, language: str, *, for_pdf: bool = False) -> str:
    """The members' approved total per year as bars, their baseline as a line, and the
    straight path from the baseline to the alliance's target, in `language`; `for_pdf` as
    in `company_svg`."""
    template = "emissions/charts/alliance.svg"
    with translation.override(language):
        public = isinstance(chart, PublicChart)
        title = (
            _("Emissions of the partners that publish their figures")
            if public
            else _("Members' emissions, location-based")
        )
        if not chart.years and not chart.baseline_t:
            return _render(template, chart, language, title, empty=_("No approved figures yet"))
        keys = [("bar", TOTAL_COLOUR, _("Approved total"))] if chart.years else []
        if chart.baseline_t:
            baseline_label = (
                _("Sum of their baselines") if public else _("Sum of the members' baselines")
            )
            keys.append(("line", BASELINE_COLOUR, baseline_label))
        target = []
        if chart.target_t is not None:
            target = [(chart.baseline_year, chart.baseline_t), (chart.target_year, chart.target_t)]
            keys.append(("path", TARGET_COLOUR, _("Path to the target")))
        years = [row.year for row in chart.years]
        spans = [(row.year, ZERO, row.total_location_t) for row in chart.years]
        target_years = [year for year, _value in target]
        frame = Frame(
            years=years + target_years,
            highest=max([row.total_location_t for row in chart.years] + [chart.baseline_t]),
            keys=keys,
            keep=years[:1] + years[-1:] + target_years,
        )
        if for_pdf:
            frame.place_ticks()
        return _render(
            template,
            chart,
            language,
            title,
            frame=frame,
            bars=[frame.bars(TOTAL_COLOUR, spans)] if spans else [],
            baseline=frame.line(chart.baseline_t) if chart.baseline_t else None,
            target=frame.path(target) if target else None,
        )


def data_uri(svg: str) -> str:
    """The SVG as a data: URI for <img src> in a PDF (WeasyPrint fetches nothing)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
