#!/usr/bin/env python3
"""Helpers for scripts/bench (Python 3 standard library only).

Subcommands:
  exec-server  Become the server process (exec) while a forked poller measures the time
               from launch to the first answered HTTP request and writes it, with the port
               and bootstrap key, to an info file.
  seed         Create N connections through the API and write "id version" lines.
  count-items  Print how many connections GET /awsconnections returns for a key.
  wrk-summary  Parse one wrk --latency output into "req/s p50 p99 non-2xx socket-errors ...".
  compare-stores  One table of both stores' req/s per scenario with PostgreSQL / SQLite.

Every network call goes to 127.0.0.1 only, and every wait is bounded in time.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import sys
import threading
import time

HOST = "127.0.0.1"
COLLECTION = "/pictoryapis/v1/awsconnections"
CREATE_BODY = json.dumps(
    {"name": "bench", "awsAccountId": "123456789012", "awsRegion": "us-east-1"}
).encode()

LISTENING = re.compile(r"listening on http://\S+:(\d+)")
BOOTSTRAP_KEY = re.compile(r"^(pictai_[A-Za-z0-9]+)\s*$", re.MULTILINE)


def fail(message):
    print(f"benchlib: {message}", file=sys.stderr)
    sys.exit(1)


# --- exec-server -------------------------------------------------------------------------


def process_is_gone(pid):
    """True once `pid` has exited (a zombie waiting for its parent counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The state follows the parenthesised command name, which may contain spaces.
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, IndexError):
        return True


