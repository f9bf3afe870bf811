"""Supervisor analytics: SVG charts (CSP-clean), data tables, click-through to the queue, CSV, zh and en."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from insights import rollup
from tests.support.insights import handled_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(platform):
    day = timezone.localdate() - timedelta(days=2)
    handled_claim(platform, day, rating=5)
    handled_claim(platform, day, rating=2)
    rollup.rollup_recent(days=3)
    return day


def test_agents_and_customers_get_404(agent, customer, login_as):
    assert login_as(agent).get("/agent/insights/").status_code == 404
    assert login_as(customer).get("/agent/insights/export.csv").status_code == 404


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_page_draws_a_bar_and_a_table_row_per_day(figures, supervisor, login_as, days):
    page = login_as(supervisor).get(f"/agent/insights/?days={days}").content.decode()
    assert page.count('class="chart-svg"') == 7
    first_chart = page.split('class="chart-svg"')[1].split("</svg>")[0]
    assert first_chart.count("<rect") == days
    assert f'<th scope="row">{figures:%Y-%m-%d}</th>' in page
    assert "style=" not in page and "<script>" not in page  # CSP: no inline styles or scripts


def test_each_figure_clicks_through_to_the_filtered_queue(figures, supervisor, platform, login_as):
    page = login_as(supervisor).get(f"/agent/insights/?days=7&platform={platform.pk}").content.decode()
    links = set(re.findall(r'href="(/agent/queue/\?[^"]*)"', page))
    assert f"/agent/queue/?platform={platform.pk}" in links
    assert f"/agent/queue/?platform={platform.pk}&amp;sla=breached" in links
    assert "/agent/callbacks/" in page


def test_the_page_reads_in_english_and_chinese(figures, supervisor, login_as):
    client = login_as(supervisor)
    chinese = client.get("/agent/insights/").content.decode()
    assert "提交的索赔" in chinese and "数据表" in chinese and "Claims filed" not in chinese
    client.cookies["claimdesk_language"] = "en"
    english = client.get("/agent/insights/").content.decode()
    assert "Claims filed" in english and "Data table" in english


def test_the_csv_has_a_row_per_day(figures, supervisor, login_as):
    response = login_as(supervisor).get("/agent/insights/export.csv?days=7")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "day" and len(rows) == 8
    row = next(r for r in rows if r[0] == figures.isoformat())
    assert row[1] == "2" and row[11] == "3.5"


@pytest.mark.parametrize("query", ["days=abc", "days=365", "platform=99999999999999999999999", "team=-1"])
def test_hostile_filters_fall_back_to_defaults(figures, supervisor, login_as, query):
    client = login_as(supervisor)
    assert client.get(f"/agent/insights/?{query}").status_code == 200
    assert client.get(f"/agent/insights/export.csv?{query}").status_code == 200


def test_a_nul_byte_in_a_filter_is_a_clear_400(figures, supervisor, login_as):
    """Refused before any view by the one hostile-input guard (helpdesk.middleware), never a 500."""
    client = login_as(supervisor)
    for url in ("/agent/insights/?problem_type=%00", "/agent/insights/export.csv?problem_type=%00"):
        assert client.get(url).status_code == 400
