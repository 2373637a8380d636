# balance-tlb (mode 5) and balance-alb (mode 6), against bonding.ko on the same frames.
#
# The topology: s0 s1 s2 (veth) into namespace "peer", bridged on br0 with six clients, each in
# its own namespace c0..c5 (10.9.0.10..15). Every address is fixed (the slaves'
# 02:00:00:00:05:0N, the clients' 02:00:00:00:0c:0N), so both drivers see the same frames and
# the MACs they hand out can be compared as they are. The bond is 10.9.0.1; it knows the clients
# for good (permanent neighbour entries), so it never sends an ARP request of its own at a
# moment the test does not choose. The same scenarios run once with bonding.ko and once with
# rbond.ko; each run's results land in $OUT/<scenario>-<driver> as "key: value" lines, and
# every line must be the same for both drivers.
#
# 1. balance-tlb, tlb_dynamic_lb 0, layer3+4: 48 UDP datagrams in 24 flows to the six clients;
#    the datagrams each slave carried (counted on the bridge's side, UDP only) are
#    usable_slaves[hash % n]; each datagram is answered with an ICMP error, and every answer
#    arrives on the active slave. Then the active slave's link is cut under a ping: a new
#    active slave takes the bond's MAC, the flows spread over the two left, the answers arrive
#    on the new active slave; the old one comes back and the flows are where they were.
# 2. balance-tlb, tlb_dynamic_lb 1: TLB's table gives each hash bucket to the least loaded
#    slave, and a bucket's load is only learnt at a rebalance. After a rebalance (ordered by a
#    link coming up, done by the monitor's next run) every flow lands on one slave; after the
#    next, the same flows spread over all three. The counts are compared exactly.
# 3. balance-alb: the clients ARP for the bond one after the other and each is answered with
#    the MAC of a slave in turn (rlb); each client's pings then arrive on that slave. An ARP
#    request from the bond (which makes every client point at the bond's MAC) is undone by the
#    client updates. The active slave's link is cut under a client's ping: MACs swap, the
#    clients of the slave that went down are moved and told, and when it comes back a
#    rebalance moves clients again. Last, a slave whose own MAC is the bond's is given a free
#    one at enslave, and the bond's MAC is changed (to a slave's, and to a new one).
# The pings across a failover are not compared exactly: each driver must lose at most 10 of 60.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/alb
mkdir -p $OUT
NC=6                        # clients c0..c5
BOND_IP=10.9.0.1
CLIENTS=$(seq 0 $((NC - 1)))
smac() { echo 02:00:00:00:05:0$1; }    # slave sN's permanent MAC
cmac() { echo 02:00:00:00:0c:0$1; }    # client cN's MAC

# --- the topology ------------------------------------------------------------------------
noipv6() { in_ns $1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; }

topo() {
	local i
	load_kmod veth 2>/dev/null; load_kmod bridge 2>/dev/null
	load_kmod sch_ingress 2>/dev/null; load_kmod cls_flower 2>/dev/null; load_kmod act_gact 2>/dev/null
	ip netns add peer && noipv6 peer || return 1
	ip -n peer link add br0 address 02:00:00:00:0b:00 type bridge || return 1
	ip -n peer link set br0 up || return 1
	for i in 0 1 2; do
		ip link add s$i address $(smac $i) type veth peer name p$i address 02:00:00:00:0a:0$i netns peer || return 1
		ip -n peer link set p$i master br0 && ip -n peer link set p$i up || return 1
		# UDP to the discard port, counted as it comes in from s$i (learning packets are not).
		tc -n peer qdisc add dev p$i clsact || return 1
		tc -n peer filter add dev p$i ingress protocol ip flower ip_proto udp dst_port 9 action pass || return 1
	done
	for i in $CLIENTS; do
		ip netns add c$i && noipv6 c$i || return 1
		ip link add b$i address 02:00:00:00:0d:0$i netns peer type veth peer name eth0 address $(cmac $i) netns c$i || return 1
		ip -n peer link set b$i master br0 && ip -n peer link set b$i up || return 1
		# The bridge knows where each client is from the start: nothing to them is flooded.
		bridge -n peer fdb replace $(cmac $i) dev b$i master static || return 1
		ip -n c$i link set lo up && ip -n c$i addr add 10.9.0.1$i/24 dev eth0 && ip -n c$i link set eth0 up || return 1
		# Every datagram to a closed port is answered (no ICMP rate limit), and the bond's
		# address, once learnt, stays REACHABLE for the whole test (no unicast ARP probes).
		in_ns c$i sysctl -qw net.ipv4.icmp_ratemask=0 net.ipv4.neigh.eth0.base_reachable_time_ms=3600000 || return 1
	done
}

