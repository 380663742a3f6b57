#!/usr/bin/python3
"""End to end with a client that is not Qt: the real `vigil --headless` binary driven by
Debian's python3-websockets (10.4).

usage: /usr/bin/python3 python_client.py [--postgresql] PATH/TO/vigil

Imports rules with `vigil rules import`, starts `vigil --headless` on a free loopback port
with a temporary database, HOME and XDG folders (the user's data is never touched), then
checks the handshake (401/404), acknowledgements, duplicates, rejections, an /alerts
broadcast, and that SIGTERM answers what is in flight, records the last broadcasts and exits 0.

The database is a SQLite file, or with --postgresql a new database on the server that
VIGIL_TEST_POSTGRES_URL names (dropped afterwards; its rows are read with psql). Without the
variable --postgresql skips: exit code 77.
"""

import asyncio
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import websockets
import websockets.exceptions

SKIPPED = 77
TOKEN = "py-e2e-5b1d9c"
START_TIMEOUT = 30.0
STEP_TIMEOUT = 10.0

RULES = {
    "rules": [
        {
            "name": "Big transfer",
            "alert_type": "TRANSACTION",
            "severity": "HIGH",
            "conditions": {"all": [{"field": "fields.amount", "op": "gt", "value": 10000}]},
            "message": "Transfer of {fields.amount} from {source_id}",
        },
        {
            "name": "Root login",
            "alert_type": "SECURITY",
            "severity": "MEDIUM",
            # the prototype's flat list form
            "conditions": [{"field": "user", "operator": "eq", "value": "root"}],
            "message": "root signed in on {source_id}",
        },
    ]
}

checks = 0


def check(condition, what, detail=""):
    global checks
    if not condition:
        raise AssertionError(f"{what}{': ' + str(detail) if detail != '' else ''}")
    checks += 1
    print(f"ok {checks} - {what}", flush=True)


def event(event_id, event_type="TRANSACTION", source_id="acct-1", **fields):
    return {
        "id": event_id,
        "time": "2026-01-31T12:00:00Z",
        "type": event_type,
        "source_type": "payments" if event_type == "TRANSACTION" else "auth",
        "source_id": source_id,
        "fields": fields,
    }


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """Where vigil stores, and the rows the test reads back: a SQLite file read with sqlite3,
    or a new PostgreSQL database read with psql (numbers come back as ints either way)."""

    def __init__(self, tmp, postgres_url=None):
        self.postgres = None
        if postgres_url is None:
            self.path = os.path.join(tmp, "vigil.db")
            self.url = f"sqlite:{self.path}"
            self.display = f"SQLite {self.path}"
            return
        server = urllib.parse.urlsplit(postgres_url)
        if server.scheme not in ("postgresql", "postgres") or not server.hostname:
            raise AssertionError(f"VIGIL_TEST_POSTGRES_URL is not a postgresql:// URL: {postgres_url}")
        self.server = postgres_url
        name = f"vigil_py_e2e_{os.getpid()}"
        self._psql(self.server, f"CREATE DATABASE {name}")
        self.postgres = name
        self.url = urllib.parse.urlunsplit(server._replace(path=f"/{name}"))
        user = f"{urllib.parse.unquote(server.username)}@" if server.username else ""
        self.display = f"PostgreSQL {user}{server.hostname}:{server.port or 5432}/{name}"

    @staticmethod
    def _psql(url, sql):
        run = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                             capture_output=True, text=True, timeout=STEP_TIMEOUT * 3)
        if run.returncode != 0:
            raise AssertionError(f"psql failed on {sql!r}: {run.stderr.strip()}")
        return run.stdout

    def rows(self, sql):
        if self.postgres is None:
            with sqlite3.connect(self.path) as db:
                return [tuple(row) for row in db.execute(sql)]
        number = re.compile(r"-?[0-9]+")
        return [tuple(int(v) if number.fullmatch(v) else v for v in line.split("\t"))
                for line in self._psql(self.url, sql).splitlines() if line]

    def drop(self):
        if self.postgres is not None:
            self._psql(self.server, f"DROP DATABASE IF EXISTS {self.postgres} WITH (FORCE)")
            self.postgres = None


