# Teardown under allocation failure. Bonds are made, slaves enslaved and released and bonds
# deleted in a loop; on the debug kernel (failslab) one slab allocation in ten made by these
# commands fails. Whatever fails on the way in, the way out (release, delete, unload) must
# not: no slave left attached, no bond left, no leak, no hang, no BUG. Without failslab (the
# normal kernel) the same loop runs with no failures injected.
# check-debug: kmemleak
. tools/testing/rbond/lib.sh
quiet_ipv6
load_rbond max_bonds=0 || exit 1
topo_peer 3 || exit 1
FS=/sys/kernel/debug/failslab

if [ -d $FS ]; then
	echo Y > $FS/task-filter       # only processes that ask for it (make-it-fail)
	echo 10 > $FS/probability
	echo 1 > $FS/interval
	echo -1 > $FS/times
	echo 0 > $FS/verbose
	echo N > $FS/ignore-gfp-wait   # GFP_KERNEL allocations fail too
	pass "failslab armed: 10% of the loop's slab allocations fail"
else
	pass "no failslab in this kernel: the loop runs without injected failures"
fi

# The loop runs chrooted in a tmpfs root that holds only busybox and ip with its libraries,
# so that its processes never touch the 9p mounts: an injected failure inside the 9p client
# can leave a whole mount broken (every later exec failing with EINVAL), which is a harness
# failure, not rbond's. The loop names ip by its path, because busybox's sh prefers its own
# ip applet to a bare name.
ROOT=/tmp/faultroot
make_root() {
	local ip lib
	ip=$(command -v ip) || return 1
	mkdir -p $ROOT/bin $ROOT/proc $ROOT/sys || return 1
	cp /busybox $ROOT/bin/busybox && ln -sf busybox $ROOT/bin/sh && cp "$ip" $ROOT/bin/ip || return 1
	for lib in $(ldd "$ip" | grep -o '/[^ ]*'); do cp --parents "$lib" $ROOT || return 1; done
	mount -t proc proc $ROOT/proc && mount -t sysfs sysfs $ROOT/sys
}
check "a tmpfs root for the loop (busybox, ip and its libraries)" make_root
check "the loop's /bin/ip is iproute2's" sh -c "chroot $ROOT /bin/sh -c '/bin/ip -V' | grep -q iproute2"

# churn N: N rounds of create, enslave all, release one, delete; in a shell whose slab
# allocations may fail. Errors are expected and ignored; only the aftermath is checked, and
# that the loop ends (timeout's 124 is a hang).
churn() {
	timeout $((600 * ${RBOND_SLOW:-1})) chroot $ROOT /bin/sh -c '
		export PATH=/bin
		[ -w /proc/self/make-it-fail ] && echo 1 > /proc/self/make-it-fail
		i=0
		while [ $i -lt '"$1"' ]; do
			i=$((i + 1))
			/bin/ip link add fb$((i % 4)) type bond mode active-backup miimon 100
			for s in s0 s1 s2; do /bin/ip link set $s master fb$((i % 4)); done
			/bin/ip link set fb$((i % 4)) up
			/bin/ip link set s1 nomaster
			echo -fb$((i % 4)) > /sys/class/net/bonding_masters
			/bin/ip link del fb$((i % 4))
			for s in s0 s1 s2; do /bin/ip link set $s nomaster; done
		done' > /dev/null 2>&1
	[ $? -ne 124 ]
}

rounds=$(scaled 50)
check "$rounds rounds of make, enslave, release, delete finish" churn $rounds
for s in s0 s1 s2; do
	# A slave whose enslave failed halfway or whose release ran must be free again.
	ip link set $s nomaster 2>/dev/null
	check "$s is no one's slave" sh -c "! ip -d link show $s | grep -q 'master\|bond_slave'"
	check "$s can be enslaved again" sh -c "ip link add chk type bond && ip link set $s master chk && ip link del chk"
done
check "no bond left over" sh -c "! ls /sys/class/net | grep -q '^fb'"
umount $ROOT/proc $ROOT/sys
topo_clean 3
check "rbond unloads" unload_driver rbond
check "bonding.ko loads after it" load_bonding max_bonds=0
rmmod bonding
finish
