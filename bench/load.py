"""The load generator: every case against one running server, in its own process, stdlib only.

It runs apart from the server so that the two never share an interpreter (or a GIL);
`bench/run.py` starts it once per server and reads the JSON line it prints.

Cases:
  healthz   GET /healthz: the trivial endpoint every other figure is compared with
  checkin   every phone scans every pass once, in the same order, each scan with its own
            client_id: for each pass exactly one phone must be told `checked_in`
  resend    scans of the checkin case sent again with their client_id: each must get the
            first answer again (same result, same time)
  questions hundreds of phones, each with its own invitation token and ETag, poll one
            session's questions while a few ask and vote: rows `poll 304`, `poll 200`,
            `post`, `vote` (the phones' answers go back to run.py to compare with the database)
  summary   the chair, signed in through /login, opens the summary page and its DOCX
  attendee  phones open their invitee's personal page /i/<token> a few times each, sending
            back the cookie it set as a browser does: row `attendee page`, each answer 200
            with the invitee's name on it
  phones    hundreds of phones each poll the question list every 2 s with their own ETag, as
            the attendee page does, for a while; one question is asked every few rounds (then
            every phone gets a 200): row `phones`, with the server's share of the machine's CPU
            over the whole time (idle gaps between rounds included)

The summary case also opens the summary of workshops 2× and 4× as large (rows `summary 2×`…),
to show how its cost grows with the data: one page at a time, as its 1× pages are sent.

Each case alternates with its share of /healthz in rounds (a slice of each per round), so that a machine whose
load drifts during the run weighs on both alike and their ratio stays fair. Every case is
bounded twice: by its list of requests and by --time-limit.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import queue
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"
SCANNED = ("checked_in", "already_checked_in")


@dataclass
class Request:
    method: str
    path: str
    phone: int
    body: dict | None = None
    # A correct answer: a status among these and, for scans, a result (and time) among these.
    expect: dict | None = None
    statuses: tuple[int, ...] = (200,)
    headers: dict | None = None
    # Questions: the simulated phone (its invitation token) keeps the ETag of its last list.
    etag_of: str | None = None
    # Pages: the simulated phone (its invitation token) keeps the cookie its page set, and sends
    # it on its next visit, as a phone's browser does.
    cookie_of: str | None = None
    # Pages: text the body must contain, and where to keep the body (a DOCX to open later).
    needle: str | None = None
    save_to: str | None = None


@dataclass
class Outcome:
    request: Request
    status: int | None
    answer: dict | None
    seconds: float
    error: str | None = None

    @property
    def correct(self) -> bool:
        if self.error or self.status not in self.request.statuses:
            return False
        answer = self.answer or {}
        return all(answer.get(key) in allowed for key, allowed in (self.request.expect or {}).items())


@dataclass
class Tally:
    """Everything measured for one case, summed over its rounds."""

    planned: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0


def server_cpu_seconds(master: int | None) -> float:
    """User + system CPU of the gunicorn master and its live workers, from /proc."""
    if master is None:
        return 0.0
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(entry.name) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


ETAGS: dict[str, str] = {}  # invitation token -> the ETag its phone last received
COOKIES: dict[str, str] = {}  # invitation token -> the cookie its page set ("name=value")


def _client(port: int, token: str | None, work: queue.Queue, deadline: float,
            outcomes: list[Outcome], lock: threading.Lock) -> None:
    """Send requests from `work` over one keep-alive connection until none is left or time is up."""
    common = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        common["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    mine: list[Outcome] = []
    while time.monotonic() < deadline:
        try:
            request = work.get_nowait()
        except queue.Empty:
            break
        body = json.dumps(request.body).encode() if request.body is not None else None
        headers = {**common, **(request.headers or {})}
        if request.etag_of and request.etag_of in ETAGS:
            headers["If-None-Match"] = ETAGS[request.etag_of]
        if request.cookie_of and request.cookie_of in COOKIES:
            headers["Cookie"] = COOKIES[request.cookie_of]
        started = time.perf_counter()
        try:
            connection.request(request.method, request.path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            answer = json.loads(raw) if raw.startswith(b"{") else None
            if request.etag_of and response.getheader("ETag"):
                ETAGS[request.etag_of] = response.getheader("ETag")
            if request.cookie_of and response.getheader("Set-Cookie"):
                COOKIES[request.cookie_of] = response.getheader("Set-Cookie").split(";", 1)[0]
            status = response.status
            if request.needle is not None and request.needle.encode() not in raw:
                status, answer = None, {"missing": request.needle}
            if request.save_to:
                Path(request.save_to).write_bytes(raw)
            mine.append(Outcome(request, status, answer, time.perf_counter() - started))
        except (OSError, http.client.HTTPException, ValueError) as error:
            mine.append(Outcome(request, None, None, time.perf_counter() - started,
                                f"{type(error).__name__}: {error}"))
            connection.close()  # the next request opens a fresh connection
    connection.close()
    with lock:
        outcomes.extend(mine)


def measure(tally: Tally, requests: list[Request], args: argparse.Namespace, port: int,
            token: str | None) -> None:
    """Send `requests`, each phone's share through its own `concurrency` connections, within
    what is left of the case's time limit; add what happened to `tally`."""
    tally.planned += len(requests)
    deadline = time.monotonic() + max(0.0, args.time_limit - tally.seconds)
    lock = threading.Lock()
    threads = []
    for phone in range(args.phones):
        work: queue.Queue = queue.Queue()
        for request in requests:
            if request.phone == phone:
                work.put(request)
        threads += [threading.Thread(target=_client, daemon=True,
                                     args=(port, token, work, deadline, tally.outcomes, lock))
                    for _ in range(args.concurrency)]
    cpu, client, started = server_cpu_seconds(args.server_pid), os.times(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 35)
    tally.seconds += time.perf_counter() - started
    tally.server_cpu += server_cpu_seconds(args.server_pid) - cpu
    after = os.times()
    tally.client_cpu += (after.user - client.user) + (after.system - client.system)


