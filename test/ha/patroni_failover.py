#!/usr/bin/python3
"""Snowflake under Patroni: failovers and switchovers never repeat an id and never go back.

Starts etcd, a registry of worker ids (a private PostgreSQL where snowflake is installed) and a
two-member Patroni cluster on 127.0.0.1 (test/ha/patroni-member.yml): every member preloads
snowflake, and none has a worker id configured: each claims its own from the registry
(snowflake.registry, set cluster-wide in the DCS) when it becomes a primary.
Member "b" runs its PostgreSQL with the clock 30 s behind (libfaketime, through a bin_dir whose
postgres is a wrapper; Patroni itself keeps the real clock). A client inserts continuously
through a libpq multi-host connection string with target_session_attrs=read-write and records
every id it receives, while the test

  1. stops the leader's ("a") WAL sender, then kills its postmaster with SIGKILL: Patroni fails
     over to "b", whose clock is 30 s behind, and rewinds "a", whose WAL went further;
  2. switches over back to the rewound old leader "a" (failback, `patronictl switchover`);
  3. kills a's Patroni with SIGKILL: without a watchdog a's PostgreSQL stays a writable primary
     while "b" is promoted once the leader key expires; both take inserts (split brain) until
     a's Patroni is back, demotes and rewinds it;
  4. switches over to "a" again.

It asserts only what must hold without synchronous replication: no id was received twice, no
insert hit a unique violation, every id committed on a timeline (each promotion starts one)
lies above every id committed before it, and each member made its ids with one worker id of its
own, claimed from the registry (a standby claims none until it is promoted). Ids received but lost with a failed-over
primary's last transactions are counted, not failed: their worker id keeps them apart.
A synchronous variant would also assert that no received id is lost.

Only "a" ever has its Patroni restarted: a Patroni started while its PostgreSQL runs under
libfaketime does not recognise that postmaster (the start time in postmaster.pid is faked).

Runs as an unprivileged user (PostgreSQL refuses root); prints TAP. Every server listens on
127.0.0.1 or a unix socket in a private directory and is stopped at exit; set
SNOWFLAKE_KEEP_HA_DIR=1 to keep that directory for inspection. PG_BINDIR names the PostgreSQL
to run (default: Debian's 15).
"""

import glob
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

import psycopg

PG_BINDIR = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
HA_DIR = os.path.dirname(os.path.abspath(__file__))
MEMBER_TEMPLATE = os.path.join(HA_DIR, "patroni-member.yml")
SLOW_CLOCK_OFFSET_S = -30
# Bounds for the polls; a failover with loop_wait 1 takes a few seconds.
START_TIMEOUT_S = 60
FAILOVER_TIMEOUT_S = 60
REJOIN_TIMEOUT_S = 90
IDS_PER_INSERT = 20
SPLIT_BRAIN_INSERTS = 25  # on each primary

test_number = 0
failures = 0


def check(passed, name, detail=""):
    """One TAP line; a failure's detail goes to the diagnostics."""
    global test_number, failures
    test_number += 1
    print(f"{'ok' if passed else 'not ok'} {test_number} - {name}", flush=True)
    if not passed:
        failures += 1
        for line in str(detail).splitlines():
            print(f"#   {line}", flush=True)
    return passed


def note(text):
    print(f"# {text}", flush=True)


def wait_for(description, predicate, timeout_s):
    """Polls predicate every 0.1 s until it returns a true value, which it returns. A server
    that refuses connections (yet) counts as not yet."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            value = predicate()
        except psycopg.OperationalError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s} s waiting for {description}")
        time.sleep(0.1)


def free_ports(count):
    """Ports on 127.0.0.1 that nothing listens on now (the kernel picks them)."""
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def http_json(url):
    """(status, parsed body) of a GET, or (None, None) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ValueError):
        return None, None