# topo_reset: the topology as topo made it, for the next scenario: the bridge forgets what it
# learnt on p0 p1 p2 (a port going down flushes its entries), the clients forget the bond.
topo_reset() {
	local i
	ip link del bond0 2>/dev/null
	for i in 0 1 2; do ip -n peer link set p$i down; ip -n peer link set p$i up; done
	for i in $CLIENTS; do ip -n c$i neigh del $BOND_IP dev eth0 2>/dev/null; done
	true
}

topo_clean() {
	local i
	ip link del bond0 2>/dev/null
	for i in 0 1 2; do ip link del s$i 2>/dev/null; done
	for i in $CLIENTS; do ip netns del c$i 2>/dev/null; done
	ip netns del peer 2>/dev/null
	true
}

# --- what is read ------------------------------------------------------------------------
# rec KEY VALUE: one line of this run's results.
rec() { echo "$1: $2" >> $OUT/$RUN; }
# macs: the MAC of bond0 and of each slave.
macs() { echo bond0=$(cat /sys/class/net/bond0/address) s0=$(cat /sys/class/net/s0/address) \
	s1=$(cat /sys/class/net/s1/address) s2=$(cat /sys/class/net/s2/address); }
slave_macs() { echo s0=$(cat /sys/class/net/s0/address) s1=$(cat /sys/class/net/s1/address) \
	s2=$(cat /sys/class/net/s2/address); }
# neighs: the MAC each client has for the bond's address.
neighs() {
	local i
	for i in $CLIENTS; do
		echo -n "c$i=$(ip -n c$i neigh show $BOND_IP dev eth0 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p') "
	done | sed 's/ $//'
}
neighs_are() { [ "$(neighs)" = "$1" ]; }
# counts COUNTER: a statistics counter of s0 s1 s2, as "a b c".
counts() { echo $(stat s0 $1) $(stat s1 $1) $(stat s2 $1); }
# udp: the UDP datagrams to port 9 that came in from s0 s1 s2, as "a b c".
udp() {
	local i
	for i in 0 1 2; do
		tc -n peer -s filter show dev p$i ingress | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -1
	done | xargs echo
}
# delta "a b c" "x y z": "x-a y-b z-c".
delta() { set -- $1 $2; echo $(( $4 - $1 )) $(( $5 - $2 )) $(( $6 - $3 )); }
sum() { set -- $1; echo $(( $1 + $2 + $3 )); }
promiscuity() { local i; for i in 0 1 2; do echo -n "s$i=$(ip -d link show s$i | sed -n 's/.* promiscuity \([0-9]*\) .*/\1/p') "; done | sed 's/ $//'; }
active() { bond_field bond0 "Currently Active Slave"; }
active_is_not() { [ "$(active)" != "$1" ]; }
mii_is() { [ "$(slave_field bond0 $1 'MII Status')" = "$2" ]; }
all_up() { grep -qx 1 /sys/class/net/bond0/carrier && [ "$(grep -c '^MII Status: up' /proc/net/bonding/bond0)" = 4 ]; }
rx_grew() { [ $(sum "$(counts rx_packets)") -ge $1 ]; }
counter_ge() { [ "$(in_ns $1 cat /sys/class/net/$2/statistics/$3)" -ge $4 ]; }

