#!/usr/bin/python3
"""`sluice serve` end to end with real HTTP clients on 127.0.0.1: the token (generated 0600,
never printed, required for everything but /health and /ready), SQL round trips with JSON rows
and positioned errors, bad JSON, unknown endpoints, oversized bodies and malformed HTTP (a
clear 4xx each, and the server keeps serving), keep-alive, a checkpoint, SIGTERM (drains: every
accepted row reaches the file sink, exit 0), a restart on the same data dir (same token,
pipeline resumed). Usage: server_test.py PATH_TO_SLUICE"""

import http.client
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

SLUICE = os.path.abspath(sys.argv[1])
DEADLINE = 20  # seconds for any one wait: the test is bounded
failures = 0
checks = 0


def check(what, condition, detail=""):
    global failures, checks
    checks += 1
    if condition:
        print(f"ok   {what}")
    else:
        failures += 1
        print(f"FAIL {what} {detail}")


class Serve:
    """A `sluice serve` child on a free port; stderr collected into a file."""

    def __init__(self, work, *args, tls=None):
        self.tls = tls  # an ssl.SSLContext: the server serves HTTPS (tls_test.py)
        self.err_path = os.path.join(work, f"serve{time.monotonic_ns()}.err")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(
            [SLUICE, "serve", *args, "--listen", "127.0.0.1:0"],
            stdout=subprocess.DEVNULL, stderr=self.err)
        end = time.monotonic() + DEADLINE
        self.port = None
        while time.monotonic() < end and self.proc.poll() is None:
            m = re.search(r"listening on https?://127\.0\.0\.1:(\d+)", self.stderr())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("sluice serve did not start: " + self.stderr())

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def request(self, method, path, body=None, token=None, headers=None):
        conn = self.connection()
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read().decode()
        conn.close()
        return r.status, data, r

    def connection(self):
        if self.tls is not None:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=DEADLINE,
                                               context=self.tls)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE)

    def sql(self, statement, token):
        return self.request("POST", "/api/v1/sql", json.dumps({"sql": statement}), token)

    def raw(self, payload):
        """Sends bytes on a fresh connection; returns everything the server sends back."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=DEADLINE) as s:
            s.sendall(payload)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                out += chunk
            return out.decode(errors="replace")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def sink_rows(directory):
    rows = []
    for root, _, files in os.walk(directory):
        for name in sorted(files):
            if name.startswith("."):
                continue
            with open(os.path.join(root, name)) as f:
                rows += [json.loads(line) for line in f if line.strip()]
    return rows


def check_metrics(srv, token, rows):
    """/metrics parses with prometheus_client, and its counters are SHOW SINKS's."""
    from prometheus_client.parser import text_string_to_metric_families

    deadline = time.monotonic() + DEADLINE
    shown = {}
    while time.monotonic() < deadline:  # wait until the sink has every row: counters settle
        status, body, _ = srv.sql("SHOW SINKS", token)
        shown = {r["name"]: r for r in json.loads(body)["rows"]} if status == 200 else {}
        if shown.get("out", {}).get("rows") == rows and shown["out"]["queue_depth"] == 0:
            break
        time.sleep(0.05)
    status, text, r = srv.request("GET", "/metrics", None, token)
    check("/metrics: 200 text/plain", status == 200 and r.getheader("Content-Type").startswith("text/plain"))
    samples = {}
    types = {}
    try:
        for family in text_string_to_metric_families(text):
            types[family.name] = family.type
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        parsed = True
    except Exception as e:  # noqa: BLE001 - any parse error fails the check
        parsed = False
        print(e)
    check("/metrics parses with prometheus_client", parsed and len(samples) > 0)
    out = shown.get("out", {})
    for metric, column in [("rows", "rows"), ("batches", "batches"), ("bytes", "bytes"),
                           ("dropped_rows", "dropped_rows"), ("write_errors", "write_errors"),
                           ("retries", "retries"), ("backpressure_events", "backpressure")]:
        got = samples.get((f"sluice_sink_{metric}_total", (("sink", "out"),)))
        check(f"sluice_sink_{metric}_total matches SHOW SINKS", got is not None and got == out.get(column),
              f"{got} != {out.get(column)}")
    check("sink rows are every row", out.get("rows") == rows)
    check("source rows counted", samples.get(("sluice_source_rows_total", (("source", "t"),))) == rows)
    check("node rows counted",
          samples.get(("sluice_node_rows_in_total", (("kind", "sink"), ("node", "out"), ("object", "out")))) == rows)
    check("write latency is a Prometheus histogram", types.get("sluice_sink_write_latency_seconds") == "histogram")
    buckets = sorted((float(dict(labels)["le"]), v) for (name, labels), v in samples.items()
                     if name == "sluice_sink_write_latency_seconds_bucket" and dict(labels)["sink"] == "out")
    count = samples.get(("sluice_sink_write_latency_seconds_count", (("sink", "out"),)))
    check("histogram buckets cumulative, +Inf = count >= batches",
          len(buckets) == 16 and all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
          and buckets[-1] == (float("inf"), count) and count >= out.get("batches", 1), buckets)
    # State per node (the view holds its keys a, b, c) and checkpoints (the server has a data dir).
    check("view table rows", samples.get(("sluice_view_table_rows", (("node", "totals"),))) == 3,
          [(k, v) for k, v in samples.items() if k[0].startswith("sluice_view")])
    check("unmatched deletes per node (none: the changelogs are consistent)",
          samples.get(("sluice_node_unmatched_deletes_total",
                       (("kind", "materialized view"), ("node", "totals"), ("object", "totals")))) == 0)
    check("state bytes per node",
          (samples.get(("sluice_node_state_bytes",
                        (("kind", "materialized view"), ("node", "totals"), ("object", "totals")))) or 0) > 0)
    check("checkpoint duration is a Prometheus histogram",
          types.get("sluice_checkpoint_duration_seconds") == "histogram")
    check("checkpoint pause and state bytes",
          samples.get(("sluice_checkpoint_pause_max_seconds", ())) is not None
          and samples.get(("sluice_checkpoint_state_bytes", ())) is not None)