def answer_once(port, key):
    """One GET of the collection; returns the HTTP status, or None if nothing answered yet."""
    connection = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        headers = {"Authorization": key} if key else {}
        connection.request("GET", COLLECTION, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def measure_first_answer(server_pid, started_ns, log_path, key, timeout_s):
    """Polls the server log for its port (and bootstrap key), then polls it over HTTP.

    Runs in the forked child while the parent process is already the server. Both polls
    sleep about 1 ms between tries, so the measurement is accurate to roughly a millisecond.
    """
    deadline = started_ns + int(timeout_s * 1e9)
    port = None
    bootstrap_key = ""
    log_text = ""
    with open(log_path, "r", errors="replace") as log:
        while port is None:
            log_text += log.read()
            found_key = BOOTSTRAP_KEY.search(log_text)
            if found_key:
                bootstrap_key = found_key.group(1)
            listening = LISTENING.search(log_text)
            if listening:
                port = int(listening.group(1))
                break
            if process_is_gone(server_pid):
                return {"error": "the server exited before it logged its port"}
            if time.monotonic_ns() > deadline:
                return {"error": f"the server logged no port within {timeout_s:g} s"}
            time.sleep(0.001)
    # The key is printed before the listening line, but read once more in case it raced.
    log_text += open(log_path, "r", errors="replace").read()
    found_key = BOOTSTRAP_KEY.search(log_text)
    if found_key:
        bootstrap_key = found_key.group(1)

    poll_key = key or bootstrap_key
    while True:
        status = answer_once(port, poll_key)
        if status is not None:
            elapsed_ms = (time.monotonic_ns() - started_ns) / 1e6
            return {
                "port": port,
                "first_answer_ms": f"{elapsed_ms:.1f}",
                "first_answer_status": status,
                "bootstrap_key": bootstrap_key,
            }
        if process_is_gone(server_pid):
            return {"error": "the server exited before it answered a request"}
        if time.monotonic_ns() > deadline:
            return {"error": f"the server answered no request within {timeout_s:g} s"}
        time.sleep(0.001)


def write_info(path, values):
    """Writes key=value lines atomically, so the bash side never reads a half-written file."""
    temporary = path + ".partial"
    with open(temporary, "w") as out:
        for name, value in values.items():
            out.write(f"{name}={value}\n")
    os.rename(temporary, path)


def exec_server(args):
    """Forks: this process execs the server (keeping the PID bash knows from `$!`, so bash can
    signal and `wait` for it); a detached poller measures start-to-first-answer and exits.
    The clock starts just before the fork, so fork and exec are part of the measurement."""
    if not args.command:
        fail("exec-server needs the server command after --")
    command = args.command[1:] if args.command[0] == "--" else args.command
    server_pid = os.getpid()
    started_ns = time.monotonic_ns()
    child = os.fork()
    if child == 0:
        # Fork again and let the middle process exit at once: the poller is then adopted by
        # init instead of lingering as a zombie child of the server, which never reaps it.
        if os.fork() != 0:
            os._exit(0)
        try:
            result = measure_first_answer(server_pid, started_ns, args.log, args.key, args.timeout)
        except Exception as error:  # report anything, never leave bash waiting
            result = {"error": f"measuring failed: {error!r}"}
        write_info(args.info, result)
        os._exit(0)
    os.waitpid(child, 0)
    os.execv(command[0], command)


# --- seed, count-items -------------------------------------------------------------------


def seed(args):
    """Creates `count` connections with a few keep-alive connections in parallel (writes are
    serialised by the server anyway; parallel clients hide the per-request round trip)."""
    local = threading.local()

    def create_one(_):
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(HOST, args.port, timeout=30)
        local.connection.request(
            "POST",
            COLLECTION,
            body=CREATE_BODY,
            headers={"Authorization": args.key, "Content-Type": "application/json"},
        )
        response = local.connection.getresponse()
        body = response.read()
        if response.status != 201:
            raise RuntimeError(f"create answered {response.status}: {body[:300]!r}")
        created = json.loads(body)
        return created["connectionId"], created["version"]

    workers = max(1, min(args.parallel, args.count))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            created = list(pool.map(create_one, range(args.count), timeout=args.timeout))
        except Exception as error:
            fail(f"seeding failed: {error}")
    with open(args.out, "w") as out:
        for connection_id, version in created:
            out.write(f"{connection_id} {version}\n")


def count_items(args):
    connection = http.client.HTTPConnection(HOST, args.port, timeout=30)
    connection.request("GET", COLLECTION, headers={"Authorization": args.key})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        fail(f"list answered {response.status}: {body[:300]!r}")
    print(len(json.loads(body)["Items"]))


def next_token(args):
    """Prints the NextToken after the first `after` connections of the key's list, walking
    pages of at most 1,000 (the largest `limit`)."""
    connection = http.client.HTTPConnection(HOST, args.port, timeout=30)
    token, remaining = None, args.after
    while remaining > 0:
        limit = min(1000, remaining)
        query = f"limit={limit}" + (f"&nextToken={token}" if token else "")
        connection.request("GET", f"{COLLECTION}?{query}", headers={"Authorization": args.key})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            fail(f"list answered {response.status}: {body[:300]!r}")
        token = json.loads(body).get("NextToken")
        if not token:
            fail(f"no NextToken after {args.after - remaining + limit} connections")
        remaining -= limit
    print(token)


# --- wrk-summary -------------------------------------------------------------------------

UNIT_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def latency_ms(output, percentile):
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
    return float(match.group(1)) * UNIT_TO_MS[match.group(2)] if match else None


def wrk_summary(args):
    """Prints: req/s, p50 ms, p99 ms, non-2xx, socket errors, conflicts (409s counted by the
    update script, "-" elsewhere), starved requests (update script, "-" elsewhere)."""
    output = open(args.file, errors="replace").read()
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    p50, p99 = latency_ms(output, 50), latency_ms(output, 99)
    if rps is None or p50 is None or p99 is None:
        fail(f"no req/s or latency distribution in {args.file}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    update = re.search(r"^bench-update: conflicts=(\d+) starved=(\d+)", output, re.MULTILINE)
    print(
        f"{float(rps.group(1)):.0f}",
        f"{p50:.2f}",
        f"{p99:.2f}",
        non_2xx.group(1) if non_2xx else "0",
        sum(int(n) for n in sockets.groups()) if sockets else 0,
        update.group(1) if update else "-",
        update.group(2) if update else "-",
    )


# --- compare-stores ----------------------------------------------------------------------

# PostgreSQL's throughput as a share of SQLite's that each scenario should reach.
STORE_TARGETS = {"get-by-id": 0.5, "list": 0.5, "page-first": 0.5, "page-middle": 0.5, "update": 0.5, "create": 0.4}


def compare_stores(args):
    def rates(path):
        return {row[0]: float(row[2]) for row in (line.split() for line in open(path)) if row}

    sqlite, postgres = rates(args.sqlite), rates(args.postgres)
    print(f"{'scenario':<15} {'SQLite req/s':>13} {'PostgreSQL req/s':>17} {'PG / SQLite':>12}  target")
    for name, sqlite_rate in sqlite.items():
        if name not in postgres or name == "ceiling":
            continue
        ratio = postgres[name] / sqlite_rate if sqlite_rate else 0.0
        target = STORE_TARGETS.get(name)
        verdict = "" if target is None else f">= {target:.1f} {'met' if ratio >= target else 'NOT met'}"
        print(f"{name:<15} {sqlite_rate:>13,.0f} {postgres[name]:>17,.0f} {ratio:>12.2f}  {verdict}")
    if sqlite.get("ceiling") and "get-by-id" in sqlite:
        ratio = sqlite["get-by-id"] / sqlite["ceiling"]
        print(f"SQLite get-by-id / bare Hummingbird route: {ratio:.2f} (target >= 0.8 {'met' if ratio >= 0.8 else 'NOT met'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="subcommand", required=True)

    launch = commands.add_parser("exec-server")
    launch.add_argument("--info", required=True, help="where to write port, timing and key")
    launch.add_argument("--log", required=True, help="the file the server's stderr goes to")
    launch.add_argument("--key", default="", help="API key for the first request (else bootstrap key)")
    launch.add_argument("--timeout", type=float, default=10.0)
    launch.add_argument("command", nargs=argparse.REMAINDER)
    launch.set_defaults(run=exec_server)

    create = commands.add_parser("seed")
    create.add_argument("--port", type=int, required=True)
    create.add_argument("--key", required=True)
    create.add_argument("--count", type=int, required=True)
    create.add_argument("--out", required=True)
    create.add_argument("--parallel", type=int, default=4)
    create.add_argument("--timeout", type=float, default=120.0)
    create.set_defaults(run=seed)

    count = commands.add_parser("count-items")
    count.add_argument("--port", type=int, required=True)
    count.add_argument("--key", required=True)
    count.set_defaults(run=count_items)

    token = commands.add_parser("next-token")
    token.add_argument("--port", type=int, required=True)
    token.add_argument("--key", required=True)
    token.add_argument("--after", type=int, required=True)
    token.set_defaults(run=next_token)

    summary = commands.add_parser("wrk-summary")
    summary.add_argument("file")
    summary.set_defaults(run=wrk_summary)

    compare = commands.add_parser("compare-stores")
    compare.add_argument("sqlite", help="results-sqlite.txt of a run")
    compare.add_argument("postgres", help="results-postgres.txt of the same run")
    compare.set_defaults(run=compare_stores)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
