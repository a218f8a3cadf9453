#!/bin/bash
# cfgtest.sh NAME  — reads a TOML from stdin into ~/work/cfg/agent-runner.toml and runs peek + round on it
d=~/work/cfg; name=$1
cat > $d/agent-runner.toml; (cd $d && git commit -qm "cfg $name" agent-runner.toml >/dev/null)
cd $d
echo "### $name"
echo "\$ agent-runner peek --json >/dev/null"; agent-runner peek --json >/dev/null 2>/tmp/cfg-err-$$; rc=$?; cat /tmp/cfg-err-$$ | cut -c1-600; echo "(exit $rc)"
echo "\$ agent-runner round"; FAKE_MODE=ok agent-runner round 2>/tmp/cfg-err-$$; rc=$?; cat /tmp/cfg-err-$$ | cut -c1-600; echo "(exit $rc)"
rm -f /tmp/cfg-err-$$
