#!/bin/bash
# stop / kill while a round is in flight (pid-file mode: serve launched by hand)
for verb in stop kill; do
name=st$verb; d=~/work/$name; rm -rf $d ~/.agent-runner/$name; mkdir -p $d; cd $d; git init -q; echo s > README.md; git add .; git commit -qm i; agent-runner init >/dev/null
L=~/.agent-runner/$name/logs; : > ~/fake/runs.log
echo "===== $verb during a 20 s round"
t0=$(date +%s.%N); el() { echo "$(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)s"; }
FAKE_MODE=slow FAKE_SLEEP=20 setsid agent-runner serve > /tmp/serve-$name.out 2>&1 & spid=$!
sleep 4
echo "[$(el)] serve.pid: $(cat $L/serve.pid)"; echo "[$(el)] lock holder: $(cat $L/agent-runner.lock.holder)"
ps -u $USER -o pid,ppid,pgid,sid,args | grep -E "[a]gent_runner|[a]gent-runner serve|[f]akeagent|[c]laude --model|[s]leep" | sed 's/^/    /'
echo "[$(el)] \$ agent-runner $verb"; agent-runner $verb; echo "[$(el)] $verb exit $?"
for i in $(seq 1 300); do kill -0 $spid 2>/dev/null || break; sleep 0.1; done
wait $spid; echo "[$(el)] serve exited rc=$?"
echo "agent runs.log:"; sed 's/^/    /' ~/fake/runs.log
echo "events after round_start:"; sed -n '/"round_start"/,$p' $L/events-*.jsonl | cut -c1-260 | sed 's/^/    /'
ls $L | sed 's/^/    ls: /'
done