# monitor_ran WHAT: the ALB monitor runs every 100 ms and every lp_interval (1 s) sends each
# slave one learning packet; waits for two on s1 (nothing else goes out meanwhile), so that
# the monitor has run for a whole second since: whatever it was told to do on its next run (a
# rebalance ordered by a link coming up) is done.
monitor_ran() {
	local t=$(stat s1 tx_packets)
	wait_for "$DRIVER: $1 (the monitor has run)" 10 sh -c "[ \$(cat /sys/class/net/s1/statistics/tx_packets) -ge $((t + 2)) ]"
}

# bond_up MODE OPTIONS...: bond0 over s0 s1 s2, up, 10.9.0.1/24, the clients known for good.
bond_up() {
	local mode=$1 i; shift
	ip link add bond0 type bond mode $mode miimon 100 "$@" || return 1
	for i in 0 1 2; do ip link set s$i master bond0 || return 1; done
	ip link set bond0 up && ip addr add $BOND_IP/24 dev bond0 || return 1
	for i in $CLIENTS; do
		ip neigh replace 10.9.0.1$i lladdr $(cmac $i) dev bond0 nud permanent || return 1
	done
}

# learn: each client in turn pings the bond once (ARPing for it first).
learn() {
	local i
	for i in $CLIENTS; do ip netns exec c$i ping -c 1 -W 2 $BOND_IP > /dev/null || { echo "c$i: no answer"; return 1; }; done
}

# The flows: 24 UDP flows (4 source ports to each client's discard port), 1 to 3 frames of 92
# to 692 bytes each, 48 in all, sent the moment the fifo is written.
cat > $OUT/flows.py <<'EOF'
import socket, sys
open(sys.argv[1]).read()
n = k = 0
for c in range(6):
    for p in range(4):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("", 30000 + 16 * c + p))
        for _ in range(1 + k % 3):
            s.sendto(b"x" * (50 + 150 * (k % 5)), ("10.9.0.1%d" % c, 9))
            n += 1
        s.close()
        k += 1
print(n)
EOF
FLOW_DATAGRAMS=48

# flows_ready: starts the sender, which then waits for the fifo, and reads the counters the
# flows will move. (A flow phase of tlb_dynamic_lb 1 must end well before the next periodic
# rebalance, 10 s after the one it follows; the interpreter takes seconds to start under
# emulation.)
FLOWS_PID=
flows_ready() {
	rm -f $OUT/go; mkfifo $OUT/go || return 1
	python3 $OUT/flows.py $OUT/go > $OUT/sent &
	FLOWS_PID=$!
	FLOWS_UDP=$(udp) FLOWS_RX=$(counts rx_packets)
}

# flows KEY: sends the flows; records which slaves carried them ("KEY flows") and where the
# ICMP errors answering them came in ("KEY answers").
flows() {
	local key=$1 u r
	[ -n "$FLOWS_PID" ] || flows_ready
	u=$FLOWS_UDP r=$FLOWS_RX
	timeout 20 sh -c "echo go > $OUT/go"
	wait $FLOWS_PID
	FLOWS_PID=
	expect_eq "$DRIVER $key: the flows were sent" "$(cat $OUT/sent)" $FLOW_DATAGRAMS
	wait_for "$DRIVER $key: an ICMP error came back for each datagram" 10 rx_grew $(( $(sum "$r") + FLOW_DATAGRAMS ))
	rec "$key flows" "$(delta "$u" "$(udp)")"
	rec "$key answers" "$(delta "$r" "$(counts rx_packets)")"
}

