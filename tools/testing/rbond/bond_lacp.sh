# 802.3ad between two bonds of the same driver, each in its own namespace, joined by 4 veth
# pairs (10 Gb/s full duplex, so every port has a key): rbond against rbond, then bonding.ko
# against bonding.ko on the same scenario.
#
# For each driver: the aggregation forms with all 4 ports on both sides; UDP flows both ways
# spread over all 4 ports; a cut port leaves the aggregator on both sides and rejoins when
# mended. The /proc 802.3ad sections, the sysfs ad_* files, `ip -d link` and the xstats of
# the two drivers then match, MAC addresses aside. Then the same with a partner that speaks no
# LACP (a plain bridge) and with lacp_active off on both ends.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/lacp
mkdir -p $OUT
N=4

tx() { cat /sys/class/net/$1/statistics/tx_packets; }
ptx() { ip netns exec peer cat /sys/class/net/$1/statistics/tx_packets; }
# xstats DEV [bond|bond_slave]: `ip link xstats` of DEV. iproute2 6.1 prints the counters, then
# aborts ("stack smashing detected") against this kernel's attributes, with either driver:
# line buffering gets the counters out first.
xstats() { stdbuf -oL ip link xstats type ${2:-bond} dev $1 2>/dev/null; true; }
# ad_counters DEV [bond|bond_slave]: the 802.3ad counters of DEV as "name=value ...".
ad_counters() {
	xstats $1 ${2:-bond} | sed -n -e 's/^ *LACPDU Rx \([0-9]*\)$/lacpdu=\1/p' \
		-e 's/^ *LACPDU Unknown type Rx \([0-9]*\)$/unknown=\1/p' \
		-e 's/^ *LACPDU Illegal Rx \([0-9]*\)$/illegal=\1/p' \
		-e 's/^ *Marker Rx \([0-9]*\)$/marker_info=\1/p' \
		-e 's/^ *Marker response Tx \([0-9]*\)$/marker_resp_tx=\1/p' \
		-e 's/^ *Marker unknown type Rx \([0-9]*\)$/marker_unknown=\1/p' | tr '\n' ' '
}

# counter NAME "name=value ...": the value of NAME.
counter() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

mask() { sed -e 's/[0-9a-f]\{2\}\(:[0-9a-f]\{2\}\)\{5\}/<mac>/g' -e 's/rbond/bonding/g'; }

# pair_topo: veth s0..s3 here, p0..p3 in namespace "peer".
pair_topo() {
	local i
	load_kmod veth 2>/dev/null
	ip netns add peer || return 1
	for i in $(seq 0 $((N - 1))); do
		ip link add s$i type veth peer name p$i || return 1
		ip link set p$i netns peer || return 1
	done
}

pair_clean() {
	ip link del bond0 2>/dev/null
	ip -n peer link del bond1 2>/dev/null
	for i in $(seq 0 $((N - 1))); do ip link del s$i 2>/dev/null; done
	ip netns del peer 2>/dev/null
	true
}

# lacp_bond NS BOND PREFIX ADDR OPTIONS...: an 802.3ad bond over PREFIX0..3 in NS, up.
lacp_bond() {
	local ns=$1 bond=$2 prefix=$3 addr=$4 i; shift 4
	in_ns $ns ip link add $bond type bond mode 802.3ad miimon 100 xmit_hash_policy layer3+4 "$@" || return 1
	for i in $(seq 0 $((N - 1))); do in_ns $ns ip link set $prefix$i master $bond || return 1; done
	in_ns $ns ip link set $bond up || return 1
	in_ns $ns ip addr add $addr/24 dev $bond
}

# spread COUNTER PREFIX: after a spray, each of PREFIX0..3 sent some of it.
spread() {
	local before=$1 after=$2 i
	set -- $before; local b=("$@"); set -- $after; local a=("$@")
	for i in $(seq 0 $((N - 1))); do [ $(( a[i] - b[i] )) -ge 10 ] || return 1; done
}

# pair_up DRIVER OPTIONS...: the driver loaded, bond0 here and bond1 in the peer over the
# veth pairs, both with OPTIONS.
pair_up() {
	local driver=$1; shift
	load_driver $driver && pair_topo && lacp_bond root bond0 s 10.9.0.1 "$@" &&
		lacp_bond peer bond1 p 10.9.0.2 "$@"
}

