"""The checker's three reads, as plain SQL on indexed columns.

Why not the ORM here: a check is a hot, public path with a 10 ms budget, and compiling a queryset with a
hundred ``IN`` parameters and owner subqueries costs ~3 ms of Python per request, more than PostgreSQL
needs to answer it. The statements are portable (``IN``, scalar subqueries), so SQLite runs them too.
The owner platform is read by primary-key subqueries, not a join: with a join PostgreSQL hashes the whole
platform table for a handful of matched rows, a sequential scan that grows with the directory.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection

from contacts.models import (
    PUBLISHED_STATES,
    ContactChannel,
    OfficialDomain,
    Platform,
    PlatformStatus,
    ReportedValue,
    ScamReport,
)


class ChannelRow(NamedTuple):
    """A channel (neither draft nor pending), its platform, and the channel that replaced it, if any."""

    id: int
    kind: str
    value: str
    canonical_value: str
    state: str
    inbound_only: bool
    platform_slug: str
    platform_name: str
    platform_status: str
    replacement_id: int | None
    replacement_kind: str | None
    replacement_value: str | None
    replacement_canonical_value: str | None
    replacement_state: str | None


class DomainRow(NamedTuple):
    """An approved official domain and its platform."""

    id: int
    domain: str
    registrable_domain: str
    include_subdomains: bool
    brand: str
    platform_slug: str
    platform_name: str
    platform_status: str


class ReportRow(NamedTuple):
    """A reported value, the platform it pretends to be, and its reports: within the window (distinct
    reporters, first, latest) and ever. Dates as the driver gives them (``datetime`` on PostgreSQL, text
    on SQLite)."""

    id: int
    canonical_value: str
    status: str
    merged_into_id: int | None
    platform_slug: str | None
    platform_name: str | None
    platform_status: str | None
    recent_reporters: int
    recent_first: Any
    recent_last: Any
    reporters_ever: int
    first_reported_at: Any
    last_reported_at: Any


# Only table names, column names and "%s" placeholders are formatted into these statements (hence the
# S608 exemptions); every value travels as a parameter.
def _in(column: str, values: Collection[Any]) -> tuple[str, list[Any]]:
    """``column IN (…)``. On PostgreSQL ``= ANY(%s)`` with one array: the statement text stays the same
    whatever the number of values, so psycopg parses it once (parsing 500 placeholders costs ~3 ms)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values)) or 'NULL'})", list(values)


def _owner(alias: str) -> str:
    platform = Platform._meta.db_table
    return ", ".join(
        f"(SELECT p.{column} FROM {platform} p WHERE p.id = {alias}.platform_id)"  # noqa: S608
        for column in ("slug", "name", "status")
    )


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def channel_rows(keys: Collection[str]) -> list[ChannelRow]:
    """Every channel, except drafts and pending ones, whose canonical value is in ``keys``."""
    table = ContactChannel._meta.db_table
    where, params = _in("c.canonical_value", keys)
    sql = (
        f"SELECT c.id, c.kind, c.value, c.canonical_value, c.state, c.inbound_only, {_owner('c')}, "  # noqa: S608
        f"r.id, r.kind, r.value, r.canonical_value, r.state "
        f"FROM {table} c LEFT JOIN {table} r ON r.id = c.replacement_id "
        f"WHERE {where} AND c.state NOT IN ('draft', 'pending')"
    )
    return [ChannelRow(*row) for row in sorted(_fetch(sql, params))]


def domain_rows(registrables: Collection[str], brands: Collection[str]) -> list[DomainRow]:
    """Official domains by registrable domain or brand skeleton. Only approved domains: every row is one
    (migration 0008); the filter says so here too."""
    table = OfficialDomain._meta.db_table
    by_registrable, registrable_params = _in("d.registrable_domain", registrables)
    by_brand, brand_params = _in("d.brand", brands)
    sql = (
        f"SELECT d.id, d.domain, d.registrable_domain, d.include_subdomains, d.brand, {_owner('d')} "  # noqa: S608
        f"FROM {table} d WHERE ({by_registrable} OR {by_brand}) AND d.approved_proposal_id IS NOT NULL"
    )
    return [DomainRow(*row) for row in sorted(_fetch(sql, [*registrable_params, *brand_params]))]


def report_rows(*, keys: Collection[str] = (), ids: Collection[int] = (), since: datetime) -> list[ReportRow]:
    """The reported values (neither dismissed nor disputed) with these canonical values or ids; "within
    the window" means since ``since``."""
    values, reports = ReportedValue._meta.db_table, ScamReport._meta.db_table
    where, params = _in("v.canonical_value", keys) if keys else _in("v.id", ids)
    recent = f"FROM {reports} s WHERE s.target_id = v.id AND s.created_at >= %s"
    sql = (
        f"SELECT v.id, v.canonical_value, v.status, v.merged_into_id, {_owner('v')}, "  # noqa: S608
        f"(SELECT COUNT(DISTINCT s.reporter_hash) {recent}), "
        f"(SELECT MIN(s.created_at) {recent}), (SELECT MAX(s.created_at) {recent}), "
        f"(SELECT COUNT(DISTINCT s.reporter_hash) FROM {reports} s WHERE s.target_id = v.id), "
        f"v.first_reported_at, v.last_reported_at "
        f"FROM {values} v WHERE {where} AND v.status NOT IN ('dismissed', 'disputed')"
    )
    return [ReportRow(*row) for row in _fetch(sql, [since, since, since, *params])]


def published_channels_starting(prefixes: Collection[str]) -> list[str]:
    """Canonical values of published channels of active platforms that start with one of ``prefixes``
    (a number's extensions ``+86…;ext=``, the addresses on a host ``https://host``). Not on the hot path:
    only asked when a report would otherwise brand a value fake."""
    if not prefixes:
        return []
    table, platform = ContactChannel._meta.db_table, Platform._meta.db_table
    likes = " OR ".join(["c.canonical_value LIKE %s ESCAPE '!'"] * len(prefixes))
    escaped = [p.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%" for p in prefixes]
    sql = (
        f"SELECT c.canonical_value FROM {table} c WHERE ({likes}) "  # noqa: S608
        f"AND c.state IN ({', '.join(['%s'] * len(PUBLISHED_STATES))}) "
        f"AND (SELECT p.status FROM {platform} p WHERE p.id = c.platform_id) = %s"
    )
    states = [state.value for state in PUBLISHED_STATES]
    return [row[0] for row in _fetch(sql, [*escaped, *states, PlatformStatus.ACTIVE.value])]