class Vigil:
    """The headless node as a child process, its stderr read by a thread."""

    def __init__(self, binary, env, database, port):
        self.lines = queue.Queue()
        self.log = []
        self.process = subprocess.Popen(
            [binary, "--headless", "--database", database, "--listen", f"127.0.0.1:{port}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.log.append(line.rstrip("\n"))
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, text, timeout):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"vigil did not log {text!r} within {timeout}s; log:\n" + "\n".join(self.log))
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(
                    f"vigil exited ({self.process.wait()}) before logging {text!r}; log:\n" + "\n".join(self.log)
                )
            if text in line:
                return line

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def expect_refused(uri, status, headers=None):
    try:
        async with websockets.connect(uri, extra_headers=headers or {}, open_timeout=STEP_TIMEOUT):
            pass
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code
    raise AssertionError(f"{uri} was accepted, expected HTTP {status}")


async def request(ws, message):
    await ws.send(message if isinstance(message, str) else json.dumps(message))
    return json.loads(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT))


async def scenario(port, vigil, database):
    base = f"ws://127.0.0.1:{port}"
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    # The handshake: token and path are checked before the upgrade.
    check(await expect_refused(f"{base}/events", 401, {"Authorization": "Bearer wrong"}) == 401, "bad bearer token: HTTP 401")
    check(await expect_refused(f"{base}/events", 401) == 401, "missing token: HTTP 401")
    check(await expect_refused(f"{base}/events?token=wrong", 401) == 401, "bad ?token=: HTTP 401")
    check(await expect_refused(f"{base}/alerts", 401) == 401, "subscriber without token: HTTP 401")
    check(await expect_refused(f"{base}/nowhere", 404, bearer) == 404, "unknown path: HTTP 404")

    subscriber = await websockets.connect(f"{base}/alerts?token={TOKEN}", open_timeout=STEP_TIMEOUT)
    producer = await websockets.connect(f"{base}/events", extra_headers=bearer, open_timeout=STEP_TIMEOUT)

    # Acknowledgements, duplicates, rejections.
    reply = await request(producer, event("py-1", amount=12))
    check(reply == {"accepted": ["py-1"], "duplicates": [], "rejected": []}, "one event accepted", reply)
    reply = await request(producer, {"events": [event("py-2", amount=1), event("py-3", amount=2)]})
    check(reply == {"accepted": ["py-2", "py-3"], "duplicates": [], "rejected": []}, "a batch accepted", reply)
    reply = await request(producer, event("py-1", amount=12))
    check(reply == {"accepted": [], "duplicates": ["py-1"], "rejected": []}, "a resent id is a duplicate", reply)
    reply = await request(producer, {"events": [event("py-3", amount=2), event("py-4", amount=3)]})
    check(reply == {"accepted": ["py-4"], "duplicates": ["py-3"], "rejected": []}, "duplicates in a batch", reply)

    reply = await request(producer, '{"id": "py-5", "type": ')
    check(
        reply["accepted"] == [] and reply["duplicates"] == [] and len(reply["rejected"]) == 1
        and reply["rejected"][0]["id"] is None
        and reply["rejected"][0]["error"].startswith("message is not valid JSON: "),
        "malformed JSON rejected with a message",
        reply,
    )
    reply = await request(producer, event("py-6", event_type="LOGIN"))
    check(
        reply["rejected"] == [{"id": "py-6", "error": "event.type: unknown event type 'LOGIN' "
                                "(expected one of TRANSACTION, INVENTORY, SECURITY, SYSTEM, COMPLIANCE)"}]
        and reply["accepted"] == [],
        "unknown type rejected, naming the field",
        reply,
    )
    missing = event("py-7")
    del missing["source_id"]
    reply = await request(producer, missing)
    check(reply["rejected"] == [{"id": "py-7", "error": "event: required field 'source_id' is missing"}],
          "missing field rejected, naming the field", reply)
    reply = await request(producer, event("py-8", amount=4))
    check(reply == {"accepted": ["py-8"], "duplicates": [], "rejected": []},
          "the connection survives bad input", reply)

    # A rule hit reaches /alerts.
    reply = await request(producer, event("py-big", source_id="acct-42", amount=25000, currency="EUR"))
    check(reply["accepted"] == ["py-big"], "rule-hitting event accepted", reply)
    message = json.loads(await asyncio.wait_for(subscriber.recv(), STEP_TIMEOUT))
    alert = message.get("alert", {})
    check(message.get("type") == "alert", "subscriber gets {type: alert}", message)
    [(alert_id, created_at)] = database.rows(
        "SELECT a.id, a.created_at FROM alerts a JOIN events e ON e.id = a.event_id WHERE e.event_id = 'py-big'")
    expected = {
        "id": alert_id,
        "rule": "Big transfer",
        "severity": "HIGH",
        "type": "TRANSACTION",
        "message": "Transfer of 25000 from acct-42",
        "status": "NEW",
        "source_type": "payments",
        "source_id": "acct-42",
        "event_id": "py-big",
    }
    check({k: alert.get(k) for k in expected} == expected, "the alert's fields", alert)
    check(
        alert.get("created_at") == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created_at // 1000))
        + f".{created_at % 1000:03d}Z",
        "created_at is the stored time in RFC 3339",
        alert.get("created_at"),
    )
    reply = await request(producer, event("py-root", event_type="SECURITY", source_id="host-3", user="root"))
    check(reply["accepted"] == ["py-root"], "flat-list rule's event accepted", reply)
    message = json.loads(await asyncio.wait_for(subscriber.recv(), STEP_TIMEOUT))
    check(message["alert"]["rule"] == "Root login" and message["alert"]["message"] == "root signed in on host-3",
          "an imported prototype-form rule fires", message)

    # SIGTERM with messages in flight: each gets one reply, then the socket closes, exit 0.
    sent = {}
    for i in range(20):
        ids = [f"term-{i}-a", f"term-{i}-b"]
        sent[tuple(ids)] = True
        await producer.send(json.dumps({"events": [event(x, amount=i) for x in ids]}))
    vigil.process.send_signal(signal.SIGTERM)
    replies = []
    try:
        while True:
            replies.append(json.loads(await asyncio.wait_for(producer.recv(), STEP_TIMEOUT)))
    except websockets.exceptions.ConnectionClosed:
        pass
    check(len(replies) == len(sent), "every message in flight got a reply before the close", len(replies))
    # A message the server took before the signal is committed and acknowledged; one that
    # arrived after it stopped accepting is refused with a message. Nothing is answered twice.
    accepted = set()
    answered = set()
    shutting_down = 0
    refused = [{"id": None, "error": "Vigil is shutting down: nothing was stored; send it again later"}]
    for r in replies:
        if r["accepted"]:
            if tuple(r["accepted"]) not in sent or r["duplicates"] or r["rejected"]:
                raise AssertionError(f"a reply that matches no message: {r}")
            answered.add(tuple(r["accepted"]))
            accepted.update(r["accepted"])
        elif r == {"accepted": [], "duplicates": [], "rejected": refused}:
            shutting_down += 1
        else:
            raise AssertionError(f"an unexpected reply during shutdown: {r}")
    check(len(answered) + shutting_down == len(sent),
          f"each message answered once ({len(answered)} committed, {shutting_down} refused as late)")
    check(producer.close_code == 1001, "the producer socket closes with 1001 going away", producer.close_code)
    try:
        await asyncio.wait_for(subscriber.recv(), STEP_TIMEOUT)
    except websockets.exceptions.ConnectionClosed:
        pass
    check(subscriber.close_code == 1001, "the subscriber socket closes with 1001 going away", subscriber.close_code)
    await producer.close()
    await subscriber.close()
    return accepted