# bad_frames DRIVER: 100,000 bad and random slow frames into s2 from the peer, while pings
# run: each kind is counted where bonding.ko counts it, and the aggregation comes back.
bad_frames() {
	local driver=$1 k
	local before=$(ad_counters bond0) before_s2=$(ad_counters s2 bond_slave)
	ping -i 0.05 -c 200 -W 1 10.9.0.2 > $OUT/storm-ping-$driver &
	local sent=$(ip netns exec peer python3 tools/testing/rbond/slow_frames.py p2 $(scaled 100000))
	wait
	local after=$(ad_counters bond0) after_s2=$(ad_counters s2 bond_slave)
	echo "# $driver: sent $sent"
	for k in illegal unknown marker_unknown marker_info; do
		expect_eq "$driver: $k frames counted as sent" \
			$(( $(counter $k "$after") - $(counter $k "$before") )) "$(counter $k "$sent")"
	done
	expect_eq "$driver: every Marker Information answered on s2" \
		$(( $(counter marker_resp_tx "$after_s2") - $(counter marker_resp_tx "$before_s2") )) \
		"$(counter marker_info "$sent")"
	check "$driver: the random LACPDUs reached the receive machine" test \
		$(( $(counter lacpdu "$after_s2") - $(counter lacpdu "$before_s2") )) -ge "$(counter lacpdu "$sent")"
	read tx rx <<< "$(ping_summary $OUT/storm-ping-$driver)"
	# The random LACPDUs really unsettle s2 (a partner that keeps changing its mind), so a
	# flow on it loses frames now and then, with either driver (0 to 12% in runs seen): the
	# check is that traffic kept crossing, not how much of it.
	check "$driver: pings crossed during the storm ($rx of $tx)" test "${rx:-0}" -ge $(( ${tx:-1} / 2 ))
	wait_for "$driver: after the storm all 4 ports aggregate again" 30 aggregated root bond0 s 4
}

lacp_pair() {
	local driver=$1 i
	if ! check "$driver: two 802.3ad bonds over 4 veth pairs" pair_up $driver lacp_rate fast; then
		pair_clean; unload_driver $driver; return 1
	fi
	wait_for "$driver: all 4 ports aggregate here" 20 aggregated root bond0 s 4
	wait_for "$driver: all 4 ports aggregate in the peer" 20 aggregated peer bond1 p 4
	wait_for "$driver: bond0 carrier" 10 grep -qx 1 /sys/class/net/bond0/carrier
	local peer_mac=$(ip netns exec peer cat /sys/class/net/bond1/address)
	expect_eq "$driver: the partner is the peer bond" \
		"$(sed -n 's/^\tPartner Mac Address: //p' /proc/net/bonding/bond0)" "$peer_mac"
	wait_for "$driver: the peer answers" 10 ping -c 1 -W 1 10.9.0.2
	ip netns exec peer ping -c 1 -W 1 10.9.0.1 > /dev/null

	local before=$(echo $(for i in 0 1 2 3; do tx s$i; done))
	udp_spray 10.9.0.2
	check "$driver: 200 flows out of bond0 use all 4 ports" \
		spread "$before" "$(echo $(for i in 0 1 2 3; do tx s$i; done))"
	before=$(echo $(for i in 0 1 2 3; do ptx p$i; done))
	ip netns exec peer bash -c "$(declare -f udp_spray); udp_spray 10.9.0.1"
	check "$driver: 200 flows out of the peer bond use all 4 ports" \
		spread "$before" "$(echo $(for i in 0 1 2 3; do ptx p$i; done))"

	# The surfaces, settled, for the comparison below.
	{
		sed 1d /proc/net/bonding/bond0 | grep -v 'Churn'
		for f in ad_aggregator ad_num_ports ad_actor_key ad_partner_key ad_partner_mac \
			ad_actor_sys_prio ad_actor_system ad_user_port_key ad_select lacp_rate lacp_active; do
			echo "$f: $(cat /sys/class/net/bond0/bonding/$f)"
		done
		for i in 0 1 2 3; do
			for f in ad_aggregator_id ad_actor_oper_port_state ad_partner_oper_port_state state; do
				echo "s$i $f: $(cat /sys/class/net/s$i/bonding_slave/$f)"
			done
			ip -d link show s$i | sed -n '/bond_slave/,$p' | sed -E 's/ ad_churn_[a-z_]+ [a-z_]+//g'
		done
		ip -d link show bond0 | sed -n '/bond mode/,$p'
		# The counters' names (their values depend on timing).
		xstats bond0 | sed 's/[0-9][0-9]*/N/g'
		xstats s0 bond_slave | sed 's/[0-9][0-9]*/N/g'
	} | mask > $OUT/surfaces-$driver

	# A cut port: its carrier goes, it leaves the aggregator on both sides, and comes back.
	ip -n peer link set p1 down
	wait_for "$driver: s1 leaves the aggregator here" 10 aggregated root bond0 s 3
	wait_for "$driver: p1 leaves the aggregator in the peer" 10 aggregated peer bond1 p 3
	check "$driver: traffic still crosses" ping -c 3 -i 0.2 -W 1 10.9.0.2
	ip -n peer link set p1 up
	wait_for "$driver: s1 rejoins here" 20 aggregated root bond0 s 4
	wait_for "$driver: p1 rejoins in the peer" 20 aggregated peer bond1 p 4
	before=$(echo $(for i in 0 1 2 3; do tx s$i; done))
	udp_spray 10.9.0.2
	check "$driver: after the rejoin, flows use all 4 ports again" \
		spread "$before" "$(echo $(for i in 0 1 2 3; do tx s$i; done))"
	bad_frames $driver
	local xstats=$(xstats bond0)
	local lacpdus=$(echo "$xstats" | sed -n 's/.*LACPDU Rx \([0-9]*\).*/\1/p' | head -1)
	check "$driver: LACPDUs were counted ($lacpdus received)" test "${lacpdus:-0}" -gt 0 || echo "$xstats" | sed 's/^/# /'
	pair_clean
	unload_driver $driver
}

