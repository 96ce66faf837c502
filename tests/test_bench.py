"""`make bench` end to end at a tiny size: gunicorn, the load generator in its own process, the
table and the correctness check. No timing is asserted: performance is shown, never tested."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def table_rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| sqlite |")]


def test_bench_serves_every_case_and_counts_each_check_in_once(tmp_path):
    output = tmp_path / "results.md"
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--invitations", "40", "--databases", "sqlite",
         "--workers", "1", "--threads", "2", "--concurrency", "2", "--healthz", "100",
         "--resends", "20", "--rounds", "2", "--time-limit", "60", "--output", str(output)],
        cwd=REPO, capture_output=True, text=True, timeout=240, check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr[-3000:]

    rows = table_rows(finished.stdout)
    assert [row[2] for row in rows] == ["healthz", "checkin", "resend"]
    healthz, checkin, resend = rows
    assert healthz[1] == "1×2"
    # requests and errors: every planned request answered, correctly.
    assert (healthz[3], healthz[4]) == ("100", "0")
    assert (checkin[3], checkin[4]) == ("80", "0")  # two phones × 40 passes
    assert (resend[3], resend[4]) == ("20", "0")
    assert checkin[-1] == "OK: 40 check-ins for 40 passes"
    assert resend[-1] == "OK: first answers again; 80 attempts for 80 scans"
    assert healthz[9] == "1.000"  # the baseline's ratio to itself
    assert table_rows(output.read_text(encoding="utf-8")) == rows


def test_the_check_says_mismatch_when_the_database_disagrees_with_the_phones():
    from argparse import Namespace

    from bench.run import Row, judge

    checkin = {"requests": 80, "planned": 80, "errors": 0, "timed_out": False, "checked_in_answers": 40,
               "passes_told_checked_in_twice": 0}
    resend = {"requests": 20, "planned": 20, "errors": 0, "timed_out": False}
    rows = [Row("sqlite", "1×2", "checkin", checkin, {}), Row("sqlite", "1×2", "resend", resend, {})]
    # One check-in more than the phones were told of, one attempt more than the scans sent.
    judge(rows, {"checkins": 41, "checkin_attempts": 81}, Namespace(invitations=40))
    assert rows[0].check == "MISMATCH: 41 check-ins for 40 passes"
    assert rows[1].check == "MISMATCH: first answers again; 81 attempts for 80 scans"
