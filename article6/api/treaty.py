"""The Convention's clock as JSON, public and read-only: States and their status,
membership counts and deadlines (/api/v1/states, /membership, /deadlines).

Every figure is computed as of a date (`as_of`, default today) by the shared
queries (treaty.queries), the same the pages and the command line use. Every
date is ISO 8601 (YYYY-MM-DD). A bad parameter gets a JSON error naming it:
422 when it is not a valid value, 400 when valid values do not go together,
404 for an unknown State (article6.api.errors). Every list is a page of the
same shape (article6.api.paging). Each operation runs a fixed number of SQL
queries, whatever the number of States.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import Annotated, Literal

from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from article6.api.auth import OPTIONAL, OPTIONAL_SECURITY
from article6.api.errors import BadParameter, NotFound, ParameterErrors
from article6.api.paging import Page, Paging
from article6.api.params import Iso3Filter, IsoDate
from article6.asof import EARLIEST, today
from article6.states.models import Region
from article6.treaty import queries, rules
from article6.treaty.forms import MAX_YEARS

router = Router()

DEFAULT_DEADLINE_MONTHS = 12
PROFILE_DEADLINE_MONTHS = 24


# --- Parameters ----------------------------------------------------------------------------


RegionName = Literal[tuple(Region.values)]  # type: ignore[valid-type]


class ArticleNumber(IntEnum):
    """The articles that set deadlines: 3 (stockpiles), 4 (clearance), 7 (reports)."""

    STOCKPILE_DESTRUCTION = 3
    CLEARANCE = 4
    TRANSPARENCY = 7


AS_OF = "The day the figures are computed for (YYYY-MM-DD); default today."


# --- Response shapes -----------------------------------------------------------------------


class ObligationOut(Schema):
    applies: bool = Field(description="Whether the published facts show the article applies to the State.")
    deadline: dt.date | None = Field(description="The deadline the article sets (Art. 3(2): 8 years, Art. 4(1): 10).")
    extended_deadline: dt.date | None = Field(description="The deadline as extended by decisions taken by as_of.")
    completed: dt.date | None = Field(description="The day completion was declared, if by as_of.")
    status: rules.ObligationStatus = Field(
        description="passed_no_information: the deadline passed and nothing recorded since says what happened; "
        "overdue only where a fact dated after the deadline shows the obligation still open."
    )
    last_fact_date: dt.date | None = Field(description="The latest published fact known on as_of.")


class StateOut(Schema):
    """A State as of a date: the shape of `article6 state ISO3 --json`."""

    iso3: str
    name: str
    region: RegionName
    as_of: dt.date
    status: rules.Status = Field(description="State Party from deposit until a withdrawal takes effect.")
    in_force: bool = Field(description="Whether the Convention is in force for the State on as_of (Art. 17, 20).")
    signature_date: dt.date | None
    deposit_date: dt.date | None
    instrument: str | None = Field(description="Ratification, accession, acceptance or approval.")
    entry_into_force: dt.date | None = Field(description="Art. 17.")
    withdrawal_effective: dt.date | None = Field(description="Art. 20(2).")
    initial_report_due: dt.date | None = Field(description="Art. 7(1): 180 days after entry into force.")
    next_annual_report_due: dt.date | None = Field(description="Art. 7(2): the next 30 April from as_of.")
    article_3: ObligationOut = Field(description="Stockpile destruction.")
    article_4: ObligationOut = Field(description="Clearance of cluster munition remnants.")


class StatePage(Page):
    as_of: dt.date
    items: list[StateOut]


class FactOut(Schema):
    """A published fact about an Art. 3 or Art. 4 obligation, with its source."""

    article: int
    kind: rules.FactKind
    date: dt.date = Field(description="The source's date, the completion, or the decision.")
    new_deadline: dt.date | None
    meeting: str | None = Field(description="The code of the meeting (e.g. 9MSP), if any.")
    meeting_name: str | None
    source: str
    after_as_of: bool = Field(description="Dated after as_of: an extension or completion counts only from its date.")


class DeadlineOut(Schema):
    date: dt.date
    state: str = Field(description="ISO3 code.")
    state_name: str
    article: int = Field(description="3, 4 or 7.")
    kind: rules.DeadlineKind
    covered_year: int | None = Field(description="The calendar year an annual report (Art. 7(2)) covers.")
    meeting: str | None = Field(description="For an extension request, the meeting (code) that considers it.")


class FormerUseOut(Schema):
    """One Art. 4(4) record: a use of cluster munitions, before the Convention bound the
    user, in a State where they became remnants; as ISU recorded it, with its source."""

    state: str = Field(description="ISO3 code of the other State: the user under `by`, the affected State under `in`.")
    state_name: str
    period: str = Field(description="As the source gives it (e.g. 1964–1973); empty when it gives none.")
    source: str = Field(description="What the record rests on: a statement, a transparency report, a Monitor report.")
    source_url: str = Field(description="A link to the source; empty when none was recorded.")
    is_sample: bool = Field(description="Fictional sample data.")


class FormerUseSides(Schema):
    by: list[FormerUseOut] = Field(description="The States recorded as having used cluster munitions in this State.")
    in_: list[FormerUseOut] = Field(
        alias="in", description="The States this State is recorded as having used cluster munitions in."
    )


class StateDetail(StateOut):
    m49_subregion: str
    source: str = Field(description="Where the treaty dates were published.")
    is_sample: bool = Field(description="Fictional sample data.")
    obligation_facts: list[FactOut]
    deadlines_until: dt.date = Field(description="The upcoming deadlines run from as_of to this day (24 months).")
    upcoming_deadlines: list[DeadlineOut] = Field(
        description="Every deadline from as_of to deadlines_until, for a State that had deposited by as_of."
    )
    former_use: FormerUseSides = Field(
        description="Art. 4(4): where cluster munitions were used before the Convention bound their user, "
        "on either side of this State. Each list in the order of the other State's name; empty lists when "
        "nothing is recorded."
    )


class RegionCountOut(Schema):
    states_parties: int
    signatories: int
    in_force: int


class MembershipOut(Schema):
    """The shape of `article6 membership --json`."""

    as_of: dt.date
    states_parties: int
    signatories: int
    in_force: int = Field(description="States for which the Convention is in force on as_of.")
    by_region: dict[str, RegionCountOut] | None = Field(None, description="Only with by=region.")


def _deadline(state, deadline: rules.Deadline) -> dict:
    return {
        "date": deadline.date,
        "state": state.iso3,
        "state_name": state.name,
        "article": deadline.article,
        "kind": deadline.kind,
        "covered_year": deadline.covered_year,
        "meeting": deadline.meeting or None,
    }


# --- Operations ----------------------------------------------------------------------------


@router.get(
    "/states",
    response={200: StatePage, 422: ParameterErrors},
    operation_id="list_states",
    auth=OPTIONAL,
    openapi_extra=OPTIONAL_SECURITY,
    summary="States, filtered and paginated",
    tags=["States"],
)
def list_states(
    request,
    status: Annotated[rules.Status | None, Query(description="Only States of this status on as_of.")] = None,
    region: Annotated[RegionName | None, Query(description="Only States of this region.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Part of the name (case and accents ignored), or the ISO3 code."),
    ] = None,
    as_of: Annotated[IsoDate | None, Query(description=AS_OF)] = None,
    paging: Query[Paging] = None,
):
    """Every State with its status and obligations on `as_of`, in the order of their names."""
    # Three queries: States, their obligation facts, the facts' meetings.
    day = as_of or today()
    found, _counts = queries.search_states(day, status=status, region=region, q=q)
    return {"as_of": day, **paging.page(found, lambda clock: clock.as_json())}


@router.get(
    "/states/{iso3}",
    response={200: StateDetail, 404: NotFound, 422: ParameterErrors},
    by_alias=True,  # former_use.in
    operation_id="get_state",
    auth=OPTIONAL,
    openapi_extra=OPTIONAL_SECURITY,
    summary="One State",
    tags=["States"],
)
def state_detail(
    request,
    iso3: Annotated[str, Path(description="ISO 3166-1 alpha-3 code, any case (FJI, fji).")],
    as_of: Annotated[IsoDate | None, Query(description=AS_OF)] = None,
):
    """A State by ISO3 code (any case) on `as_of`, with the published facts about
    its obligations and its deadlines for the next 24 months."""
    # Five queries at most: the State, its facts, their meetings, the meetings, its Art. 4(4) records.
    day = as_of or today()
    profile = queries.state_profile(iso3, day, months=PROFILE_DEADLINE_MONTHS)
    if profile is None:
        raise HttpError(404, f"No State has the ISO3 code “{iso3[:20]}”.")
    state = profile.state
    facts = [
        {
            "article": f.article,
            "kind": f.kind,
            "date": f.date,
            "new_deadline": f.new_deadline,
            "meeting": f.meeting or None,
            "meeting_name": str(profile.meetings[f.meeting]) if f.meeting in profile.meetings else None,
            "source": f.source,
            "after_as_of": f.date > day,
        }
        for o in profile.clock.obligations
        for f in o.facts
    ]
    return {
        **profile.clock.as_json(),
        "m49_subregion": state.m49_subregion,
        "source": state.source,
        "is_sample": state.is_sample,
        "obligation_facts": facts,
        "deadlines_until": profile.until,
        "upcoming_deadlines": [_deadline(state, d) for d in profile.upcoming],
        "former_use": queries.former_use_of(state).as_json(),
    }


@router.get(
    "/membership",
    response={200: MembershipOut, 422: ParameterErrors},
    exclude_unset=True,
    operation_id="get_membership",
    auth=OPTIONAL,
    openapi_extra=OPTIONAL_SECURITY,
    summary="States Parties, Signatories and in-force counts",
    tags=["Membership"],
)
def membership(
    request,
    as_of: Annotated[IsoDate | None, Query(description=AS_OF)] = None,
    by: Annotated[Literal["region"] | None, Query(description="by=region adds the counts by region.")] = None,
):
    """The Convention's membership on `as_of`, as the Convention's own figures count
    it: a State Party from deposit until its withdrawal takes effect."""
    # One query.
    return queries.membership_json(as_of or today(), by_region=by == "region")


@router.get(
    "/deadlines",
    response={200: list[DeadlineOut], 400: ParameterErrors, 422: ParameterErrors},
    operation_id="list_deadlines",
    auth=OPTIONAL,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Deadlines over a period",
    tags=["Deadlines"],
)
def deadlines(
    request,
    start: Annotated[
        IsoDate | None,
        Query(
            alias="from",
            description="First day (YYYY-MM-DD); default today, or 12 months before `to` when `to` is earlier "
            "(never before 2008-05-30).",
        ),
    ] = None,
    end: Annotated[
        IsoDate | None,
        Query(alias="to", description="Last day (YYYY-MM-DD); default 12 months after from; at most 10 years."),
    ] = None,
    article: Annotated[ArticleNumber | None, Query(description="Only the deadlines of this article.")] = None,
    state: Annotated[Iso3Filter | None, Query(description="Only this State (ISO3 code, any case).")] = None,
):
    """Every deadline from `from` to `to`, both included, in date order: Art. 7
    reports, Art. 3 and Art. 4 deadlines, and the last days to request an
    extension. Obligations are taken as they stand on `from`."""
    # Five queries at most: the State asked for, the meetings, States, facts, their meetings.
    first = start or today()
    if start is None and end is not None and end < first:
        # Only `to` given, and in the past: the 12 months up to it, not a period that ends before it starts.
        first = max(EARLIEST, rules.add_months(end, -DEFAULT_DEADLINE_MONTHS))
    last = end or rules.add_months(first, DEFAULT_DEADLINE_MONTHS)
    if last < first:
        raise BadParameter("to", "The end of the period cannot be before its start.")
    if last > rules.add_years(first, MAX_YEARS):
        raise BadParameter("to", f"Periods of up to {MAX_YEARS} years only.")
    if state and not queries.state_exists(state):
        raise BadParameter("state", f"No State has the ISO3 code “{state}”.")
    found = queries.deadlines(first, last, article=int(article) if article else None, iso3=state)
    return [_deadline(item.state, item.deadline) for item in found]
