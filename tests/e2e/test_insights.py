from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from insights import rollup
from tests.e2e.helpers import sign_in
from tests.factories import claim_platform
from tests.support.insights import handled_claim
from tests.support.tickets import ensure_problem_types


def test_a_supervisor_reads_the_charts_and_clicks_through_to_the_queue(page: Page, live_server, supervisor):
    ensure_problem_types()  # live-server tests flush the data migration's rows between tests
    platform = claim_platform()
    day = timezone.localdate() - timedelta(days=1)
    for rating in (5, 1, 4):
        handled_claim(platform, day, rating=rating)
    rollup.rollup_recent(days=3)
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )

    sign_in(page, live_server.url, supervisor)
    page.goto(f"{live_server.url}/agent/insights/?days=7&platform={platform.pk}")
    expect(page.get_by_role("heading", name="数据分析")).to_be_visible()
    charts = page.locator("svg.chart-svg")
    expect(charts).to_have_count(7)
    assert charts.first.bounding_box()["width"] > 200  # drawn, styled by the stylesheet
    page.get_by_text("数据表").first.click()
    expect(page.locator("table.report").first).to_contain_text(f"{day:%Y-%m-%d}")
    page.locator("svg.chart-svg").first.locator("a").nth(5).click()
    page.wait_for_url(f"**/agent/queue/?platform={platform.pk}")
    assert violations == []
