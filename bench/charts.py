"""How fast is one chart?  Run: `.venv/bin/python bench/charts.py`.

In-process, no database: a company chart (ten years of scopes 1-3 and a target path) and an
alliance chart (ten years of approved totals, the baseline and a target) are built from
their data classes and rendered to SVG in Danish, 200 times each after a few warm-ups; the
median is printed (target: 5 ms or less each), with the cost of importing the chart module
and the size of each SVG.
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARMUPS, RUNS = 5, 200
LANGUAGE = "da"
YEARS = range(2015, 2025)


def median_ms(function):
    for _ in range(WARMUPS):
        function()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def company_chart(charts):
    chart = charts.CompanyChart(company="Alfa A/S", baseline_year=YEARS[0], target_scopes=[1, 2])
    for i, year in enumerate(YEARS):
        s1, s2, s3 = Decimal(1250 - 40 * i), Decimal(420 - 15 * i), Decimal(180 + i)
        chart.years.append(year)
        chart.scope1.append(s1)
        chart.scope2.append(s2)
        chart.scope3.append(s3)
        chart.totals.append(s1 + s2 + s3)
    chart.target = [(YEARS[0], chart.totals[0]), (2030, chart.totals[0] / 2)]
    return chart


def alliance_chart(charts, selectors):
    rows = [
        selectors.YearTotal(year, 40 + i, *(Decimal(v) for v in (9e3, 3e3, 2.5e3, 4e3)),
                            Decimal(16_000 - 600 * i), Decimal(15_500 - 600 * i))
        for i, year in enumerate(YEARS)
    ]  # fmt: skip
    return charts.AllianceChart(
        alliance="Aalborg Klimaalliance",
        years=rows,
        baseline_t=Decimal(16_500),
        baseline_year=YEARS[0],
        target_year=2030,
        target_percent=Decimal(70),
    )


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klimaalliance.settings.test")
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation

    from emissions import selectors

    start = time.perf_counter()
    from emissions import charts

    import_ms = (time.perf_counter() - start) * 1000

    with translation.override(LANGUAGE):
        company_ms = median_ms(lambda: charts.company_svg(company_chart(charts), LANGUAGE))
        alliance_ms = median_ms(
            lambda: charts.alliance_svg(alliance_chart(charts, selectors), LANGUAGE)
        )
        company_bytes = len(charts.company_svg(company_chart(charts), LANGUAGE).encode())
        alliance_bytes = len(
            charts.alliance_svg(alliance_chart(charts, selectors), LANGUAGE).encode()
        )
    print(f"import emissions.charts: {import_ms:.0f} ms")
    print(f"company chart, median of {RUNS}: {company_ms:.2f} ms ({company_bytes} bytes)")
    print(f"alliance chart, median of {RUNS}: {alliance_ms:.2f} ms ({alliance_bytes} bytes)")


if __name__ == "__main__":
    main()
