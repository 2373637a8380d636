# balance-xor and broadcast, against bonding.ko on the same frames.
#
# The hash: for each xmit_hash_policy the same fixed set of flows (tools/testing/rbond/flows.py:
# IPv4 and IPv6 UDP and TCP, fragments, ICMP errors carrying inner headers, echo, ARP, a raw
# EtherType, GRE and VXLAN, and UDP/TCP through a VLAN on the bond) goes through a balance-xor
# bond of 3 dummy slaves, once with each driver; the per-slave frame counts must be identical.
# Then a slave going down moves its flows; and broadcast puts every frame on every slave.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/xor
mkdir -p $OUT
FLOWS=tools/testing/rbond/flows.py
POLICIES="layer2 layer2+3 layer3+4 encap2+3 encap3+4 vlan+srcmac"

tx() { cat /sys/class/net/$1/statistics/tx_packets; }
# counts PREFIX: the tx counters of PREFIX0..PREFIX2, as "a b c".
counts() { echo $(tx ${1}0) $(tx ${1}1) $(tx ${1}2); }
# delta "a b c" "x y z": "x-a y-b z-c".
delta() { set -- $1 $2; echo $(( $4 - $1 )) $(( $5 - $2 )) $(( $6 - $3 )); }
slave_down() { [ "$(slave_field bond0 $1 'MII Status')" = down ]; }

# dummy_bond MODE OPTIONS...: bond0 over dummies d0 d1 d2, up, with bond0.100 on top.
dummy_bond() {
	local mode=$1 i; shift
	load_kmod dummy 2>/dev/null; load_kmod 8021q 2>/dev/null
	ip link add bond0 type bond mode $mode miimon 100 "$@" || return 1
	for i in 0 1 2; do
		ip link add d$i type dummy || return 1
		ip link set d$i master bond0 || return 1
	done
	ip link add link bond0 name bond0.100 type vlan id 100 || return 1
	ip link set bond0 up && ip link set bond0.100 up || return 1
	wait_for "$mode: bond0 carrier" 10 grep -qx 1 /sys/class/net/bond0/carrier >/dev/null
}

dummy_clean() {
	ip link del bond0.100 2>/dev/null
	ip link del bond0 2>/dev/null
	for i in 0 1 2; do ip link del d$i 2>/dev/null; done
	true
}

# xor_counts DRIVER: the per-slave counts of the flow set under every policy, one line each,
# into $OUT/DRIVER.
xor_counts() {
	local driver=$1 policy i before
	load_driver $driver || return 1
	: > $OUT/$driver
	for policy in $POLICIES; do
		dummy_bond balance-xor xmit_hash_policy $policy || return 1
		before=$(counts d)
		python3 $FLOWS bond0 > /dev/null || return 1
		python3 $FLOWS bond0.100 udp4 tcp4 udp6 > /dev/null || return 1
		echo "$policy: $(delta "$before" "$(counts d)")" >> $OUT/$driver
		dummy_clean
	done
	unload_driver $driver
}

check "bonding.ko: the flow set under every policy" xor_counts bonding
check "rbond.ko: the flow set under every policy" xor_counts rbond
for policy in $POLICIES; do
	b=$(grep "^$policy: " $OUT/bonding) r=$(grep "^$policy: " $OUT/rbond)
	expect_eq "$policy: the same frames on the same slaves as bonding.ko (${r#*: })" "$r" "$b"
	# A policy that puts everything on one slave would hide a wrong hash.
	check "$policy: the flows spread over all 3 slaves" sh -c "! echo '${r#*: }' | grep -qw 0"
done

# --- balance-xor failover: the flow's slave goes down, the flow moves ------------------------
xor_failover() {
	local driver=$1 i busy=""
	load_driver $driver || return 1
	topo_peer 3 || return 1
	ip link add bond0 type bond mode balance-xor xmit_hash_policy layer2 miimon 50 || return 1
	for i in 0 1 2; do ip link set s$i master bond0 || return 1; done
	ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0 || return 1
	wait_for "$driver: bond0 carrier" 10 grep -qx 1 /sys/class/net/bond0/carrier
	wait_for "$driver: the peer answers" 10 ping -c 1 -W 1 10.9.0.2
	# The slave the ping flow hashes to: the one whose counter moves.
	local before=$(counts s)
	ping -c 20 -i 0.05 -W 1 10.9.0.2 > /dev/null
	set -- $(delta "$before" "$(counts s)")
	for i in 0 1 2; do
		[ "$1" -ge 20 ] && busy=s$i
		shift
	done
	[ -n "$busy" ] || { echo "no slave carried the flow: $before -> $(counts s)"; return 1; }
	# Take its link away (the peer's end goes down: carrier off), and ping again.
	ip -n peer link set p${busy#s} down
	wait_for "$driver: $busy is seen down" 10 slave_down $busy
	ping -c 20 -i 0.05 -W 1 10.9.0.2 > $OUT/failover-$driver
	read sent got <<< "$(ping_summary $OUT/failover-$driver)"
	echo "$driver: $busy down, then $got of $sent answered"
	[ "$got" = "$sent" ]
	local rc=$?
	ip link del bond0; topo_clean 3; unload_driver $driver
	return $rc
}
for driver in bonding rbond; do
	check "$driver: after the flow's slave goes down, every ping is answered through another" xor_failover $driver
done

# --- broadcast: N frames, N on every slave; the peer gets each one on every port ------------
broadcast_counts() {
	local driver=$1 i
	load_driver $driver || return 1
	dummy_bond broadcast || return 1
	local before=$(counts d)
	python3 $FLOWS bond0 udp4 arp > /dev/null || return 1
	delta "$before" "$(counts d)" > $OUT/bcast-$driver
	dummy_clean
	unload_driver $driver
}
for driver in bonding rbond; do
	check "$driver: broadcast bond of 3 slaves sends the flow set" broadcast_counts $driver
	expect_eq "$driver: 128 frames, 128 on every slave" "$(cat $OUT/bcast-$driver)" "128 128 128"
done

broadcast_peer() {
	local driver=$1 i
	load_driver $driver || return 1
	topo_peer 2 || return 1
	ip link add bond0 type bond mode broadcast miimon 50 || return 1
	for i in 0 1; do ip link set s$i master bond0 || return 1; done
	ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0 || return 1
	wait_for "$driver: bond0 carrier" 10 grep -qx 1 /sys/class/net/bond0/carrier
	wait_for "$driver: the peer answers" 10 ping -c 1 -W 1 10.9.0.2
	local p0=$(ip netns exec peer cat /sys/class/net/p0/statistics/rx_packets)
	local p1=$(ip netns exec peer cat /sys/class/net/p1/statistics/rx_packets)
	ping -c 10 -i 0.05 -W 1 10.9.0.2 > $OUT/bcast-ping-$driver
	p0=$(( $(ip netns exec peer cat /sys/class/net/p0/statistics/rx_packets) - p0 ))
	p1=$(( $(ip netns exec peer cat /sys/class/net/p1/statistics/rx_packets) - p1 ))
	echo "$p0 $p1 $(grep -c DUP $OUT/bcast-ping-$driver)" > $OUT/bcast-peer-$driver
	ip link del bond0; topo_clean 2; unload_driver $driver
}
for driver in bonding rbond; do
	check "$driver: a broadcast bond pings its peer" broadcast_peer $driver
	read p0 p1 dups < $OUT/bcast-peer-$driver
	check "$driver: both peer ports received every request ($p0, $p1)" test "$p0" -ge 10 -a "$p1" -ge 10
	check "$driver: duplicate replies come back ($dups DUP! lines)" test "$dups" -ge 1
done
finish