def faketime_bin_dir(directory, clock_file):
    """A bin_dir whose postgres runs under libfaketime, with the clock clock_file sets; the
    other programs are the real ones."""
    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")  # Debian's multiarch directory
    if not found:
        raise RuntimeError("libfaketime is not installed")
    libfaketime = found[0]
    os.makedirs(directory)
    for program in os.listdir(PG_BINDIR):
        if program != "postgres":
            os.symlink(os.path.join(PG_BINDIR, program), os.path.join(directory, program))
    wrapper = os.path.join(directory, "postgres")
    with open(wrapper, "w") as script:
        script.write(f"""#!/bin/sh
# PostgreSQL with its wall clock where {clock_file} puts it (monotonic clock untouched).
export LD_PRELOAD={libfaketime} FAKETIME_TIMESTAMP_FILE={clock_file}
export FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1
exec {PG_BINDIR}/postgres "$@"
""")
    os.chmod(wrapper, 0o755)
    return directory


class Registry:
    """The registry of worker ids: a plain PostgreSQL on 127.0.0.1 where snowflake is installed
    (the registry needs no preload)."""

    def __init__(self, base_dir, port):
        self.data_dir = os.path.join(base_dir, "registry")
        self.log_file = os.path.join(base_dir, "registry.log")
        self.conninfo = f"host=127.0.0.1 port={port} dbname=postgres user=postgres"
        self.port = port

    def start(self):
        subprocess.run([os.path.join(PG_BINDIR, "initdb"), "-D", self.data_dir, "-U", "postgres",
                        "-A", "trust", "--no-sync"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([os.path.join(PG_BINDIR, "pg_ctl"), "-D", self.data_dir, "-l",
                        self.log_file, "-w", "-o",
                        f"-c listen_addresses=127.0.0.1 -c port={self.port}"
                        f" -c unix_socket_directories={self.data_dir}", "start"],
                       check=True, stdout=subprocess.DEVNULL, timeout=START_TIMEOUT_S)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION snowflake")

    def claims(self, members):
        """{member name: [worker ids]} of the claims in the registry; holders that are no
        member come under None."""
        claims = {}
        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
            for worker_id, holder in conn.execute(
                    "SELECT worker_id, holder FROM snowflake_registry ORDER BY worker_id"):
                name = next((m.name for m in members if m.holds(holder)), None)
                claims.setdefault(name, []).append(worker_id)
        return claims

    def stop(self):
        if os.path.exists(os.path.join(self.data_dir, "postmaster.pid")):
            subprocess.run([os.path.join(PG_BINDIR, "pg_ctl"), "-D", self.data_dir, "-m",
                            "fast", "-w", "stop"], stdout=subprocess.DEVNULL, check=False)


class Member:
    """One Patroni member and its PostgreSQL."""

    def __init__(self, base_dir, name, clock_offset_s, pg_port, restapi_port, etcd_port,
                 registry):
        self.name = name
        self.pg_port = pg_port
        self.restapi_url = f"http://127.0.0.1:{restapi_port}"
        self.dir = os.path.join(base_dir, name)
        self.data_dir = os.path.join(self.dir, "data")
        self.config_file = os.path.join(self.dir, "patroni.yml")
        self.log_file = os.path.join(self.dir, "patroni.log")
        self.process = None
        os.makedirs(os.path.join(self.dir, "log"))
        bin_dir = PG_BINDIR
        if clock_offset_s:
            clock_file = os.path.join(self.dir, "faketime.rc")
            with open(clock_file, "w") as clock:
                clock.write(f"{clock_offset_s:+d}s\n")
            bin_dir = faketime_bin_dir(os.path.join(self.dir, "bin"), clock_file)
        with open(MEMBER_TEMPLATE) as template:
            config = string.Template(template.read()).substitute(
                name=name, member_dir=self.dir, bin_dir=bin_dir, pg_port=pg_port,
                restapi_port=restapi_port, etcd_port=etcd_port, registry=registry.conninfo)
        with open(self.config_file, "w") as out:
            out.write(config)

    def start(self):
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                ["patroni", self.config_file], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)

    def is_running_primary(self):
        return http_json(self.restapi_url + "/primary")[0] == 200

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as pid_file:
                return int(pid_file.readline())
        except (OSError, ValueError):
            return None

    def holds(self, holder):
        """Whether a registry's holder names this member: host, data directory, system."""
        return f":{self.data_dir} (system " in holder

    def connect(self):
        return psycopg.connect(host="127.0.0.1", port=self.pg_port, dbname="postgres",
                               user="postgres", autocommit=True, connect_timeout=5)

    def query(self, sql):
        """The rows of sql, on a connection of its own."""
        with self.connect() as conn:
            return conn.execute(sql).fetchall()

    def execute(self, sql):
        with self.connect() as conn:
            conn.execute(sql)

    def follows(self, leader):
        """Whether this member streams from leader on leader's timeline. (A member that must
        be rewound first can stream for a moment the old timeline, up to where it forked.)"""
        try:
            leader_timeline = leader.query("SELECT insert_timeline()")[0][0]
            return leader.query(
                "SELECT 1 FROM pg_stat_replication"
                f" WHERE application_name = '{self.name}' AND state = 'streaming'"
            ) and self.query(
                "SELECT 1 FROM pg_stat_wal_receiver"
                f" WHERE status = 'streaming' AND received_tli = {leader_timeline}")
        except psycopg.Error:
            return False

    def kill_patroni(self):
        """Kills Patroni alone, as a crash would: its PostgreSQL runs on unmanaged (no
        watchdog here to stop it)."""
        self.process.kill()
        self.process.wait()

    def rewind_count(self):
        """How many times pg_rewind rewound this member ("no rewind required" does not count)."""
        with open(self.log_file, errors="replace") as log:
            return log.read().count("pg_rewind: Done!")

    def stop(self, timeout_s=30):
        """Stops Patroni (which stops PostgreSQL); kills whatever is left after timeout_s."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        pid = self.postmaster_pid()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def print_logs(self, lines=40):
        """The ends of Patroni's and PostgreSQL's logs, as TAP diagnostics."""
        for path in [self.log_file] + sorted(glob.glob(os.path.join(self.dir, "log", "*"))):
            if not os.path.exists(path):
                continue
            with open(path, errors="replace") as log:
                tail = log.readlines()[-lines:]
            print(f"# --- last lines of {path}")
            for line in tail:
                print(f"#   {line.rstrip()}")


class Inserter(threading.Thread):
    """A client that inserts rows continuously through the multi-host connection string and
    records each id it receives with the timeline it was committed on and when."""

    INSERT = (f"INSERT INTO ids SELECT FROM generate_series(1, {IDS_PER_INSERT})"
              " RETURNING id, timeline")

    def __init__(self, conninfo):
        super().__init__(daemon=True)
        self.conninfo = conninfo
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.received = []   # (monotonic seconds, id, timeline)
        self.errors = {}     # SQLSTATE (or error class) -> count
        self.unique_violations = []

    def run(self):
        conn = None
        while not self.stopping.is_set():
            try:
                if conn is None:
                    conn = psycopg.connect(self.conninfo, autocommit=True)
                self.record(conn.execute(self.INSERT).fetchall())
            except psycopg.Error as error:
                sqlstate = getattr(error, "sqlstate", None) or type(error).__name__
                with self.lock:
                    self.errors[sqlstate] = self.errors.get(sqlstate, 0) + 1
                    if sqlstate == "23505":
                        self.unique_violations.append(str(error))
                if conn is not None:
                    conn.close()
                    conn = None
                self.stopping.wait(0.05)
                continue
            self.stopping.wait(0.005)  # leaves the 2 cores room for the servers
        if conn is not None:
            conn.close()

    def record(self, rows):
        """Records rows of (id, timeline) a client received (this one, or the test's own)."""
        received_at = time.monotonic()
        with self.lock:
            self.received.extend((received_at, id_, timeline) for id_, timeline in rows)

    def snapshot(self):
        with self.lock:
            return list(self.received)

    def ids_on_timeline_after(self, timeline):
        """Received ids committed on a timeline after the given one."""
        return [entry for entry in self.snapshot() if entry[2] > timeline]


def start_etcd(base_dir, client_port, peer_port):
    peer_url = f"http://127.0.0.1:{peer_port}"
    client_url = f"http://127.0.0.1:{client_port}"
    with open(os.path.join(base_dir, "etcd.log"), "wb") as log:
        return subprocess.Popen(
            ["etcd", "--name", "etcd0", "--data-dir", os.path.join(base_dir, "etcd"),
             "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
             "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
             "--initial-cluster", f"etcd0={peer_url}", "--log-level", "warn"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)


def wait_for_etcd(process, client_port):
    url = f"http://127.0.0.1:{client_port}/health"
    wait_for("etcd", lambda: http_json(url)[1] == {"health": "true"} or process.poll() is not None,
             START_TIMEOUT_S)
    if process.poll() is not None:
        raise RuntimeError("etcd exited; see etcd.log")


def change_leader(client, description, trigger, old, new):
    """Runs trigger (which makes `new` replace `old` as leader) and waits until the client
    receives ids from the new timeline and `old` follows `new`. Returns a summary."""
    wait_for("ids from the current leader", lambda: len(client.snapshot()) > 0, FAILOVER_TIMEOUT_S)
    old_timeline = client.snapshot()[-1][2]
    ids_before = len(client.snapshot())
    wait_for("more ids before the change",
             lambda: len(client.snapshot()) >= ids_before + 20 * IDS_PER_INSERT, FAILOVER_TIMEOUT_S)
    rewinds_before = old.rewind_count()
    started = time.monotonic()
    trigger()
    wait_for(f"{new.name} to lead", new.is_running_primary, FAILOVER_TIMEOUT_S)
    first_after = wait_for("ids from the new timeline",
                           lambda: client.ids_on_timeline_after(old_timeline), FAILOVER_TIMEOUT_S)
    first_after_at = first_after[0][0]
    wait_for(f"{old.name} to follow {new.name}", lambda: old.follows(new), REJOIN_TIMEOUT_S)
    summary = {
        "scenario": description,
        "writes_resumed_after_s": round(first_after_at - started, 2),
        "rejoined_after_s": round(time.monotonic() - started, 2),
        "old_leader_rewound": old.rewind_count() > rewinds_before,
    }
    note(f"{description}: " + ", ".join(f"{k} {v}" for k, v in summary.items() if k != "scenario"))
    return summary


def check_ids(client, leader, members, registry, summaries):
    """The assertions: no repeat, each member's ids under its own worker id from the registry,
    and each timeline's ids above every earlier committed one."""
    received = client.snapshot()
    received_ids = [entry[1] for entry in received]
    committed = leader.query(
        "SELECT timeline, count(*), min(id), max(id),"
        " array_agg(DISTINCT (snowflake_decode(id)).worker_id)"
        " FROM ids GROUP BY timeline ORDER BY timeline")
    committed_ids = {row[0] for row in leader.query("SELECT id FROM ids")}

    check(len(received_ids) == len(set(received_ids)), "no id was received twice",
          f"{len(received_ids) - len(set(received_ids))} repeats")
    check(not client.unique_violations, "no insert hit a unique violation",
          "\n".join(client.unique_violations[:5]))
    check(len(committed) == len(summaries) + 1, "each leader change started one timeline",
          f"timelines: {[row[0] for row in committed]}")
    claims = registry.claims(members)
    check(set(claims) == {m.name for m in members}
          and all(len(claims[m.name]) == 1 for m in members)
          and claims[members[0].name] != claims[members[1].name],
          "each member claimed one worker id of its own from the registry", f"claims: {claims}")
    workers = {worker for row in committed for worker in row[4]}
    check(workers == {worker for m in members for worker in claims.get(m.name, [])},
          "every committed id carries a worker id its member claimed",
          f"worker ids: {sorted(workers)}, claims: {claims}")
    received_by_timeline, lost_by_timeline = {}, {}
    for _, id_, timeline in received:
        received_by_timeline[timeline] = received_by_timeline.get(timeline, 0) + 1
        if id_ not in committed_ids:
            lost_by_timeline[timeline] = lost_by_timeline.get(timeline, 0) + 1
    highest_before = None
    for timeline, count, lowest, highest, timeline_workers in committed:
        note(f"timeline {timeline}: worker(s) {timeline_workers},"
             f" {received_by_timeline.get(timeline, 0)} ids received,"
             f" {lost_by_timeline.get(timeline, 0)} of them lost, {count} committed")
        if highest_before is not None:
            check(lowest > highest_before,
                  f"timeline {timeline}: every id lies above every id committed before it",
                  f"lowest {lowest} <= earlier highest {highest_before}")
        highest_before = max(highest, highest_before or highest)
    note(f"{len(received_ids)} ids received, {len(committed_ids)} committed;"
         f" client errors: {client.errors}")


def run(base_dir):
    etcd_client, etcd_peer, pg_a, pg_b, rest_a, rest_b, pg_registry = free_ports(7)
    registry = Registry(base_dir, pg_registry)
    a = Member(base_dir, "a", 0, pg_a, rest_a, etcd_client, registry)
    b = Member(base_dir, "b", SLOW_CLOCK_OFFSET_S, pg_b, rest_b, etcd_client, registry)
    members = [a, b]
    etcd = None
    try:
        registry.start()
        etcd = start_etcd(base_dir, etcd_client, etcd_peer)
        wait_for_etcd(etcd, etcd_client)
        start_cluster(a, b)
        check_claims_at_start(a, b, registry)
        offset = b.query("SELECT extract(epoch FROM clock_timestamp())")[0][0]
        offset = float(offset) - time.time()
        check(abs(offset - SLOW_CLOCK_OFFSET_S) < 2,
              f"b: PostgreSQL's clock runs {SLOW_CLOCK_OFFSET_S} s off", f"offset {offset:.1f} s")

        conninfo = (f"host=127.0.0.1,127.0.0.1 port={pg_a},{pg_b} dbname=postgres user=postgres"
                    " target_session_attrs=read-write connect_timeout=2")
        client = Inserter(conninfo)
        client.start()
        summaries = [
            change_leader(client, "kill -9 of a's postmaster, failover to b (clock -30 s)",
                          lambda: crash_ahead_of_standby(a, b), a, b),
            change_leader(client, "switchover back to the old leader a (failback)",
                          lambda: switchover(a, b, a), b, a),
            change_leader(client, "kill -9 of a's Patroni: split brain until it restarts",
                          lambda: split_brain(a, b, client), a, b),
            change_leader(client, "switchover to the old leader a again",
                          lambda: switchover(a, b, a), b, a),
        ]
        client.stopping.set()
        client.join(10)
        check(summaries[0]["old_leader_rewound"], "a: rewound after the crash, then followed b")
        check(summaries[2]["old_leader_rewound"], "a: rewound after the split brain, then followed b")
        check_ids(client, a, members, registry, summaries)
    except BaseException:
        for member in members:
            member.print_logs()
        raise
    finally:
        for member in members:
            member.stop()
        registry.stop()
        if etcd is not None:
            etcd.terminate()
            try:
                etcd.wait(10)
            except subprocess.TimeoutExpired:
                etcd.kill()


def start_cluster(leader, replica):
    """Starts the leader, which initialises the cluster, creates the table of ids, and starts
    the replica. Each row records the timeline it was committed on: each promotion starts one."""
    leader.start()
    wait_for(f"{leader.name} to initialise the cluster and lead", leader.is_running_primary,
             START_TIMEOUT_S)
    leader.execute("CREATE EXTENSION snowflake")
    leader.execute("""
        CREATE FUNCTION insert_timeline() RETURNS int LANGUAGE sql VOLATILE AS
        $$SELECT ('x' || left(pg_walfile_name(pg_current_wal_insert_lsn()), 8))::bit(32)::int$$""")
    leader.execute("CREATE TABLE ids (id bigint PRIMARY KEY DEFAULT snowflake_nextval(),"
                   " timeline int NOT NULL DEFAULT insert_timeline())")
    replica.start()
    wait_for(f"{replica.name} to follow {leader.name}", lambda: replica.follows(leader),
             START_TIMEOUT_S)


def check_claims_at_start(leader, replica, registry):
    """No member has a worker id configured: the leader claimed one from the registry, the
    replica none, as a standby generates no id."""
    for member in (leader, replica):
        settings = dict(member.query("SELECT name, setting FROM pg_settings"
                                     " WHERE name IN ('snowflake.worker_id', 'snowflake.registry')"))
        check(settings == {"snowflake.worker_id": "-1", "snowflake.registry": registry.conninfo},
              f"{member.name}: no worker id configured, the registry set in the DCS",
              f"settings: {settings}")
    worker_id, source = wait_for(
        f"{leader.name} to claim a worker id",
        lambda: leader.query("SELECT worker_id, worker_id_source FROM snowflake_stats"
                             " WHERE worker_id IS NOT NULL"), START_TIMEOUT_S)[0]
    claims = registry.claims([leader, replica])
    check(claims == {leader.name: [worker_id]} and source == "registry",
          f"{leader.name}: makes ids with a worker id claimed from the registry;"
          f" {replica.name}, a standby, claimed none",
          f"worker id {worker_id} from {source}; claims: {claims}")


def crash_ahead_of_standby(primary, standby):
    """Stops the primary's WAL sender, lets commits go on until the primary's WAL is ahead of
    what the standby received, then kills the postmaster and the WAL sender: a primary that
    crashes while replication lags, so that only it has its last transactions (and must be
    rewound to follow the new primary)."""
    walsender_pid = primary.query("SELECT pid FROM pg_stat_replication"
                                  f" WHERE application_name = '{standby.name}'")[0][0]
    postmaster_pid = primary.postmaster_pid()
    os.kill(walsender_pid, signal.SIGSTOP)
    try:
        wait_for("WAL the standby did not receive", lambda: primary.query(
            "SELECT pg_current_wal_flush_lsn() - sent_lsn > 16384 FROM pg_stat_replication"
            f" WHERE pid = {walsender_pid}")[0][0], FAILOVER_TIMEOUT_S)
    finally:
        os.kill(postmaster_pid, signal.SIGKILL)
        os.kill(walsender_pid, signal.SIGKILL)


def split_brain(old, new, client):
    """Kills the leader's Patroni: without a watchdog its PostgreSQL stays a writable primary
    while `new` takes the leader lock once its TTL expires. Both primaries then take inserts
    (the client's open connection keeps writing to `old`, the test writes to both directly)
    until `old`'s Patroni is back and demotes it."""
    old.kill_patroni()
    wait_for(f"{new.name} to lead", new.is_running_primary, FAILOVER_TIMEOUT_S)
    # Patroni reports the new primary before its promotion ends.
    wait_for(f"{new.name} to accept writes",
             lambda: not new.query("SELECT pg_is_in_recovery()")[0][0], FAILOVER_TIMEOUT_S)
    check(not old.query("SELECT pg_is_in_recovery()")[0][0],
          f"split brain: {old.name} still accepts writes while {new.name} leads")
    for _ in range(SPLIT_BRAIN_INSERTS):
        for member in (old, new):
            client.record(member.query(Inserter.INSERT))
    old.start()


def switchover(via, leader, candidate):
    subprocess.run(["patronictl", "-c", via.config_file, "switchover", "--leader", leader.name,
                    "--candidate", candidate.name, "--force"],
                   check=True, stdout=subprocess.DEVNULL, timeout=FAILOVER_TIMEOUT_S)


def main():
    if os.geteuid() == 0:
        sys.exit("run this as an unprivileged user: PostgreSQL refuses to run as root")
    started = time.monotonic()
    base_dir = tempfile.mkdtemp(prefix="snowflake-ha.")
    # SIGTERM (say, from a CI timeout) cleans up like an error does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run(base_dir)
    except Exception:
        check(False, "the scenarios ran to the end", traceback.format_exc())
    finally:
        if os.environ.get("SNOWFLAKE_KEEP_HA_DIR"):
            note(f"kept {base_dir}")
        else:
            shutil.rmtree(base_dir, ignore_errors=True)
    note(f"total {time.monotonic() - started:.0f} s")
    print(f"1..{test_number}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
