#!/usr/bin/env python3
"""AWS test server for ekstrust's live audit: moto (IAM, EKS) behind a small proxy that adds the
EKS access-entry and Pod Identity routes moto lacks (shapes from the EKS API model), and refuses
and records every mutating call that comes through the proxy. Tests seed moto directly on its own
port (printed in the ready file) and seed access entries and associations with POST /_seed.

Usage: aws_server.py --port P --ready-file F
"""
import argparse
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

from moto.server import ThreadedMotoServer

READ_PREFIXES = ("Get", "List", "Describe")


class State:
    def __init__(self, moto_port):
        self.moto_port = moto_port
        self.access_entries = {}  # (cluster, principalArn) -> entry (with "policies")
        self.associations = {}  # (cluster, id) -> association
        self.mutations = []
        self.lock = threading.Lock()


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def send(self, code, payload, content_type="application/json"):
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def forward(self, body):
            url = f"http://127.0.0.1:{state.moto_port}{self.path}"
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            req = urllib.request.Request(url, data=body if self.command != "GET" else None, headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(req) as r:
                    self.send(r.status, r.read(), r.headers.get("Content-Type", "application/json"))
            except urllib.error.HTTPError as e:
                self.send(e.code, e.read(), e.headers.get("Content-Type", "application/json"))

        def mutation(self, what):
            with state.lock:
                state.mutations.append(what)
            self.send(403, {"message": f"read-only test server refused {what}"})

        def eks_route(self, body):
            """Access entries and Pod Identity associations (REST, JSON)."""
            url = urlparse(self.path)
            parts = [unquote(p) for p in url.path.split("/") if p]
            if len(parts) < 3 or parts[0] != "clusters" or parts[2] not in ("access-entries", "pod-identity-associations"):
                return False
            if self.command != "GET":
                self.mutation(f"{self.command} {url.path}")
                return True
            cluster, kind, rest = parts[1], parts[2], parts[3:]
            if kind == "access-entries":
                entries = {p: e for (c, p), e in state.access_entries.items() if c == cluster}
                if not rest:
                    self.send(200, {"accessEntries": sorted(entries)})
                elif len(rest) == 1 and rest[0] in entries:
                    e = entries[rest[0]]
                    self.send(200, {"accessEntry": {k: v for k, v in e.items() if k != "policies"}})
                elif len(rest) == 2 and rest[1] == "access-policies" and rest[0] in entries:
                    self.send(200, {"clusterName": cluster, "principalArn": rest[0], "associatedAccessPolicies": entries[rest[0]].get("policies", [])})
                else:
                    self.send(404, {"message": "access entry not found"})
                return True
            assocs = {i: a for (c, i), a in state.associations.items() if c == cluster}
            if not rest:
                summaries = [{k: a[k] for k in ("clusterName", "namespace", "serviceAccount", "associationArn", "associationId")} for a in assocs.values()]
                self.send(200, {"associations": summaries})
            elif len(rest) == 1 and rest[0] in assocs:
                self.send(200, {"association": assocs[rest[0]]})
            else:
                self.send(404, {"message": "association not found"})
            return True

        def do_GET(self):
            if self.path == "/_mutations":
                return self.send(200, {"mutations": state.mutations})
            if self.eks_route(b""):
                return
            self.forward(b"")

        def do_POST(self):
            body = self.body()
            if self.path == "/_seed":
                seed = json.loads(body or b"{}")
                with state.lock:
                    for e in seed.get("accessEntries", []):
                        state.access_entries[(e["clusterName"], e["principalArn"])] = e
                    for a in seed.get("associations", []):
                        state.associations[(a["clusterName"], a["associationId"])] = a
                return self.send(200, {"ok": True})
            if self.eks_route(body):
                return
            # IAM and STS use the query protocol: Action=... in the form body.
            form = parse_qs(body.decode(errors="replace"))
            action = (form.get("Action") or [""])[0]
            if action and not action.startswith(READ_PREFIXES):
                return self.mutation(f"IAM {action}")
            if not action and urlparse(self.path).path.startswith("/clusters"):
                return self.mutation(f"POST {self.path}")
            self.forward(body)

        def do_PUT(self):
            self.body()
            self.mutation(f"PUT {self.path}")

        def do_DELETE(self):
            self.mutation(f"DELETE {self.path}")

        do_PATCH = do_PUT

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--moto-port", type=int, required=True)
    ap.add_argument("--ready-file", required=True)
    args = ap.parse_args()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=args.moto_port)
    moto.start()
    state = State(args.moto_port)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    with open(args.ready_file, "w") as f:
        json.dump({"proxy": args.port, "moto": args.moto_port}, f)
    server.serve_forever()


if __name__ == "__main__":
    main()
