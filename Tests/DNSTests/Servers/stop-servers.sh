#!/usr/bin/env bash
# Stops the servers start-servers.sh started in DIR, by the process ids it recorded and nothing else.
# Each id is a `timeout` wrapper that leads its own process group (it and its server). TERM first;
# whatever is still alive a second later gets KILL, because a parent that blocked TERM (a Swift test
# process does, in its threads) passes that mask on and the servers then never see the TERM.
# Usage: stop-servers.sh DIR
set -u
dir=$1
[ -f "$dir/pids" ] || exit 0
mapfile -t pids < "$dir/pids"
alive() { kill -0 -- "-$1" 2>/dev/null; }
for pid in "${pids[@]}"; do [ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null; done
for _ in $(seq 1 10); do
    any=no
    for pid in "${pids[@]}"; do [ -n "$pid" ] && alive "$pid" && any=yes; done
    [ "$any" = no ] && break
    sleep 0.1
done
for pid in "${pids[@]}"; do [ -n "$pid" ] && alive "$pid" && kill -KILL -- "-$pid" 2>/dev/null; done
: > "$dir/pids"
exit 0
