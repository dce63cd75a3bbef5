#!/usr/bin/env bash
# The Autobahn|Testsuite through wss://, both roles, as ../shared/conformance/autobahn.sh runs
# it through ws:// (that script has no TLS option, so this one mirrors it).
#   .ci/autobahn-wss.sh [server|client|both] [path/to/wsctl]
# server: `wsctl ws listen 127.0.0.1:PORT --echo --keep-open --tls-self-signed` faces wstest's
#         fuzzing client over TLS (wstest does not verify certificates).
# client: wstest's fuzzing server speaks TLS with a certificate issued by a CA made here, and
#         `wsctl ws connect wss://... --ca CA --echo` verifies it, once per case.
# Cases and exclusions as in autobahn.sh (12.* and 13.* excluded); AUTOBAHN_WSCTL_ARGS: more
# arguments for wsctl in both roles (--deflate, with AUTOBAHN_EXCLUDE='[]' for groups 12 and
# 13). Reports: AUTOBAHN_OUT (default target/autobahn-wss). Exit 0 only when every case is
# clean in every role run.
set -euo pipefail
role=${1:-both}
wsctl=$(realpath "${2:-target/release/wsctl}")
shared=$(cd "$(dirname "$0")/../../shared/conformance" && pwd)
out=$(realpath -m "${AUTOBAHN_OUT:-target/autobahn-wss}")
cases=${AUTOBAHN_CASES:-'["*"]'}
exclude=${AUTOBAHN_EXCLUDE:-'["12.*", "13.*"]'}
read -r -a extra <<< "${AUTOBAHN_WSCTL_ARGS:-}"
wstest=$("$shared/autobahn-setup.sh" | tail -n 1)
mkdir -p "$out"; cd "$out"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "nothing listens on $1" >&2; return 1; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

run_server_role() {
  local port; port=$(free_port)
  "$wsctl" ws listen "127.0.0.1:$port" --echo --keep-open --tls-self-signed "${extra[@]}" >"$out/wsctl-server.log" 2>&1 &
  pids+=($!)
  wait_port "$port"
  cat > fuzzingclient.json <<JSON
{"outdir": "$out/servers", "servers": [{"agent": "wsctl", "url": "wss://127.0.0.1:$port"}],
 "cases": $cases, "exclude-cases": $exclude, "exclude-agent-cases": {}}
JSON
  "$wstest" -m fuzzingclient -s fuzzingclient.json >"$out/wstest-client.log" 2>&1
}

make_certificates() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -subj /CN=autobahn-test-ca -days 2 -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=keyCertSign 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -out server.csr 2>/dev/null
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -days 2 -copy_extensions copy \
    -out server.pem 2>/dev/null
}

run_client_role() {
  local port; port=$(free_port)
  make_certificates
  cat > fuzzingserver.json <<JSON
{"url": "wss://127.0.0.1:$port", "key": "$out/server.key", "cert": "$out/server.pem",
 "outdir": "$out/clients", "cases": $cases, "exclude-cases": $exclude, "exclude-agent-cases": {}}
JSON
  "$wstest" -m fuzzingserver -s fuzzingserver.json -u 0 >"$out/wstest-server.log" 2>&1 &
  pids+=($!)
  wait_port "$port"
  local base="wss://127.0.0.1:$port" tls=(--ca "$out/ca.pem") count
  count=$(timeout 10 "$wsctl" ws connect "$base/getCaseCount" "${tls[@]}" </dev/null 2>>"$out/wsctl-client.log" | head -n 1)
  [[ $count =~ ^[0-9]+$ ]] || { echo "could not read the case count (got '$count')" >&2; return 1; }
  for i in $(seq 1 "$count"); do
    timeout 60 "$wsctl" ws connect "$base/runCase?case=$i&agent=wsctl" "${tls[@]}" --echo "${extra[@]}" \
      </dev/null >/dev/null 2>>"$out/wsctl-client.log" || true
  done
  timeout 10 "$wsctl" ws connect "$base/updateReports?agent=wsctl" "${tls[@]}" </dev/null >/dev/null 2>&1 || true
}

# The same verdict as autobahn.sh: every case OK, NON-STRICT or INFORMATIONAL, every close clean.
summarize() { # $1: reports folder
  python3 - "$1/index.json" <<'PY'
import collections, json, sys
try:
    index = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    print(f"no report: {e}"); sys.exit(1)
results = index.get("wsctl", {})
ok = {"OK", "NON-STRICT", "INFORMATIONAL"}
bad = sorted(k for k, v in results.items() if v["behavior"] not in ok)
unclean = sorted(k for k, v in results.items() if v["behaviorClose"] not in ok)
print("behavior:", dict(collections.Counter(v["behavior"] for v in results.values())))
print("close:   ", dict(collections.Counter(v["behaviorClose"] for v in results.values())))
if bad: print("failed cases:", " ".join(bad))
if unclean: print("unclean closes:", " ".join(unclean))
passed = len(results) - len(set(bad) | set(unclean))
print(f"{passed}/{len(results)} cases clean")
sys.exit(0 if results and passed == len(results) else 1)
PY
}

status=0
if [[ $role == server || $role == both ]]; then
  run_server_role; echo "== wsctl as server (wss)"; summarize "$out/servers" || status=1
fi
if [[ $role == client || $role == both ]]; then
  run_client_role; echo "== wsctl as client (wss)"; summarize "$out/clients" || status=1
fi
exit $status
