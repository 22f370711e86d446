"""An HTTP proxy on loopback that breaks chosen requests on their way to the server, for the
tests of clients' retries (not an AWS peer, but started and stopped like the others).

    python3 fault_proxy.py --port PORT --upstream 127.0.0.1:SERVER_PORT

Every request is forwarded to the upstream server and its answer relayed, unless the plan
says otherwise. `POST /_peer/plan` with `{"unavailable": N, "drop": {"POST": M}}` makes the
next N requests get a 503 `store_unavailable` problem (with `Retry-After: 1`) without reaching
the server, and the next M requests of a method reach the server, whose answer is then thrown
away and the client's connection closed without a byte: an answer lost on the way.
`GET /_peer/counts` answers the requests received per method (the peer's own paths aside),
and `POST /_peer/counts/reset` zeroes them. Prints `ready PORT` once listening.
"""

import argparse
import http.client
import json
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def handle_any(self, method):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/_peer/"):
            return self.peer(method, body)
        server = self.server
        with server.lock:
            server.counts[method] = server.counts.get(method, 0) + 1
            unavailable = server.plan["unavailable"] > 0
            if unavailable:
                server.plan["unavailable"] -= 1
            drop = not unavailable and server.plan["drop"].get(method, 0) > 0
            if drop:
                server.plan["drop"][method] -= 1
        if unavailable:
            problem = {
                "type": "/problems/store_unavailable", "title": "Store unavailable", "status": 503,
                "detail": "The proxy answered for a store that is briefly unavailable.",
                "code": "store_unavailable", "requestId": "proxy",
            }
            return self.reply(503, json.dumps(problem).encode(), {
                "Content-Type": "application/problem+json", "Retry-After": "1", "X-Request-Id": "proxy"})
        upstream = http.client.HTTPConnection(server.upstream_host, server.upstream_port, timeout=60)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        upstream.request(method, self.path, body=body if body or method in ("POST", "PUT") else None, headers=headers)
        answer = upstream.getresponse()
        answer_body = answer.read()
        answer_headers = {name: value for name, value in answer.getheaders() if name.lower() not in HOP_BY_HOP}
        upstream.close()
        if drop:
            # The server has done the work; the client hears nothing and its connection ends.
            self.close_connection = True
            return
        answer_headers.pop("Content-Length", None)
        self.reply(answer.status, answer_body, answer_headers)

    def peer(self, method, body):
        server = self.server
        with server.lock:
            if method == "GET" and self.path == "/_peer/counts":
                return self.reply(200, json.dumps(server.counts).encode(), {"Content-Type": "application/json"})
            if method == "POST" and self.path == "/_peer/counts/reset":
                server.counts = {}
                return self.reply(204, b"", {})
            if method == "POST" and self.path == "/_peer/plan":
                plan = json.loads(body or b"{}")
                server.plan = {"unavailable": int(plan.get("unavailable", 0)), "drop": dict(plan.get("drop", {}))}
                return self.reply(204, b"", {})
        self.reply(404, b"", {})

    def reply(self, status, body, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    arguments = parser.parse_args()
    host, port = arguments.upstream.rsplit(":", 1)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.counts = {}
    server.plan = {"unavailable": 0, "drop": {}}
    server.upstream_host, server.upstream_port = host, int(port)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"ready {arguments.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
