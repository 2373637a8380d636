# Churn: 200 enslave/release cycles and 200 bond create/delete cycles (scaled: see lib.sh)
# while traffic flows through another bond, then unload: nothing left behind, no warnings.
# check-debug: kmemleak
. tools/testing/rbond/lib.sh
quiet_ipv6

check "load rbond" load_rbond max_bonds=1 mode=active-backup miimon=100
check "3 veth slaves into a peer namespace" topo_peer 3
mac0=$(cat /sys/class/net/s0/address); mtu0=$(cat /sys/class/net/s0/mtu)
check "bond0 with s1 and s2 carries the traffic" sh -c '
	ip link set s1 master bond0 && ip link set s2 master bond0 &&
	ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0'
wait_for "bond0 carrier up" 10 grep -qx 1 /sys/class/net/bond0/carrier
ping -i 0.05 -W 1 10.9.0.2 > /tmp/churn-ping 2>&1 &
pid=$!

# Enslave/release cycles of s0, alternating ip link and sysfs.
cycles=$(scaled 200)
bad=0
for i in $(seq 1 $cycles); do
	if [ $((i % 2)) = 0 ]; then
		ip link set s0 master bond0 && ip link set s0 nomaster || bad=$((bad + 1))
	else
		echo +s0 > /sys/class/net/bond0/bonding/slaves && echo -s0 > /sys/class/net/bond0/bonding/slaves || bad=$((bad + 1))
	fi
done
expect_eq "$cycles enslave/release cycles, none failed" "$bad" "0"
expect_eq "s0 got its MAC back" "$(cat /sys/class/net/s0/address)" "$mac0"
expect_eq "s0 got its MTU back" "$(cat /sys/class/net/s0/mtu)" "$mtu0"
check "s0 has no master" test ! -e /sys/class/net/s0/master
expect_eq "bond0 slaves are s1 s2" "$(cat /sys/class/net/bond0/bonding/slaves)" "s1 s2"

# Create/delete cycles, alternating bonding_masters and ip link.
bad=0
for i in $(seq 1 $cycles); do
	if [ $((i % 2)) = 0 ]; then
		echo +bondc > /sys/class/net/bonding_masters && echo -bondc > /sys/class/net/bonding_masters || bad=$((bad + 1))
	else
		ip link add bondc type bond mode balance-rr && ip link del bondc || bad=$((bad + 1))
	fi
done
expect_eq "$cycles bond create/delete cycles, none failed" "$bad" "0"
expect_eq "only bond0 is left" "$(cat /sys/class/net/bonding_masters)" "bond0"
check "no /proc/net/bonding/bondc" test ! -e /proc/net/bonding/bondc

kill -INT $pid; wait $pid
read sent got <<< "$(ping_summary /tmp/churn-ping)"
check "traffic flowed throughout: $got of $sent replies (at least 90%)" sh -c "[ ${got:-0} -ge $(( ${sent:-1} * 9 / 10 )) ] && [ ${sent:-0} -gt 20 ]"

check "rmmod rbond with bond0 still enslaving s1 and s2" unload_driver rbond
check "no bond device left" sh -c '! ls /sys/class/net | grep -q bond'
check "no /proc/net/bonding" test ! -e /proc/net/bonding
check "no bonding_masters" test ! -e /sys/class/net/bonding_masters
check "s1 and s2 released" sh -c '[ ! -e /sys/class/net/s1/master ] && [ ! -e /sys/class/net/s2/master ]'
check "s1 and s2 have no bonding_slave directory" sh -c '[ ! -e /sys/class/net/s1/bonding_slave ] && [ ! -e /sys/class/net/s2/bonding_slave ]'
check "bonding.ko loads after rbond is gone (nothing registered is left)" load_bonding
check "and unloads" unload_driver bonding
topo_clean 3
finish
