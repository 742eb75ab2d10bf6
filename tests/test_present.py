"""jobkit.present: the status colours, and the HTML of adapters(), explain() and Stats."""

from __future__ import annotations

import itertools
import math
import re
import types

import pytest
from IPython.core.formatters import DisplayFormatter

import jobkit
from jobkit.core.stats import Stats
from jobkit.model import JobStatus
from jobkit.present.html import STATUS_COLORS, stats_html
from jobkit.present.ipython import register
from jobkit.present.tables import AdapterTable, ExplanationList

# --------------------------------------------------------------------------- colours


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[float, float, float]:
    r, g, b = (_linear(int(color[i : i + 2], 16)) for i in (1, 3, 5))
    return r, g, b


def _luminance(color: str) -> float:
    r, g, b = _rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _lab(color: str) -> tuple[float, float, float]:
    r, g, b = _rgb(color)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e2000(one: str, two: str) -> float:
    """CIEDE2000 colour difference of two ``#rrggbb`` colours (about 2: just noticeable)."""
    (l1, a1, b1), (l2, a2, b2) = _lab(one), _lab(two)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_hue = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean2 = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    rotation = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) * (
        2 * math.sqrt(c_mean2**7 / (c_mean2**7 + 25**7))
    )
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc, sh = 1 + 0.045 * c_mean2, 1 + 0.015 * c_mean2 * t
    dl, dc, dhh = (l2 - l1) / sl, (c2 - c1) / sc, d_hue / sh
    return math.sqrt(dl**2 + dc**2 + dhh**2 + rotation * dc * dhh)


def test_delta_e2000_matches_the_published_test_pair() -> None:
    """The colour distance agrees with a reference value, so the next test measures truly."""
    assert delta_e2000("#000000", "#000000") == 0
    assert delta_e2000("#ffffff", "#000000") == pytest.approx(100, abs=0.01)
    # Sharma et al.'s data computed through sRGB: pure red vs pure blue is about 52.9.
    assert delta_e2000("#ff0000", "#0000ff") == pytest.approx(52.88, abs=0.05)


def test_status_colours_differ_and_carry_white_text() -> None:
    """Every status has its own colour (CIEDE2000 >= 15 apart, >= 20 for PENDING/STOPPED and
    STOPPING/PARTIAL_SUCCESS, which once looked alike) and white text reads on each (4.5:1)."""
    assert set(STATUS_COLORS) == set(JobStatus)
    for status, color in STATUS_COLORS.items():
        assert re.fullmatch(r"#[0-9a-f]{6}", color), status
        assert 1.05 / (_luminance(color) + 0.05) >= 4.5, status
    for (s1, c1), (s2, c2) in itertools.combinations(STATUS_COLORS.items(), 2):
        assert delta_e2000(c1, c2) >= 15, (s1, s2)
    for s1, s2 in [
        (JobStatus.PENDING, JobStatus.STOPPED),
        (JobStatus.STOPPING, JobStatus.PARTIAL_SUCCESS),
    ]:
        assert delta_e2000(STATUS_COLORS[s1], STATUS_COLORS[s2]) >= 20, (s1, s2)


# --------------------------------------------------------------------------- tables


def _cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_adapter_table_is_the_adapters_list_shown_as_a_table() -> None:
    """AdapterTable(adapters()) equals the list and renders one escaped row per adapter."""
    infos = jobkit.adapters()
    table = AdapterTable(infos)
    assert table == infos
    html = table._repr_html_()
    assert f"<b>{len(infos)} adapters</b>" in html
    rows = _cells(html)
    assert [row[0] for row in rows] == [info.name for info in infos]
    labeling = rows[[info.name for info in infos].index("sagemaker.labeling-workteam")]
    assert "WorkteamArn (discovered)" in labeling[3]
    assert "AdapterInfo(" not in html


def test_explanation_list_shows_what_is_pushed_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """ExplanationList(explain()) renders per adapter and region the pushed and client parts."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    plans = jobkit.explain(["sagemaker.processing", "batch.service"], status="failed", since="7d")
    html = ExplanationList(plans)._repr_html_()
    rows = _cells(html)
    assert [(row[0], row[1]) for row in rows] == [
        ("sagemaker.processing", "us-east-1"),
        ("batch.service", "us-east-1"),
    ]
    assert "StatusEquals" in rows[0][5]
    assert "<b>2 plans</b>" in html and "Explanation(" not in html


def test_stats_show_totals_and_one_row_per_endpoint() -> None:
    """Stats render as a totals table and an endpoint table, numbers right-aligned."""
    stats = Stats()
    stats.count(streams=3, streams_done=2)
    stats.add("sagemaker/us-east-1", requests=5, pages=4, jobs=300, retries=1, throttles=1)
    stats.add("batch/eu-west-1", requests=2, pages=2, jobs=7, wait_seconds=0.25)
    html = stats_html(stats)
    totals = {row[0]: row[1] for row in _cells(html.split("jobkit-stats-endpoints")[0])}
    assert totals["requests"] == "7" and totals["jobs"] == "307"
    assert totals["streams done / started"] == "2 / 3"
    endpoints = _cells(html.split("jobkit-stats-endpoints")[1])
    assert endpoints == [
        ["batch/eu-west-1", "2", "2", "7", "0", "0", "0.25"],
        ["sagemaker/us-east-1", "5", "4", "300", "1", "1", "0.00"],
    ]
    shell = types.SimpleNamespace(display_formatter=DisplayFormatter())
    register(shell)
    assert shell.display_formatter.format(stats)[0]["text/html"] == html


def test_adapter_and_plan_tables_escape_every_text() -> None:
    """Names, descriptions, scope values, filters and notes are HTML-escaped in both tables."""
    evil = "<script>x</script>"
    adapter = types.SimpleNamespace(
        name=evil,
        service=evil,
        operation=evil,
        description=evil,
        scope=(evil,),
        discoverable=(evil,),
        status_rule=evil,
        botocore_paginator=False,
    )
    plan = types.SimpleNamespace(
        adapter=evil,
        region=evil,
        scope={evil: evil},
        discovered=(evil,),
        requests=({},),
        pushed={evil: evil},
        client=(evil,),
        note=evil,
    )
    for html in (AdapterTable([adapter])._repr_html_(), ExplanationList([plan])._repr_html_()):
        assert "<script>" not in html
        assert html.count("&lt;script&gt;") >= 6  # every text field of the row
