#!/bin/bash
# sc.sh NAME MODE SECONDS [PRESET] — fresh project ~/work/NAME, serve with FAKE_MODE=MODE for SECONDS, then capture + stop
name=$1; mode=$2; dur=$3; preset=${4:-claude}
d=~/work/$name; rm -rf $d ~/.agent-runner/$name; mkdir -p $d; cd $d; git init -q; echo "# $name" > README.md; git add .; git commit -qm init
agent-runner init --preset $preset >/dev/null
[ -n "$EXTRA_CFG" ] && { eval "$EXTRA_CFG"; git commit -qam cfg; }
o=~/out/$name; rm -rf $o; mkdir -p $o
L=~/.agent-runner/$name/logs
t0=$(date +%s.%N)
FAKE_MODE=$mode setsid agent-runner serve > $o/serve.stdout 2> $o/serve.stderr & spid=$!
sleep $dur
agent-runner peek --json > $o/peek.json 2>$o/peek.stderr; echo "peek --json rc=$?" >> $o/rcs
agent-runner peek --json --round latest --log > $o/peek-round-latest-log.json 2>&1; echo "peek --json --round latest --log rc=$?" >> $o/rcs
agent-runner peek --json --events 20 > $o/peek-events20.json 2>&1; echo "peek --json --events 20 rc=$?" >> $o/rcs
agent-runner peek > $o/peek-pretty.txt 2>&1
agent-runner --json status > $o/status.json 2>&1
ts=$(date +%s.%N); agent-runner stop > $o/stop.stdout 2> $o/stop.stderr; echo "stop rc=$? took $(echo "$(date +%s.%N) - $ts" | bc)s" >> $o/rcs
wait $spid; echo "serve rc=$? after $(echo "$(date +%s.%N) - $t0" | bc)s total" >> $o/rcs
cp $L/events-*.jsonl $o/events.jsonl; ls -la --time-style=+ $L $L/rounds > $o/ls.txt; cp $L/rounds/*.log $o/ 2>/dev/null; for f in $L/round-*.log; do [ -s $f ] && cp $f $o/serve-level-$(basename $f); done
cat $o/rcs
