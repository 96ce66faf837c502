"""The load generator: every case against one running server, in its own process, stdlib only.

It runs apart from the server so that the two never share an interpreter (or a GIL);
`bench/run.py` starts it once per server and reads the JSON line it prints.

Cases:
  healthz   GET /healthz: the trivial endpoint every other figure is compared with
  checkin   every phone scans every pass once, in the same order, each scan with its own
            client_id: for each pass exactly one phone must be told `checked_in`
  resend    scans of the checkin case sent again with their client_id: each must get the
            first answer again (same result, same time)

healthz and checkin alternate in rounds (a slice of each per round), so that a machine whose
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
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HOST = "127.0.0.1"
SCANNED = ("checked_in", "already_checked_in")


@dataclass
class Request:
    method: str
    path: str
    phone: int
    body: dict | None = None
    # A correct answer: status 200 and, for scans, a result (and time) among these.
    expect: dict | None = None


@dataclass
class Outcome:
    request: Request
    status: int | None
    answer: dict | None
    seconds: float
    error: str | None = None

    @property
    def correct(self) -> bool:
        if self.error or self.status != 200:
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


def _client(port: int, token: str | None, work: queue.Queue, deadline: float,
            outcomes: list[Outcome], lock: threading.Lock) -> None:
    """Send requests from `work` over one keep-alive connection until none is left or time is up."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    mine: list[Outcome] = []
    while time.monotonic() < deadline:
        try:
            request = work.get_nowait()
        except queue.Empty:
            break
        body = json.dumps(request.body).encode() if request.body is not None else None
        started = time.perf_counter()
        try:
            connection.request(request.method, request.path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            answer = json.loads(raw) if raw.startswith(b"{") else None
            mine.append(Outcome(request, response.status, answer, time.perf_counter() - started))
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
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.hostname != HOST or url.port is None:
        parser.error(f"traffic goes to {HOST}:<port> only")

    port, token = url.port, args.token
    scans_path = f"/api/v1/workshops/{args.workshop}/checkins"
    passes = json.loads(args.passes.read_text(encoding="utf-8"))
    tallies = {case: Tally() for case in ("warmup", "healthz", "checkin", "resend")}

    def probes(path: str, count: int) -> list[Request]:
        return [Request("GET", path, n % args.phones) for n in range(count)]

    measure(tallies["warmup"], probes("/readyz", args.warmup), args, port, token)
    healthz = probes("/healthz", args.healthz)
    scans = [Request("POST", scans_path, phone, {"token": pass_token, "client_id": uuid.uuid4().hex},
                     expect={"result": SCANNED})
             for pass_token in passes for phone in range(args.phones)]
    rounds = max(1, args.rounds)
    for r in range(rounds):
        measure(tallies["healthz"], healthz[r * len(healthz) // rounds:(r + 1) * len(healthz) // rounds],
                args, port, token)
        # The same slice of passes for every phone: they race for the same passes.
        measure(tallies["checkin"], scans[r * len(scans) // rounds:(r + 1) * len(scans) // rounds],
                args, port, token)
    if args.resends:
        measure(tallies["resend"], resends(tallies["checkin"].outcomes, args.resends, args.phones),
                args, port, token)
    report = {case: summary(tally) for case, tally in tallies.items() if case != "warmup" and tally.planned}
    report["checkin"].update(truth(tallies["checkin"].outcomes))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