# cut_under_ping KEY NS DEV PINGER...: PINGER (a ping of 60 requests 50 ms apart, whose
# replies come in on DEV in namespace NS) runs; once 20 replies are in, the active slave s0's
# link goes (its peer end down: no carrier). Records the new active slave and the pings
# answered.
cut_under_ping() {
	local key=$1 ns=$2 dev=$3 pid got sent rx; shift 3
	rx=$(in_ns $ns cat /sys/class/net/$dev/statistics/rx_packets)
	"$@" > $OUT/ping-$RUN 2>&1 &
	pid=$!
	wait_for "$DRIVER $key: the ping is flowing" 20 counter_ge $ns $dev rx_packets $((rx + 20))
	check "$DRIVER $key: the active slave s0 loses its link" ip -n peer link set p0 down
	wait_for "$DRIVER $key: s0 is seen down" 10 mii_is s0 down
	wait_for "$DRIVER $key: another slave is active" 10 active_is_not s0
	# (balance-alb: the new active slave listens for s0's old MAC, which it was given, for
	# 10 s: rlb_teach_disabled_mac_on_primary.)
	rec "$key promiscuity" "$(promiscuity)"
	wait $pid
	read sent got <<< "$(ping_summary $OUT/ping-$RUN)"
	echo "# $DRIVER $key: $got of $sent pings answered across the failover"
	rec "$key active" "$(active)"
	rec "$key answered" "$got of $sent"
}

# --- 1 and 2: balance-tlb ------------------------------------------------------------------
tlb_static() {
	RUN=tlb0-$DRIVER; : > $OUT/$RUN
	check "$DRIVER tlb0: bond0 balance-tlb tlb_dynamic_lb 0 xmit_hash_policy layer3+4" \
		bond_up balance-tlb tlb_dynamic_lb 0 xmit_hash_policy layer3+4 || return 1
	wait_for "$DRIVER tlb0: bond0 carrier, s0 s1 s2 up" 10 all_up || return 1
	rec "tlb0 active" "$(active)"
	rec "tlb0 macs" "$(macs)"
	check "$DRIVER tlb0: the clients ARP for the bond" learn || return 1
	# TLB leaves ARP alone: every client has the bond's own MAC.
	rec "tlb0 neighs" "$(neighs)"
	flows tlb0
	cut_under_ping "tlb0 failover" root bond0 ping -c 60 -i 0.05 -W 1 10.9.0.10
	rec "tlb0 failover macs" "$(macs)"
	flows "tlb0 failover"
	check "$DRIVER tlb0: s0's link comes back" ip -n peer link set p0 up
	wait_for "$DRIVER tlb0: s0 is seen up" 10 mii_is s0 up
	rec "tlb0 back active" "$(active)"
	rec "tlb0 back macs" "$(macs)"
	flows "tlb0 back"
	ip link del bond0
	rec "tlb0 released macs" "$(slave_macs)"
}

# toggle_s2: s2's link goes and comes back; the monitor's next run rebalances (clears the
# table and learns each used bucket's load).
toggle_s2() {
	ip -n peer link set p2 down && wait_for "$DRIVER: s2 is seen down" 10 mii_is s2 down &&
	ip -n peer link set p2 up && wait_for "$DRIVER: s2 is seen up" 10 mii_is s2 up &&
	monitor_ran "rebalance after s2 came back"
}

tlb_dynamic() {
	local i
	RUN=tlb1-$DRIVER; : > $OUT/$RUN
	check "$DRIVER tlb1: bond0 balance-tlb tlb_dynamic_lb 1 xmit_hash_policy layer3+4" \
		bond_up balance-tlb tlb_dynamic_lb 1 xmit_hash_policy layer3+4 || return 1
	wait_for "$DRIVER tlb1: bond0 carrier, s0 s1 s2 up" 10 all_up || return 1
	rec "tlb1 macs" "$(macs)"
	# The clients know the bond's MAC for good: an ARP reply is not balanced, and its bytes
	# would become s0's load at the next rebalance, whichever that is.
	for i in $CLIENTS; do
		ip -n c$i neigh replace $BOND_IP lladdr $(smac 0) dev eth0 nud permanent || return 1
	done
	flows_ready && toggle_s2 || return 1
	flows "tlb1 first"
	flows_ready && toggle_s2 || return 1
	flows "tlb1 second"
	cut_under_ping "tlb1 failover" root bond0 ping -c 60 -i 0.05 -W 1 10.9.0.10
	rec "tlb1 failover macs" "$(macs)"
	ip link del bond0
	rec "tlb1 released macs" "$(slave_macs)"
}

