# Bad input through every door (sysfs, bonding_masters, netlink, enslaving the wrong thing):
# each attempt gets the same answer from rbond as from bonding.ko (the errno user space sees,
# the netlink error message and the kernel log lines), and the bond keeps working.
# check-debug: kmemleak
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/bad-input
mkdir -p $OUT

B=/sys/class/net/bond0/bonding
w() { echo "$2" > $B/$1; }
wm() { echo "$1" > /sys/class/net/bonding_masters; }

table() {
	attempt "mode banana while up" w mode banana
	attempt "miimon -1" w miimon -1
	attempt "miimon abc" w miimon abc
	attempt "updelay 50 (rounded)" w updelay 50
	attempt "downdelay xyz" w downdelay xyz
	attempt "primary_reselect sometimes" w primary_reselect sometimes
	attempt "packets_per_slave in active-backup" w packets_per_slave 2
	attempt "lacp_rate in active-backup" w lacp_rate fast
	attempt "ad_select while up" w ad_select bandwidth
	attempt "fail_over_mac with slaves" w fail_over_mac active
	attempt "active_slave nosuch" w active_slave nosuch
	attempt "active_slave lo" w active_slave lo
	attempt "slaves without + or -" w slaves s1
	attempt "slaves +nosuch" w slaves +nosuch
	attempt "slaves +lo (up)" w slaves +lo
	attempt "slaves +bond0 (itself)" w slaves +bond0
	attempt "slaves +s1 while up" sh -c "ip link set s1 up && echo +s1 > $B/slaves; rc=\$?; ip link set s1 down; exit \$rc"
	attempt "slaves -s1 (not a slave)" w slaves -s1
	attempt "queue_id without colon" w queue_id s0
	attempt "queue_id beyond the queues" w queue_id s0:99
	attempt "queue_id of nosuch" w queue_id nosuch:1
	attempt "num_grat_arp 256" w num_grat_arp 256
	attempt "resend_igmp -1" w resend_igmp -1
	attempt "lp_interval 0" w lp_interval 0
	attempt "all_slaves_active 2" w all_slaves_active 2
	attempt "use_carrier 2" w use_carrier 2
	attempt "min_links -5" w min_links -5
	attempt "peer_notif_delay 300001" w peer_notif_delay 300001
	attempt "arp_ip_target without + or -" w arp_ip_target 1.2.3.4
	attempt "arp_ip_target +255.255.255.255" w arp_ip_target +255.255.255.255
	attempt "arp_ip_target -9.9.9.9 (absent)" w arp_ip_target -9.9.9.9
	attempt "arp_ip_target +garbage" w arp_ip_target +garbage
	attempt "bonding_masters without + or -" wm bond0
	attempt "bonding_masters -nosuch" wm -nosuch
	attempt "bonding_masters +bond0 (exists)" wm +bond0
	attempt "bonding_masters +" wm +
	attempt "bonding_masters +bad/name" wm +bad/name
	attempt "netlink: mode 7" ip link add bond7 type bond mode 7
	attempt "netlink: multicast address" ip link add bond8 address 01:00:5e:00:00:01 type bond
	attempt "netlink: arp_interval with miimon" ip link set bond0 type bond arp_interval 100 miimon 100
	attempt "netlink: mode while up" ip link set bond0 type bond mode balance-rr
	attempt "netlink: primary_reselect 9" ip link set bond0 type bond primary_reselect 9
	attempt "netlink: ns_ip6_target loopback" ip link set bond0 type bond ns_ip6_target ::1
	attempt "netlink: ns_ip6_target multicast" ip link set bond0 type bond ns_ip6_target ff02::1
	attempt "netlink: ns_ip6_target twice" ip link set bond0 type bond ns_ip6_target 2001:db8::1,2001:db8::1
	attempt "netlink: 17 ns_ip6_targets" ip link set bond0 type bond ns_ip6_target $(seq -s, -f 2001:db8::%g 1 17)
	attempt "netlink: ns_ip6_target cleared" ip link set bond0 type bond ns_ip6_target ::
	attempt "enslave an up device" sh -c 'ip link set s1 up && ip link set s1 master bond0; rc=$?; ip link set s1 down; exit $rc'
	attempt "enslave lo" ip link set lo master bond0
	attempt "enslave the bond itself" ip link set bond0 master bond0
	attempt "release a non-slave" ip link set s1 nomaster
}

# What balance-xor, broadcast and 802.3ad bonds are told that does not fit them.
mode_table() {
	attempt "xmit_hash_policy bogus" w xmit_hash_policy bogus
	attempt "xmit_hash_policy 6" w xmit_hash_policy 6
	attempt "netlink: xmit_hash_policy 9" ip link set bond0 type bond xmit_hash_policy 9
	attempt "packets_per_slave" w packets_per_slave 2
	attempt "primary s0" w primary s0
	attempt "active_slave s0" w active_slave s0
	attempt "lacp_rate fast" w lacp_rate fast
	attempt "tlb_dynamic_lb 0" w tlb_dynamic_lb 0
	attempt "ad_user_port_key 5" w ad_user_port_key 5
	attempt "mode while up" w mode balance-rr
	attempt "queue_id s0:1" w queue_id s0:1
	attempt "slaves -s0 then +s0 while up" sh -c "echo -s0 > $B/slaves && echo +s0 > $B/slaves"
}