def part(items: list, n: int, parts: int) -> list:
    """The n-th of `parts` consecutive slices of `items`."""
    return items[n * len(items) // parts:(n + 1) * len(items) // parts]


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values), max(1, math.ceil(fraction * len(sorted_values)))) - 1]


def summary(tally: Tally) -> dict:
    latencies = sorted(outcome.seconds for outcome in tally.outcomes)
    wrong = [outcome for outcome in tally.outcomes if not outcome.correct]
    results: dict[str, int] = {}
    for outcome in tally.outcomes:
        key = (outcome.answer or {}).get("result") or str(outcome.status or "no answer")
        results[key] = results.get(key, 0) + 1
    return {
        "planned": tally.planned,
        "requests": len(tally.outcomes),
        "errors": len(wrong),
        "error_examples": sorted({o.error or f"{o.status} {json.dumps(o.answer)[:120]}" for o in wrong})[:3],
        "results": results,
        "seconds": tally.seconds,
        "throughput": len(tally.outcomes) / tally.seconds if tally.seconds else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "server_cpu_seconds": tally.server_cpu,
        "client_cpu_seconds": tally.client_cpu,
        "timed_out": len(tally.outcomes) < tally.planned,
    }


def truth(outcomes: list[Outcome]) -> dict:
    """Per pass scanned, how many phones were told `checked_in`: one, never two."""
    told: dict[str, int] = {}
    for outcome in outcomes:
        won = outcome.correct and outcome.answer["result"] == "checked_in"
        told[outcome.request.body["token"]] = told.get(outcome.request.body["token"], 0) + won
    return {"passes_scanned": len(told), "checked_in_answers": sum(told.values()),
            "passes_told_checked_in_once": sum(1 for count in told.values() if count == 1),
            "passes_told_checked_in_twice": sum(1 for count in told.values() if count > 1)}


def resends(outcomes: list[Outcome], count: int, phones: int) -> list[Request]:
    """`count` answered scans, taken from every phone in turn, to send again as they were."""
    by_phone = [[o for o in outcomes if o.correct and o.request.phone == phone] for phone in range(phones)]
    chosen = [o for group in zip(*by_phone, strict=False) for o in group][:count]
    return [Request(o.request.method, o.request.path, o.request.phone, o.request.body,
                    expect={"result": (o.answer["result"],),
                            "checked_in_at": (o.answer.get("checked_in_at"),)})
            for o in chosen]