def main():
    work = tempfile.mkdtemp(prefix="sluice_server_test_")
    data = os.path.join(work, "data")
    out_dir = os.path.join(work, "out")
    pipeline = os.path.join(work, "p.sql")
    with open(pipeline, "w") as f:
        f.write("CREATE SOURCE t (k VARCHAR, n BIGINT);\n"
                "CREATE MATERIALIZED VIEW totals AS SELECT k, COUNT(*) AS c, SUM(n) AS s FROM t GROUP BY k;\n"
                f"CREATE SINK out FROM t INTO file (path = '{out_dir}', format = 'jsonl');\n")

    srv = Serve(work, pipeline, "--data-dir", data, "--max-body", "65536")
    token_path = os.path.join(data, "server.token")
    token = open(token_path).read().strip()
    check("token generated into the data dir", len(token) == 64)
    check("token file mode 0600", stat.S_IMODE(os.stat(token_path).st_mode) == 0o600)
    check("token never printed", token not in srv.stderr())

    status, body, _ = srv.request("GET", "/health")
    check("/health without a token", status == 200 and json.loads(body)["status"] == "ok", body)
    status, body, _ = srv.request("GET", "/ready")
    check("/ready once the pipeline runs", status == 200, body)

    status, body, r = srv.sql("DROP SINK out", None)
    check("DDL without a token: 401", status == 401 and "SLC-5001" in body, body)
    check("401 says Bearer", r.getheader("WWW-Authenticate") == "Bearer")
    status, body, _ = srv.sql("DROP SINK out", "wrong")
    check("DDL with a wrong token: 401", status == 401, body)
    for path in ["/api/v1/sinks", "/metrics", "/api/v1/graph", "/nothing"]:
        status, _, _ = srv.request("GET", path)
        check(f"GET {path} without a token: 401", status == 401)

    # Rows in through the API, a view read back as JSON rows.
    lines = "".join(json.dumps({"k": "ab"[i % 2], "n": i}) + "\n" for i in range(1000))
    status, body, _ = srv.request("POST", "/api/v1/sources/t/rows", lines, token)
    check("push 1000 rows", status == 200, body)
    deadline = time.monotonic() + DEADLINE
    rows = []
    while time.monotonic() < deadline:
        status, body, _ = srv.sql("SELECT k, c, s FROM totals ORDER BY k", token)
        rows = json.loads(body).get("rows", []) if status == 200 else []
        if sum(r["c"] for r in rows) == 1000:
            break
        time.sleep(0.05)
    check("ad-hoc SELECT as JSON rows",
          rows == [{"k": "a", "c": 500, "s": sum(range(0, 1000, 2))},
                   {"k": "b", "c": 500, "s": sum(range(1, 1000, 2))}], rows)
    status, body, _ = srv.sql("CREATE STREAM big AS SELECT k, n FROM t WHERE n > 990", token)
    check("CREATE STREAM through the API", status == 200 and json.loads(body)["message"] == "CREATE STREAM big", body)
    status, body, _ = srv.request("GET", "/api/v1/streams", None, token)
    check("streams listed", status == 200 and json.loads(body)["streams"][0]["name"] == "big", body)
    status, body, _ = srv.request("GET", "/api/v1/sinks", None, token)
    sinks = json.loads(body)["sinks"] if status == 200 else []
    check("sinks listed with metrics", len(sinks) == 1 and sinks[0]["metrics"]["state"] == "running", body)
    status, body, _ = srv.request("GET", "/api/v1/graph", None, token)
    check("graph JSON", status == 200 and {n["name"] for n in json.loads(body)["nodes"]} >= {"t", "totals", "big", "out"}, body)

    status, body, _ = srv.sql("CREATE STREAM x AS\n  SELECT nope FROM t", token)
    err = json.loads(body).get("error", {})
    check("SQL error: 400 with code, line and column",
          status == 400 and err.get("code") == "SLC-1002" and err.get("line") == 2 and err.get("column") == 10, body)
    status, body, _ = srv.request("POST", "/api/v1/sql", '{"sql": ', token)
    check("bad JSON: 400 SLC-2001", status == 400 and "SLC-2001" in body, body)
    status, body, _ = srv.request("GET", "/api/v1/nothing", None, token)
    check("unknown endpoint: 404", status == 404 and "SLC-5002" in body, body)
    status, body, _ = srv.request("GET", "/api/v1/sql", None, token)
    check("wrong method: 405", status == 405, body)

    big = json.dumps({"sql": "SHOW SINKS --" + "x" * 70000})
    reply = srv.raw((f"POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(big)}\r\n\r\n").encode()
                    + big.encode())
    check("oversized body: 413", reply.startswith("HTTP/1.1 413") and "SLC-5003" in reply, reply[:200])
    reply = srv.raw(b"NOT HTTP AT ALL\r\n\r\n")
    check("malformed HTTP: 400", reply.startswith("HTTP/1.1 400") and "SLC-5004" in reply, reply[:200])
    reply = srv.raw(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 20000 + b"\r\n\r\n")
    check("oversized headers: 431", reply.startswith("HTTP/1.1 431"), reply[:200])
    reply = srv.raw(b"GET /health HTTP/1.1\r\nContent-Length: nope\r\n\r\n")
    check("bad Content-Length: 400", reply.startswith("HTTP/1.1 400"), reply[:200])
    status, _, _ = srv.request("GET", "/health")
    check("still serving after bad requests", status == 200)

    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=DEADLINE)
    answers = []
    for _ in range(3):
        conn.request("GET", "/api/v1/sources", headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        answers.append((r.status, json.loads(r.read())["sources"][0]["metrics"]["pushed_rows"]))
    conn.close()
    check("keep-alive: three requests on one connection", answers == [(200, 1000)] * 3, answers)

    status, body, _ = srv.request("POST", "/api/v1/checkpoint", None, token)
    check("checkpoint returns its epoch", status == 200 and json.loads(body)["epoch"] >= 1, body)

    # More rows, then SIGTERM at once: the drain delivers every accepted row.
    lines = "".join(json.dumps({"k": "c", "n": i}) + "\n" for i in range(1000, 3000))
    status, body, _ = srv.request("POST", "/api/v1/sources/t/rows", lines, token)
    check("push 2000 more rows", status == 200, body)
    check_metrics(srv, token, 3000)
    code = srv.stop()
    check("SIGTERM: exit 0", code == 0, srv.stderr())
    got = sorted(r["n"] for r in sink_rows(out_dir))
    check("drained: the file sink holds every row once", got == list(range(3000)), f"{len(got)} rows")
    check("token never printed (after the run)", token not in srv.stderr())

    srv = Serve(work, pipeline, "--data-dir", data)
    status, body, _ = srv.request("GET", "/api/v1/streams", None, token)
    check("restart: same token, pipeline resumed", status == 200 and "big" in body, body)
    code = srv.stop(signal.SIGINT)
    check("SIGINT: exit 0", code == 0, srv.stderr())

    # Without a data dir or a token file there is nowhere to keep the token: refused.
    r = subprocess.run([SLUICE, "serve", "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=DEADLINE)
    check("no data dir, no token file: refused", r.returncode != 0 and "--token-file" in r.stderr, r.stderr)
    r = subprocess.run([SLUICE, "serve", "--listen", "nowhere"], capture_output=True, text=True, timeout=DEADLINE)
    check("bad --listen: usage error", r.returncode == 2 and "HOST:PORT" in r.stderr, r.stderr)

    subprocess.run(["rm", "-rf", work])
    print(f"{checks - failures}/{checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
