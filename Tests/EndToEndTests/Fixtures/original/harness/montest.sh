#!/bin/bash
# 10 auth-failed rounds, then serve (slow round) + local monitor --json: oauth_fail alert + auto-stop
name=mon401; d=~/work/$name; rm -rf $d ~/.agent-runner/$name; mkdir -p $d; cd $d; git init -q; echo m > README.md; git add .; git commit -qm i; agent-runner init >/dev/null
L=~/.agent-runner/$name/logs; o=~/out/$name; rm -rf $o; mkdir -p $o
for i in $(seq 1 10); do FAKE_MODE=claude-401 agent-runner round; done; echo "10 rounds done"
FAKE_MODE=slow FAKE_SLEEP=25 setsid agent-runner serve > $o/serve.out 2>&1 & spid=$!
sleep 2
t0=$(date +%s.%N)
agent-runner --json monitor --interval 2 > $o/monitor.stdout 2> $o/monitor.stderr & mpid=$!
sleep 12
echo "serve alive at +12s? $(kill -0 $spid 2>/dev/null && echo yes || echo no)"
agent-runner --json status | tr -d '\n '; echo
kill -INT $mpid; wait $mpid; echo "monitor rc=$?"
wait $spid; echo "serve rc=$? at +$(echo "$(date +%s.%N) - $t0" | bc)s after monitor start"
cp $L/events-*.jsonl $o/events.jsonl
echo "--- monitor stdout"; cat $o/monitor.stdout; echo "--- monitor stderr"; cat $o/monitor.stderr
echo "--- monitor events"; grep '"monitor_' $o/events.jsonl
echo "--- text mode monitor on the same log (new process, 5s)"
timeout -s INT 5 agent-runner monitor --interval 2 > $o/monitor-text.stdout 2>&1; echo "rc=$?"; cat $o/monitor-text.stdout
