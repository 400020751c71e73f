"""What waits for one person now ("My tasks"), across every alliance and company they act
for: each task links to the place of action and leaves the list once it is done.

Every kind of task is one query, whatever the number of tasks, so the list costs
`len(SOURCES) + 1` queries (the papers need a second one); `task_count` costs one
query in all (a UNION of the same conditions, compiled once per process), for the count in
the navigation.

Who sees what:

* a representative who may sign: agreements sent for signature, commitment papers open for
  signature in their groups (not yet signed by that company), membership invitations to
  answer;
* every representative: reports to submit in open rounds (not submitted, or sent back);
* staff who may countersign: agreements the company has signed;
* every staff member: submitted reports to review, stories to approve, follow-ups due.
"""

import functools
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Dialogue, Membership, Story
from emissions.models import Report, ReportingRound
from klimaalliance.links import RowLinks
from network.models import CommitmentPaper, CommitmentSignature, GroupMember
from partnerships.models import Agreement


@dataclass(frozen=True)
class Task:
    kind: str
    action: str  # what to do, e.g. "Sign"
    title: str  # what it is about
    where: str  # the alliance (and company) it belongs to
    url: str
    due: date | None = None
    overdue: bool = False


# --- The conditions, one per kind (shared by the list and the count) -----------------------


def _to_sign(user):
    return Agreement.objects.filter(
        status=Agreement.Status.SENT,
        company__representatives__user=user,
        company__representatives__may_sign=True,
    )


def _to_countersign(user):
    return Agreement.objects.filter(
        status=Agreement.Status.SIGNED,
        alliance__staff_roles__user=user,
        alliance__staff_roles__may_countersign=True,
    )


def _reports_to_submit(user):
    return Report.objects.filter(
        round__status=ReportingRound.Status.OPEN,
        status__in=(Report.Status.DRAFT, Report.Status.RETURNED),
        company__representatives__user=user,
    )


def _reports_to_review(user):
    return Report.objects.filter(
        status=Report.Status.SUBMITTED, round__alliance__staff_roles__user=user
    )


def _papers_to_sign(user):
    """(group membership, paper) pairs: one row per paper and company the user signs for."""
    return (
        GroupMember.objects.filter(
            left_on__isnull=True,
            company__representatives__user=user,
            company__representatives__may_sign=True,
            group__papers__status=CommitmentPaper.Status.OPEN,
        )
        .annotate(paper_id=F("group__papers__id"))
        .filter(
            ~Exists(
                CommitmentSignature.objects.filter(
                    paper_id=OuterRef("paper_id"), company_id=OuterRef("company_id")
                )
            )
        )
    )


def _stories_to_approve(user):
    return Story.objects.filter(status=Story.Status.SUBMITTED, alliance__staff_roles__user=user)


def _follow_ups_due(user, today):
    return Dialogue.objects.filter(
        follow_up_on__lte=today, follow_up_done=False, alliance__staff_roles__user=user
    )


def _invitations_to_answer(user):
    return Membership.objects.filter(
        status=Membership.Status.INVITED,
        access_granted_at__isnull=True,
        company__representatives__user=user,
        company__representatives__may_sign=True,
    )


