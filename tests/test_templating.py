"""Unknown error texts: variants of one message are one template row, with a redacted example."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console

import wsdiag
from tests.conftest import diagnose_text
from tests.minerlog import POOL, record
from wsdiag.parse.templating import MAX_TEMPLATE, template_of
from wsdiag.report import text

T0 = datetime(2025, 11, 29, 18, 0, 0)


def error(minute: int, conn: int, msg: str) -> str:
    t = T0 + timedelta(minutes=minute)
    return record(t, "ERROR", POOL, "on_error", f"#{conn} - WebSocket error: {msg}")


def handshake(status: str, day: str, rid: str) -> str:
    return (
        f"Handshake status {status} -+-+- {{'date': '{day}, 01 Dec 2025 10:00:{rid[:2]} GMT', "
        f"'content-length': '{len(rid)}', 'x-request-id': '{rid}'}} -+-+- b'upstream connect error'"
    )


def test_handshake_variants_are_one_template() -> None:
    """Different dates, lengths and request ids in the headers: the same template."""
    a = template_of(handshake("503 Service Unavailable", "Mon", "17a9c3e0f5"))
    b = template_of(handshake("503 Service Unavailable", "Tue", "99ffee0011aabb"))
    assert a == b
    assert a == "Handshake status <n> Service Unavailable -+-+- <headers> -+-+- b'upstream connect error'"


def test_different_messages_stay_apart() -> None:
    """A different status text or close reason is a different failure mode, another row."""
    assert template_of(handshake("502 Bad Gateway", "Mon", "1")) != template_of(
        handshake("503 Service Unavailable", "Mon", "1")
    )
    going = template_of("fin=1 opcode=8 data=b'\\x03\\xe9going away'")
    restart = template_of("fin=1 opcode=8 data=b'\\x0f\\xa1server restart'")
    assert going == "fin=<n> opcode=<n> data=b'<b>going away'"
    assert restart == "fin=<n> opcode=<n> data=b'<b>server restart'"


def test_numbers_addresses_and_ids_are_masked() -> None:
    """Numbers, hex, addresses, uuids, dates, times, URLs and long ids become placeholders."""
    cases = {
        "[Errno 101] Network is unreachable": "[Errno <n>] Network is unreachable",
        "Connection to 10.0.0.1:443 failed": "Connection to <ip> failed",
        "callback <function f at 0x7fa1245d6700> failed": "callback <function f at <hex>> failed",
        "client 3f6c9a1e-0b7d-4c55-9a3e-1f2b3c4d5e6f gone": "client <uuid> gone",
        "request 7f3a9c1e2b4d5f6a8b9c0d1e failed": "request <id> failed",
        "nonce QaZ1WsX2EdC3 rejected at 2025-11-29T18:00:00Z": "nonce <id> rejected at <date>",
        "retry after 30.5 s, at 18:00:07": "retry after <n> s, at <time>",
        "GET https://pubsub-edge.twitch.tv/v1?x=1 failed": "GET <url> failed",
        "Unknown response: {\"type\":\"FOO\",\"nonce\":\"abc\"}": "Unknown response: {<data>}",
    }
    for raw, tpl in cases.items():
        assert template_of(raw) == tpl, raw


def test_template_is_bounded() -> None:
    """A huge error text gives a template of at most MAX_TEMPLATE characters."""
    assert len(template_of("x" * 10_000)) == MAX_TEMPLATE


def test_unknown_errors_group_into_rows_with_counts_and_examples(tmp_path: Path) -> None:
    """60 handshake errors with varying headers and 5 unusual errors: two rows, counts, examples.

    (A redirect: 4xx/5xx answers are `rejected`, a class of their own.)"""
    status = "301 Moved Permanently"
    lines = [error(i, i % 3, handshake(status, "Mon", f"{i:04x}beef{i}")) for i in range(60)]
    lines += [error(70 + i, 0, f"Session {9000 + i} expired unexpectedly") for i in range(5)]
    doc = diagnose_text(tmp_path, "".join(lines))
    assert doc["failures"]["by_class"]["other"] == 65
    rows = doc["unknown"]
    assert [(r["template"], r["count"]) for r in rows] == [
        ("Handshake status <n> Moved Permanently -+-+- <headers> -+-+- b'upstream connect error'", 60),
        ("Session <n> expired unexpectedly", 5),
    ]
    assert rows[0]["example"].startswith("Handshake status 301 Moved Permanently -+-+- {'date': 'Mon")
    assert rows[1]["example"] == "Session 9000 expired unexpectedly"
    ids = {f["id"]: f for f in doc["findings"]}
    assert ids["unknown-errors"]["title"] == "65 failures with error texts wsdiag has no class for (2 kinds)"
    assert ids["unknown-errors"]["evidence"][0].startswith("60x Handshake status <n>")


def test_unknown_example_is_redacted(tmp_path: Path) -> None:
    """An OAuth token inside an unknown error never reaches the example."""
    token = "q8h3n5v0c2x7z9l4k6j1m3b5g7f2d0"
    doc = diagnose_text(tmp_path, error(1, 0, f"Refused: Authorization: OAuth {token} is not valid here"))
    row = doc["unknown"][0]
    assert token not in row["example"]
    assert token not in row["template"]
    assert row["count"] == 1


def test_report_shows_the_grouped_unknown_errors(tmp_path: Path) -> None:
    """The terminal report lists the templates, most frequent first, markup printed literally."""
    lines = [error(i, 0, f"[weird] code {i} from [red]edge[/red]") for i in range(7)]
    lines.append(error(30, 1, "Something else entirely"))
    path = tmp_path / "u.log"
    path.write_text("".join(lines))
    d = wsdiag.diagnose(str(path), jobs=1)
    out = text.render(d, Console(file=io.StringIO(), width=100, no_color=True, force_terminal=False))
    block = out[out.index("Unknown errors (grouped") :]
    assert block.index("[weird] code <n> from [red]edge[/red]") < block.index("Something else entirely")
    assert "      7 │" in block or " 7 │ [weird]" in block
