"""HTTP load from the harness: keep-alive connections per thread, calls run N at a time, latency percentiles.

Everything here is stdlib (http.client, threads, multiprocessing); a call's latency is measured from
just before the request is written until its whole answer is read.
"""

import http.client
import json
import multiprocessing
import queue
import signal
import threading
import time
from urllib.parse import urlsplit


class Connection:
    """One keep-alive connection to a base URL that reconnects after an error."""

    def __init__(self, base):
        u = urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def connect(self, timeout=60):
        """Opens the connection now, so that a later call's latency holds no TCP handshake."""
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.conn.connect()

    def call(self, method, path, body=None, token=None, timeout=60):
        """(status, body bytes, seconds); status 0 when the connection failed."""
        headers = {"Connection": "keep-alive"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                return r.status, payload, time.perf_counter() - t0
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, b"", time.perf_counter() - t0
        return 0, b"", time.perf_counter() - t0

    def close(self):
        if self.conn is not None:
            self.conn.close()


def run_parallel(base, items, fn, concurrency):
    """Calls ``fn(connection, item)`` for every item, ``concurrency`` at a time; returns the results and seconds."""
    q = queue.Queue()
    for i, item in enumerate(items):
        q.put((i, item))
    results = [None] * len(items)

    def worker():
        c = Connection(base)
        while True:
            try:
                i, item = q.get_nowait()
            except queue.Empty:
                break
            results[i] = fn(c, item)
        c.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(min(concurrency, max(1, len(items))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def burst(base, items, fn):
    """Calls ``fn(connection, item)`` for all items at once: one thread and open connection each, released together."""
    gate = threading.Barrier(len(items) + 1)
    results = [None] * len(items)

    def worker(i, item):
        c = Connection(base)
        try:
            c.connect()
        except OSError:
            c.conn = None  # call() connects again and counts the time
        gate.wait()
        results[i] = fn(c, item)
        c.close()

    threads = [threading.Thread(target=worker, args=(i, it), daemon=True) for i, it in enumerate(items)]
    for t in threads:
        t.start()
    gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def _read_loop(args):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a pool worker ends quietly, not through bench/run's handler
    base, token, paths, seconds, threads = args
    stop_at = time.perf_counter() + seconds
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()

    def worker(k):
        c, ok, errors, i = Connection(base), 0, 0, k
        while time.perf_counter() < stop_at:
            status, _, _ = c.call("GET", paths[i % len(paths)], token=token)
            i += 7
            if status == 200:
                ok += 1
            else:
                errors += 1
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    ts = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return counts


def sustained_reads(base, token, paths, seconds, processes=2, threads=8):
    """GETs ``paths`` round-robin from several processes for ``seconds``: (answers per second, errors)."""
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_read_loop, [(base, token, paths[p::processes] or paths, seconds, threads)
                                      for p in range(processes)])
    ok = sum(p["ok"] for p in parts)
    return ok / seconds, sum(p["errors"] for p in parts)


def percentile(values, p):
    """The p-th percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]
