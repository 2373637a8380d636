# Address lists under a race: IPv6 multicast joins and leaves on the bond (IPV6_ADD_MEMBERSHIP
# runs without RTNL, so only the bond's address lock orders it against a sync), racing
# failovers and enslave/release, in active-backup (lists synced to the active slave) and in
# balance-rr (to every slave). On the debug kernel KASAN and DEBUG_LIST see a list walked
# while it changes; on any kernel the lists must come out right: a group the bond joins
# afterwards reaches the slaves that carry its lists, and leaves them again.
. tools/testing/rbond/lib.sh
load_rbond max_bonds=0 || exit 1
topo_peer 3 || exit 1

# mcast_churn DEV SECONDS: joins and leaves 64 groups on DEV in a loop, until SIGTERM or for
# at most SECONDS; prints how many joins and leaves it made.
mcast_churn() {
	python3 - "$1" "$2" <<'PY'
import signal, socket, struct, sys, time
ifindex = socket.if_nametoindex(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
ops = 0
while time.monotonic() < end and not stop:
    for i in range(64):
        mreq = socket.inet_pton(socket.AF_INET6, "ff3e::4242:%x" % i) + struct.pack("@I", ifindex)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
        ops += 1
    for i in range(64):
        mreq = socket.inet_pton(socket.AF_INET6, "ff3e::4242:%x" % i) + struct.pack("@I", ifindex)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq)
        ops += 1
print(ops)
PY
}

# has_group DEV MAC: DEV's multicast list holds MAC.
has_group() { ip maddr show dev "$1" | grep -q "link  $2"; }

# The MAC of ff3e::4242:77 (33:33 and its low 32 bits, 42:42:00:77).
GROUP=ff3e::4242:77 GROUP_MAC=33:33:42:42:00:77

race() {
	local mode=$1 rounds=$2 i
	ip link add bond0 type bond mode "$mode" miimon 50 || return 1
	for i in 0 1 2; do ip link set s$i master bond0 || return 1; done
	ip link set bond0 up
	mcast_churn bond0 60 > /tmp/churn.out &
	local churn=$!
	for i in $(seq "$rounds"); do
		if [ "$mode" = active-backup ]; then
			echo s$((i % 3)) > /sys/class/net/bond0/bonding/active_slave
		fi
		ip link set s2 nomaster
		ip link set s2 master bond0
		kill -0 $churn 2>/dev/null || break
	done
	kill $churn 2>/dev/null
	wait $churn
	echo "$mode: $(cat /tmp/churn.out) joins and leaves during $i rounds"
}

for mode in active-backup balance-rr; do
	check "$mode: multicast churn raced $mode failovers and enslave/release" race $mode $(scaled 40)
	# A group joined on the bond now must reach the slaves that carry the bond's lists.
	python3 -c "
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
             socket.inet_pton(socket.AF_INET6, '$GROUP') + struct.pack('@I', socket.if_nametoindex('bond0')))
open('/tmp/joined', 'w').close()
time.sleep(600)" &
	holder=$!
	wait_for "$mode: joined group on the bond" 10 test -e /tmp/joined
	check "$mode: group in the bond's own list" has_group bond0 $GROUP_MAC
	if [ $mode = active-backup ]; then
		active=$(bond_field bond0 "Currently Active Slave")
		check "$mode: group on the active slave $active" has_group "$active" $GROUP_MAC
		others=$(for s in s0 s1 s2; do [ $s = "$active" ] || echo $s; done)
		for s in $others; do check_fails "$mode: group not on backup $s" has_group $s $GROUP_MAC; done
	else
		for s in s0 s1 s2; do check "$mode: group on slave $s" has_group $s $GROUP_MAC; done
	fi
	kill $holder; wait $holder 2>/dev/null; rm -f /tmp/joined
	for s in s0 s1 s2; do
		wait_for "$mode: group gone from $s after the leave" 10 sh -c "! ip maddr show dev $s | grep -q 'link  $GROUP_MAC'"
	done
	wait_for "$mode: none of the churned groups left on the bond" 10 sh -c "! ip maddr show dev bond0 | grep -q '33:33:42:42:00:'"
	ip link del bond0
done
topo_clean 3
check "unload rbond" unload_driver rbond
finish
