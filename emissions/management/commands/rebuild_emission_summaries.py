"""Recompute the rows approval keeps (emissions.summaries) from the approved reports: after
loading data around the services (a restore, a bulk import, the benchmark). Safe to repeat."""

from django.core.management.base import BaseCommand

from emissions import summaries
from emissions.models import ApprovedYearTotal, LatestApproved, PledgeStanding


class Command(BaseCommand):
    help = "Recompute the latest approved totals, the sums per year and the pledge standings."

    def handle(self, *args, **options):
        summaries.rebuild()
        self.stdout.write(
            f"{LatestApproved.objects.count()} latest totals, "
            f"{ApprovedYearTotal.objects.count()} year totals, "
            f"{PledgeStanding.objects.count()} pledge standings"
        )
