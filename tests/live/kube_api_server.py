#!/usr/bin/env python3
"""A loopback Kubernetes API server for ekstrust's live-audit tests.

Serves real API JSON shapes from a fixture: typed `...List` kinds with `metadata.continue`
pagination (`limit`/`continue`), single objects, and `Status` bodies for 401/403/404. Requests
must carry the bearer token. Any request other than GET is refused and recorded, so a test can
assert that the auditor never writes. Standard library only.

Usage: kube_api_server.py --port P --cert C --key K --token T --fixture objects.json
       [--forbid RESOURCE[:NAMESPACE]]... [--ready-file F]
"""
import argparse
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# resource (plural) -> (group, version, kind, namespaced)
RESOURCES = {
    "namespaces": ("", "v1", "Namespace", False),
    "serviceaccounts": ("", "v1", "ServiceAccount", True),
    "pods": ("", "v1", "Pod", True),
    "configmaps": ("", "v1", "ConfigMap", True),
    "replicationcontrollers": ("", "v1", "ReplicationController", True),
    "deployments": ("apps", "v1", "Deployment", True),
    "replicasets": ("apps", "v1", "ReplicaSet", True),
    "statefulsets": ("apps", "v1", "StatefulSet", True),
    "daemonsets": ("apps", "v1", "DaemonSet", True),
    "jobs": ("batch", "v1", "Job", True),
    "cronjobs": ("batch", "v1", "CronJob", True),
    "roles": ("rbac.authorization.k8s.io", "v1", "Role", True),
    "clusterroles": ("rbac.authorization.k8s.io", "v1", "ClusterRole", False),
    "rolebindings": ("rbac.authorization.k8s.io", "v1", "RoleBinding", True),
    "clusterrolebindings": ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", False),
    # Served as v1beta1 only, like Karpenter before v1.0: the auditor must fall back from v1.
    "ec2nodeclasses": ("karpenter.k8s.aws", "v1beta1", "EC2NodeClass", False),
    # Karpenter before v0.32.
    "awsnodetemplates": ("karpenter.k8s.aws", "v1alpha1", "AWSNodeTemplate", False),
}
KIND_TO_RESOURCE = {v[2]: k for k, v in RESOURCES.items()}


def status(code, reason, message, kind=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if kind:
        body["details"] = {"kind": kind}
    return code, body


class State:
    def __init__(self, objects, forbid, token):
        self.objects = objects
        self.forbid = forbid
        self.token = token
        self.mutations = []
        self.requests = []
        self.lock = threading.Lock()


def parse_path(path):
    """Return (resource, namespace, name) for API paths, or None."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        group_version, rest = ("", "v1"), parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group_version, rest = (parts[1], parts[2]), parts[3:]
    else:
        return None
    namespace = None
    if rest and rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    if not rest:
        return None
    # A resource is found only under the group and version this server serves it at.
    served = RESOURCES.get(rest[0])
    if served and served[:2] != group_version:
        return None
    return rest[0], namespace, rest[1] if len(rest) > 1 else None


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_json(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def refuse_write(self):
            with state.lock:
                state.mutations.append(f"{self.command} {self.path}")
            self.send_json(*status(405, "MethodNotAllowed", "this test server is read-only"))

        do_POST = do_PUT = do_PATCH = do_DELETE = refuse_write

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/_ekstrust/mutations":
                return self.send_json(200, {"mutations": state.mutations, "requests": len(state.requests)})
            with state.lock:
                state.requests.append(self.path)
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                return self.send_json(*status(401, "Unauthorized", "Unauthorized"))
            if url.path == "/version":
                return self.send_json(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-eks-test"})
            parsed = parse_path(url.path)
            if not parsed or parsed[0] not in RESOURCES:
                return self.send_json(*status(404, "NotFound", f"the server could not find the requested resource ({url.path})"))
            resource, namespace, name = parsed
            group, version, kind, namespaced = RESOURCES[resource]
            for rule in state.forbid:
                r, _, ns = rule.partition(":")
                if r == resource and (not ns or ns == namespace or namespace is None):
                    where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
                    return self.send_json(*status(403, "Forbidden", f'{resource} is forbidden: User "auditor" cannot list resource "{resource}" in API group "{group}"{where}', resource))
            items = [o for o in state.objects if o.get("kind") == kind
                     and (namespace is None or o.get("metadata", {}).get("namespace") == namespace)]
            if name is not None:
                for o in items:
                    if o["metadata"].get("name") == name:
                        return self.send_json(200, o)
                return self.send_json(*status(404, "NotFound", f'{resource} "{name}" not found', resource))
            query = parse_qs(url.query)
            limit = int(query.get("limit", ["0"])[0] or 0)
            start = int(query.get("continue", ["0"])[0] or 0)
            page = items[start:start + limit] if limit else items[start:]
            nxt = start + len(page)
            api_version = f"{group}/{version}" if group else version
            # List items carry no kind/apiVersion, as in the real API.
            stripped = [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in page]
            body = {"kind": f"{kind}List", "apiVersion": api_version,
                    "metadata": {"resourceVersion": "1", **({"continue": str(nxt)} if nxt < len(items) else {})},
                    "items": stripped}
            return self.send_json(200, body)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--token", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--forbid", action="append", default=[])
    ap.add_argument("--ready-file")
    args = ap.parse_args()
    with open(args.fixture) as f:
        objects = json.load(f)
    state = State(objects, args.forbid, args.token)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
