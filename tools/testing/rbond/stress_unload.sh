# Module unload racing bond creation: `rmmod rbond` while a loop writes +bondN to
# bonding_masters (each write holds RTNL and the `bond` link type). It must finish, one way
# or the other, every time: no hang (a writer that let go of the link type last under RTNL
# once unregistered it there, and rtnl_link_unregister takes RTNL again), no bond left behind,
# and the names free for bonding.ko afterwards.
# check-debug: kmemleak
. tools/testing/rbond/lib.sh

# creator: +bond devices until the file goes away with the module (or 400 of them).
creator() {
	local i
	for i in $(seq 400); do
		echo "+race$i" > /sys/class/net/bonding_masters 2>/dev/null || \
			[ -e /sys/class/net/bonding_masters ] || return 0
	done
}

race_once() {
	load_rbond max_bonds=0 || return 1
	creator &
	local pid=$!
	# Unload once the writer is under way: a few bonds exist.
	local end=$((SECONDS + 30 * ${RBOND_SLOW:-1}))
	until [ -e /sys/class/net/race3 ] || [ $SECONDS -ge $end ]; do sleep 0.05; done
	timeout $((120 * ${RBOND_SLOW:-1})) rmmod rbond || { echo "rmmod did not finish"; return 1; }
	timeout $((60 * ${RBOND_SLOW:-1})) tail --pid=$pid -f /dev/null || { echo "the writer hung"; return 1; }
	wait $pid
	! [ -d /sys/module/rbond ] || { echo "rbond still loaded"; return 1; }
	if ls /sys/class/net | grep -q '^race'; then echo "bonds left: $(ls /sys/class/net | grep race | head)"; return 1; fi
}

for round in 1 2 3 4 5; do
	check "round $round: rmmod raced +bond writes and finished, no bond left" race_once
done
check "bonding.ko loads afterwards" load_bonding max_bonds=1
check "its bond0 exists" test -d /sys/class/net/bond0
rmmod bonding
finish
