#!/usr/bin/python3
"""`websocket` sinks on `sluice serve` with real clients (python3-websockets and raw sockets),
all on 127.0.0.1: WS_CLIENTS clients (1000 unless set) receive
every row in order with consecutive sequence numbers, while the sink encodes each batch once
(encoded messages = the sink's batches; messages sent = clients x encoded); a never-reading
client does not slow the pipeline or the other clients (its drops are counted, and told to it
as {"missed": K}); the disconnect policy closes it instead; invalid frames and invalid UTF-8
close only that client; no token: 401; no sink at the path: 404; DROP SINK closes its clients;
ad-hoc /ws/subscribe with and without a WHERE, and its refusals (404, 400).
Usage: websocket_test.py PATH_TO_SLUICE"""

import asyncio
import base64
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websockets
from prometheus_client.parser import text_string_to_metric_families

SLUICE = os.path.abspath(sys.argv[1])
CLIENTS = int(os.environ.get("WS_CLIENTS", "1000"))
DEADLINE = 60  # seconds for any one wait
failures = 0
START = time.monotonic()
checks = 0


def check(what, condition, detail=""):
    global failures, checks
    checks += 1
    print(f"{time.monotonic() - START:6.1f}s {'ok  ' if condition else 'FAIL'} {what}" + ("" if condition else f" {detail}"), flush=True)
    if not condition:
        failures += 1


class Api:
    def __init__(self, port, token):
        self.base = f"http://127.0.0.1:{port}"
        self.token = token

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=body.encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=DEADLINE) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def sql(self, statement):
        status, body = self.call("POST", "/api/v1/sql", json.dumps({"sql": statement}))
        return status, json.loads(body)

    def push(self, source, rows):
        status, body = self.call("POST", f"/api/v1/sources/{source}/rows",
                                 "".join(json.dumps(r) + "\n" for r in rows))
        assert status == 200, body

    def metrics(self):
        _, text = self.call("GET", "/metrics")
        out = {}
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                out[(s.name, s.labels.get("sink", s.labels.get("source", "")))] = s.value
        return out

    def sink(self, name):
        _, result = self.sql("SHOW SINKS")
        return next(r for r in result["rows"] if r["name"] == name)


def raw_client(port, path, token, rcvbuf=None):
    """A WebSocket client by hand: the handshake, then whatever the test sends (or nothing)."""
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(DEADLINE)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Authorization: Bearer {token}\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


