#!/bin/bash
SSHD=$(cat /opt/orig-sshd/sshd.pid)
O=/home/origtest/out
rm -f $O/relay-ssh-argv.log; rm -rf /home/origtest/client-logs
remote_tails() { ps -eo pid,ppid,etimes,args | grep "[a]gent_runner.*events --tail\|[b]in/agent-runner events --tail" | grep -v "ssh " ; }
echo "== t0: start relay (default kinds, --remote-config)"
su - origtest -c 'cd ~/client; exec env PATH=$HOME/client-bin:$PATH agent-runner monitor --host orighost --mode events --remote-config /home/origtest/work/demo/agent-runner.toml > ~/out/relay.stdout 2> ~/out/relay.stderr' &
RELAY_SU=$!
sleep 3
RELAY=$(pgrep -u origtest -f "agent-runner monitor --host orighost" | head -1); echo "relay pid $RELAY"
echo "-- remote events --tail processes:"; remote_tails
echo "== round 1 on the remote project"
su - origtest -c 'cd ~/work/demo && FAKE_MODE=ok agent-runner round'
sleep 1
echo "== drop the link: kill the sshd session processes (children of our sshd $SSHD)"
for p in $(ps -o pid= --ppid $SSHD); do echo "kill sshd child $p"; kill $p; done
sleep 0.3
echo "-- remote events --tail processes right after the drop:"; remote_tails
echo "== round 2 on the remote project (while reconnecting)"
su - origtest -c 'cd ~/work/demo && FAKE_MODE=ok agent-runner round'
sleep 4
echo "-- remote events --tail processes 4s later:"; remote_tails
echo "== round 3"
su - origtest -c 'cd ~/work/demo && FAKE_MODE=ok agent-runner round'
sleep 2
echo "-- remote events --tail processes after round 3 (old tail should have hit EPIPE):"; remote_tails
echo "== SIGTERM the relay"
t0=$(date +%s.%N); kill -TERM $RELAY; wait $RELAY_SU; echo "relay exit (via su) rc=$? after $(echo "$(date +%s.%N) - $t0" | bc)s"
sleep 1
echo "-- ssh processes of origtest left:"; ps -u origtest -o pid,args | grep "[s]sh orighost" || echo none
echo "-- remote events --tail processes after relay exit:"; remote_tails
echo "== round 4 (so a lingering remote tail writes and dies)"
su - origtest -c 'cd ~/work/demo && FAKE_MODE=ok agent-runner round'; sleep 1
echo "-- remote events --tail processes after round 4:"; remote_tails || echo none
