#!/usr/bin/env bash
# Renders `agent-runner monitor --mode http` in a real headless browser (Debian's chromium) and
# checks that an event payload holding <script> shows up as text and never runs.
#
# Not part of scripts/test: chromium is a large install. Run it by hand or in a dedicated job:
#   scripts/check-http-page.sh            # uses .build/debug/agent-runner (or $AGENT_RUNNER)
# As root on Debian/Ubuntu it installs chromium when missing. Exit 0 = page OK, 1 = check failed,
# 2 = could not run (no chromium, no binary).
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${AGENT_RUNNER:-}"
for candidate in .build/debug/agent-runner .build/release/agent-runner; do
  [ -z "$binary" ] && [ -x "$candidate" ] && binary="$PWD/$candidate"
done
[ -n "$binary" ] || { echo "check-http-page: no agent-runner binary; run 'swift build' first or set AGENT_RUNNER" >&2; exit 2; }

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "check-http-page: installing chromium from Debian's packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium || command -v chromium-browser || true)"
  fi
fi
[ -n "$browser" ] || { echo "check-http-page: chromium not found; install with: sudo apt-get install -y chromium" >&2; exit 2; }

work="$(mktemp -d /tmp/check-http-page-XXXXXX)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/logs"
cat > "$work/agent-runner.toml" <<'TOML'
schema_version = 1
[agent]
command = ["claude"]
prompt_arg_template = ["-p", "{prompt}"]
[runtime]
work_dir = "."
log_dir = "logs"
[prompt]
file = "prompt.md"
TOML
month="$(date -u +%Y-%m)"
now="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
cat > "$work/logs/events-$month.jsonl" <<JSONL
{"ts": "$now", "event": "round_start", "round_num": 1, "phase": null}
{"ts": "$now", "event": "hook_failed", "hook_name": "h", "error_message": "<script>alert(1)</script>"}
{"ts": "$now", "event": "hook_failed", "hook_name": "<img src=x onerror=\"document.title='pwned'\">", "error_message": "<script>document.title='pwned'</script>"}
JSONL
printf '%s\n' "narrative with <b>markup</b> & <script>document.title='pwned'</script>" > "$work/logs/narrative.md"

# Start the server on the first free port from a random start.
port=$(( 20000 + RANDOM % 20000 ))
for _ in $(seq 1 20); do
  "$binary" --config "$work/agent-runner.toml" monitor --mode http --port "$port" 2> "$work/server.err" &
  server=$!
  for _ in $(seq 1 50); do
    grep -q "progress page on" "$work/server.err" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "progress page on" "$work/server.err" && break
  wait "$server" 2>/dev/null || true
  server=""
  port=$(( port + 1 ))
done
[ -n "$server" ] || { echo "check-http-page: the server did not start: $(cat "$work/server.err")" >&2; exit 1; }

dom="$work/dom.html"
"$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$work/profile" \
  --virtual-time-budget=2000 --dump-dom "http://127.0.0.1:$port/" > "$dom" 2> "$work/browser.err" || {
  echo "check-http-page: chromium failed: $(tail -5 "$work/browser.err")" >&2; exit 1; }

fail=0
check() { if ! grep -qF -- "$1" "$dom"; then echo "check-http-page: FAIL: rendered page lacks: $1" >&2; fail=1; fi; }
refuse() { if grep -qF -- "$1" "$dom"; then echo "check-http-page: FAIL: rendered page holds: $1" >&2; fail=1; fi; }
for section in "Round state" "Narrative" "Recent events" "Round log tail" "Self-termination"; do check "<h2>$section</h2>"; done
check "&lt;script&gt;alert(1)&lt;/script&gt;"
check "&lt;img src=x onerror="
check "&lt;b&gt;markup&lt;/b&gt; &amp;"
check "<title>agent-runner progress</title>"
refuse "<script"
refuse "<img"
refuse "<b>markup"
refuse "pwned</title>"
if [ "$fail" = 0 ]; then
  echo "check-http-page: OK: $("$browser" --version 2>/dev/null | head -1) rendered the page; every <script> payload shows as text and none ran"
else
  echo "check-http-page: the rendered DOM is in $dom:" >&2
  cat "$dom" >&2
  exit 1
fi