def frame(payload, opcode=0x1, masked=True):
    mask = os.urandom(4)
    head = bytes([0x80 | opcode])
    n = len(payload)
    head += bytes([(0x80 if masked else 0) | n]) if n < 126 else bytes([(0x80 if masked else 0) | 126]) + struct.pack(">H", n)
    if not masked:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def closed_by_server(s):
    """True once the server closed `s` (a close frame, then EOF, or a reset)."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        try:
            data = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        if not data:
            return True
    return False


async def collect(ws, rows_wanted, key="rows"):
    """Messages until `rows_wanted` rows arrived: (sequence numbers, values of n, missed notices)."""
    seqs, values, missed = [], [], 0
    while len(values) < rows_wanted:
        message = json.loads(await asyncio.wait_for(ws.recv(), DEADLINE))
        if "missed" in message:
            missed += message["missed"]
            continue
        seqs.append(message["seq"])
        values += [r["n"] for r in message["rows"]] if key == "rows" else [message["row"]["n"]]
    return seqs, values, missed


async def main_async(srv_port, token, api):
    url = f"ws://127.0.0.1:{srv_port}"
    auth = {"Authorization": f"Bearer {token}"}

    # Refusals.
    try:
        await websockets.connect(url + "/ws/live")
        check("no token: refused", False)
    except websockets.exceptions.InvalidStatusCode as e:
        check("no token: 401", e.status_code == 401)
    try:
        await websockets.connect(url + "/ws/none", extra_headers=auth)
        check("no sink at the path: refused", False)
    except websockets.exceptions.InvalidStatusCode as e:
        check("no sink at the path: 404", e.status_code == 404)

    # Many clients, every row in order, one encode per batch.
    clients = []
    for i in range(CLIENTS):
        # Half with the header, half with ?token= (what a browser can do).
        target = url + "/ws/live" + ("" if i % 2 else f"?token={token}")
        clients.append(await websockets.connect(target, extra_headers=auth if i % 2 else None,
                                                max_size=None, max_queue=None))
    end = time.monotonic() + DEADLINE
    while api.metrics().get(("sluice_websocket_clients", "live")) != CLIENTS and time.monotonic() < end:
        await asyncio.sleep(0.05)
    check(f"{CLIENTS} clients connected", api.metrics().get(("sluice_websocket_clients", "live")) == CLIENTS)
    rows = 20000
    tasks = [asyncio.create_task(collect(ws, rows)) for ws in clients]
    for start in range(0, rows, 500):
        await asyncio.get_running_loop().run_in_executor(
            None, api.push, "t", [{"n": n} for n in range(start, start + 500)])
    results = await asyncio.gather(*tasks)
    in_order = all(values == list(range(rows)) for _, values, _ in results)
    consecutive = all(seqs == list(range(1, len(seqs) + 1)) for seqs, _, _ in results)
    check(f"every client received all {rows} rows in order", in_order)
    check("sequence numbers consecutive from 1 for every client", consecutive)
    messages = len(results[0][0])
    m = api.metrics()
    batches = api.sink("live")["batches"]
    check("encoded once per batch (encoded = the sink's batches = messages per client)",
          m[("sluice_websocket_messages_encoded_total", "live")] == batches == messages,
          f"{m[('sluice_websocket_messages_encoded_total', 'live')]} {batches} {messages}")
    check("messages sent = clients x encoded",
          m[("sluice_websocket_messages_sent_total", "live")] == CLIENTS * messages)
    check("nothing dropped for clients that keep up", m[("sluice_websocket_dropped_messages_total", "live")] == 0)

    # Invalid frames close only that client.
    bad_utf8 = raw_client(srv_port, "/ws/live", token)
    bad_utf8.sendall(frame(b"\xff\xfe not UTF-8"))
    check("invalid UTF-8 closes that client", closed_by_server(bad_utf8))
    unmasked = raw_client(srv_port, "/ws/live", token)
    unmasked.sendall(frame(b"hello", masked=False))
    check("an unmasked frame closes that client", closed_by_server(unmasked))
    bad_opcode = raw_client(srv_port, "/ws/live", token)
    bad_opcode.sendall(frame(b"x", opcode=0x3))
    check("a reserved opcode closes that client", closed_by_server(bad_opcode))
    tasks = [asyncio.create_task(collect(ws, 10)) for ws in clients]
    await asyncio.get_running_loop().run_in_executor(None, api.push, "t", [{"n": n} for n in range(rows, rows + 10)])
    results = await asyncio.gather(*tasks)
    check("the other clients keep receiving", all(v == list(range(rows, rows + 10)) for _, v, _ in results))
    for ws in clients:
        await ws.close()

    # A client that never reads: the pipeline and the other clients go on; its drops are counted.
    fast_slow = await websockets.connect(url + "/ws/slow", extra_headers=auth, max_size=None, max_queue=None)
    fast_strict = await websockets.connect(url + "/ws/strict", extra_headers=auth, max_size=None, max_queue=None)
    small = socket.socket()
    small.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    small.connect(("127.0.0.1", srv_port))
    # drop_oldest: a real client that stops reading (small buffers, one message queued).
    lagging = await websockets.connect(url + "/ws/slow", extra_headers=auth, sock=small, max_size=None,
                                       max_queue=1, read_limit=4096, write_limit=4096)
    never = raw_client(srv_port, "/ws/strict", token, rcvbuf=4096)  # disconnect policy
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end and (api.metrics().get(("sluice_websocket_clients", "slow")) != 2 or
                                      api.metrics().get(("sluice_websocket_clients", "strict")) != 2):
        await asyncio.sleep(0.05)
    # 100 K rows of ~320 bytes (32 MB): more than a client's queue (8 MiB) and the sockets'
    # buffers hold.
    big_rows = 100000
    pad = "x" * 300
    fast_tasks = [asyncio.create_task(collect(fast_slow, big_rows)),
                  asyncio.create_task(collect(fast_strict, big_rows))]
    started = time.monotonic()
    for start in range(0, big_rows, 1000):
        await asyncio.get_running_loop().run_in_executor(
            None, api.push, "big", [{"n": n, "pad": pad} for n in range(start, start + 1000)])
    fast = await asyncio.gather(*fast_tasks)
    elapsed = time.monotonic() - started
    check(f"fast clients got all {big_rows} rows in order beside a never-reading one ({elapsed:.1f}s)",
          all(v == list(range(big_rows)) for _, v, _ in fast))
    slow_sink = api.sink("slow")
    check("the pipeline was not slowed: the sink wrote every row, no backpressure",
          slow_sink["rows"] == big_rows and slow_sink["backpressure"] == 0, slow_sink)
    m = api.metrics()
    dropped = m[("sluice_websocket_dropped_messages_total", "slow")]
    check("drop_oldest: the lagging client's drops are counted", dropped > 0, m)
    check("disconnect: the never-reading client was closed and counted",
          m[("sluice_websocket_disconnects_total", "strict")] == 1 and closed_by_server(never), m)
    # The lagging client now reads: data messages plus the misses it was told of make up all.
    published = int(m[("sluice_websocket_messages_encoded_total", "slow")])
    got, missed, last = 0, 0, 0
    ordered = True
    while last < published:
        message = json.loads(await asyncio.wait_for(lagging.recv(), DEADLINE))
        if "missed" in message:
            missed += message["missed"]
            continue
        ordered = ordered and message["seq"] > last
        last = message["seq"]
        got += 1
    check("the lagging client is told how many it missed", missed > 0 and got + missed == published,
          f"got {got} missed {missed} of {published}")
    check("its messages stay in order (gaps only)", ordered)
    check("the drops told match the drops counted", missed == dropped, f"{missed} != {dropped}")

    # Ad-hoc subscriptions: a stream's rows from now on, filtered by a WHERE compiled once.
    import urllib.parse
    where = urllib.parse.quote("n % 3 = 0 AND n >= 30")
    sub = await websockets.connect(f"{url}/ws/subscribe?stream=t&where={where}", extra_headers=auth,
                                   max_size=None)
    everything = await websockets.connect(f"{url}/ws/subscribe?stream=t&token={token}", max_size=None)
    tasks = [asyncio.create_task(collect(sub, len(range(30, 300, 3)))),
             asyncio.create_task(collect(everything, 300))]
    for start in range(0, 300, 50):
        await asyncio.get_running_loop().run_in_executor(None, api.push, "t", [{"n": n} for n in range(start, start + 50)])
    (sub_seqs, sub_values, _), (_, all_values, _) = await asyncio.gather(*tasks)
    check("subscribe with where: only matching rows, in order", sub_values == list(range(30, 300, 3)), sub_values[:10])
    check("subscribe: sequence numbers from 1", sub_seqs == list(range(1, len(sub_seqs) + 1)))
    check("subscribe without where: every row from now on", all_values == list(range(300)))
    for query, status in [("?stream=nope", 404), ("?stream=t&where=nope%20%3E%201", 400),
                          ("?stream=t&where=n%20%2B%201", 400), ("", 400)]:
        try:
            await websockets.connect(f"{url}/ws/subscribe{query}", extra_headers=auth)
            check(f"subscribe{query}: refused", False)
        except websockets.exceptions.InvalidStatusCode as e:
            check(f"subscribe{query}: {status}", e.status_code == status, e.status_code)
    await sub.close()
    await everything.close()

    # DROP SINK closes its clients.
    status, _ = api.sql("DROP SINK slow")
    check("DROP SINK", status == 200)
    try:
        await asyncio.wait_for(fast_slow.recv(), DEADLINE)
        check("DROP SINK closes its clients", False)
    except websockets.exceptions.ConnectionClosed as e:
        check("DROP SINK closes its clients (1001 going away)", e.code == 1001, e)
    status, result = api.sql("CREATE SINK other FROM t INTO websocket (path = '/ws/live')")
    check("a path already served: refused", status == 400 and result["error"]["code"] == "SLC-1004", result)
    status, result = api.sql("CREATE SINK odd FROM t INTO websocket (path = 'live')")
    check("a path outside /ws/: refused", status == 400 and result["error"]["code"] == "SLC-1006", result)
    await fast_strict.close()
    await lagging.close()


def main():
    work = tempfile.mkdtemp(prefix="sluice_ws_test_")
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write("ws-test-token\n")
    pipeline = os.path.join(work, "p.sql")
    with open(pipeline, "w") as f:
        f.write("CREATE SOURCE t (n BIGINT);\n"
                "CREATE SINK live FROM t INTO websocket (path = '/ws/live');\n"
                "CREATE SOURCE big (n BIGINT, pad VARCHAR);\n"
                "CREATE SINK slow FROM big INTO websocket (path = '/ws/slow', "
                "client.queue.bytes = 8388608, client.slow = 'drop_oldest');\n"
                "CREATE SINK strict FROM big INTO websocket (path = '/ws/strict', "
                "client.queue.bytes = 8388608, client.slow = 'disconnect');\n"
                "CREATE SINK rows FROM t INTO websocket (path = '/ws/rows', format = 'row');\n")
    err_path = os.path.join(work, "serve.err")
    err = open(err_path, "w")
    proc = subprocess.Popen([SLUICE, "serve", pipeline, "--token-file", token_file, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.DEVNULL, stderr=err)
    port = None
    end = time.monotonic() + DEADLINE
    while port is None and time.monotonic() < end and proc.poll() is None:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(err_path).read())
        port = int(m.group(1)) if m else None
        time.sleep(0.05)
    if port is None:
        print("sluice serve did not start:", open(err_path).read())
        return 1
    try:
        asyncio.run(asyncio.wait_for(main_async(port, "ws-test-token", Api(port, "ws-test-token")), 300))
    finally:
        proc.terminate()
        code = proc.wait(timeout=DEADLINE)
    check("SIGTERM with clients connected: exit 0", code == 0, open(err_path).read())
    subprocess.run(["rm", "-rf", work])
    print(f"{checks - failures}/{checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
