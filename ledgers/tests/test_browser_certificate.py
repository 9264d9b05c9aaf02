"""Journey: the enterprise user adds a certificate expiring in 10 days; the enterprise page and the
township's expiring list both show it."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser


def test_certificate_expiring_in_ten_days_reaches_the_township(new_page, live_server_url) -> None:
    expires = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    page = new_page("qiye")
    page.goto(f"{live_server_url}/ledgers/certificates/new/")
    page.fill("#id_person_name", "赵焊工")
    page.fill("#id_id_number", "430381198805052233")
    page.select_option("#id_operation_type", "welding")
    page.fill("#id_certificate_number", "T430381198805052233")
    page.fill("#id_issued_on", "2020-06-01")
    page.fill("#id_expires_on", expires)
    page.click("[data-testid=save]")
    page.wait_for_url("**/ledgers/certificates/*/")
    page.click("text=湘乡钢铁有限公司")
    due = page.locator("[data-testid=due-items]")
    assert "赵焊工" in due.inner_text() and "10天后到期" in due.inner_text()

    township = new_page("dongshan")
    township.goto(f"{live_server_url}/ledgers/expiring/")
    listing = township.locator("[data-testid=expiring-list]").inner_text()
    assert "赵焊工" in listing and "湘乡钢铁有限公司" in listing
