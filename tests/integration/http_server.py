#!/usr/bin/env python3
"""Loopback HTTP/1.1 server for the BitsWatch integration tests.

Wine's BITS (qmgr, over WinHTTP) downloads from it. It binds 127.0.0.1 only,
takes a port from the OS and writes it to --port-file (atomically, so a test
never reads half a number). Content is deterministic (byte i is i % 251) so a
test can check a downloaded file without keeping a copy.

Endpoints (GET and HEAD; WinHTTP may send HEAD first; ranges give 206 because
BITS resumes interrupted downloads):
  /fast/<N>                          N bytes at once
  /slow/<N>?rate=<B/s>&chunk=<B>     N bytes paced at rate (default 65536 B/s,
                                     4096 B chunks), so a job stays TRANSFERRING
  /hang/<N>                          200 + headers (Content-Length N), then no body
                                     until the client goes away (max 10 minutes)
  /status/<code>                     that status code with a short body
  /stats                             request counters per path, plain text
"""

import argparse
import os
import re
import select
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MODULUS = 251
MAX_SIZE = 1 << 34            # 16 GiB: generous, but rejects nonsense sizes
HANG_LIMIT_SECONDS = 600      # a hung request never outlives a test run
PATTERN = bytes(i % MODULUS for i in range(MODULUS * 256))  # whole periods

STATS = {}
STATS_LOCK = threading.Lock()
STOPPING = threading.Event()


def content(offset, length):
    """Bytes [offset, offset + length) of the deterministic content."""
    out = bytearray()
    start = offset % MODULUS
    while length > 0:
        piece = PATTERN[start:start + length]
        out += piece
        length -= len(piece)
        start = 0
    return bytes(out)


def parse_range(header, size):
    """(first, last) for 'bytes=a-' or 'bytes=a-b' or 'bytes=-n'; None if absent
    or unusable (then the whole body is sent), 'unsatisfiable' if out of range."""
    if not header:
        return None
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None
    if m.group(1) == "":                      # suffix: last n bytes
        n = int(m.group(2))
        if n == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1)
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else size - 1
    if first >= size or last < first:
        return "unsatisfiable"
    return (first, min(last, size - 1))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BitsWatchTest/1.0"
    verbose = False

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_GET(self):
        self.handle_request(head=False)

    def count(self, path):
        with STATS_LOCK:
            key = "%s %s" % (self.command, path)
            STATS[key] = STATS.get(key, 0) + 1

    def simple(self, code, body, head, extra=None):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def handle_request(self, head):
        url = urlsplit(self.path)
        self.count(url.path)
        query = parse_qs(url.query)
        m = re.fullmatch(r"/(fast|slow|hang)/(\d+)", url.path)
        if m:
            size = int(m.group(2))
            if size > MAX_SIZE:
                return self.simple(400, "size too large\n", head)
            return self.send_content(m.group(1), size, query, head)
        m = re.fullmatch(r"/status/(\d{3})", url.path)
        if m:
            code = int(m.group(1))
            if not 100 <= code <= 599:
                return self.simple(400, "bad status\n", head)
            return self.simple(code, "status %d\n" % code, head)
        if url.path == "/stats":
            with STATS_LOCK:
                text = "".join("%s %d\n" % kv for kv in sorted(STATS.items()))
            return self.simple(200, text, head)
        return self.simple(404, "not found\n", head)

    def send_content(self, kind, size, query, head):
        rng = parse_range(self.headers.get("Range"), size)
        if rng == "unsatisfiable":
            return self.simple(416, "range not satisfiable\n", head,
                               {"Content-Range": "bytes */%d" % size})
        first, last = rng if rng else (0, size - 1)
        length = last - first + 1 if size else 0
        self.send_response(206 if rng else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
        self.end_headers()
        self.wfile.flush()
        if head:
            return
        if kind == "fast":
            self.send_fast(first, length)
        elif kind == "slow":
            self.send_slow(first, length, query)
        else:
            self.hang()

    def send_fast(self, offset, length):
        step = 1 << 20
        while length > 0:
            n = min(step, length)
            self.wfile.write(content(offset, n))
            offset += n
            length -= n

    def send_slow(self, offset, length, query):
        def number(name, default):
            try:
                return max(1, int(query.get(name, [default])[0]))
            except ValueError:
                return default
        rate = number("rate", 65536)
        chunk = number("chunk", 4096)
        start = time.monotonic()
        sent = 0
        while sent < length and not STOPPING.is_set():
            n = min(chunk, length - sent)
            self.wfile.write(content(offset + sent, n))
            self.wfile.flush()
            sent += n
            # Pace against the start time, not per chunk, so rounding never drifts.
            delay = start + sent / rate - time.monotonic()
            if delay > 0 and sent < length:
                STOPPING.wait(delay)
        if sent < length:
            self.close_connection = True

    def hang(self):
        # Wait for the client to close (readable + EOF) without spinning; the
        # 1 s poll lets a server stop end the wait.
        deadline = time.monotonic() + HANG_LIMIT_SECONDS
        sock = self.connection
        while not STOPPING.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 1.0)
            if readable:
                try:
                    if not sock.recv(4096):
                        break
                except OSError:
                    break
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients (BITS cancelling a job, curl hanging up) close mid-body all the
        # time; that is not worth a traceback.
        if Handler.verbose:
            super().handle_error(request, client_address)


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", help="write the chosen port here once listening")
    ap.add_argument("--port", type=int, default=0, help="port (default: chosen by the OS)")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args()
    Handler.verbose = args.verbose

    server = Server(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]

    def stop(signum, frame):
        STOPPING.set()
        # shutdown() blocks until serve_forever returns: call it off the main thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        write_port_file(args.port_file, port)
    if args.verbose:
        sys.stderr.write("listening on http://127.0.0.1:%d\n" % port)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
