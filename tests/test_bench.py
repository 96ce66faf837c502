"""`make bench` end to end at a tiny size: gunicorn, the load generator in its own process, the
table and the correctness check. No timing is asserted: performance is shown, never tested."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def table_rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| sqlite |")]


@pytest.mark.slow
def test_bench_checkin_case_counts_each_check_in_once(tmp_path):
    output = tmp_path / "results.md"
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--cases", "checkin", "--invitations", "40",
         "--databases", "sqlite", "--workers", "1", "--threads", "2", "--concurrency", "2",
         "--healthz", "100", "--resends", "20", "--rounds", "2", "--time-limit", "60",
         "--output", str(output)],
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


@pytest.mark.slow
def test_bench_questions_summary_and_attendee_pages_agree_with_the_database(tmp_path):
    output = tmp_path / "results.md"
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--cases", "questions,summary,attendee,phones",
         "--invitations", "30",
         "--databases", "sqlite", "--workers", "1", "--threads", "2", "--concurrency", "2",
         "--healthz", "40", "--question-phones", "20", "--askers", "4", "--voters", "10",
         "--question-rounds", "2", "--quiet-polls", "1", "--summary-invitations", "30",
         "--summary-questions", "30", "--summary-feedback", "50", "--summary-pages", "2",
         "--summary-documents", "2", "--attendee-pages", "10", "--attendee-visits", "2",
         "--summary-growth", "2", "--polling-phones", "20", "--polling-seconds", "4",
         "--polling-change-every", "0",
         "--time-limit", "60", "--output", str(output)],
        cwd=REPO, capture_output=True, text=True, timeout=240, check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr[-3000:]

    rows = {row[2]: row for row in table_rows(finished.stdout)}
    assert list(rows) == ["healthz", "poll 304", "poll 200", "post", "vote", "summary", "summary.docx",
                          "summary 2×", "attendee page", "phones"]
    # 20 phones × 2 rounds, each phone once after a change and once more while nothing changed.
    assert [(rows[case][3], rows[case][4]) for case in ("poll 304", "poll 200", "post", "vote")] == [
        ("40", "0"), ("40", "0"), ("8", "0"), ("20", "0")]
    assert rows["post"][-1] == "OK: 8 questions stored for 8 told 201"
    assert rows["vote"][-1].startswith("OK: ")
    assert rows["poll 304"][-1] == "OK: every poll answered 304"
    assert rows["summary"][-1] == "OK: every page shows 15/30 questions answered"
    assert rows["summary.docx"][-1] == "OK: opens in python-docx"
    assert rows["summary 2×"][-1] == "OK: 2× the data: every page shows 30/60 questions answered"
    # 20 phones × 2 rounds; nothing changes while they poll after the questions case, so each
    # holds the ETag of the last list it was sent: every poll is a 304.
    assert (rows["phones"][3], rows["phones"][4]) == ("40", "0")
    assert rows["phones"][-1].startswith("OK: 20 phones every 2 s for ")
    assert "40 of 40 answered 304" in rows["phones"][-1]
    assert (rows["attendee page"][3], rows["attendee page"][4]) == ("20", "0")  # 10 pages × 2 visits
    assert rows["attendee page"][-1] == "OK: every page answered 200 with the invitee's name"
    assert table_rows(output.read_text(encoding="utf-8")) == list(rows.values())


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


def test_the_check_says_mismatch_when_votes_or_questions_differ_from_what_phones_were_told():
    from argparse import Namespace

    from bench.run import Row, judge

    told = {"requests": 3, "planned": 3, "errors": 0, "timed_out": False, "posted": [1, 2, 3],
            "votes_told": {"1": 2, "2": 1}}
    vote = {"requests": 3, "planned": 3, "errors": 0, "timed_out": False}
    rows = [Row("sqlite", "1×2", "post", told, {}), Row("sqlite", "1×2", "vote", vote, {})]
    # Question 3 was never stored and question 2 counts a vote nobody was told of.
    judge(rows, {"votes": {1: 2, 2: 2}, "vote_rows": 4}, Namespace())
    assert rows[0].check == "MISMATCH: 2 questions stored for 3 told 201"
    assert rows[1].check == "MISMATCH: 4 votes stored for 3 distinct votes told 200 (4 vote rows)"


def test_the_questions_the_polling_phones_ask_are_not_taken_for_questions_nobody_was_told_of():
    from argparse import Namespace

    from bench.run import Row, judge

    told = {"requests": 2, "planned": 2, "errors": 0, "timed_out": False, "posted": [1, 2],
            "votes_told": {}}
    phones = {"requests": 10, "planned": 10, "errors": 0, "timed_out": False, "asked": [3],
              "seconds": 4.0, "not_modified": 5, "cpu_share": 0.02, "cores": 2}
    rows = [Row("sqlite", "1×2", "post", told, {}), Row("sqlite", "1×2", "phones", phones, {})]
    judge(rows, {"votes": {1: 0, 2: 0, 3: 0}, "vote_rows": 0},
          Namespace(polling_phones=5, polling_every=2.0))
    assert rows[0].check == "OK: 2 questions stored for 2 told 201"
    assert rows[1].check == ("OK: 5 phones every 2 s for 4 s, 5 of 10 answered 304: server 2% of the "
                             "machine's 2 cores")