def task_count(user, *, staff=True, representative=True) -> int:
    """How many tasks wait for `user`: one query. `staff=False` or `representative=False`
    leaves out the kinds of a role the user does not have (the menu's count is on every
    page)."""
    if not user.is_authenticated or not (staff or representative):
        return 0
    sql, params = _count_statement(staff, representative)
    day = timezone.localdate()
    values = [
        user.pk if _is_mark(value, _USER_MARK) else day if _is_mark(value, _DAY_MARK) else value
        for value in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone()[0]


# The count's SQL differs between people and days only in two parameters: it is built and
# compiled once per process for stand-ins, and run with the real ones. Building and compiling
# the UNION of up to 8 querysets was most of the menu's cost on every page.
_USER_MARK = -7_654_321  # no user has this id
_DAY_MARK = date(1901, 2, 3)


def _is_mark(value, mark) -> bool:
    # Exact type: True == 1 must not pass for a user id (filters on `may_sign=True`).
    return type(value) is type(mark) and value == mark


@functools.cache
def _count_statement(staff: bool, representative: bool) -> tuple[str, tuple]:
    parts = []
    if representative:
        parts += [
            _to_sign(_USER_MARK),
            _reports_to_submit(_USER_MARK),
            _papers_to_sign(_USER_MARK),
            _invitations_to_answer(_USER_MARK),
        ]
    if staff:
        parts += [
            _to_countersign(_USER_MARK),
            _reports_to_review(_USER_MARK),
            _stories_to_approve(_USER_MARK),
            _follow_ups_due(_USER_MARK, _DAY_MARK),
        ]
    first, *rest = [part.order_by().values_list("pk") for part in parts]
    union = first.union(*rest, all=True) if rest else first
    sql, params = union.query.get_compiler(connection=connection).as_sql()
    return f"SELECT COUNT(*) FROM ({sql}) AS tasks", tuple(params)  # noqa: S608 (the ORM's SQL)


# --- The list ---------------------------------------------------------------------------------

# The columns a task shows (names for `Company.name`, the alliance's name and address):
# whole rows of companies and alliances made fetching the list cost more than showing it.
_NAMES = ("company__legal_name", "company__display_name", "alliance__name", "alliance__slug")
_REPORT_NAMES = (
    "company__legal_name",
    "company__display_name",
    "round__year",
    "round__deadline",
    "round__alliance__name",
    "round__alliance__slug",
)


def tasks_for(user, *, language: str = "da") -> list[Task]:
    """Every task waiting for `user`, the most urgent first (a fixed number of queries)."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    link = RowLinks()  # each kind of address reversed once, not once per task
    tasks: list[Task] = []

    for agreement in (
        _to_sign(user).select_related("company", "alliance").only("version", *_NAMES).order_by("pk")
    ):
        tasks.append(
            Task(
                "agreement-sign",
                _("Sign the agreement"),
                str(_("Climate partnership agreement, version %(version)s"))
                % {"version": agreement.version},
                f"{agreement.alliance.name} · {agreement.company.name}",
                link("my-agreements:agreement-sign", agreement.pk),
            )
        )
    for agreement in (
        _to_countersign(user)
        .select_related("company", "alliance")
        .only("pk", *_NAMES)
        .order_by("pk")
    ):
        tasks.append(
            Task(
                "agreement-countersign",
                _("Countersign the agreement"),
                str(_("Climate partnership agreement with %(company)s"))
                % {"company": agreement.company.name},
                agreement.alliance.name,
                link("partnerships:agreement-countersign", agreement.alliance.slug, agreement.pk),
            )
        )
    for report in (
        _reports_to_submit(user)
        .select_related("round__alliance", "company")
        .only("status", "extended_deadline", *_REPORT_NAMES)
        .order_by("round__deadline", "pk")
    ):
        returned = report.status == Report.Status.RETURNED
        tasks.append(
            Task(
                "report-submit",
                _("Change and submit the report") if returned else _("Submit the report"),
                str(_("Progress report %(year)s")) % {"year": report.round.year},
                f"{report.round.alliance.name} · {report.company.name}",
                link("my-emissions:report-edit", report.pk),
                due=report.deadline,
                overdue=report.deadline < today,
            )
        )
    for report in (
        _reports_to_review(user)
        .select_related("round__alliance", "company")
        .only("pk", *_REPORT_NAMES)
        .order_by("submitted_at", "pk")
    ):
        tasks.append(
            Task(
                "report-review",
                _("Review the report"),
                str(_("Progress report %(year)s from %(company)s"))
                % {"year": report.round.year, "company": report.company.name},
                report.round.alliance.name,
                link("emissions:report-review", report.round.alliance.slug, report.pk),
            )
        )
    pairs = list(
        _papers_to_sign(user).select_related("company").order_by("paper_id", "company__legal_name")
    )
    papers = CommitmentPaper.objects.select_related("group__alliance").in_bulk(
        {pair.paper_id for pair in pairs}
    )
    for pair in pairs:
        paper = papers[pair.paper_id]
        title, _text = paper.in_language(language)
        tasks.append(
            Task(
                "paper-sign",
                _("Sign the commitment paper"),
                title,
                f"{paper.group.name} · {pair.company.name}",
                link("my-groups:paper-sign", paper.pk),
            )
        )
    for story in (
        _stories_to_approve(user)
        .select_related("alliance", "company")
        .only("title", *_NAMES)
        .order_by("created_at", "pk")
    ):
        tasks.append(
            Task(
                "story-approve",
                _("Approve or refuse the story"),
                story.title,
                f"{story.alliance.name} · {story.company.name}",
                link("companies:story-review", story.alliance.slug, story.pk),
            )
        )
    for dialogue in (
        _follow_ups_due(user, today)
        .select_related("alliance", "company")
        .only("summary", "follow_up_on", *_NAMES)
        .order_by("follow_up_on", "pk")
    ):
        tasks.append(
            Task(
                "follow-up",
                _("Follow up"),
                dialogue.summary[:80],
                f"{dialogue.alliance.name} · {dialogue.company.name}",
                link("companies:company-detail", dialogue.alliance.slug, dialogue.company_id)
                + "#dialogue-heading",
                due=dialogue.follow_up_on,
                overdue=dialogue.follow_up_on < today,
            )
        )
    for membership in (
        _invitations_to_answer(user)
        .select_related("alliance", "company")
        .only("pk", *_NAMES)
        .order_by("pk")
    ):
        tasks.append(
            Task(
                "membership-answer",
                _("Answer the membership invitation"),
                str(_("Invitation from %(alliance)s")) % {"alliance": membership.alliance.name},
                membership.company.name,
                link("my:company-detail", membership.company_id),
            )
        )
    return tasks
