# Loading and unloading rbond.ko; module parameters read back; bad parameters handled exactly
# as bonding.ko handles them (same load result, same kernel messages).
# check-debug: kmemleak
. tools/testing/rbond/lib.sh

# --- rbond on its own --------------------------------------------------------------------
check "insmod rbond.ko mode=1 miimon=100" load_rbond mode=1 miimon=100
expect_eq "parameters/mode reads back" "$(cat /sys/module/rbond/parameters/mode 2>&1)" "1"
expect_eq "parameters/miimon reads back" "$(cat /sys/module/rbond/parameters/miimon 2>&1)" "100"
expect_eq "an unset string parameter reads (null)" "$(cat /sys/module/rbond/parameters/primary 2>&1)" "(null)"
check "rmmod rbond" unload_driver rbond

check "insmod rbond.ko mode=active-backup" load_rbond mode=active-backup
expect_eq "parameters/mode reads back a name" "$(cat /sys/module/rbond/parameters/mode 2>&1)" "active-backup"
check "rmmod rbond after a named mode" unload_driver rbond

check "insmod rbond.ko arp_ip_target=a list" load_rbond arp_interval=100 arp_ip_target=10.0.0.1,10.0.0.2
expect_eq "an array parameter reads back" "$(cat /sys/module/rbond/parameters/arp_ip_target 2>&1)" "10.0.0.1,10.0.0.2"
check "rmmod rbond after an array parameter" unload_driver rbond

check_fails "mode=banana refuses to load" load_rbond mode=banana
check "nothing is left of a refused load" test ! -d /sys/module/rbond

# --- the same parameters through bonding.ko and rbond.ko -----------------------------------
# load_both args...: loads and unloads each driver with the same arguments; sets rc_bonding,
# rc_rbond (load exit status) and log_bonding, log_rbond (kernel messages, rbond's module name
# spelled as bonding.ko's where one is printed: bond_check_params() prints none).
load_both() {
	local driver rc log
	for driver in bonding rbond; do
		log_mark
		if [ $driver = bonding ]; then load_bonding "$@" >/dev/null 2>&1; else load_rbond "$@" >/dev/null 2>&1; fi
		rc=$?
		log=$(log_since_mark | sed -e "s/^rbond: /bonding: /")
		unload_driver $driver
		eval "rc_$driver=\$rc; log_$driver=\$log"
	done
}

# For each line: load each driver with it, keep the load's exit status and kernel messages
# (rbond's module name read as bonding's), unload, and compare. max_bonds=0 keeps bond creation,
# which rbond does not do yet, out of the comparison.
while read -r args; do
	[ -z "$args" ] && continue
	load_both max_bonds=0 $args
	expect_eq "same load result as bonding.ko: $args" "$rc_rbond" "$rc_bonding"
	expect_eq "same kernel messages as bonding.ko: $args" "$log_rbond" "$log_bonding"
done <<'PARAMS'
mode=1 miimon=100
mode=active-backup
mode=banana
mode=7
mode=-1
miimon=-5
miimon=abc
miimon=99999999999
updelay=250 downdelay=-1 miimon=100
mode=4
mode=balance-alb
mode=1 primary=eth0 primary_reselect=bogus
mode=1 primary=eth0 primary_reselect=better
mode=0 primary=eth0
arp_interval=100 arp_ip_target=10.0.0.1,10.0.0.1,300.1.1.1
arp_interval=100 arp_ip_target=10.0.0.1 arp_validate=all
arp_validate=all
arp_all_targets=bogus
xmit_hash_policy=layer3+4 mode=2
xmit_hash_policy=nope mode=balance-xor
xmit_hash_policy=layer2
lacp_rate=fast mode=802.3ad
lacp_rate=sometimes mode=802.3ad
ad_select=count
ad_select=nope
fail_over_mac=follow
fail_over_mac=2 mode=1
fail_over_mac=never
tx_queues=0
use_carrier=2
all_slaves_active=5
resend_igmp=256
packets_per_slave=-1
lp_interval=0
num_grat_arp=300
no_such_parameter=1
PARAMS

# Too many ARP targets: both refuse with the same first message. bonding.ko's second line quotes
# only the first element, because C's param_array() leaves a NUL in the caller's string; rbond
# does not write to it, so its second line quotes the whole value.
many=1.1.1.1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
load_both max_bonds=0 arp_ip_target=$many
expect_eq "17 ARP targets: same load result as bonding.ko" "$rc_rbond" "$rc_bonding"
expect_eq "17 ARP targets: same first message as bonding.ko" "$(head -n 1 <<<"$log_rbond")" "$(head -n 1 <<<"$log_bonding")"

finish
