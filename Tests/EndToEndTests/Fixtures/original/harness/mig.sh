#!/bin/bash
# mig.sh NAME FILE: copy FILE to ~/work/mig-NAME/agent-runner.toml, run migrate --dry-run, migrate, migrate again
d=~/work/mig-$1; rm -rf $d; mkdir -p $d; cp "$2" $d/agent-runner.toml; chmod 644 $d/agent-runner.toml; cd $d
echo "\$ agent-runner migrate --dry-run"; agent-runner migrate --dry-run; echo "(exit $?)"
echo "\$ agent-runner migrate"; agent-runner migrate; echo "(exit $?)"
ls -1 $d | sed 's/^/  file: /'
echo "\$ agent-runner migrate   # second run"; agent-runner migrate; echo "(exit $?)"
ls -1 $d | sed 's/^/  file: /'
