# queue_id: traffic steered to a slave by tc, as Documentation/networking/bonding.rst's
# "Overriding Configuration for Special Cases" sets it up. A multiq qdisc on the bond and u32
# filters with `skbedit queue_mapping N` send flows to the slave whose queue_id is N, even a
# backup slave in active-backup; a queue no slave has, or a slave that is down, falls back to
# the mode's own choice. The same scenario runs with bonding.ko and rbond, and the per-slave
# packet counts must be the same.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/queue-id
mkdir -p $OUT
exec 3>&1   # TAP lines from inside a scenario's captured block go here
N=100

# burst IP: N pings to IP (nobody answers; only what leaves through which slave counts).
burst() { ping -q -c $N -i 0.005 -W 1 "$1" >/dev/null 2>&1; true; }

# sent_by LABEL IP: which slaves carried a burst to IP, as "LABEL s0+a s1+b s2+c".
sent_by() {
	local label=$1 ip=$2 a b c
	a=$(stat s0 tx_packets); b=$(stat s1 tx_packets); c=$(stat s2 tx_packets)
	burst "$ip"
	echo "$label s0+$(( $(stat s0 tx_packets) - a )) s1+$(( $(stat s1 tx_packets) - b )) s2+$(( $(stat s2 tx_packets) - c ))"
}


# make_bond MODE: bond0 over three veth slaves into the peer namespace, up, 10.9.0.1/24.
make_bond() {
	topo_peer 3 && ip link add bond0 type bond mode $1 miimon 100 &&
	ip link set s0 master bond0 && ip link set s1 master bond0 && ip link set s2 master bond0 &&
	ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0
}

# scenario DRIVER MODE: the steering table for one driver and mode, into $OUT/DRIVER-MODE.
scenario() {
	local driver=$1 mode=$2 mac ip
	check "$driver $mode: load" load_driver $driver || return 1
	check "$driver $mode: bond0 with slaves s0 s1 s2" make_bond $mode || return 1
	wait_for "$driver $mode: bond0 carrier up" 10 grep -qx 1 /sys/class/net/bond0/carrier
	echo s1:2 > /sys/class/net/bond0/bonding/queue_id || return 1
	echo s2:3 > /sys/class/net/bond0/bonding/queue_id || return 1
	mac=$(ip -n peer -o link show br0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	for ip in 10.9.0.77 10.9.0.78 10.9.0.79; do ip neigh add $ip lladdr $mac dev bond0; done
	{
		echo "queue ids: $(cat /sys/class/net/s1/bonding_slave/queue_id) $(cat /sys/class/net/s2/bonding_slave/queue_id)"
		[ $mode = active-backup ] && sent_by "no qdisc, to .77:" 10.9.0.77
		tc qdisc add dev bond0 handle 1 root multiq
		tc filter add dev bond0 protocol ip parent 1: prio 1 u32 match ip dst 10.9.0.77/32 action skbedit queue_mapping 2
		tc filter add dev bond0 protocol ip parent 1: prio 1 u32 match ip dst 10.9.0.78/32 action skbedit queue_mapping 3
		tc filter add dev bond0 protocol ip parent 1: prio 1 u32 match ip dst 10.9.0.79/32 action skbedit queue_mapping 5
		sent_by "queue 2 (s1), to .77:" 10.9.0.77
		sent_by "queue 3 (s2), to .78:" 10.9.0.78
		[ $mode = active-backup ] && sent_by "queue 5 (nobody), to .79:" 10.9.0.79
		ip -n peer link set p1 down
		wait_for "$driver $mode: s1 seen down" 10 sh -c "grep -A1 'Interface: s1' /proc/net/bonding/bond0 | grep -q 'Status: down'" >&3
		[ $mode = active-backup ] && sent_by "queue 2 with s1 down, to .77:" 10.9.0.77
		ip -n peer link set p1 up
		wait_for "$driver $mode: s1 back up" 10 sh -c "grep -A1 'Interface: s1' /proc/net/bonding/bond0 | grep -q 'Status: up'" >&3
		echo s1:0 > /sys/class/net/bond0/bonding/queue_id
		[ $mode = active-backup ] && sent_by "s1 back to queue 0, to .77:" 10.9.0.77
	} > $OUT/$driver-$mode 2>&1
	ip link del bond0
	topo_clean 3
	check "$driver $mode: unload" unload_driver $driver
}

for mode in active-backup balance-rr; do
	scenario bonding $mode
	scenario rbond $mode
	expect_eq "$mode: rbond steers like bonding.ko" "$(cat $OUT/rbond-$mode)" "$(cat $OUT/bonding-$mode)"
done

# What the table must say, whatever bonding.ko does: the override really happened.
ab=$OUT/rbond-active-backup
expect_eq "active-backup without a qdisc: all through the active s0" \
	"$(grep '^no qdisc' $ab)" "no qdisc, to .77: s0+$N s1+0 s2+0"
expect_eq "queue 2 goes out of backup slave s1" "$(grep '^queue 2 (s1)' $ab)" "queue 2 (s1), to .77: s0+0 s1+$N s2+0"
expect_eq "queue 3 goes out of backup slave s2" "$(grep '^queue 3 (s2)' $ab)" "queue 3 (s2), to .78: s0+0 s1+0 s2+$N"
expect_eq "a queue no slave has goes through the active slave" \
	"$(grep '^queue 5' $ab)" "queue 5 (nobody), to .79: s0+$N s1+0 s2+0"
expect_eq "queue 2 with s1 down falls back to the active slave" \
	"$(grep '^queue 2 with s1 down' $ab)" "queue 2 with s1 down, to .77: s0+$N s1+0 s2+0"
expect_eq "queue_id 0 again: no override" "$(grep '^s1 back' $ab)" "s1 back to queue 0, to .77: s0+$N s1+0 s2+0"
rr=$OUT/rbond-balance-rr
expect_eq "balance-rr: queue 2 pins the flow to s1" "$(grep '^queue 2 (s1)' $rr)" "queue 2 (s1), to .77: s0+0 s1+$N s2+0"
finish
