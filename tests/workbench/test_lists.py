"""The case lists: which cases each view shows to whom, filters, search, paging, bad input."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kesu.accounts.models import User
from kesu.cases import search, selectors, services
from kesu.cases.models import Case, CaseSearch
from kesu.demo.builders import Org, build_case, drive
from kesu.web import views_lists

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
VENTING = "你们这帮骗子！气死我了！垃圾保险公司，车险理赔拖了三个月，滚！"
MAJOR = "手机银行升级以后一直转不了账，提示系统繁忙。再不解决我就去银保监会投诉，还要找媒体曝光。"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(org: Org, people: dict[str, User], clock: Any) -> dict[str, Case]:
    """Cases with known owners, units, deadlines (banking: 15 days) and statuses, at a fixed now."""
    h, s, o = people["handler"], people["specialist"], people["outsider"]
    pudong, xihu = org.east_pudong.pk, org.east_xihu.pk
    ago = lambda days: NOW - timedelta(days=days)  # noqa: E731
    cases = {
        "mine": build_case(h, received_at=ago(1)),
        # Deadlines are the banking clock's: 15 days, ending 23:59 on the last day, rolled past a
        # weekend or holiday (民法典第二百零三条).
        "soon": build_case(h, received_at=ago(15), product="借记卡"),  # due tonight (11-20 23:59)
        "late": build_case(h, received_at=ago(20)),  # 11-15 is a Sunday: due 11-16, overdue 3 days
        "late_resolved": build_case(h, received_at=ago(30)),  # answered: no longer overdue
        "offered": build_case(s, MAJOR, received_at=ago(2), unit_id=pudong, channel="app"),
        "pudong_other": build_case(s, received_at=ago(3), unit_id=pudong, complainant_phone="13700007777"),
        "xihu": build_case(
            s, VENTING, received_at=ago(4), unit_id=xihu, channel="web", industry="insurance", product="车险"
        ),
        "escalated": build_case(s, received_at=ago(5), unit_id=xihu, complainant_phone="13600006666"),
        "north": build_case(o, received_at=ago(1), complainant_phone="13500005555"),
    }
    cases["offered"] = services.case_transfer(user=s, case=cases["offered"], to=h, note="请浦东支行接办")
    drive(cases["late_resolved"], "resolved", {"owner": h, "reviewer": s})
    # No escalation service is used here on purpose: the list only reads the level.
    Case.objects.filter(pk=cases["escalated"].pk).update(escalation_level=1, escalated_at=NOW)
    return cases


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(user: User, query: str = "") -> tuple[int, list[int], str]:
    response = client_for(user).get(f"/cases/{query}")
    html = response.content.decode()
    return response.status_code, [int(i) for i in re.findall(r'<a href="/cases/(\d+)/">', html)], html


def names(world: dict[str, Case], ids: list[int]) -> set[str]:
    by_id = {c.pk: name for name, c in world.items()}
    return {by_id[i] for i in ids}


EAST = {"mine", "soon", "late", "late_resolved", "offered", "pudong_other", "xihu", "escalated"}
PUDONG = {"mine", "soon", "late", "late_resolved", "offered", "pudong_other"}


VIEWS_SEEN: tuple[tuple[str, str, set[str]], ...] = (
    ("handler", "mine", {"mine", "soon", "late", "late_resolved", "offered"}),
    ("handler", "unit", PUDONG),
    ("handler", "due_soon", {"soon"}),
    ("handler", "overdue", {"late"}),
    # "offered" threatens the regulator and the media: the risk rules escalated it at intake.
    ("handler", "escalated", {"offered"}),
    # the sender still owns "offered" until the handler accepts it (首问负责制)
    ("specialist", "mine", {"offered", "pudong_other", "xihu", "escalated"}),
    ("supervisor", "unit", EAST),
    ("supervisor", "mine", set()),
    ("supervisor", "escalated", {"escalated", "offered"}),
    ("supervisor", "overdue", {"late"}),
    ("outsider", "unit", {"north"}),
    ("outsider", "mine", {"north"}),
    ("outsider", "overdue", set()),
    ("admin", "unit", {*EAST, "north"}),
    ("trainer", "unit", set()),  # trainers see finished cases only
)


def test_each_view_shows_exactly_the_cases_of_the_user(
    world: dict[str, Case], people: dict[str, User]
) -> None:
    # One test over the table: building the cases costs more than all the requests together.
    for username, view, expected in VIEWS_SEEN:
        status, ids, _ = listed(people[username], f"?view={view}")
        assert (status, names(world, ids)) == (200, expected), (username, view)
        assert len(ids) == len(expected), (username, view)  # each case once


def test_handlers_start_on_their_own_cases_and_supervisors_on_the_units(
    world: dict[str, Case], people: dict[str, User]
) -> None:
    _, handler_ids, html = listed(people["handler"])
    assert names(world, handler_ids) == {"mine", "soon", "late", "late_resolved", "offered"}
    assert 'class="current" aria-current="page" data-view="mine"' in html
    _, supervisor_ids, html = listed(people["supervisor"])
    assert names(world, supervisor_ids) == EAST
    assert 'class="current" aria-current="page" data-view="unit"' in html


def _tab_counts(html: str) -> dict[str, int]:
    found = re.findall(r'data-view="(\w+)">[^<]*<span class="count[^"]*">(\d+)</span>', html)
    return {view: int(n) for view, n in found}


def test_tab_bar_counts_each_view(world: dict[str, Case], people: dict[str, User]) -> None:
    _, _, html = listed(people["supervisor"])
    assert _tab_counts(html) == {"mine": 0, "unit": 8, "due_soon": 1, "overdue": 1, "escalated": 2}
    _, _, html = listed(people["outsider"])
    assert _tab_counts(html) == {"mine": 1, "unit": 1, "due_soon": 0, "overdue": 0, "escalated": 0}


def test_rows_show_masked_phone_risk_badge_and_deadline_colours(
    world: dict[str, Case], people: dict[str, User]
) -> None:
    _, _, html = listed(people["handler"], "?view=unit")
    assert "138****1234" in html
    assert "13800001234" not in html
    assert 'class="badge level-major"' in html  # the regulator threat in "offered"
    late_row = html.split(f'href="/cases/{world["late"].pk}/"')[1].split("</tr>")[0]
    assert "due-overdue" in late_row and "已逾期 3 天" in late_row
    soon_row = html.split(f'href="/cases/{world["soon"].pk}/"')[1].split("</tr>")[0]
    assert "due-soon" in soon_row and "剩 13 小时" in soon_row
    offered_row = html.split(f'href="/cases/{world["offered"].pk}/"')[1].split("</tr>")[0]
    assert "待韩坐席接收" in offered_row
    assert "2026-12-04 23:59" in html  # "mine": received Thu 11-19 + 15 days (banking) = Fri 12-04


FILTERED: tuple[tuple[str, set[str]], ...] = (
    ("status=received", EAST - {"late_resolved"}),
    ("status=open", EAST),  # resolved awaits its callback: not finished yet
    ("level=major", {"offered"}),
    ("customer_type=venting", {"xihu"}),
    ("channel=web", {"xihu"}),
    ("channel=app&level=major", {"offered"}),
    ("product=车", {"xihu"}),
    ("unit=XIHU", {"xihu", "escalated"}),
    ("unit=XIHU&channel=web", {"xihu"}),
    ("received_from=2026-11-16&received_to=2026-11-17", {"xihu", "pudong_other"}),
    ("received_from=2026-11-18", {"mine", "offered"}),
    ("received_to=2026-11-01", {"late", "late_resolved"}),
    ("q=年费", EAST - {"offered", "xihu"}),
    ("q=理赔+车险", {"xihu"}),
    ("q=13700007777", {"pudong_other"}),
    ("q=信用卡&unit=PUDONG&status=in_progress", set()),
)


def test_filters_narrow_and_combine(world: dict[str, Case], people: dict[str, User], org: Org) -> None:
    client = client_for(people["supervisor"])
    for query, expected in FILTERED:
        query = query.replace("XIHU", str(org.east_xihu.pk)).replace("PUDONG", str(org.east_pudong.pk))
        response = client.get(f"/cases/?view=unit&{query}")
        html = response.content.decode()
        ids = [int(i) for i in re.findall(r'<a href="/cases/(\d+)/">', html)]
        assert (response.status_code, names(world, ids)) == (200, expected), query
        assert f"共 {len(expected)} 件" in html, query


def test_search_by_case_number_and_never_beyond_scope(
    world: dict[str, Case], people: dict[str, User]
) -> None:
    number = world["xihu"].number
    assert names(world, listed(people["supervisor"], f"?view=unit&q={number}")[1]) == {"xihu"}
    assert listed(people["outsider"], f"?view=unit&q={number}")[1] == []
    assert listed(people["outsider"], "?view=unit&q=年费")[1] == [world["north"].pk]


def test_filters_stay_in_the_form_and_in_the_tab_and_export_links(
    world: dict[str, Case], people: dict[str, User]
) -> None:
    _, _, html = listed(people["supervisor"], "?view=unit&level=major&q=转账")
    assert '<option value="major" selected>' in html
    assert 'value="转账"' in html
    assert "/cases/export.xlsx?view=unit&amp;level=major&amp;q=%E8%BD%AC%E8%B4%A6" in html
    assert "?view=overdue&amp;level=major&amp;q=%E8%BD%AC%E8%B4%A6" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("view=everything", "未知列表「everything」"),
        ("status=lost", "未知状态「lost」"),
        ("level=extreme", "未知风险等级"),
        ("customer_type=nice", "未知客户类型"),
        ("channel=pigeon", "未知渠道"),
        ("unit=abc", "受理机构参数无效"),
        ("unit=999999", "不在您的管辖范围内"),
        ("received_from=2026-13-01", "不是有效日期"),
        ("received_from=2026-11-20&received_to=2026-11-01", "起始日不能晚于截止日"),
        ("page=zwei", "页码应为正整数"),
        ("page=0", "页码从 1 开始"),
    ],
)
def test_bad_filter_values_get_a_chinese_message_not_an_error_page(
    people: dict[str, User], query: str, message: str
) -> None:
    build_case(people["handler"])
    status, ids, html = listed(people["handler"], f"?{query}")
    assert status == 400
    assert message in html
    assert ids == []
    assert 'name="q"' in html  # the form is still there to correct the input


def test_outsider_cannot_filter_on_a_unit_of_the_other_branch(
    world: dict[str, Case], people: dict[str, User], org: Org
) -> None:
    status, ids, html = listed(people["outsider"], f"?view=unit&unit={org.east.pk}")
    assert status == 400 and ids == []
    assert "不在您的管辖范围内" in html
    assert "华东分行" not in html.split('name="unit"')[1].split("</select>")[0]


def test_pages_of_fifty_with_a_pager_that_keeps_the_filters(
    world: dict[str, Case], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_lists, "PAGE_SIZE", 3)
    _, first, html = listed(people["supervisor"], "?view=unit&status=open")
    assert len(first) == 3 and "第 1 / 3 页" in html
    assert "?view=unit&amp;status=open&amp;page=2" in html
    _, second, _ = listed(people["supervisor"], "?view=unit&status=open&page=2")
    assert len(second) == 3 and not set(first) & set(second)
    newest_first = [
        c.received_at for c in Case.objects.filter(pk__in=first + second).order_by("-received_at")
    ]
    assert [Case.objects.get(pk=i).received_at for i in first + second] == newest_first
    _, beyond, html = listed(people["supervisor"], "?view=unit&status=open&page=99")
    assert len(beyond) == 2 and "第 3 / 3 页" in html  # an old link shows the last page


def test_empty_list_says_so(world: dict[str, Case], people: dict[str, User]) -> None:
    status, ids, html = listed(people["handler"], "?view=unit&q=不存在的词语组合")
    assert status == 200 and ids == []
    assert "没有符合条件的案件" in html


def test_seed_bench_creates_cases_once_unless_forced(people: dict[str, User]) -> None:
    call_command("seed_bench", cases=30, batch=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    bench = Case.objects.filter(intake_ref__startswith="BENCH-")
    assert bench.count() == 30
    assert not bench.filter(due_at__isnull=True).exists()
    assert bench.values("unit").distinct().count() >= 4
    assert bench.values("status").distinct().count() >= 4
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_bench", cases=30)
    call_command("seed_bench", cases=12, force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert bench.count() == 12
    handler = User.objects.get(username="handler")  # the command re-saved the demo users
    _, ids, _ = listed(handler, "?view=unit")
    assert len(ids) == 6  # the bench cases of 浦东支行: indexes 0, 1, 2, 8, 9, 10


def test_opening_a_case_copies_its_customer_type_into_the_indexed_column(case):
    label = case.analysis["customer_type"]["label"]
    case.refresh_from_db()
    assert case.customer_type == label
    assert label in {"problem_solving", "venting", "difficult", "malicious_claim"}


# ---- search through the bigram index (ADR 0004) ---------------------------------------------------


def test_bigram_words_are_ascii_letters_and_skip_punctuation() -> None:
    words = search.bigrams("年费，年费3元")
    assert words == [*search.bigrams("年费"), *search.bigrams("费3元")]  # 年费 once; no pair with "，"
    assert len(words) == 3
    assert all(w.isascii() and w.isalpha() and w.islower() for w in words)
    assert search.query_bigrams(["卡"]) == []  # one character: nothing to look up, the text decides


def test_search_needs_each_word_whole_not_only_its_bigrams(people: dict[str, User], clock: Any) -> None:
    h = people["handler"]
    whole = build_case(h, "我的信用卡被扣了300元年费，要求退还。")
    pieces = build_case(h, "本人信用良好，用卡多年，被扣了年费。")  # 信用 and 用卡, never 信用卡
    other = build_case(h, "手机银行转账失败，提示系统繁忙。")
    cases = {"whole": whole, "pieces": pieces, "other": other}
    queries = (
        ("信用卡", {"whole"}),
        ("年費", {"whole", "pieces"}),
        ("卡多年", {"pieces"}),
        ("扣 卡", {"whole", "pieces"}),
    )
    for query, expected in queries:
        found = listed(h, f"?view=unit&q={query}")[1]
        assert names(cases, found) == expected, query


def test_search_follows_an_edited_text_and_finds_a_number_in_any_case(
    people: dict[str, User], clock: Any
) -> None:
    h = people["handler"]
    case = build_case(h, "信用卡年费被乱扣，要求退还。")
    services.case_update(user=h, case=case, version=case.version, text="宽带套餐被私自升级，要求恢复原套餐。")
    assert listed(h, "?view=unit&q=套餐")[1] == [case.pk]
    assert listed(h, "?view=unit&q=年费")[1] == []
    assert listed(h, f"?view=unit&q={case.number.lower()}")[1] == [case.pk]


def test_tab_counts_count_an_offered_case_once_and_the_page_matches_them(
    world: dict[str, Case], people: dict[str, User]
) -> None:
    _, ids, html = listed(people["handler"], "?view=mine")
    assert _tab_counts(html)["mine"] == len(ids) == 5
    assert "共 5 件" in html


# ---- a search answered from the narrow search table (ADR 0004 point 4) -------------------------


def _through_case_rows(user: User, filters: selectors.CaseFilters) -> list[int]:
    """The ids a search finds when every condition is tested on the case rows themselves."""
    qs = selectors.cases_filtered(user, filters, ordered=True)
    return list(qs.order_by("-received_at", "-id").values_list("pk", flat=True))


def test_a_search_from_the_search_table_finds_what_the_case_rows_say(
    world: dict[str, Case], people: dict[str, User], org: Org
) -> None:
    """Scope, unit and dates are read from the search table's copies; the answer and its order
    must be those of the case rows, for every kind of user and with the exact look-ups merged in."""
    xihu = org.east_xihu.pk
    searches = (
        {"q": "年费"},
        {"q": "理赔 车险"},
        {"q": "卡"},  # one character: no bigram, the text test alone
        {"q": world["late"].number},  # the exact case number, merged with the text matches
        {"q": "13700007777"},
        {"q": "年费", "unit_id": xihu},
        {"q": "年费", "received_from": date(2026, 11, 16), "received_to": date(2026, 11, 19)},
        {"q": "年费", "view": "mine"},  # needs the case rows: the other path, the same answer
    )
    for who in ("handler", "supervisor", "outsider", "admin", "trainer"):
        user = people[who]
        for search_filters in searches:
            if who in ("handler", "outsider") and "unit_id" in search_filters:
                continue  # a unit outside their scope: refused, tested elsewhere
            filters = selectors.CaseFilters(**{"view": "unit", **search_filters})
            assert selectors.search_ids(user, filters) == _through_case_rows(user, filters), (who, filters)
    everything = selectors.search_ids(people["admin"], selectors.CaseFilters(q="年费"))
    assert set(everything) >= {world["mine"].pk, world["north"].pk}


def test_search_rows_copy_the_unit_and_receipt_time_of_opened_and_seeded_cases(
    people: dict[str, User], clock: Any
) -> None:
    opened = build_case(people["handler"], "信用卡年费被乱扣，要求退还。")
    call_command("seed_bench", cases=12, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for case in Case.objects.all():
        row = CaseSearch.objects.get(case=case)
        assert (row.unit_path, row.received_at) == (case.unit_path, case.received_at), case.number
    handler = User.objects.get(username="handler")
    found = listed(handler, "?view=unit&q=年费")[1]
    assert opened.pk in found
    assert found == _through_case_rows(handler, selectors.CaseFilters(view="unit", q="年费"))
