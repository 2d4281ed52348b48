#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# the quick start: installs what virtbus needs, builds it, starts a private session
# bus with virtbusd and the test driver on it, and shows it answering.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh

build="$top/build"
echo "virtbus: building in $build"
sh scripts/build.sh "$build" -Dbuildtype=release

run=${VB_DEMO_DIR:-/tmp/virtbus-demo}
if [ -f "$run/virtbusd.pid" ] && kill "$(cat "$run/virtbusd.pid")" 2>/dev/null; then
    sleep 0.5
fi
if [ -f "$run/bus.pid" ]; then
    kill "$(cat "$run/bus.pid")" 2>/dev/null || true
fi
rm -rf "$run"
mkdir -p "$run"
# a session bus of our own that starts nothing by itself
cat >"$run/bus.conf" <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$run/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOC
dbus-daemon --config-file="$run/bus.conf" --fork --print-pid=1 >"$run/bus.pid"
DBUS_SESSION_BUS_ADDRESS="unix:path=$run/bus"
export DBUS_SESSION_BUS_ADDRESS

"$build/service/virtbusd" --session --verbose >"$run/virtbusd.log" 2>&1 &
echo $! >"$run/virtbusd.pid"
n=0
until gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner org.libvirt 2>/dev/null | grep -q true; do
    n=$((n + 1))
    if [ $n -gt 100 ]; then
        cat "$run/virtbusd.log"
        exit 1
    fi
    sleep 0.05
done

echo
echo "virtbusd answers on $DBUS_SESSION_BUS_ADDRESS:"
echo "\$ gdbus call --session --dest org.libvirt --object-path /org/libvirt/Test --method org.libvirt.Connect.ListDomains 0"
gdbus call --session --dest org.libvirt --object-path /org/libvirt/Test \
    --method org.libvirt.Connect.ListDomains 0
echo "\$ gdbus call ... --object-path /org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f --method org.libvirt.Domain.GetState 0"
gdbus call --session --dest org.libvirt \
    --object-path /org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f \
    --method org.libvirt.Domain.GetState 0
if [ -f tests/clients/libvirt-dbus-demo.py ]; then
    echo
    echo "a script written for libvirt-dbus's Test connection, run unchanged:"
    /usr/bin/python3 tests/clients/libvirt-dbus-demo.py
fi
echo
echo "virtbusd is running (pid $(cat "$run/virtbusd.pid"), log $run/virtbusd.log). To talk to it:"
echo "  export DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"
echo "  gdbus introspect --session --dest org.libvirt --object-path /org/libvirt/Test"
echo "To stop it: kill \$(cat $run/virtbusd.pid) \$(cat $run/bus.pid)"
