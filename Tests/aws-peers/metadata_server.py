"""The two credential endpoints an AWS workload finds on its host, on loopback for the Swift tests.

    python3 metadata_server.py --port PORT --access-key-id AK --secret-access-key SK
        --session-token TOK [--expiration ISO8601] [--container-token TOKEN] [--role-name NAME]

- EC2 instance metadata (IMDSv2): `PUT /latest/api/token` with
  `X-aws-ec2-metadata-token-ttl-seconds` (1-21600) gives a session token; the
  `/latest/meta-data/iam/security-credentials/` reads need it in `X-aws-ec2-metadata-token`.
- Container credentials (ECS, EKS Pod Identity): `GET /container-credentials...`, with
  `Authorization` equal to `--container-token` when one is given.

Prints `ready PORT` once listening. `GET /_peer/counts` answers how many requests each kind
had (`token`, `role-name`, `credentials`, `container`; a request refused with 401 or 403
counts as `unauthorized` instead), `POST /_peer/counts/reset` zeroes them.
"""

import argparse
import json
import secrets
import signal
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"
KINDS = ("token", "role-name", "credentials", "container", "unauthorized")


def iso8601(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # SDKs keep the connection open between the PUT and the GETs

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/latest/api/token":
            return self.reply(404, None)
        # IMDS refuses tokens to requests that went through a proxy.
        if "X-Forwarded-For" in self.headers:
            return self.reply(403, "unauthorized")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not (ttl.isascii() and ttl.isdigit() and 1 <= int(ttl) <= 21600):
            return self.reply(400, "token")
        token = secrets.token_urlsafe(32)
        with self.server.lock:
            self.server.tokens[token] = time.monotonic() + int(ttl)
        self.reply(200, "token", token, "text/plain", {"X-aws-ec2-metadata-token-ttl-seconds": ttl})

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/_peer/counts":
            return self.reply_counts()
        if path.startswith("/container-credentials"):
            expected = self.server.config.container_token
            if expected is not None and self.headers.get("Authorization") != expected:
                return self.reply(401, "unauthorized")
            return self.reply(200, "container", json.dumps(self.credentials(imds=False)), "application/json")
        if not path.startswith("/latest/"):
            return self.reply(404, None)
        if not self.has_token():
            return self.reply(401, "unauthorized")
        if path.rstrip("/") == CREDENTIALS_PATH.rstrip("/"):
            kind, body = "role-name", self.server.config.role_name
        elif path == CREDENTIALS_PATH + self.server.config.role_name:
            kind, body = "credentials", json.dumps(self.credentials(imds=True), indent=2)
        else:
            return self.reply(404, "credentials" if path.startswith(CREDENTIALS_PATH) else None)
        # IMDS answers every metadata item, JSON ones too, as text/plain.
        self.reply(200, kind, body, "text/plain")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/_peer/counts/reset":
            return self.reply(404, None)
        with self.server.lock:
            self.server.counts = dict.fromkeys(KINDS, 0)
        self.reply_counts()

    def has_token(self):
        token = self.headers.get("X-aws-ec2-metadata-token")
        with self.server.lock:
            return token is not None and self.server.tokens.get(token, 0) > time.monotonic()

    def credentials(self, imds):
        config = self.server.config
        fields = {
            "AccessKeyId": config.access_key_id,
            "SecretAccessKey": config.secret_access_key,
            "Token": config.session_token,
            "Expiration": config.expiration,
        }
        if imds:
            return {"Code": "Success", "LastUpdated": self.server.started, "Type": "AWS-HMAC", **fields}
        return {**fields, "RoleArn": f"arn:aws:iam::123456789012:role/{config.role_name}"}

    def reply_counts(self):
        with self.server.lock:
            body = json.dumps(self.server.counts)
        self.reply(200, None, body, "application/json")

    def reply(self, status, kind, body=None, content_type="text/plain", headers=None):
        if kind is not None:
            with self.server.lock:
                self.server.counts[kind] += 1
        data = (body or "").encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--access-key-id", required=True)
    parser.add_argument("--secret-access-key", required=True)
    parser.add_argument("--session-token", required=True)
    parser.add_argument("--expiration", help="ISO 8601; one hour from now by default")
    parser.add_argument("--container-token", help="the Authorization value container requests must carry")
    parser.add_argument("--role-name", default="peer-role")
    config = parser.parse_args()
    # SIGTERM stops the peer even when the process that started it ignored the signal
    # (an ignored signal stays ignored across exec).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    now = datetime.now(timezone.utc)
    config.expiration = config.expiration or iso8601(now + timedelta(hours=1))

    server = ThreadingHTTPServer(("127.0.0.1", config.port), Handler)
    server.config, server.started = config, iso8601(now)
    server.lock, server.tokens, server.counts = threading.Lock(), {}, dict.fromkeys(KINDS, 0)
    print(f"ready {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
