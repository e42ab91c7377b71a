"""Tests of the self-contained HTML report (`analyze --format html`)."""

from __future__ import annotations

import colorsys
import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wsdiag
from tests.conftest import SAMPLES, run_cli
from tests.minerlog import START, make_log, record
from wsdiag.cli import app
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.report import html as html_report
from wsdiag.report import html_chart, html_sections
from wsdiag.summary.clients import RECONNECTS_UNKNOWN

VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "wbr", "source"}
SVG_LEAVES = {"rect", "line", "polyline", "polygon", "path", "circle"}  # may be written <x/> or <x></x>


class Page(HTMLParser):
    """Checks nesting while collecting tags, attributes, SVG tooltips and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.titles: list[str] = []  # <title> texts inside the SVG
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID and tag not in SVG_LEAVES:
            self.errors.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "style" in self.stack:
            return
        self.text.append(data)
        if self.stack and self.stack[-1] == "title" and "svg" in self.stack:
            self.titles.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    assert p.doctype, "no <!DOCTYPE html>"
    assert p.errors == [], p.errors
    assert p.stack == [], f"unclosed: {p.stack}"
    return p


def _diag(path: Path) -> Diagnosis:
    return wsdiag.diagnose(str(path), year=2025, jobs=1)


def _self_contained(p: Page, page: str) -> None:
    tags = {t for t, _ in p.tags}
    assert not tags & {"script", "link", "iframe", "object", "embed", "img", "base", "form"}
    for tag, attrs in p.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}>"
            if name in ("src", "href", "xlink:href", "action"):
                pytest.fail(f"<{tag} {name}={value!r}>: the page must not load or link anything")
    assert not re.search(r"https?://", page), "an URL in the page"
    style = page[page.index("<style>") : page.index("</style>")]
    assert "url(" not in style
    assert "@import" not in style


def test_storm_report_is_well_formed_and_self_contained() -> None:
    """The 37-connection log: valid HTML, verdict, every finding, tables, SVG; no script, no URL."""
    d = _diag(SAMPLES / "storm_37conn.log")
    page = html_report.render(d)
    p = parse(page)
    _self_contained(p, page)
    text = p.visible
    assert "wsdiag report" in text
    verdict = next(a for t, a in p.tags if t == "section" and a.get("id") == "verdict")
    assert verdict["class"] == "verdict sev-error"
    assert "cause: 37 PubSub connections open; Twitch allows 10 per IP ( too-many-connections ) · " in text
    assert "37 connections · 46 failures · 46 reconnects · also: twitch-reconnects" in text
    ids = [str(a["id"]).removeprefix("finding-") for t, a in p.tags if t == "article" and "id" in a]
    assert ids == ["too-many-connections", "twitch-reconnects", "ping-pong-failures", "reconnect-storm"]
    assert "Symptom of: too-many-connections" in text
    assert "Keep at most 124 streamers" in text
    assert "ping_pong 38 12.6" in text  # failures table: class, events, per hour
    assert sum(1 for t, _ in p.tags if t == "svg") == 1
    assert sum(1 for t, _ in p.tags if t == "rect") > 20


def test_timeline_svg_tooltips_add_up_to_the_totals() -> None:
    """One tooltip per bucket; their failure and reconnect counts sum to the report's totals."""
    d = _diag(SAMPLES / "storm_37conn.log")
    p = parse(html_report.render(d))
    tips = [t for t in p.titles if re.search(r"\d+ failures?\b", t) and "outage" not in t]
    assert len(tips) == 37  # 5-minute buckets from 19:00 to 22:01
    def count(what: str, tip: str) -> int:
        m = re.search(rf"(\d+) {what}s?\b", tip)
        assert m is not None, tip
        return int(m.group(1))

    assert sum(count("failure", t) for t in tips) == 46
    assert sum(count("reconnect", t) for t in tips) == 46
    assert any(t.startswith("2025-11-21 20:30 (5m): 5 failures (ping_pong 5)") for t in tips), tips


def test_secrets_never_reach_the_page() -> None:
    """debug_tokens.log plants two OAuth tokens; neither (nor a 30-char prefix) is in the page."""
    tokens = json.loads((SAMPLES / "EXPECTED.json").read_text())["debug_tokens.log"]["tokens"]
    page = html_report.render(_diag(SAMPLES / "debug_tokens.log"))
    parse(page)
    assert "unrecognized: " in page  # the http.client dump lines are shown, redacted
    for token in tokens:
        assert token not in page
        assert token[:20] not in page


