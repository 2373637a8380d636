# The same scenarios with bonding.ko and with rbond.ko (one loaded at a time): the text of
# /proc/net/bonding/bond0, every file under bonding/ and bonding_slave/, and `ip -d link show`
# must match, except the driver-version line and MAC addresses.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/same-text
mkdir -p $OUT

# Masks what legitimately differs: the version line, MAC addresses, interface indexes.
normalise() {
	sed -e '/^Ethernet Channel Bonding Driver/d' \
	    -e 's/[0-9a-f]\{2\}\(:[0-9a-f]\{2\}\)\{5\}/<mac>/g' \
	    -e 's/^[0-9]*: /<n>: /' -e 's/@if[0-9]*/@if<n>/'
}

# dump NAME: everything user space can read about bond0 and its slaves.
dump() {
	local f s
	{
		echo "== /proc/net/bonding/bond0"
		cat /proc/net/bonding/bond0
		echo "== bonding/"
		for f in /sys/class/net/bond0/bonding/*; do
			echo "$(basename $f): $(cat $f 2>&1)"
		done
		for s in s0 s1; do
			echo "== $s/bonding_slave/"
			for f in /sys/class/net/$s/bonding_slave/*; do
				echo "$(basename $f): $(cat $f 2>&1)"
			done
		done
		echo "== ip -d link show bond0"
		ip -d link show bond0
		for s in s0 s1; do
			echo "== ip -d link show $s"
			ip -d link show $s
		done
	} | normalise > $OUT/$1
}

# scenario DRIVER MODE OPTIONS...: a bond of two slaves, configured by netlink and sysfs.
scenario() {
	local driver=$1 mode=$2; shift 2
	if [ $driver = bonding ]; then load_bonding max_bonds=0; else load_rbond max_bonds=0; fi || return 1
	topo_peer 2 || return 1
	ip link add bond0 type bond mode $mode miimon 100 "$@" || return 1
	ip link set s0 master bond0 && ip link set s1 master bond0 || return 1
	case $mode in
	active-backup)
		echo s1 > /sys/class/net/bond0/bonding/primary || return 1
		echo 2 > /sys/class/net/bond0/bonding/num_grat_arp || return 1 ;;
	balance-rr)
		echo 3 > /sys/class/net/bond0/bonding/packets_per_slave || return 1 ;;
	balance-tlb|balance-alb)
		echo s1 > /sys/class/net/bond0/bonding/primary || return 1
		echo 3 > /sys/class/net/bond0/bonding/lp_interval || return 1 ;;
	esac
	echo s1:1 > /sys/class/net/bond0/bonding/queue_id || return 1
	ip link set bond0 up
	local until=$((SECONDS + 10 * ${RBOND_SLOW:-1}))
	until grep -qx 1 /sys/class/net/bond0/carrier && \
	      ! grep -q "going" /proc/net/bonding/bond0; do
		[ $SECONDS -lt $until ] || break
		sleep 0.1
	done
	if [ $mode = active-backup ] || [ $mode = balance-tlb ] || [ $mode = balance-alb ]; then
		until=$((SECONDS + 10 * ${RBOND_SLOW:-1}))
		until [ "$(bond_field bond0 "Currently Active Slave")" = s1 ]; do
			[ $SECONDS -lt $until ] || break
			sleep 0.1
		done
	fi
	dump $driver-$mode
	if [ $mode = balance-xor ]; then
		# Every policy, through netlink and sysfs in turn, in /proc, sysfs and ip -d link.
		local p n=0
		for p in layer2 layer3+4 layer2+3 encap2+3 encap3+4 vlan+srcmac; do
			if [ $((n++ % 2)) = 0 ]; then
				ip link set bond0 type bond xmit_hash_policy $p || return 1
			else
				echo $p > /sys/class/net/bond0/bonding/xmit_hash_policy || return 1
			fi
			{
				grep -E '^(Bonding Mode|Transmit Hash Policy)' /proc/net/bonding/bond0
				cat /sys/class/net/bond0/bonding/xmit_hash_policy
				ip -d link show bond0 | grep -o 'xmit_hash_policy [^ ]*'
			} >> $OUT/$driver-$mode
		done
	fi
	ip link del bond0
	topo_clean 2
	unload_driver $driver
}

for mode in active-backup balance-rr balance-xor broadcast balance-tlb balance-alb; do
	case $mode in
	active-backup) opts="updelay 200 downdelay 100" ;;
	balance-rr) opts="updelay 0 downdelay 300 resend_igmp 3" ;;
	balance-xor) opts="xmit_hash_policy encap3+4 updelay 100" ;;
	broadcast) opts="downdelay 200 min_links 1" ;;
	# (tlb_dynamic_lb 0: the hash policy shows in /proc.)
	balance-tlb) opts="tlb_dynamic_lb 0 xmit_hash_policy layer2+3 downdelay 200" ;;
	balance-alb) opts="updelay 100 primary_reselect better" ;;
	esac
	check "bonding.ko: $mode scenario" scenario bonding $mode $opts
	check "rbond.ko: $mode scenario" scenario rbond $mode $opts
	if out=$(diff -u $OUT/bonding-$mode $OUT/rbond-$mode); then
		pass "$mode: same text from both drivers ($(wc -l < $OUT/rbond-$mode) lines)"
	else
		fail "$mode: same text from both drivers" "$(echo "$out" | head -60)"
	fi
done
# ARP monitoring set, with ARP and NS targets: the ARP and NS lines of /proc, and the NS
# targets netlink reports, must match (the link states around them are bond_arp.sh's). Reading /proc with arp_interval set also
# takes the path that once took a mutex under the RCU read lock (caught by the debug profile).
arp_lines() {
	local driver=$1 mode=$2
	if [ $driver = bonding ]; then load_bonding max_bonds=0; else load_rbond max_bonds=0; fi || return 1
	topo_peer 2 || return 1
	ip link add bond0 type bond mode $mode arp_interval 100 arp_ip_target 10.9.0.2,10.9.0.3 \
		ns_ip6_target 2001:db8::2,fe80::1,2001:db8:0:1::1,::ffff:10.9.0.9 || return 1
	ip link set s0 master bond0 && ip link set s1 master bond0 && ip link set bond0 up || return 1
	grep -E '^(ARP|NS) ' /proc/net/bonding/bond0 > $OUT/arp-$driver-$mode
	ip -d link show bond0 | grep -o 'ns_ip6_target [^ ]*' >> $OUT/arp-$driver-$mode
	ip link del bond0
	topo_clean 2
	unload_driver $driver
}
for mode in active-backup balance-rr balance-xor broadcast; do
	check "bonding.ko: $mode with arp_interval" arp_lines bonding $mode
	check "rbond.ko: $mode with arp_interval" arp_lines rbond $mode
	if out=$(diff -u $OUT/arp-bonding-$mode $OUT/arp-rbond-$mode) && [ -s $OUT/arp-rbond-$mode ]; then
		pass "$mode: same ARP lines in /proc from both drivers"
	else
		fail "$mode: same ARP lines in /proc from both drivers" "$out" "$(cat $OUT/arp-rbond-$mode)"
	fi
done
finish
