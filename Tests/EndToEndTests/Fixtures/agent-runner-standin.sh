# Stand-in for a remote `agent-runner` until the real `peek --json` lands (another branch).
# The tests prepend `#!/bin/bash` and `REAL_AGENT_RUNNER=<built agent-runner>`; this body
# answers the verbs fleetctl and `agent-runner monitor --host` run over ssh, for a project
# driven by the real `agent-runner serve` (pid in logs/serve.pid):
#   peek --json --events N   a peek document per the contract in HostObservation+Peek.swift
#                            (generated_at, agent_runner_version, status, recent_events, system,
#                            service); disk from `df`, or from logs/fake_disk_pct if present (logs/ is git-ignored, so serve never stashes it)
#   stop | kill | start | restart [--json]   pid_file semantics, prints the ServiceStatus
#   events --kind K [--since TS | --window N]   matching raw event lines
set -u
verb="${1:-}"
[ $# -gt 0 ] && shift
config="agent-runner.toml"; events_n=0; kinds=""; since=""; window=10
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    --events) events_n="$2"; shift 2 ;;
    --kind) kinds="$2"; shift 2 ;;
    --since) since="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    *) shift ;;
  esac
done
dir="$(cd "$(dirname -- "$config")" 2>/dev/null && pwd)" || { echo "agent-runner: config not found: $config" >&2; exit 1; }
logs="$dir/logs"
serve_pid() { [ -f "$logs/serve.pid" ] && jq -r '.pid // empty' "$logs/serve.pid" 2>/dev/null; }
alive() { local pid; pid="$(serve_pid)"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; }
status_json() {
  if alive; then
    printf '{"mode":"pid_file","active":true,"pid":%s,"uptime_s":null,"unit_file":null,"rate_limit":null,"system_managed":false}\n' "$(serve_pid)"
  else
    echo '{"mode":"pid_file","active":false,"pid":null,"uptime_s":null,"unit_file":null,"rate_limit":null,"system_managed":false}'
  fi
}
stop_serve() {
  local pid; pid="$(serve_pid)"
  [ -n "$pid" ] && kill "-$1" "$pid" 2>/dev/null
  for _ in $(seq 50); do alive || break; sleep 0.1; done
}
start_serve() {
  # Detached, holding none of ssh's pipes, or the ssh session would wait for serve to exit.
  if ! alive; then
    (cd "$dir" && exec setsid "$REAL_AGENT_RUNNER" serve --config "$dir/agent-runner.toml") >/dev/null 2>&1 </dev/null &
  fi
  for _ in $(seq 50); do alive && break; sleep 0.1; done
}
case "$verb" in
  peek)
    now="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
    disk="$(cat "$logs/fake_disk_pct" 2>/dev/null || df -P "$dir" | awk 'NR==2 { sub("%", "", $5); print $5 }')"
    events="$(cat "$logs"/events-*.jsonl 2>/dev/null | tail -n "$events_n" | jq -s -c '.' 2>/dev/null)"
    [ -n "$events" ] || events='[]'
    status="$(jq -c '.' "$logs/status.json" 2>/dev/null)"
    [ -n "$status" ] || status='{}'
    jq -n -c --arg now "$now" --argjson disk "$disk" --argjson events "$events" --argjson status "$status" \
      --argjson service "$(status_json)" \
      '{generated_at: $now, agent_runner_version: "stand-in", project: "demo", status: $status, recent_rounds: [],
        recent_events: $events, config: {round_timeout_s: 1800}, system: {ts: $now, disk_used_pct: $disk}, service: $service}'
    ;;
  stop) stop_serve TERM; status_json ;;
  kill) stop_serve KILL; status_json ;;
  start) start_serve; status_json ;;
  restart) stop_serve TERM; start_serve; status_json ;;
  events)
    cat "$logs"/events-*.jsonl 2>/dev/null \
      | jq -c --arg kinds "$kinds" --arg since "$since" \
          'select(.event as $e | ($kinds | split(",") | index($e)) != null) | select($since == "" or .ts >= $since)' \
      | if [ -n "$since" ]; then cat; else tail -n "$window"; fi
    ;;
  *) echo "stand-in agent-runner: unknown verb '$verb'" >&2; exit 64 ;;
esac