def test_log_text_is_escaped(tmp_path: Path) -> None:
    """Markup in error texts and file names is shown as text, never parsed as HTML."""
    hostile = (
        make_log(1.0, {"connection_reset": 3}).text
        + record(
            START + timedelta(minutes=61),
            "ERROR",
            "TwitchChannelPointsMiner.classes.WebSocketsPool",
            "on_error",
            '#1 - WebSocket error: <script>alert("x")</script><img src=x onerror=alert(1)>',
        )
        + '<b>not a record</b> & "quoted" <style>body{}</style>\n'
    )
    path = tmp_path / '<i>evil&"x".log'
    path.write_text(hostile)
    page = html_report.render(_diag(path))
    p = parse(page)
    _self_contained(p, page)
    assert "<script>" not in page
    assert "<img" not in page
    assert "<i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<img src=x onerror=alert(1)>" in p.visible  # shown literally in the unknown table
    assert '<i>evil&"x".log' in p.visible
    assert "<b>not a record</b>" in p.visible
    assert [t for t, _ in p.tags].count("style") == 1


def test_empty_timeline_and_no_findings(tmp_path: Path) -> None:
    """A healthy log says no problems; the chart is there and has no failure bars."""
    path = tmp_path / "quiet.log"
    path.write_text(make_log(0.5, {}).text)
    page = html_report.render(_diag(path))
    p = parse(page)
    assert "No problems found" in p.visible
    verdict = next(a for t, a in p.tags if t == "section" and a.get("id") == "verdict")
    assert verdict["class"] == "verdict sev-ok"
    tips = [t for t in p.titles if " failures, " in t]
    assert tips
    assert all(": 0 failures, 0 reconnects" in t for t in tips)


def test_cli_writes_html_to_a_file_or_stdout(tmp_path: Path) -> None:
    """`analyze --format html -o FILE` writes the page; without -o it goes to stdout."""
    out = tmp_path / "report.html"
    proc = run_cli("analyze", str(SAMPLES / "outage.log"), "--format", "html", "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == b""
    page = out.read_text(encoding="utf-8")
    p = parse(page)
    assert "network-instability" in p.visible
    res = CliRunner().invoke(app, ["analyze", str(SAMPLES / "outage.log"), "--format", "html"])
    assert res.exit_code == 0
    assert res.stdout == page


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, head = 8, b"", b""
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + size]
        if kind == b"IHDR":
            head = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", head)
    assert depth == 8, (depth, colour, interlace)
    assert colour in (2, 6), (depth, colour, interlace)
    assert interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
    return width, height, rows


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour.lstrip("#"), 16)
    return value >> 16, value >> 8 & 255, value & 255


def _green(r: int, g: int, b: int) -> bool:
    """A colour that reads as green (as "ok"): a saturated, not dark hue between yellow-green
    and teal."""
    h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
    return s > 0.3 and v > 0.25 and 75 <= h * 360 <= 165


def test_no_failure_class_is_drawn_in_green() -> None:
    """Every failure colour (bars, swatches) and the outage marker are not green, which reads as ok."""
    for cls, colour in {**html_chart.CLASS_COLOURS, "outage": html_chart.OUTAGE_MARK}.items():
        assert not _green(*_rgb(colour)), (cls, colour)
    assert _green(*_rgb("#2e7d32"))  # the check works: the ok verdict's green is green


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_headless_chromium_renders_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Chromium opens the file with networking off and shows verdict, findings and chart."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    page = tmp_path / "report.html"
    page.write_text(html_report.render(_diag(SAMPLES / "storm_37conn.log")), encoding="utf-8")
    base = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
        capture_output=True,
        timeout=60,
    )
    with capsys.disabled():  # shown in the test output even without -s
        print(f"\nscreenshot of the HTML report: {shot}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    assert _png_size(shot) == (1200, 2000)
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few KB
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, timeout=60)
    assert dom.returncode == 0
    rendered = dom.stdout.decode("utf-8")
    p = parse(
        "<!DOCTYPE html>" + rendered if not rendered.lstrip().lower().startswith("<!doctype") else rendered
    )
    assert "37 connections · 46 failures · 46 reconnects" in p.visible
    assert "too-many-connections" in p.visible
    assert "Timeline" in p.visible
    assert sum(1 for t, _ in p.tags if t == "svg") == 1


def _screenshot(page: Path, shot: Path, profile: Path, size: str) -> subprocess.CompletedProcess[bytes]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            f"--window-size={size}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
    )