# What a balance-tlb or balance-alb bond is told that it refuses: the mode table, then the
# ARP monitor (not in these modes), their own options' bad values, and a bad MAC for the bond
# (balance-alb has its own set_mac_address).
lb_table() {
	mode_table
	attempt "arp_interval 100" w arp_interval 100
	attempt "arp_validate active" w arp_validate active
	attempt "arp_missed_max 3" w arp_missed_max 3
	attempt "netlink: arp_interval 100" ip link set bond0 type bond arp_interval 100
	attempt "lp_interval 0" w lp_interval 0
	attempt "lp_interval abc" w lp_interval abc
	attempt "netlink: lp_interval 0" ip link set bond0 type bond lp_interval 0
	attempt "tlb_dynamic_lb 2" w tlb_dynamic_lb 2
	attempt "netlink: tlb_dynamic_lb 0 while up" ip link set bond0 type bond tlb_dynamic_lb 0
	attempt "primary nosuch" w primary nosuch
	attempt "active_slave s1 (not a slave)" w active_slave s1
	attempt "bond address multicast" ip link set bond0 address 01:00:5e:00:00:01
	attempt "bond address zero" ip link set bond0 address 00:00:00:00:00:00
	attempt "lp_interval valid" w lp_interval 2
}

# What an 802.3ad bond is told that it refuses: the mode table, then its own options' bad
# values (out of range, while up, a multicast or malformed ad_actor_system, modes' options).
lacp_table() {
	mode_table
	attempt "ad_actor_system multicast" w ad_actor_system 01:00:5e:00:00:01
	attempt "ad_actor_system malformed" w ad_actor_system 02:00:00:zz:00:01
	attempt "ad_actor_system short" w ad_actor_system 02:00:00:00:00
	attempt "ad_actor_system with dashes" w ad_actor_system 02-00-00-00-00-01
	attempt "netlink: ad_actor_system multicast" ip link set bond0 type bond ad_actor_system 33:33:00:00:00:01
	attempt "ad_actor_sys_prio 0" w ad_actor_sys_prio 0
	attempt "ad_actor_sys_prio 65536" w ad_actor_sys_prio 65536
	attempt "netlink: ad_actor_sys_prio 0" ip link set bond0 type bond ad_actor_sys_prio 0
	attempt "ad_user_port_key 1024" w ad_user_port_key 1024
	attempt "lacp_rate bogus" w lacp_rate bogus
	attempt "lacp_active 2" w lacp_active 2
	attempt "ad_select 3" w ad_select 3
	attempt "coupled_control 2" w coupled_control 2
	attempt "arp_interval 100" w arp_interval 100
	attempt "netlink: lacp_rate 2" ip link set bond0 type bond lacp_rate 2
	attempt "ad_actor_system valid" w ad_actor_system 02:00:00:00:00:99
	attempt "ad_actor_sys_prio valid" w ad_actor_sys_prio 100
}

# scenario DRIVER MODE: one bond with slave s0, the table (the whole one in active-backup,
# the mode's in the others), then a ping.
scenario() {
	local driver=$1 mode=$2
	if [ $driver = bonding ]; then load_bonding max_bonds=0; else load_rbond max_bonds=0; fi || return 1
	topo_peer 2 || return 1
	ip link add bond0 type bond mode $mode miimon 100 || return 1
	ip link set s0 master bond0 || return 1
	ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0 || return 1
	wait_for "$mode: bond0 carrier" 10 grep -qx 1 /sys/class/net/bond0/carrier > /dev/null
	case $mode in
	active-backup) table ;;
	802.3ad) lacp_table ;;
	balance-tlb|balance-alb) lb_table ;;
	*) mode_table ;;
	esac > $OUT/$driver-$mode 2>&1
	ping -c 3 -i 0.2 -W 2 10.9.0.2 > $OUT/$driver-$mode.ping 2>&1
	echo "ping rc=$?" >> $OUT/$driver-$mode
	cat $B/slaves $B/mode $B/miimon $B/xmit_hash_policy $B/lp_interval $B/tlb_dynamic_lb >> $OUT/$driver-$mode
	ip link del bond0
	topo_clean 2
	unload_driver $driver
}

for mode in active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb; do
	check "bonding.ko: $mode: bad input table" scenario bonding $mode
	check "rbond.ko: $mode: bad input table" scenario rbond $mode
	expect_eq "$mode: the bond still works afterwards (rbond)" "$(grep '^ping rc=' $OUT/rbond-$mode)" "ping rc=0"
	n=$(grep -c '^== ' $OUT/rbond-$mode)
	if out=$(diff -u $OUT/bonding-$mode $OUT/rbond-$mode); then
		pass "$mode: same errno, netlink message and kernel log for all $n bad inputs"
	else
		fail "$mode: same errno, netlink message and kernel log for all $n bad inputs" "$out"
	fi
done
finish
