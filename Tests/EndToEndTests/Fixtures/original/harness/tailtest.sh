#!/bin/bash
# Does `events --tail` exit when its stdout reader goes away?
cd ~/work/c401
rm -f /tmp/tail-fifo-$$; mkfifo /tmp/tail-fifo-$$
(exec 3</tmp/tail-fifo-$$; sleep 1) &
agent-runner events --kind round_end,agent_exit --tail > /tmp/tail-fifo-$$ 2>/tmp/tail-err-$$ & pid=$!
sleep 1.5; echo "t=1.5s: reader gone; events --tail alive? $(kill -0 $pid 2>/dev/null && echo yes || echo no)"
sleep 8; echo "t=9.5s: no new event yet; alive? $(kill -0 $pid 2>/dev/null && echo yes || echo no)"
t0=$(date +%s.%N)
FAKE_MODE=ok agent-runner round; echo "ran one round (rc=$?) -> emits agent_exit, round_end"
for i in $(seq 1 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
wait $pid; rc=$?
echo "events --tail exited rc=$rc, $(echo "$(date +%s.%N) - $t0" | bc)s after the round started (round itself ~0.6s)"
echo "stderr:"; cat /tmp/tail-err-$$ | sed 's/^/  /'
rm -f /tmp/tail-fifo-$$ /tmp/tail-err-$$
echo "--- SIGHUP to a blocked tail:"
agent-runner events --kind round_end --tail > /dev/null 2>/tmp/tail-err2-$$ & pid=$!
sleep 1.5; kill -HUP $pid; sleep 0.5; wait $pid; echo "after SIGHUP rc=$?"; cat /tmp/tail-err2-$$; rm -f /tmp/tail-err2-$$
echo "--- SIGPIPE disposition of the python process:"; agent-runner events --kind round_end --tail > /dev/null 2>&1 & pid=$!; sleep 1.5; grep -E 'SigIgn|SigCgt' /proc/$pid/status; kill -INT $pid; wait $pid; echo "after SIGINT rc=$?"