# --- 3: balance-alb ------------------------------------------------------------------------
# clients_map KEY: each client in turn sends 3 pings to the bond; records on which slave each
# client's pings arrived ("KEY map": "c0=s1 ..." or the three counts when they split).
clients_map() {
	local i r d m=""
	for i in $CLIENTS; do
		r=$(counts rx_packets)
		ip netns exec c$i ping -c 3 -i 0.05 -W 1 $BOND_IP > /dev/null
		d=$(delta "$r" "$(counts rx_packets)")
		case "$d" in
		"3 0 0") m="$m c$i=s0" ;; "0 3 0") m="$m c$i=s1" ;; "0 0 3") m="$m c$i=s2" ;;
		*) m="$m c$i=${d// /+}" ;;
		esac
	done
	rec "$1 map" "${m# }"
}

# What bonding.ko's rlb does here (bond_alb.c), which the clients must end up pointing at:
# - learning: each client's ARP reply carries the next slave's MAC in turn (__rlb_next_rx_slave);
# - s0 down: its clients (c3, then c0: the used list is newest first) go to the slaves after
#   the last one given (s2): s1, s2; s1 takes the bond's MAC (05:00) and s0 gets s1's, and
#   the clients of s1 are told;
# - s0 back: rlb_rebalance hands every client the next slave in turn, from c5 on.
ALB_LEARNT="c0=$(smac 0) c1=$(smac 1) c2=$(smac 2) c3=$(smac 0) c4=$(smac 1) c5=$(smac 2)"
ALB_FAILOVER="c0=$(smac 2) c1=$(smac 0) c2=$(smac 2) c3=$(smac 0) c4=$(smac 0) c5=$(smac 2)"
ALB_BACK="c0=$(smac 2) c1=$(smac 0) c2=$(smac 1) c3=$(smac 2) c4=$(smac 0) c5=$(smac 1)"
# expected KEY DEFAULT: what the clients must come to: bonding.ko's result for rbond, DEFAULT
# for bonding.ko itself.
expected() {
	local b
	[ $DRIVER = rbond ] && b=$(sed -n "s/^$1: //p" $OUT/alb-bonding 2>/dev/null) && [ -n "$b" ] && { echo "$b"; return; }
	echo "$2"
}

