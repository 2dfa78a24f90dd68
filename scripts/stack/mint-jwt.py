#!/usr/bin/python3
"""Mint a Slurm JWT for slurmrestd without scontrol (stdlib only; for tests and debugging).

Usage: mint-jwt.py USER [LIFESPAN_SECONDS]      (default lifespan 3600)
Prints the token. Use it as:
    curl -H "X-SLURM-USER-NAME: USER" -H "X-SLURM-USER-TOKEN: $(mint-jwt.py USER)" \
         http://127.0.0.1:6820/slurm/v0.0.38/ping

The token is what Slurm's auth/jwt expects: HS256 over {"exp", "iat", "sun": USER}, signed
with the raw bytes of the key file named in slurm.conf (AuthAltParameters=jwt_key=...).
Key file: $SLURM_JWT_KEY, else $STACK_DIR/slurm/jwt_hs256.key ($STACK_DIR/slurm-24.11/ with
STACK_SLURM=24.11; STACK_DIR defaults to /tmp/hpcspawner-stack). The key is owner slurm, mode 0600: run as root
(or slurm).
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(user: str, lifespan: int, key: bytes, now: int | None = None) -> str:
    now = int(time.time()) if now is None else now
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {"exp": now + lifespan, "iat": now, "sun": user}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":")).encode())
    )
    sig = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def key_path() -> str:
    if os.environ.get("SLURM_JWT_KEY"):
        return os.environ["SLURM_JWT_KEY"]
    stack_dir = os.environ.get("STACK_DIR", "/tmp/hpcspawner-stack")
    cluster_dir = "slurm-24.11" if os.environ.get("STACK_SLURM") == "24.11" else "slurm"
    return os.path.join(stack_dir, cluster_dir, "jwt_hs256.key")


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    user = argv[1]
    try:
        lifespan = int(argv[2]) if len(argv) == 3 else 3600
    except ValueError:
        print(f"mint-jwt.py: LIFESPAN must be an integer, got {argv[2]!r}", file=sys.stderr)
        return 2
    path = key_path()
    try:
        with open(path, "rb") as f:
            key = f.read()
    except OSError as e:
        print(f"mint-jwt.py: cannot read JWT key {path}: {e}", file=sys.stderr)
        return 1
    print(mint(user, lifespan, key))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
