from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from django.urls import reverse

from workdays import services
from workdays.choices import YearStatus
from workdays.models import CalendarDay, CalendarYear


def xlsx(rows: list[list[object]]) -> io.BytesIO:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    book.close()
    buf.seek(0)
    buf.name = "calendar.xlsx"
    return buf


def test_business_user_reads_calendar_but_cannot_edit(client, world) -> None:  # noqa: ANN001
    client.force_login(world.users["township_a"])
    response = client.get(reverse("workdays:years"))
    assert response.status_code == 200
    response = client.get(reverse("workdays:year", args=[2024]))
    assert response.status_code == 200 and "春节" in response.content.decode()
    assert client.get(reverse("workdays:year_edit", args=[2027])).status_code == 403
    assert client.post(reverse("workdays:year_import", args=[2027])).status_code == 403


def test_year_page_says_when_there_is_no_official_schedule(client, world) -> None:  # noqa: ANN001
    client.force_login(world.users["office"])
    response = client.get(reverse("workdays:year", args=[2031]))
    assert "2031年尚无国务院节假日安排，按周末计算" in response.content.decode()


def test_sysadmin_enters_a_year_by_form(client, world) -> None:  # noqa: ANN001
    client.force_login(world.users["sysadmin"])
    response = client.post(reverse("workdays:year_edit", args=[2027]), {
        "source": "国办发明电〔2026〕7号",
        "holidays": "2027-01-01 元旦\n2027-02-06 至 2027-02-13 春节\n10月1日 至 10月7日 国庆节",
        "workdays": "2027-02-14 春节调休上班\n2027-09-26 国庆节调休上班"})
    assert response.status_code == 302
    row = CalendarYear.objects.get(year=2027)
    assert row.status == YearStatus.OFFICIAL and row.source == "国办发明电〔2026〕7号"
    assert CalendarDay.objects.filter(date__year=2027, is_workday=False).count() == 1 + 8 + 7
    assert not services.is_workday(dt.date(2027, 2, 8))
    assert services.is_workday(dt.date(2027, 2, 14))
    assert services.add_workdays(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 14)
    # The edit form shows it back as ranges.
    response = client.get(reverse("workdays:year_edit", args=[2027]))
    assert "2027-02-06 至 2027-02-13 春节" in response.content.decode()


def test_form_errors_name_the_line_and_write_nothing(client, world) -> None:  # noqa: ANN001
    client.force_login(world.users["sysadmin"])
    response = client.post(reverse("workdays:year_edit", args=[2027]), {
        "holidays": "2027-02-06 至 2027-02-13 春节\n2027-13-01 元旦", "workdays": "2027-02-15 调休"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "放假安排第 2 行" in body and "调休上班第 1 行" in body and "无需调休上班" in body
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_xlsx_import_all_or_nothing(client, world) -> None:  # noqa: ANN001
    client.force_login(world.users["sysadmin"])
    bad = xlsx([["日期", "是否工作日", "名称"], ["2027-02-08", "否", "春节"], ["2027-02-09", "也许", "春节"],
                ["2028-01-01", "否", "元旦"], ["2027-02-10", "是", "春节"]])
    response = client.post(reverse("workdays:year_import", args=[2027]), {"file": bad})
    assert response.status_code == 200
    errors = response.context["errors"]
    assert any(e.startswith("第 3 行") for e in errors)
    assert any(e.startswith("第 4 行") and "2028年1月1日 不在 2027 年内" in e for e in errors)
    assert any(e.startswith("第 5 行") and "本来就是工作日" in e for e in errors)
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    good = xlsx([["日期", "是否工作日", "名称"], ["2027-02-08", "放假", "春节"], ["2027-02-09", "否", "春节"],
                 ["2027-02-14", "上班", "调休上班"]])
    response = client.post(reverse("workdays:year_import", args=[2027]), {"file": good, "source": "测试"})
    assert response.status_code == 302
    assert not services.is_workday(dt.date(2027, 2, 8))
    assert services.is_workday(dt.date(2027, 2, 14))
    assert services.year_has_official_data(2027)


def test_template_download(client, world) -> None:  # noqa: ANN001
    client.force_login(world.users["sysadmin"])
    response = client.get(reverse("workdays:year_template", args=[2027]))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_sysadmin_marks_year_fallback(client, world) -> None:  # noqa: ANN001
    services.year_set_schedule(actor=None, year=2027, days=[services.DayEntry(dt.date(2027, 2, 8), False, "春节")])
    client.force_login(world.users["sysadmin"])
    client.post(reverse("workdays:year_fallback", args=[2027]))
    assert CalendarYear.objects.get(year=2027).status == YearStatus.FALLBACK
    assert services.is_workday(dt.date(2027, 2, 8))
    assert services.calendar_note(dt.date(2027, 2, 8)).startswith("2027年尚无")
