"""``nudge rules check|test`` and ``nudge routes test`` as a user runs them."""

import json
from pathlib import Path

import pytest

import rules
from agent.cli.main import main
from tests.rules.factories import small_book_csv

ROOT = Path(__file__).resolve().parents[3]
PACK = ROOT / "rules" / "pack"
BAD = ROOT / "tests" / "rules" / "bad"


def test_check_prints_success_per_file_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", str(PACK)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 9
    assert all(line.startswith("SUCCESS ") for line in lines)


def test_check_prints_failed_with_placed_errors_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    good, bad = PACK / "risk-spike.yaml", BAD / "unknown_field.yaml"
    assert main(["rules", "check", str(good), str(bad)]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"SUCCESS {good}",
        f"FAILED {bad}",
        f"  {bad}:7:7: unknown field 'invoice.amout_open' (did you mean 'invoice.amount_open'?)",
    ]


def test_check_of_a_missing_path_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", "no/such/rules"]) == 2
    assert capsys.readouterr().err == "nudge: error: no such file or folder: no/such/rules\n"


def test_backtest_json_reports_alerts_precision_and_lead_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "book.csv"
    data.write_text(small_book_csv())
    rule = tmp_path / "overdue.yaml"
    rule.write_text("name: overdue\nwhen: invoice.days_past_due >= 1\nmessage: late\n")
    argv = [
        "rules",
        "test",
        str(rule),
        "--data",
        str(data),
        "--from",
        "2024-02-01",
        "--to",
        "2024-02-29",
        "--json",
    ]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(a["invoice_id"], a["first_date"]) for a in report["alerts"]] == [
        ("A1", "2024-02-01"),
        ("B1", "2024-02-10"),
    ]
    assert report["precision"] == 1.0
    assert report["lead_days"]["median"] == 24.0
    assert report["per_rule"]["overdue"]["alert_count"] == 2
    assert len(report["per_day"]) == 29


def test_backtest_refuses_rules_with_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "book.csv"
    data.write_text(small_book_csv())
    argv = [
        "rules",
        "test",
        str(BAD / "type_mismatch.yaml"),
        "--data",
        str(data),
        "--from",
        "2024-02-01",
        "--to",
        "2024-02-02",
    ]
    assert main(argv) == 2
    assert (
        "type_mismatch.yaml:4:22: cannot compare 'invoice.due_date' (date) with a number"
        in capsys.readouterr().err
    )


def test_routes_test_shows_who_is_told(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shipped = Path(rules.__file__).parent / "routing.yaml"
    config = tmp_path / "routing.yaml"
    people = "people: [{email: ana@example.com, manager: marc@example.com}]"
    config.write_text(shipped.read_text().replace("people: []", people, 1))
    argv = ["routes", "test", "severity=high", "owner=ana@example.com", "account=A", "--config", str(config)]
    argv.append("--json")
    assert main(argv) == 0
    routes = json.loads(capsys.readouterr().out)["routes"]
    assert [(r["route"], r["recipients"]) for r in routes] == [("root.routes[0]", ["person:ana@example.com"])]
    assert routes[0]["escalate"] == {"after": "1d", "to": ["person:marc@example.com"]}


def test_routes_test_rejects_a_label_without_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "test", "severity"]) == 2
    assert capsys.readouterr().err == "nudge: error: 'severity' is not LABEL=VALUE\n"


def test_backtest_over_the_demo_book_uses_its_promises_disputes_and_owners(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["rules", "test", str(PACK), "--demo", "--from", "2026-03-01", "--to", "2026-03-07", "--json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["days"] == 7
    assert report["alert_count"] == len(report["alerts"]) > 0
    assert "unassigned" not in report["per_owner"]  # every demo account has an owner
    assert set(report["per_rule"]) == {path.stem for path in PACK.glob("*.yaml")}


def test_check_refuses_a_template_bomb(capsys: pytest.CaptureFixture[str]) -> None:
    bomb = BAD / "template_bomb.yaml"
    assert main(["rules", "check", str(bomb)]) == 2
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"  {bomb}:5:3: templates may not use '*' (a message shows fields, it does not compute text)"
    )
