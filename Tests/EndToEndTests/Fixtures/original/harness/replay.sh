#!/bin/bash
# replay each agent-output sample through the original's real round + plugins; print what it emitted
for p in gemini codewhale kimi pi; do
  d=~/work/rp-$p; rm -rf $d ~/.agent-runner/rp-$p; mkdir -p $d; cd $d; git init -q; echo r > README.md; git add .; git commit -qm i; agent-runner init --preset $p >/dev/null
  L=~/.agent-runner/rp-$p/logs
  for t in ~/fake/t/rp-$p-*.out; do m=$(basename $t .out); s=${m#rp-}
    n=$(cat $L/events-*.jsonl 2>/dev/null | wc -l)
    FAKE_MODE=$m agent-runner round >/dev/null 2>&1; rc=$?
    echo "## $s.log (agent exit $(cat ~/fake/t/$m.rc); round exit $rc)"
    tail -n +$((n+1)) $L/events-*.jsonl | python3 -c '
import json,sys
for l in sys.stdin:
    e=json.loads(l); k=e["event"]
    if k in ("round_start","agent_spawn","round_end"): continue
    keep={x:e[x] for x in e if x not in ("ts","event","round_num","phase","config_digest")}
    if k=="transient_error_detected": keep["reset_in_s"]=keep.pop("reset_at_epoch")-int(__import__("time").time())
    print("  ", k, json.dumps(keep, ensure_ascii=False)[:330])
'
  done
done
