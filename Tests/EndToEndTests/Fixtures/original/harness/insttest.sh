#!/bin/bash
d=~/work/inst; rm -rf $d ~/.agent-runner/inst ~/.config/systemd; mkdir -p $d; cd $d; git init -q; echo i > README.md; git add .; git commit -qm i; agent-runner init >/dev/null
echo '$ agent-runner install        # real: no XDG_RUNTIME_DIR, no systemd'; agent-runner install; echo "(exit $?)"
echo '$ XDG_RUNTIME_DIR=/tmp agent-runner install   # systemctl present, no user bus'; XDG_RUNTIME_DIR=/tmp agent-runner install; echo "(exit $?)"
rm -f ~/fakesystemd/calls.log ~/fakesystemd/state-*
export XDG_RUNTIME_DIR=~/fakesystemd/run PATH=~/fakesystemd/bin:$PATH
echo '$ agent-runner install --monitor     # with a FAKE systemctl that logs its argv'; agent-runner install --monitor; echo "(exit $?)"
echo "--- systemctl calls:"; cat ~/fakesystemd/calls.log; : > ~/fakesystemd/calls.log
echo "--- files:"; find ~/.config/systemd -type f -o -type l | xargs ls -la
echo '$ agent-runner --json status'; agent-runner --json status; echo "(exit $?)"
echo '$ agent-runner install   # again (idempotent?)'; agent-runner install; echo "(exit $?)"; cat ~/fakesystemd/calls.log; : > ~/fakesystemd/calls.log
echo '$ agent-runner stop'; agent-runner stop; echo "(exit $?)"; cat ~/fakesystemd/calls.log; : > ~/fakesystemd/calls.log
echo '$ agent-runner start'; agent-runner start; echo "(exit $?)"; cat ~/fakesystemd/calls.log; : > ~/fakesystemd/calls.log
echo '$ agent-runner restart'; agent-runner restart; echo "(exit $?)"; cat ~/fakesystemd/calls.log; : > ~/fakesystemd/calls.log
echo '$ agent-runner kill'; agent-runner kill; echo "(exit $?)"; cat ~/fakesystemd/calls.log; : > ~/fakesystemd/calls.log
echo '$ agent-runner uninstall'; agent-runner uninstall; echo "(exit $?)"; cat ~/fakesystemd/calls.log; : > ~/fakesystemd/calls.log
echo "--- files after uninstall:"; find ~/.config/systemd 2>/dev/null
