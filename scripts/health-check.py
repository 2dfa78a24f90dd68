#!/usr/bin/env python3
"""The end-to-end health check from a shell: asks the service to start the check user's server
through the whole path (hub, plugin, service, scheduler, job, proxy), follows it, prints each
step with its time, and exits 0 when the check passed, 1 when it failed, 2 when it could not run
(not configured, service unreachable, bad token).

    HPCSPAWNER_URL=http://127.0.0.1:8090 HPCSPAWNER_TOKEN=<hub token> scripts/health-check.py [--json]

The token is the service's hub token (hpcspawner.auth.hub-token); it is read from the
environment only, never from the command line (other users of the host see command lines).
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

POLL_SECONDS = 2


def call(method, url, token):
    req = urllib.request.Request(url, method=method, headers={"Authorization": f"Bearer {token}",
                                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, {"message": body.decode(errors="replace")[:300]}


def show(result):
    for s in result.get("steps", []):
        mark = "ok  " if s["ok"] else "FAIL"
        print(f"  {mark} {s['name']:<28} {s['seconds']:7.1f} s  {s.get('detail') or ''}")


def main():
    base = os.environ.get("HPCSPAWNER_URL", "http://127.0.0.1:8090").rstrip("/")
    token = os.environ.get("HPCSPAWNER_TOKEN")
    as_json = "--json" in sys.argv[1:]
    if not token:
        print("health-check: set HPCSPAWNER_TOKEN to the service's hub token (hpcspawner.auth.hub-token)", file=sys.stderr)
        return 2
    url = f"{base}/api/v1/admin/health-check"
    try:
        status, body = call("POST", url, token)
        if status != 202:
            print(f"health-check: the service answered {status}: {body.get('message', body)}", file=sys.stderr)
            return 2
        while body.get("state") == "running":
            time.sleep(POLL_SECONDS)
            status, body = call("GET", url, token)
            if status != 200:
                print(f"health-check: the service answered {status}: {body.get('message', body)}", file=sys.stderr)
                return 2
    except OSError as e:
        print(f"health-check: cannot reach the service at {base}: {e}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(body, indent=2))
    else:
        total = sum(s["seconds"] for s in body.get("steps", []))
        print(f"end-to-end check of {body['user']}/{body['server']}: {body['state'].upper()} in {total:.1f} s")
        show(body)
        if body.get("error"):
            print(f"  error: {body['error']}")
    return 0 if body.get("state") == "passed" else 1


if __name__ == "__main__":
    sys.exit(main())