def sign_in(port: int, email: str, password: str) -> str:
    """The chair's session cookie, through the login form as a browser sends it (with CSRF)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = urlencode({"csrf_token": found.group(1) if found else "", "email": email, "password": password})
    connection.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 302:
        raise RuntimeError(f"chair sign-in answered {response.status}")
    return (response.getheader("Set-Cookie") or "").split(";", 1)[0]


def questions_case(tallies: dict[str, Tally], healthz: list[Request], live: dict,
                   args: argparse.Namespace, port: int) -> dict:
    """Rounds of: some phones ask and vote, every phone polls once (the list changed: 200),
    then polls again `--quiet-polls` times (nothing changed: 304). What the phones were told
    goes back to run.py, which compares it with the database."""
    session_id, tokens = live["session_id"], live["tokens"][:args.question_phones]
    path = f"/api/v1/workshops/{args.workshop}/questions"
    askers, voters = tokens[:args.askers], tokens[args.askers:args.askers + args.voters]
    chooser = random.Random(8)
    posted: list[int] = []
    votes: set[tuple[int, str]] = set()

    def as_phone(token: str, n: int, **fields) -> Request:
        return Request(phone=n % args.phones, headers={"X-Invitation-Token": token}, **fields)

    def polls(status: int) -> list[Request]:
        return [as_phone(token, n, method="GET", path=f"{path}?session_id={session_id}",
                         statuses=(status,), etag_of=token) for n, token in enumerate(tokens)]

    rounds = max(1, args.question_rounds)
    for r in range(rounds):
        measure(tallies["healthz"], part(healthz, r, rounds), args, port, None)
        before = len(tallies["post"].outcomes)
        measure(tallies["post"], [as_phone(token, n, method="POST", path=path, statuses=(201,),
                                           body={"session_id": session_id,
                                                 "text": f"Câu hỏi đo tải {r}-{n}: kính đề nghị làm rõ?"})
                                  for n, token in enumerate(askers)], args, port, None)
        posted += [o.answer["id"] for o in tallies["post"].outcomes[before:] if o.correct]
        if posted:
            before = len(tallies["vote"].outcomes)
            measure(tallies["vote"], [as_phone(token, n, method="POST",
                                               path=f"/api/v1/questions/{chooser.choice(posted)}/vote")
                                      for n, token in enumerate(voters)], args, port, None)
            votes |= {(int(o.request.path.split("/")[-2]), o.request.headers["X-Invitation-Token"])
                      for o in tallies["vote"].outcomes[before:] if o.correct}
        measure(tallies["poll 200"], polls(200), args, port, None)
        for _ in range(args.quiet_polls):
            measure(tallies["poll 304"], polls(304), args, port, None)
    told: dict[str, int] = {}
    for question_id, _voter in votes:
        told[str(question_id)] = told.get(str(question_id), 0) + 1
    return {"posted": posted, "votes_told": told}


def summary_case(tallies: dict[str, Tally], healthz: list[Request], report: dict,
                 args: argparse.Namespace, port: int) -> None:
    """The chair's summary page and its DOCX, beside /healthz, one slice each per round."""
    email, password = report["chair"].split(":", 1)
    cookie = {"Cookie": sign_in(port, email, password)}
    base = f"/workshops/{report['workshop']}/summary"
    pages = [Request("GET", base, n % args.phones, headers=cookie, needle=report["needle"])
             for n in range(args.summary_pages)]
    documents = [Request("GET", f"{base}.docx", n % args.phones, headers=cookie, save_to=args.docx_out)
                 for n in range(args.summary_documents)]
    # Unmeasured first: each worker's first page and document compile their templates and
    # statements once for the worker's life (a chair opens the summary again and again); the
    # rows below are what a page costs, and the growth rows compare like with like.
    measure(Tally(), [Request("GET", base, n % args.phones, headers=cookie) for n in range(4)]
            + [Request("GET", f"{base}.docx", n % args.phones, headers=cookie) for n in range(4)],
            args, port, None)
    rounds = max(1, min(args.rounds, args.summary_pages))
    for r in range(rounds):
        for tally, requests in (("healthz", healthz), ("summary", pages), ("summary.docx", documents)):
            measure(tallies[tally], part(requests, r, rounds), args, port, None)
    for larger in report.get("growth", []):
        # One page at a time, as the rounds above send the 1× pages (one per round): five
        # pages at once on two cores cost each more CPU than one alone (the threads take turns
        # on a worker's interpreter), which read as a growth faster than the data.
        path = f"/workshops/{larger['workshop']}/summary"
        tally = tallies.setdefault(f"summary {larger['scale']}×", Tally())
        for n in range(max(1, args.summary_pages // 2)):
            measure(tally, [Request("GET", path, n % args.phones, headers=cookie,
                                    needle=larger["needle"])], args, port, None)


def phones_case(tallies: dict[str, Tally], live: dict, args: argparse.Namespace, port: int) -> dict:
    """`--polling-phones` phones, each polling the list every `--polling-every` seconds for
    `--polling-seconds`; every `--polling-change-every` rounds one phone asks a question first.
    The tally's time is the whole wall time, so that its server CPU over it is the share of
    the machine that many phones take."""
    session_id, tokens = live["session_id"], live["tokens"][:args.polling_phones]
    path = f"/api/v1/workshops/{args.workshop}/questions"
    tally = tallies["phones"]
    rounds = max(1, round(args.polling_seconds / args.polling_every))
    cpu, started = server_cpu_seconds(args.server_pid), time.monotonic()
    for r in range(rounds):
        begun = time.monotonic()
        if args.polling_change_every and r % args.polling_change_every == 0:
            asker = {"X-Invitation-Token": tokens[r % len(tokens)]}
            measure(tallies["phones ask"], [Request(
                "POST", path, 0, statuses=(201,), headers=asker,
                body={"session_id": session_id, "text": f"Câu hỏi khi thăm dò {r}?"})], args, port, None)
        measure(tally, [Request("GET", f"{path}?session_id={session_id}", n % args.phones,
                                statuses=(200, 304), headers={"X-Invitation-Token": token}, etag_of=token)
                        for n, token in enumerate(tokens)], args, port, None)
        time.sleep(max(0.0, args.polling_every - (time.monotonic() - begun)))
    tally.seconds = time.monotonic() - started
    tally.server_cpu = server_cpu_seconds(args.server_pid) - cpu
    asked = [o.answer["id"] for o in tallies["phones ask"].outcomes if o.correct]
    return {"cpu_share": tally.server_cpu / tally.seconds / (os.cpu_count() or 1), "asked": asked,
            "cores": os.cpu_count() or 1, "rounds": rounds,
            "not_modified": sum(1 for outcome in tally.outcomes if outcome.status == 304)}


def attendee_case(tallies: dict[str, Tally], healthz: list[Request], live: dict,
                  args: argparse.Namespace, port: int) -> None:
    """Phones opening their personal page, each page `--attendee-visits` times, beside /healthz."""
    pages = [Request("GET", f"/i/{token}", n % args.phones, needle=f"<strong>{name}</strong>",
                     cookie_of=token)
             for _ in range(args.attendee_visits)
             for n, (token, name) in enumerate(live["pages"][:args.attendee_pages])]
    rounds = max(1, min(args.rounds, len(pages)))
    for r in range(rounds):
        measure(tallies["healthz"], part(healthz, r, rounds), args, port, None)
        measure(tallies["attendee page"], part(pages, r, rounds), args, port, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT of the server")
    parser.add_argument("--token", required=True, help="a staff API token")
    parser.add_argument("--workshop", required=True, help="the workshop code")
    parser.add_argument("--passes", required=True, type=Path, help="JSON list of its pass tokens")
    parser.add_argument("--healthz", type=int, default=4000, help="GET /healthz requests")
    parser.add_argument("--resends", type=int, default=500, help="scans sent again")
    parser.add_argument("--warmup", type=int, default=100, help="GET /readyz first, not reported")
    parser.add_argument("--phones", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="connections per phone")
    parser.add_argument("--rounds", type=int, default=10, help="healthz/checkin alternations")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per case at most")
    parser.add_argument("--server-pid", type=int, help="gunicorn master, to read its CPU time")
    parser.add_argument("--cases", default="checkin",
                        help="comma-separated: checkin,questions,summary,attendee")
    parser.add_argument("--seeded", type=Path,
                        help="JSON from run.py: the questions, summary and attendee data")
    parser.add_argument("--question-phones", type=int, default=300, help="phones polling the questions")
    parser.add_argument("--askers", type=int, default=10, help="phones asking a question per round")
    parser.add_argument("--voters", type=int, default=60, help="phones voting once per round")
    parser.add_argument("--question-rounds", type=int, default=3, help="rounds of asking, voting, polling")
    parser.add_argument("--quiet-polls", type=int, default=1, help="polls per round answered 304")
    parser.add_argument("--summary-pages", type=int, default=10, help="GET of the summary page")
    parser.add_argument("--summary-documents", type=int, default=5, help="GET of the summary DOCX")
    parser.add_argument("--attendee-pages", type=int, default=200, help="personal pages opened")
    parser.add_argument("--attendee-visits", type=int, default=3, help="times each page is opened")
    parser.add_argument("--polling-phones", type=int, default=500, help="phones polling the list")
    parser.add_argument("--polling-every", type=float, default=2.0, help="seconds between a phone's polls")
    parser.add_argument("--polling-seconds", type=float, default=30.0, help="how long the phones poll")
    parser.add_argument("--polling-change-every", type=int, default=5,
                        help="rounds between two questions asked while they poll (0: never)")
    parser.add_argument("--docx-out", default=os.devnull, help="where to keep the last DOCX received")
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.hostname != HOST or url.port is None:
        parser.error(f"traffic goes to {HOST}:<port> only")

    port, token = url.port, args.token
    cases = [case for case in ("checkin", "questions", "summary", "attendee", "phones")
             if case in args.cases.split(",")]
    scans_path = f"/api/v1/workshops/{args.workshop}/checkins"
    passes = json.loads(args.passes.read_text(encoding="utf-8"))
    seeded = json.loads(args.seeded.read_text(encoding="utf-8")) if args.seeded else {}
    tallies = {case: Tally() for case in ("warmup", "healthz", "checkin", "resend", "poll 304", "poll 200",
                                          "post", "vote", "summary", "summary.docx", "attendee page",
                                          "phones", "phones ask")}

    def probes(path: str, count: int) -> list[Request]:
        return [Request("GET", path, n % args.phones) for n in range(count)]

    measure(tallies["warmup"], probes("/readyz", args.warmup), args, port, token)
    every_healthz = probes("/healthz", args.healthz)
    # Each chosen case alternates with its own share of the /healthz requests.
    shared = [case for case in cases if case != "phones"] or cases  # phones: a share of the CPU
    shares = {case: part(every_healthz, n, len(shared)) for n, case in enumerate(shared)}
    extra: dict = {}
    if "checkin" in cases:
        healthz = shares["checkin"]
        scans = [Request("POST", scans_path, phone, {"token": pass_token, "client_id": uuid.uuid4().hex},
                         expect={"result": SCANNED})
                 for pass_token in passes for phone in range(args.phones)]
        rounds = max(1, args.rounds)
        for r in range(rounds):
            measure(tallies["healthz"], part(healthz, r, rounds), args, port, token)
            # The same slice of passes for every phone: they race for the same passes.
            measure(tallies["checkin"], part(scans, r, rounds), args, port, token)
        if args.resends:
            measure(tallies["resend"], resends(tallies["checkin"].outcomes, args.resends, args.phones),
                    args, port, token)
    if "questions" in cases:
        extra["questions"] = questions_case(tallies, shares["questions"], seeded["questions"], args, port)
    if "summary" in cases:
        summary_case(tallies, shares["summary"], seeded["summary"], args, port)
    if "attendee" in cases:
        attendee_case(tallies, shares["attendee"], seeded["attendee"], args, port)
    if "phones" in cases:
        extra["phones"] = phones_case(tallies, seeded["questions"], args, port)
    report = {case: summary(tally) for case, tally in tallies.items() if case != "warmup" and tally.planned}
    if "checkin" in report:
        report["checkin"].update(truth(tallies["checkin"].outcomes))
    if "questions" in extra and "post" in report:
        report["post"].update(extra["questions"])
    if "phones" in extra:
        report["phones"].update(extra["phones"])
    report.pop("phones ask", None)  # only what makes the phones' list change
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
