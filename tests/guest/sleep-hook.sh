#!/bin/sh
# systemd-sleep hook of the Debian test guest (/usr/lib/systemd/system-sleep/thaw-test):
# tells the agent (agent.sh) that systemd-sleep is back from hibernating. /run is in RAM,
# so the mark exists only in the system that went to sleep.
[ "$1" = post ] && [ "$2" = hibernate ] && date +%s > /run/thaw-test-post
exit 0