alb() {
	local want
	RUN=alb-$DRIVER; : > $OUT/$RUN
	log_mark
	check "$DRIVER alb: bond0 balance-alb" bond_up balance-alb || return 1
	wait_for "$DRIVER alb: bond0 carrier, s0 s1 s2 up" 10 all_up || return 1
	monitor_ran "alb: up" || return 1
	driver_log > $OUT/log-enslave-$DRIVER
	rec "alb active" "$(active)"
	rec "alb macs" "$(macs)"
	check "$DRIVER alb: the clients ARP for the bond, one after the other" learn || return 1
	rec "alb neighs" "$(neighs)"
	expect_eq "$DRIVER alb: each client got a slave's MAC in turn" "$(neighs)" "$(expected 'alb neighs' "$ALB_LEARNT")"
	clients_map alb

	# An ARP request from the bond (for c1, whose slave is s1) carries the bond's MAC: every
	# client that hears it points at the bond; the updates (rlb_req_update_subnet_clients,
	# and c1's reply) put them back.
	ip neigh del 10.9.0.11 dev bond0
	check "$DRIVER alb: the bond ARPs for c1 and pings it" ping -c 1 -W 2 10.9.0.11
	echo "# $DRIVER alb: right after the bond's ARP request: $(neighs)"
	ip neigh replace 10.9.0.11 lladdr $(cmac 1) dev bond0 nud permanent
	want=$(sed -n 's/^alb neighs: //p' $OUT/$RUN)
	wait_for "$DRIVER alb: after the bond's ARP request the clients are told their slaves again" 15 neighs_are "$want"

	log_mark
	cut_under_ping "alb failover" c0 eth0 ip netns exec c0 ping -c 60 -i 0.05 -W 1 $BOND_IP
	rec "alb failover macs" "$(macs)"
	want=$(expected "alb failover neighs" "$ALB_FAILOVER")
	wait_for "$DRIVER alb failover: the clients are told (${want//02:00:00:00:/})" 20 neighs_are "$want"
	rec "alb failover neighs" "$(neighs)"
	driver_log | grep '^bond0' > $OUT/log-failover-$DRIVER
	clients_map "alb failover"

	log_mark
	check "$DRIVER alb: s0's link comes back" ip -n peer link set p0 up
	wait_for "$DRIVER alb: s0 is seen up" 10 mii_is s0 up
	rec "alb back active" "$(active)"
	rec "alb back macs" "$(macs)"
	want=$(expected "alb back neighs" "$ALB_BACK")
	wait_for "$DRIVER alb back: the rebalanced clients are told (${want//02:00:00:00:/})" 20 neighs_are "$want"
	rec "alb back neighs" "$(neighs)"
	driver_log | grep '^bond0' > $OUT/log-back-$DRIVER
	clients_map "alb back"
	ip link del bond0
	rec "alb released macs" "$(slave_macs)"

	# A slave whose permanent MAC is the bond's: bond0 made with s1's MAC; s0 (first, active)
	# takes the bond's MAC, so s1 is given s0's own (alb_handle_addr_collision_on_attach).
	# Then the bond's MAC is changed.
	log_mark
	ip link add bond0 address $(smac 1) type bond mode balance-alb miimon 100 &&
	ip link set s0 master bond0 && ip link set s1 master bond0 && ip link set s2 master bond0
	rec "alb collision enslave" "rc=$?"
	rec "alb collision macs" "$(macs)"
	driver_log | grep -v 'Releas' > $OUT/log-collision-$DRIVER
	# The bond's MAC changed to one a slave has (s2's): that slave and the active one swap
	# (bond_alb_set_mac_address); to one no slave has: the active slave takes it.
	ip link set bond0 address $(smac 2)
	rec "alb set s2's mac" "rc=$? $(macs)"
	ip link set bond0 address 02:00:00:00:05:09
	rec "alb set a new mac" "rc=$? $(macs)"
	ip link del bond0
	rec "alb collision released macs" "$(slave_macs)"
}

# step WHAT FUNCTION: runs a scenario (its checks print as they go); one more check that it
# ran to its end.
step() {
	local t=$SECONDS
	if $2; then pass "$DRIVER: $1 ran to its end"; else fail "$DRIVER: $1 ran to its end"; fi
	echo "# $DRIVER: $1 took $((SECONDS - t)) s"
	[ -z "$FLOWS_PID" ] || { kill $FLOWS_PID; wait $FLOWS_PID; FLOWS_PID=; } 2>/dev/null
	topo_reset
}
for DRIVER in bonding rbond; do
	check "$DRIVER: load" load_driver $DRIVER || continue
	check "$DRIVER: s0 s1 s2 into a bridge with clients c0..c5" topo || { topo_clean; continue; }
	step "balance-tlb, tlb_dynamic_lb 0" tlb_static
	step "balance-tlb, tlb_dynamic_lb 1" tlb_dynamic
	step "balance-alb" alb
	topo_clean
	check "$DRIVER: unload" unload_driver $DRIVER
done

