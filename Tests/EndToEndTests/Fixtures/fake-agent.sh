#!/bin/bash
# A stand-in for an AI coding CLI (claude stream-json style), for end-to-end tests.
# Behaviour comes from $FAKE_MODE, else the file $FAKE_MODE_FILE (default ./fake_mode), else "ok".
# Each run appends its mode to $AGENT_RUNNER_LOG_DIR/fake-runs, "MODE PID UPTIME" to fake-starts
# (/proc/uptime: a monotonic clock that libfaketime does not fake), and records its argv, stdin and env.
MODE="${FAKE_MODE:-}"
MODE_FILE="${FAKE_MODE_FILE:-fake_mode}"
[ -z "$MODE" ] && [ -f "$MODE_FILE" ] && MODE="$(head -n1 "$MODE_FILE")"
MODE="${MODE:-ok}"
# A mode list "a,b,c" is consumed one entry per run.
if [[ "$MODE" == *,* ]]; then
  echo "${MODE#*,}" > "$MODE_FILE"
  MODE="${MODE%%,*}"
fi
out="${AGENT_RUNNER_LOG_DIR:-/tmp}"
PROMPT="$(cat)"
printf '%s' "$PROMPT" > "$out/fake-last-prompt.txt"
printf '%s\n' "$@" > "$out/fake-last-argv.txt"
env | grep -E '^(AGENT_RUNNER_|PWD=|FAKE_ENV)' | sort > "$out/fake-last-env.txt"
echo "$MODE $$" >> "$out/fake-runs"
echo "$MODE $$ $(cut -d' ' -f1 /proc/uptime)" >> "$out/fake-starts"
echo "fake-agent argv: $*" >&2
echo '{"type":"system","subtype":"init","model":"claude-opus-5"}'
echo '{"type":"assistant","message":{"model":"claude-opus-5","content":[{"type":"tool_use","id":"a","name":"Read","input":{"file_path":"README.md"}}]}}'
case "$MODE" in
  ok)
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":5,"output_tokens":6,"cache_read_input_tokens":7,"cache_creation_input_tokens":8},"duration_ms":10,"total_cost_usd":0.01,"result":"done"}'
    exit 0 ;;
  dirty)
    echo "work $RANDOM$RANDOM" >> scratch-work.txt
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":2},"duration_ms":10,"result":"edited"}'
    exit 0 ;;
  429)
    echo '{"type":"result","is_error":true,"api_error_status":429,"result":"API Error: 429 rate_limit_error (Authorization: Bearer sk-ant-FAKEFAKEFAKE)","duration_ms":50}'
    exit 1 ;;
  fivehour)
    echo "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":\"rejected\",\"rateLimitType\":\"five_hour\",\"resetsAt\":$(( $(date +%s) + ${FAKE_RESET_IN:-3} ))}}"
    echo '{"type":"result","is_error":true,"result":"Claude AI usage limit reached","duration_ms":40}'
    exit 1 ;;
  crash)
    echo "Error: something unknown broke; ANTHROPIC_API_KEY=sk-ant-supersecretvalue" >&2
    exit 3 ;;
  slowcrash)
    sleep "${FAKE_SLEEP:-1}"
    echo "Error: crashed after working a while" >&2
    exit 3 ;;
  auth)
    echo "Invalid API key · Please run /login (401 unauthorized)" >&2
    exit 1 ;;
  net)
    echo "Error: connect ECONNREFUSED 127.0.0.1:443 (connection refused)" >&2
    exit 1 ;;
  replay-*)
    # A transcript recorded for the original's harness (Fixtures/original/harness/fake-transcripts):
    # transcripts/NAME.out on stdout, .err on stderr, exit .rc; @NOW+3600@ becomes now + 3600 s.
    name="${MODE#replay-}"
    dir="${FAKE_TRANSCRIPTS:-transcripts}"
    [ -f "$dir/$name.out" ] && sed "s/@NOW+3600@/$(( $(date +%s) + 3600 ))/g" "$dir/$name.out"
    [ -f "$dir/$name.err" ] && cat "$dir/$name.err" >&2
    exit "$(cat "$dir/$name.rc" 2>/dev/null || echo 0)" ;;
  loopsecret)
    # The same command five times, a GitHub token straddling its 100th character (the cut of a
    # tool's target): an anomaly_repetitive_tool whose target must reach the event log redacted.
    for i in 1 2 3 4 5; do
      echo '{"type":"assistant","message":{"model":"claude-opus-5","content":[{"type":"tool_use","id":"b'$i'","name":"Bash","input":{"command":"gh api --paginate /repos/example-org/example-repository/pulls/comments?state=open&page=1 ghp_0123456789abcdefABCDEFGHIJ"}}]}}'
    done
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":10,"result":"looped"}'
    exit 0 ;;
  hang)
    sleep 1000 ;;
  linger)
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":10,"result":"done but lingering"}'
    sleep 1000 ;;
  linger_exec)
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":10,"result":"done then hang"}'
    exec sleep 1000 ;;
  escape)
    setsid sleep 1000 &
    echo "$!" > "$out/fake-escaped-pid"
    sleep 1000 ;;
  stubborn)
    # Ignores SIGTERM (and so does its child, which inherits the disposition): only SIGKILL ends it.
    trap '' TERM
    sleep 1000 ;;
  slow)
    sleep "${FAKE_SLEEP:-2}"
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":10,"result":"slow done"}'
    exit 0 ;;
  big)
    # A transcript of ${FAKE_BIG_KB:-400} KiB (a real agent's is megabytes), then the result.
    yes 'agent output: read a file, ran the tests, wrote a patch; every step of it logged' | head -c "$(( ${FAKE_BIG_KB:-400} * 1024 ))"
    echo
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":10,"result":"big done"}'
    exit 0 ;;
  done)
    echo "all tasks complete" > "$AGENT_RUNNER_LOG_DIR/.agent-done"
    echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":10,"result":"finished"}'
    exit 0 ;;
  hog)
    # Fills ${FAKE_HOG_MB:-256} MiB with real pages (python3 replaces this shell, so the OOM
    # killer's SIGKILL is the agent's own death).
    echo "allocating ${FAKE_HOG_MB:-256} MiB" >&2
    exec python3 -c 'import os, time; b = b"x" * (int(os.environ.get("FAKE_HOG_MB", "256")) << 20); time.sleep(30)' ;;
  *)
    echo "fake-agent: unknown mode $MODE" >&2
    exit 2 ;;
esac
