#!/usr/bin/env bash
# Start or stop the live-audit test servers on loopback.
#   servers.sh start DIR PYTHON   (PYTHON: an interpreter with moto[server] installed)
#   servers.sh stop DIR
# start writes DIR/env (variables for the live tests), a test CA and server certificate, an
# exec-credential kubeconfig, and the servers' PIDs; it returns once both servers answer.
set -euo pipefail
cmd=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
case "$cmd" in
stop)
  for pid in "$dir"/*.pid; do
    [ -e "$pid" ] || continue
    kill "$(cat "$pid")" 2>/dev/null || true
    rm -f "$pid"
  done
  exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop DIR [PYTHON]" >&2; exit 2 ;;
esac
python=${3:-python3}
mkdir -p "$dir"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
kube_port=$(free_port); aws_port=$(free_port); moto_port=$(free_port)
token="ekstrust-test-token-$RANDOM$RANDOM"

# Test CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ekstrust test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
  -extfile "$dir/san.ext" -out "$dir/server.crt" >/dev/null 2>&1

# An exec credential plugin, as EKS kubeconfigs use (`aws eks get-token`).
cat > "$dir/exec-credential.sh" <<EOS
#!/bin/sh
echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"$token"}}'
EOS
chmod +x "$dir/exec-credential.sh"
cat > "$dir/kubeconfig" <<EOK
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:$kube_port
    certificate-authority: $dir/ca.crt
contexts:
- name: test
  context:
    cluster: test
    user: auditor
users:
- name: auditor
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $dir/exec-credential.sh
      interactiveMode: Never
EOK

rm -f "$dir/kube.ready" "$dir/aws.ready"
python3 "$here/kube_api_server.py" --port "$kube_port" --cert "$dir/server.crt" --key "$dir/server.key" \
  --token "$token" --fixture "$here/cluster.json" --forbid pods:secret-ns --ready-file "$dir/kube.ready" \
  >"$dir/kube.log" 2>&1 &
echo $! > "$dir/kube.pid"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$python" "$here/aws_server.py" --port "$aws_port" --moto-port "$moto_port" \
  --ready-file "$dir/aws.ready" >"$dir/aws.log" 2>&1 &
echo $! > "$dir/aws.pid"

# Readiness: both ready files, then a real request to each.
for _ in $(seq 1 300); do
  if [ -e "$dir/kube.ready" ] && [ -e "$dir/aws.ready" ] \
     && curl -sk -o /dev/null "https://127.0.0.1:$kube_port/version" \
     && curl -s -o /dev/null "http://127.0.0.1:$aws_port/_mutations"; then
    break
  fi
  sleep 0.2
done
[ -e "$dir/aws.ready" ] || { echo "AWS test server did not start:"; cat "$dir/aws.log"; exit 1; }
[ -e "$dir/kube.ready" ] || { echo "Kubernetes test server did not start:"; cat "$dir/kube.log"; exit 1; }

cat > "$dir/env" <<EOE
export EKSTRUST_LIVE_DIR=$dir
export EKSTRUST_LIVE_KUBECONFIG=$dir/kubeconfig
export EKSTRUST_LIVE_KUBE_URL=https://127.0.0.1:$kube_port
export EKSTRUST_LIVE_CA=$dir/ca.crt
export EKSTRUST_LIVE_AWS_URL=http://127.0.0.1:$aws_port
export EKSTRUST_LIVE_MOTO_URL=http://127.0.0.1:$moto_port
EOE
echo "live test servers up: kube $kube_port, aws $aws_port (moto $moto_port)"