def main():
    args = sys.argv[1:]
    postgresql = args[:1] == ["--postgresql"]
    if postgresql:
        args = args[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    postgres_url = os.environ.get("VIGIL_TEST_POSTGRES_URL", "")
    if postgresql and not postgres_url:
        print("# SKIP --postgresql needs VIGIL_TEST_POSTGRES_URL=postgresql://USER@HOST:PORT/DB "
              "(scripts/test.sh starts a server for it)", flush=True)
        return SKIPPED
    binary = os.path.abspath(args[0])
    tmp = tempfile.mkdtemp(prefix="vigil-py-e2e-")
    vigil = None
    database = None
    try:
        env = dict(os.environ)
        env.update({
            "HOME": tmp,
            "XDG_DATA_HOME": os.path.join(tmp, "data"),
            "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
            "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
            "VIGIL_TOKEN": TOKEN,
            "QT_QPA_PLATFORM": "offscreen",
        })
        database = Database(tmp, postgres_url if postgresql else None)
        rules_path = os.path.join(tmp, "rules.json")
        with open(rules_path, "w", encoding="utf-8") as f:
            json.dump(RULES, f)

        run = subprocess.run([binary, "rules", "import", rules_path, "--database", database.url], env=env,
                             capture_output=True, text=True, timeout=STEP_TIMEOUT * 3)
        check(run.returncode == 0, "vigil rules import exits 0", run.stderr)
        check(f"Imported 2 rule(s) into {database.display}: 2 new, 0 replaced." in run.stderr,
              "vigil rules import reports what it did", run.stderr)
        run = subprocess.run([binary, "rules", "export", "--database", database.url], env=env,
                             capture_output=True, text=True, timeout=STEP_TIMEOUT * 3)
        check(run.returncode == 0, "vigil rules export exits 0", run.stderr)
        exported = json.loads(run.stdout)
        exported = exported["rules"] if isinstance(exported, dict) else exported
        check([r["name"] for r in exported] == ["Big transfer", "Root login"], "vigil rules export lists them", run.stdout)

        port = free_port()
        vigil = Vigil(binary, env, database.url, port)
        vigil.wait_for_line(f"Listening on ws://127.0.0.1:{port}/events", START_TIMEOUT)
        check(True, f"vigil --headless listens on 127.0.0.1:{port}")

        accepted = asyncio.run(scenario(port, vigil, database))

        try:
            code = vigil.process.wait(timeout=STEP_TIMEOUT * 3)
        except subprocess.TimeoutExpired:
            raise AssertionError("vigil did not exit after SIGTERM; log:\n" + "\n".join(vigil.log))
        vigil.reader.join(STEP_TIMEOUT)
        check(code == 0, "vigil exits 0 after SIGTERM", f"{code}; log:\n" + "\n".join(vigil.log))
        check(any(line.startswith("Stopped: ") for line in vigil.log), "vigil logs its counters when it stops", vigil.log)

        stored = {row[0] for row in database.rows("SELECT event_id FROM events")}
        [(duplicates,)] = database.rows("SELECT COUNT(*) - COUNT(DISTINCT event_id) FROM events")
        alerts = database.rows(
            "SELECT a.rule_name, e.event_id FROM alerts a JOIN events e ON e.id = a.event_id ORDER BY a.id")
        broadcasts = database.rows(
            "SELECT e.event_id, n.status, n.target FROM notifications n JOIN alerts a ON a.id = n.alert_id"
            " JOIN events e ON e.id = a.event_id WHERE n.channel = 'WEBSOCKET' ORDER BY a.id")
        before = {"py-1", "py-2", "py-3", "py-4", "py-8", "py-big", "py-root"}
        check(stored == before | accepted, "exactly the acknowledged events are stored",
              sorted(stored ^ (before | accepted)))
        check(duplicates == 0, "each event stored once")
        check(alerts == [("Big transfer", "py-big"), ("Root login", "py-root")], "the alerts rows", alerts)
        # Broadcasts are recorded once a second; py-root's came less than a second before the
        # SIGTERM, and is recorded all the same.
        check(broadcasts == [("py-big", "SENT", "1 subscriber"), ("py-root", "SENT", "1 subscriber")],
              "the /alerts broadcasts are in the notifications table", broadcasts)
        check(not os.path.exists(os.path.join(tmp, "data", "vigil", "producer-token")),
              "VIGIL_TOKEN is used, no token file is generated")
        print(f"1..{checks}")
        return 0
    except AssertionError as e:
        print(f"not ok - {e}", file=sys.stderr, flush=True)
        if vigil is not None:
            print("vigil log:\n" + "\n".join(vigil.log), file=sys.stderr)
        return 1
    finally:
        if vigil is not None:
            vigil.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
