"""Plumbing shared by the provider stand-ins (anthropic_standin.py, openai_standin.py).

A stand-in is a tiny HTTP/1.1 server on 127.0.0.1 that answers an AI coding CLI the way the real
provider would, following a *scenario*: a JSON file with a list of steps, consumed one per model
request, the last one repeating. The file is re-read on every request, so a test can change it
between rounds; when its content changes the stand-in starts again at the first step.

    {"steps": [{"kind": "text", "text": "Hello"}, {"kind": "error", "status": 429}]}

(A bare JSON list of steps is accepted too; no file, or no --scenario, means one `text` step.)

This module holds what does not depend on the provider: command-line options, the scenario
cursor, the JSON Lines request log, reading request bodies, JSON and server-sent-event responses
(chunked, so HTTP/1.1 keep-alive stays correct), and stalls that hold a connection open. Standard
library only, so the fixtures run on any python3 >= 3.8 without a virtualenv.
"""

import argparse
import json
import os
import select
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Set on SIGTERM/SIGINT: stalled handlers notice it and let go of their connection.
STOPPING = threading.Event()

# Request headers never written to the request log (credentials).
SECRET_HEADERS = {"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization"}

# How much of the last user message the request log keeps.
LOG_TEXT_LIMIT = 300


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback only)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 (default) picks a free one")
    parser.add_argument("--port-file", help="written (atomically) with the port once listening")
    parser.add_argument("--scenario", help="scenario JSON file, re-read on every request")
    parser.add_argument("--request-log", help="append one JSON line per request to this file")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser.parse_args()


class Scenario:
    """The steps of a scenario file and the cursor into them.

    `next_step()` returns (index, step) and advances; past the end the last step repeats. The
    cursor goes back to 0 whenever the file's content changes.
    """

    DEFAULT = [{"kind": "text", "text": "OK"}]

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.content = None
        self.cursor = 0

    def _read(self):
        if not self.path:
            return None
        try:
            with open(self.path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def load(self):
        """The current step list (raises ValueError when the file is not a valid scenario)."""
        content = self._read()
        if content != self.content:
            self.content = content
            self.cursor = 0
        if content is None or not content.strip():
            return self.DEFAULT
        data = json.loads(content)
        steps = data.get("steps") if isinstance(data, dict) else data
        if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
            raise ValueError("scenario needs a non-empty list of step objects")
        return steps

    def next_step(self):
        with self.lock:
            steps = self.load()
            index = min(self.cursor, len(steps) - 1)
            self.cursor += 1
            return index, steps[index]


class RequestLog:
    """JSON Lines, one record per request, flushed at once (tests read it while we run)."""

    def __init__(self, path, verbose):
        self.path = path
        self.verbose = verbose
        self.lock = threading.Lock()

    def write(self, record):
        line = json.dumps(record, sort_keys=True)
        with self.lock:
            if self.path:
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
            if self.verbose:
                print(line, file=sys.stderr, flush=True)


def truncate(text, limit=LOG_TEXT_LIMIT):
    return text if len(text) <= limit else text[:limit] + f"... [{len(text)} chars]"


class StandinHandler(BaseHTTPRequestHandler):
    """Base request handler: HTTP/1.1 keep-alive, body reading, JSON/SSE writing, stalls.

    Every response either has a Content-Length or is chunked, so a client may reuse the
    connection. Subclasses implement `route(method, path, body)`.
    """

    protocol_version = "HTTP/1.1"
    server_version = "provider-standin/1"
    sys_version = ""

    # Filled in by serve(): the Scenario and RequestLog shared by all handler threads.
    scenario = None
    request_log = None

    # --- plumbing -------------------------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass  # the JSON request log replaces the default stderr access log

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        self.started = time.time()
        body = self.read_body()
        path = self.path.split("?", 1)[0]
        self.log_record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.started))
            + f".{int(self.started * 1000) % 1000:03d}Z",
            "method": method,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items() if k.lower() not in SECRET_HEADERS},
            "body_bytes": len(body),
        }
        try:
            self.route(method, path, body)
        except (BrokenPipeError, ConnectionResetError):
            self.log_record["client_gone"] = True
            self.close_connection = True
        finally:
            self.log_record["duration_s"] = round(time.time() - self.started, 3)
            self.request_log.write(self.log_record)

    def read_body(self):
        """The request body: Content-Length, or chunked transfer encoding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def parse_json(self, body):
        try:
            value = json.loads(body or b"{}")
            return value if isinstance(value, dict) else None
        except ValueError:
            return None

    def send_json(self, status, payload, headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()
        self.log_record["status"] = status

    def start_stream(self, headers=None):
        """Start a 200 text/event-stream response with chunked transfer encoding."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.flush()
        self.log_record["status"] = 200

    def send_chunk(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def send_event(self, data, event=None):
        """One server-sent event; `data` is JSON-encoded unless it is already a string."""
        payload = data if isinstance(data, str) else json.dumps(data)
        self.send_chunk((f"event: {event}\n" if event else "") + f"data: {payload}\n\n")

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def stall(self, step, keepalive=None):
        """Hold the connection without finishing the response.

        Ends when the client closes the connection, when the stand-in is stopped, or after
        `stall_s` seconds if the step gives one; then the connection is closed (the response
        was never finished, so it cannot be reused). With `ping_every_s`, `keepalive()` is
        called that often (e.g. to send an SSE ping), to see whether the client's idle timer
        is reset by traffic that carries no progress.

        A stalled request is logged twice: when the stall starts (with "event": "stall_start")
        and, as every request, when it ends (with "stalled": true and "stall_ended_after_s").
        """
        self.log_record["stalled"] = True
        # Logged now as well as at the end, so a test sees the request while it hangs.
        self.request_log.write({**self.log_record, "event": "stall_start"})
        limit = step.get("stall_s")
        ping_every = step.get("ping_every_s")
        deadline = time.time() + limit if limit else None
        next_ping = time.time() + ping_every if ping_every else None
        self.close_connection = True
        while not STOPPING.is_set():
            now = time.time()
            if deadline and now >= deadline:
                break
            if next_ping and now >= next_ping and keepalive:
                keepalive()
                next_ping = now + ping_every
            readable, _, _ = select.select([self.connection], [], [], 0.5)
            if readable:
                try:
                    if not self.connection.recv(1, 0x02):  # MSG_PEEK: empty means closed
                        self.log_record["client_gone"] = True
                        break
                except OSError:
                    self.log_record["client_gone"] = True
                    break
                time.sleep(0.5)  # pipelined bytes: we will not read them; keep waiting
        self.log_record["stall_ended_after_s"] = round(time.time() - self.started, 3)

    def delay(self, step):
        """Wait `delay_s` before answering (a slow provider)."""
        if step.get("delay_s"):
            STOPPING.wait(float(step["delay_s"]))


def serve(handler_class, description):
    """Parse the command line, listen, write the port file, serve until SIGTERM/SIGINT."""
    args = parse_args(description)
    handler_class.scenario = Scenario(args.scenario)
    handler_class.request_log = RequestLog(args.request_log, args.verbose)

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer((args.host, args.port), handler_class)
    port = server.server_address[1]

    def stop(signum, frame):
        STOPPING.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    # The socket is already listening (the constructor binds and listens), so the port file is
    # the readiness signal. Written to a temporary name and renamed, so readers never see half.
    if args.port_file:
        temporary = f"{args.port_file}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(f"{port}\n")
        os.replace(temporary, args.port_file)
    print(f"{description}: listening on http://{args.host}:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