# --- what must hold for each driver ------------------------------------------------------
# val RUN KEY: a recorded value.
val() { sed -n "s/^$2: //p" $OUT/$1 2>/dev/null; }
for DRIVER in bonding rbond; do
	t0=tlb0-$DRIVER t1=tlb1-$DRIVER a=alb-$DRIVER
	expect_eq "$DRIVER tlb0: the clients learnt the bond's own MAC" "$(val $t0 'tlb0 neighs')" \
		"$(for i in $CLIENTS; do echo -n "c$i=$(smac 0) "; done | sed 's/ $//')"
	f=$(val $t0 'tlb0 flows')
	check "$DRIVER tlb0: the flows spread over s0 s1 s2 ($f)" sh -c "[ -n '$f' ] && ! echo '$f' | grep -qw 0"
	expect_eq "$DRIVER tlb0: every answer came in on the active slave s0" "$(val $t0 'tlb0 answers')" "$FLOW_DATAGRAMS 0 0"
	f=$(val $t0 'tlb0 failover flows')
	check "$DRIVER tlb0: after s0 failed the flows spread over s1 and s2 ($f)" sh -c "echo '$f' | grep -qE '^0 [1-9][0-9]* [1-9][0-9]*$'"
	expect_eq "$DRIVER tlb0: s1 took over" "$(val $t0 'tlb0 failover active')" s1
	expect_eq "$DRIVER tlb0: after the failover every answer came in on s1" "$(val $t0 'tlb0 failover answers')" "0 $FLOW_DATAGRAMS 0"
	expect_eq "$DRIVER tlb0: with s0 back the flows are where they were" "$(val $t0 'tlb0 back flows')" "$(val $t0 'tlb0 flows')"
	expect_eq "$DRIVER tlb1: before a rebalance knows their load, every flow goes to s0" "$(val $t1 'tlb1 first flows')" "$FLOW_DATAGRAMS 0 0"
	f=$(val $t1 'tlb1 second flows')
	check "$DRIVER tlb1: once their load is known the flows spread over s0 s1 s2 ($f)" sh -c "[ -n '$f' ] && ! echo '$f' | grep -qw 0"
	for k in first second; do
		expect_eq "$DRIVER tlb1 $k: every answer came in on the active slave s0" "$(val $t1 "tlb1 $k answers")" "$FLOW_DATAGRAMS 0 0"
	done
	expect_eq "$DRIVER alb: the clients' pings came in on the slave whose MAC they got" "$(val $a 'alb map')" \
		"c0=s0 c1=s1 c2=s2 c3=s0 c4=s1 c5=s2"
	m=$(val $a 'alb failover map')
	check "$DRIVER alb failover: no client's pings go to s0 any more, each on one slave ($m)" \
		sh -c "[ -n '$m' ] && ! echo '$m' | grep -qE '=s0|\+'"
	for k in "tlb0 failover" "tlb1 failover" "alb failover"; do
		r=$(val ${k%% *}-$DRIVER "$k answered")
		check "$DRIVER $k: a ping across the failover lost at most 10 of 60 ($r)" \
			sh -c "[ -n '$r' ] && [ ${r%% *} -ge 50 ]"
	done
done

# --- rbond as bonding.ko -----------------------------------------------------------------
for run in tlb0 tlb1 alb; do
	expect_eq "$run: rbond recorded what bonding.ko did ($(wc -l < $OUT/$run-bonding) results)" \
		"$(cut -d: -f1 $OUT/$run-rbond 2>&1)" "$(cut -d: -f1 $OUT/$run-bonding 2>&1)"
	while IFS= read -r line; do
		key=${line%%: *} b=${line#*: }
		case $key in *answered) continue ;; esac   # the losses are compared above, loosely
		r=$(val $run-rbond "$key")
		expect_eq "$key: rbond as bonding.ko (${b//02:00:00:00:/})" "$r" "$b"
	done < $OUT/$run-bonding
done
for log in enslave failover back collision; do
	if out=$(diff -u $OUT/log-$log-bonding $OUT/log-$log-rbond 2>&1); then
		pass "alb $log: the same kernel log lines from both drivers ($(wc -l < $OUT/log-$log-rbond) lines)"
	else
		fail "alb $log: the same kernel log lines from both drivers" "$out"
	fi
done
finish