for driver in bonding rbond; do
	lacp_pair $driver
done
check "the 802.3ad surfaces are bonding.ko's (MACs aside)" \
	diff -u $OUT/surfaces-bonding $OUT/surfaces-rbond

# --- partners that do not aggregate ----------------------------------------------------------
# no_lacp_partner DRIVER: the peer is a plain bridge; each port is on its own, one carries.
# passive_pair DRIVER: lacp_active off at both ends.
bridge_up() { load_driver $1 && topo_peer $N && lacp_bond root bond0 s 10.9.0.1; }

no_lacp_partner() {
	local driver=$1 i
	if ! check "$driver: an 802.3ad bond to a bridge" bridge_up $driver; then
		ip link del bond0 2>/dev/null; topo_clean $N; unload_driver $driver; return 1
	fi
	wait_for "$driver (bridge partner): bond0 carrier" 20 grep -qx 1 /sys/class/net/bond0/carrier
	wait_for "$driver (bridge partner): the peer answers" 10 ping -c 1 -W 1 10.9.0.2
	sed 1d /proc/net/bonding/bond0 | grep -v 'Churn' | mask > $OUT/bridge-$driver
	ip link del bond0
	topo_clean $N
	unload_driver $driver
}

passive_pair() {
	local driver=$1
	if ! check "$driver: two passive 802.3ad bonds" pair_up $driver lacp_active off; then
		pair_clean; unload_driver $driver; return 1
	fi
	# Passive ports still answer what they hear, and the LACPDUs a mux change calls for
	# start the conversation: the pair aggregates without periodic LACPDUs.
	wait_for "$driver (passive): all 4 ports aggregate here" 20 aggregated root bond0 s 4
	wait_for "$driver (passive): all 4 ports aggregate in the peer" 20 aggregated peer bond1 p 4
	wait_for "$driver (passive): the peer answers" 10 ping -c 1 -W 1 10.9.0.2
	sed 1d /proc/net/bonding/bond0 | grep -v 'Churn' | mask > $OUT/passive-$driver
	pair_clean
	unload_driver $driver
}

for driver in bonding rbond; do
	no_lacp_partner $driver
	passive_pair $driver
done
check "a bridge partner: /proc is bonding.ko's (MACs aside)" diff -u $OUT/bridge-bonding $OUT/bridge-rbond
check "lacp_active off at both ends: /proc is bonding.ko's (MACs aside)" \
	diff -u $OUT/passive-bonding $OUT/passive-rbond
finish