def test_screenshot_marks_the_outage_and_draws_no_failure_in_green(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rendered by Chromium, outage.log's chart shows the outage marker above its shaded span,
    the no_internet bars, and not one green pixel: no failure looks like success."""
    page = tmp_path / "outage.html"
    page.write_text(html_report.render(_diag(SAMPLES / "outage.log")), encoding="utf-8")
    shot = tmp_path / "outage.png"
    proc = _screenshot(page, shot, tmp_path / "profile", "1200,1400")
    with capsys.disabled():
        print(f"\nscreenshot of the outage report: {shot}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    width, height, rows = _png_pixels(shot)
    assert (width, height) == (1200, 1400)

    def where(colour: str) -> list[tuple[int, int]]:
        want = bytes(_rgb(colour))
        return [
            (x, y) for y, row in enumerate(rows) for x in range(width) if row[3 * x : 3 * x + 3] == want
        ]

    band = where(html_chart.OUTAGE_BAND)
    assert len(band) > 2000, len(band)
    # The marker colour is also the legend's swatch, below the chart.
    marker = [(x, y) for x, y in where(html_chart.OUTAGE_MARK) if y < max(y for _, y in band)]
    assert len(marker) > 40, len(marker)
    # The marker sits above the band, over its middle: the outage of 20:40-20:46 on 20:12-21:05.
    band_x = sorted(x for x, _ in band)
    marker_x = sum(x for x, _ in marker) / len(marker)
    assert band_x[0] < marker_x < band_x[-1]
    assert max(y for _, y in marker) < min(y for _, y in band)
    assert 0.45 < (marker_x - band_x[0]) / (band_x[-1] - band_x[0]) < 0.55
    assert len(where(html_chart.CLASS_COLOURS["no_internet"])) > 500  # its bars (and swatches)
    green = [
        (x, y)
        for y, row in enumerate(rows)
        for x in range(width)
        if _green(row[3 * x], row[3 * x + 1], row[3 * x + 2])
    ]
    assert len(green) < 20, green[:20]  # a stray anti-aliased pixel at most


def test_times_never_wrap() -> None:
    """Every date-time shown in the page (header, findings, outages table) is in a no-wrap box,
    and narrow screens scroll a wide table in its box instead of breaking a time."""
    page = html_report.render(_diag(SAMPLES / "outage.log"))
    body = re.sub(r"<svg.*?</svg>", "", page[page.index("<body>") :], flags=re.S)
    times = list(re.finditer(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", body))
    assert len(times) >= 6
    for m in times:
        assert body[: m.start()].endswith('<span class="nowrap">'), body[m.start() - 80 : m.end()]
    assert ".nowrap, td.t { white-space: nowrap; }" in page
    assert ".scroll { overflow-x: auto; }" in page
    assert page.count('<div class="scroll"><table') == page.count("<table")


def test_connections_table_is_linear_in_the_pool() -> None:
    """100,000 connection ids are ranked in well under a second (a list lookup per id made it
    quadratic: two minutes), and the table keeps its first CONN_ROWS."""
    import time

    n = 100_000
    per = {str(i): {"failures": i % 7, "reconnects": 0, "by_class": {"timeout": i % 7}} for i in range(n)}
    doc = {"connections": {"ids": list(range(n)), "per_connection": per}}
    start = time.perf_counter()
    section = html_sections.connections_section(doc)
    assert time.perf_counter() - start < 5.0
    assert section.count("<tr>") == html_sections.CONN_ROWS + 1
    assert f"… and {n - html_sections.CONN_ROWS:,} more connections" in section


def _reconnect_cells(d: Diagnosis) -> list[str]:
    """The reconnects column of the page's connections table."""
    section = html_sections.connections_section(d.to_dict())
    rows = re.findall(r"<tr>(.*?)</tr>", section)[1:]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row)[3] for row in rows]


def test_reconnects_a_log_cannot_show_are_unknown_not_zero() -> None:
    """An INFO-only Hermes log: the connections table says "?", the chart draws no reconnect
    line and its tooltips say "reconnects unknown", never "0 reconnects"; the reason is on the
    page once."""
    d = _diag(SAMPLES / "hermes_console_info.log")
    page = html_report.render(d)
    p = parse(page)
    assert _reconnect_cells(d) == ["?", "?"]
    tips = [t for t in p.titles if re.search(r"\d+ failures?\b", t) and "outage" not in t]
    assert tips
    assert all(t.endswith(", reconnects unknown") for t in tips), tips
    assert "<polyline" not in page
    assert page.count(html.escape(RECONNECTS_UNKNOWN)) == 1


def test_reconnects_a_log_shows_are_drawn_and_counted() -> None:
    """A Hermes DEBUG log: reconnects per connection, and the dashed reconnect line."""
    d = _diag(SAMPLES / "hermes_file.log")
    page = html_report.render(d)
    cells = _reconnect_cells(d)
    assert all(c.isdigit() for c in cells)
    assert any(int(c) for c in cells)
    assert "<polyline" in page
    assert "reconnects unknown" not in page
