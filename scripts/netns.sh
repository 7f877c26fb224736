#!/usr/bin/env bash
# Run a command in a private network namespace: lo, plus one veth pair carrying 10.77.0.1/24 and a dead-end
# default route. Chromium's WebRTC ignores loopback adapters, so media tests need a non-loopback interface for host
# candidates; nothing in here can reach the machine's real network, and the namespace vanishes with the command.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then flags=(-n); else flags=(-rn); fi
exec unshare "${flags[@]}" bash -c '
  set -e
  ip link set lo up
  ip link add rtc0 type veth peer name rtc1
  ip addr add 10.77.0.1/24 dev rtc0
  ip link set rtc0 up
  ip link set rtc1 up
  ip route add default via 10.77.0.254 dev rtc0 2>/dev/null || true
  exec "$@"' _ "$@"
