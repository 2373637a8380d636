# The ARP monitor (arp_interval + arp_ip_target) and the NS monitor (arp_interval +
# ns_ip6_target), against bonding.ko on the same scenarios.
#
# Every bond here is a "unit": bond B with slaves Bs0, Bs1 (and Bs2) here, veths whose ends
# Bp0, Bp1 (Bp2) are bridged on Bbr in namespace "peer" (one bridge per unit; multicast
# snooping off, so that a probe floods to the other slaves as an ARP broadcast does). The
# targets are Bbr's address (10.I.0.2, 2001:db8:I::2) or, in scenario 2, also a client behind
# the bridge, Bc in namespace "clients" (10.I.0.10, 2001:db8:I::10). Every MAC is fixed, so
# /proc text and log lines compare verbatim. A path dies while its carrier stays up: tc
# flower drops everything on BpK ("cut": both directions; "deaf": towards the slave only); a
# target dies when its address goes. IPv6 is off but where the NS monitor needs it (the bond,
# and the slaves, whose NS probes ip6_output drops otherwise), without link-local addresses
# or DAD, so that nothing but the monitor talks. arp_interval is 500 ms throughout.
#
# The units of a scenario go through its steps together (a step acts on every unit, then
# waits for each to reach the state the step leads to; a unit that does not is dropped from
# the scenario's later steps). The same scenarios run once with bonding.ko and once with
# rbond.ko; each run writes "key: value" lines to $OUT/<scenario>-<driver> and, per unit and
# step, a file with the unit's kernel log lines since the step began and its /proc/net/bonding
# text; every line and file must be the same for both drivers. ARP_SECOND_DRIVER=bonding runs
# bonding.ko twice (the test's own stability); ARP_MUTATE=1 swaps arp_validate active and
# backup in the second run of scenario 1 (the comparison must then fail).
#
# 1. ab: active-backup, primary s0, primary_reselect failure, 7 ARP units (a0..a6: arp_validate
#    none .. filter_backup, named by value) and 4 NS units (n0 n1 n3 n4). Both paths cut: s0
#    fails, s1 takes over and fails, "now running without any active interface!", the probe
#    goes round the slaves (current_arp_slave). s1's path mends: s1 comes up and is active
#    ("active interface up!"); s0's mends: it comes up and, primary_reselect failure, s1 stays;
#    primary_reselect always: s0 takes over. Then the target's address goes while the probes
#    still flood to the backup: with a backup that validates (backup, all, filter_backup) the
#    bond ends with no active slave; otherwise the backup hears the active's probes, comes up,
#    the primary takes over again and fails again (the log lines compared as a set). The NS
#    units also record each slave's solicited-node multicast addresses (the target's on
#    backups when arp_validate is set: slave_set_ns_maddrs).
# 2. targets: arp_validate all, two targets (Bbr's, then the client's), arp_all_targets any and
#    all, for ARP and NS. The client's target dies, comes back, then Bbr's dies.
# 3. lb: balance-rr and balance-xor (ARP) and balance-rr (NS), arp_missed_max 3: a slave that
#    hears nothing goes down ("interface is now down") and comes back; the current one too;
#    both: "now running without any active interface!", and back one at a time.
# 4. vlan: active-backup, arp_validate all, the target only behind VLAN 5 on the bond (B.5
#    to Bbr.5): the probes leave tagged (tc counters on the bridge port); failover and back.
# 5. rotation: three slaves, all paths cut: the order the slaves are taken down in, then the
#    probe's rotation (each slave "going back" in turn, one at a time), then one path mends
#    (its slave is made active, the others stay "going down") and the others.
# 6. maddr: an NS unit with three slaves (MII monitor): the targets' solicited-node MACs on
#    backups only, as arp_validate, the active slave, ns_ip6_target, enslaving (which makes the
#    first slave active again: with no primary, bond_choose_primary_or_current takes the first
#    slave of the highest prio) and releasing change them.
#
# Under TCG every process started costs tens of milliseconds: the steps start a few (ip and
# tc batches for all units at once), the polls none. The VM runs with -icount (the line below,
# read by run_tests.py): on a loaded host a plain TCG guest stalls for seconds, its jiffies
# jump, and a backup that should outlive the active slave by one interval fails with it.
# run_tests: icount
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/arp
rm -rf $OUT
mkdir -p $OUT
IV=500
SECOND=${ARP_SECOND_DRIVER:-rbond}
case $SECOND in
rbond) L2=rbond ;;
bonding) L2=bonding2 ;;
*) echo "ARP_SECOND_DRIVER must be rbond or bonding"; exit 1 ;;
esac
VALIDATE=(none active backup all filter filter_active filter_backup)
# New devices here get no link-local address and do no DAD when IPv6 is turned on for them.
sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_dad=0
for m in veth bridge 8021q sch_ingress cls_flower act_gact; do load_kmod $m 2>/dev/null; done
# nap [SECONDS]: a tenth of a second (sleep is a process).
rm -f /tmp/arp-nap && mkfifo /tmp/arp-nap && exec 9<>/tmp/arp-nap
nap() { read -r -t ${1:-0.1} -u 9 _ || true; }

# --- units -------------------------------------------------------------------------------
declare -A U_I U_N U_KIND U_VLAN U_CLIENT MII LFC MNS BASE
PROC=()
ALL=            # every unit of the scenario
LIVE=           # the units still going through its steps

# unit B IDX NSLAVES arp|ns [VLAN]: declares a unit (topo builds them all).
unit() { U_I[$1]=$2 U_N[$1]=$3 U_KIND[$1]=$4 U_VLAN[$1]=${5:-} U_CLIENT[$1]=; ALL="$ALL $1" LIVE="$LIVE $1"; }
# t4 B HOST, t6 B HOST: addresses on B's subnet (behind VLAN 5 for a VLAN unit).
t4() { echo 10.${U_I[$1]}.${U_VLAN[$1]:-0}.$2; }
t6() { echo 2001:db8:${U_I[$1]}:${U_VLAN[$1]:-0}::$2; }
# targets B HOST...: the option naming B's targets (arp_ip_target or ns_ip6_target).
targets() {
	local b=$1 h l=; shift
	for h; do if [ ${U_KIND[$b]} = arp ]; then l="$l,$(t4 $b $h)"; else l="$l,$(t6 $b $h)"; fi; done
	if [ ${U_KIND[$b]} = arp ]; then echo "arp_ip_target ${l#,}"; else echo "ns_ip6_target ${l#,}"; fi
}
tdev() { if [ -n "${U_VLAN[$1]}" ]; then echo $1br.${U_VLAN[$1]}; else echo $1br; fi; }
mac() { printf '02:00:00:%02x:%02x:%02x' ${U_I[$1]} $2 $3; }

# topo: for every unit, its slaves (here, down) and its bridge in "peer" with the target
# address; a client in "clients" for the units named in CLIENTS. tc counters on each BpK:
# ingress (frames from the slave) pref 30 VLAN-tagged, 31 untagged ARP, 32 untagged IPv6.
topo() {
	local b k n c
	ip netns add peer || return 1
	ip netns exec peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_dad=0 || return 1
	for b in $ALL; do
		for ((k = 0; k < U_N[$b]; k++)); do
			echo "link add ${b}s$k address $(mac $b 0 $k) type veth peer name ${b}p$k address $(mac $b 1 $k) netns peer"
		done
	done | ip -batch - || return 1
	for b in $ALL; do
		echo "link add ${b}br address $(mac $b 2 0) type bridge mcast_snooping 0"
		for ((k = 0; k < U_N[$b]; k++)); do echo "link set ${b}p$k master ${b}br"; echo "link set ${b}p$k up"; done
		echo "link set ${b}br up"
		if [ -n "${U_VLAN[$b]}" ]; then
			echo "link add link ${b}br name $(tdev $b) type vlan id ${U_VLAN[$b]}"
			echo "link set $(tdev $b) up"
		fi
		[ ${U_KIND[$b]} = arp ] && echo "addr add $(t4 $b 2)/24 dev $(tdev $b)"
	done | ip -n peer -batch - || return 1
	c=
	for b in $ALL; do [ ${U_KIND[$b]} = ns ] && c="$c $(tdev $b)"; done
	ip netns exec peer sh -c "for d in $c; do echo 0 > /proc/sys/net/ipv6/conf/\$d/disable_ipv6; done" || return 1
	for b in $ALL; do [ ${U_KIND[$b]} = ns ] && echo "addr add $(t6 $b 2)/64 dev $(tdev $b) nodad"; done |
		ip -n peer -batch - || return 1
	for b in $ALL; do
		[ -n "${U_VLAN[$b]}" ] || continue
		for ((k = 0; k < U_N[$b]; k++)); do
			echo "qdisc add dev ${b}p$k clsact"
			echo "filter add dev ${b}p$k ingress pref 30 protocol 802.1q flower vlan_id ${U_VLAN[$b]} action pass"
			echo "filter add dev ${b}p$k ingress pref 31 protocol arp flower action pass"
			echo "filter add dev ${b}p$k ingress pref 32 protocol ipv6 flower action pass"
		done
	done | tc -n peer -batch - || return 1
	for b in $ALL; do
		# clsact for the drops (cut, deaf), where topo made none for counters
		[ -n "${U_VLAN[$b]}" ] && continue
		for ((k = 0; k < U_N[$b]; k++)); do echo "qdisc add dev ${b}p$k clsact"; done
	done | tc -n peer -batch - || return 1
	c=$(for b in $ALL; do [ -n "${U_CLIENT[$b]}" ] && echo $b; done)
	[ -n "$c" ] || return 0
	ip netns add clients || return 1
	ip netns exec clients sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_dad=0 || return 1
	for b in $c; do
		echo "link add ${b}q address $(mac $b 3 0) type veth peer name ${b}c address $(mac $b 4 0) netns clients"
		echo "link set ${b}q master ${b}br"
		echo "link set ${b}q up"
	done | ip -n peer -batch - || return 1
	local d=
	for b in $c; do [ ${U_KIND[$b]} = ns ] && d="$d ${b}c"; done
	ip netns exec clients sh -c "for d in $d; do echo 0 > /proc/sys/net/ipv6/conf/\$d/disable_ipv6; done" || return 1
	for b in $c; do
		echo "link set ${b}c up"
		if [ ${U_KIND[$b]} = arp ]; then echo "addr add $(t4 $b 10)/24 dev ${b}c"
		else echo "addr add $(t6 $b 10)/64 dev ${b}c nodad"; fi
	done | ip -n clients -batch -
}

topo_clean() {
	local b
	for b in $ALL; do echo "link del $b"; done | ip -batch - 2>/dev/null
	ip netns del peer 2>/dev/null
	ip netns del clients 2>/dev/null
	ALL= LIVE=
	true
}

# target_addrs del|add peer|client HOST: on every live unit, a target's address goes (comes
# back): Bbr's (Bbr.5's), or the client's.
target_addrs() {
	local op=$1 where=$2 h=$3 b dev ns=peer nodad=
	[ $where = client ] && ns=clients
	[ $op = add ] && nodad=nodad
	for b in $LIVE; do
		dev=$(tdev $b)
		[ $where = client ] && dev=${b}c
		if [ ${U_KIND[$b]} = arp ]; then echo "addr $op $(t4 $b $h)/24 dev $dev"
		else echo "addr $op $(t6 $b $h)/64 dev $dev $nodad"; fi
	done | ip -n $ns -batch -
}

# bonds OPTION-FUNCTION: for every live unit B, bond B with the options (mode first)
# `OPTION-FUNCTION B` prints, up, its address (on B.VLAN for a VLAN unit), then its
# slaves enslaved in order (the first $ENSLAVE of them, default all).
bonds() {
	local opts=$1 b k n
	for b in $LIVE; do echo "link add $b type bond $($opts $b)"; done |
		ip -batch - || return 1
	for b in $LIVE; do
		[ ${U_KIND[$b]} = ns ] || continue
		for ((k = 0; k < U_N[$b]; k++)); do echo 0 > /proc/sys/net/ipv6/conf/${b}s$k/disable_ipv6 || return 1; done
		[ -n "${U_VLAN[$b]}" ] || echo 0 > /proc/sys/net/ipv6/conf/$b/disable_ipv6 || return 1
	done
	if [ -n "${STAGGER:-}" ]; then
		# Each bond opened STAGGER microseconds after the one before it, so that their monitors
		# never run at the same moment: the load-balancing monitor counts a link failure and
		# says so before it takes RTNL, and when another bond's monitor holds RTNL then, it
		# does both again on its next run. (A monitor's runs land on the timer wheel's 32 ms
		# grid, 128 jiffies apart at HZ=250: the phases stay where the opens put them.)
		local next=${EPOCHREALTIME/./}
		for b in $LIVE; do
			while (( ${EPOCHREALTIME/./} < next )); do nap 0.01; done
			ip link set $b up || return 1
			next=$((next + STAGGER))
		done
	else
		for b in $LIVE; do
			echo "link set $b up"
			[ -n "${U_VLAN[$b]}" ] && echo "link add link $b name $b.${U_VLAN[$b]} type vlan id ${U_VLAN[$b]}" &&
				echo "link set $b.${U_VLAN[$b]} up"
		done | ip -batch - || return 1
	fi
	for b in $LIVE; do
		[ ${U_KIND[$b]} = ns ] && [ -n "${U_VLAN[$b]}" ] && { echo 0 > /proc/sys/net/ipv6/conf/$b.${U_VLAN[$b]}/disable_ipv6 || return 1; }
	done
	for b in $LIVE; do
		local dev=$b
		[ -n "${U_VLAN[$b]}" ] && dev=$b.${U_VLAN[$b]}
		if [ ${U_KIND[$b]} = arp ]; then echo "addr add $(t4 $b 1)/24 dev $dev"
		else echo "addr add $(t6 $b 1)/64 dev $dev nodad"; fi
		n=${ENSLAVE:-${U_N[$b]}}
		for ((k = 0; k < n; k++)); do echo "link set ${b}s$k master $b"; done
	done | ip -batch -
}

# drops add|del K DIR...: on every live unit, everything through BpK in DIR dropped (or no
# longer). cut K / mend K: both ways (the path is dead, its carrier up); deaf K / hear K: only
# what goes to the slave. "cut 0 1": p0 before p1 on each unit.
drops() {
	local op=$1 ks=$2 b k dir
	shift 2
	for b in $LIVE; do
		for k in $ks; do
			for dir in "$@"; do
				if [ $op = add ]; then echo "filter add dev ${b}p$k $dir pref 1 protocol all flower action drop"
				else echo "filter del dev ${b}p$k $dir pref 1"; fi
			done
		done
	done | tc -n peer -batch -
}
cut() { drops add "$*" ingress egress; }
mend() { drops del "$*" ingress egress; }
deaf() { drops add "$*" egress; }
hear() { drops del "$*" egress; }

# count B K DIR PREF: the frames a tc counter on BpK has seen.
count() {
	tc -n peer -s filter show dev $1p$2 $3 pref $4 | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -1
}
# tx B K / rx B K: what slave K has sent / received (sysfs, no fork); sent B: all B's slaves
# have sent.
TX=0
sent() {
	local k v
	TX=0
	for ((k = 0; k < U_N[$1]; k++)); do read -r v < /sys/class/net/$1s$k/statistics/tx_packets; TX=$((TX + v)); done
}

# --- what is read ------------------------------------------------------------------------
# proc B: /proc/net/bonding/B into PROC[], in one read (mapfile reads on; `while read` seeks
# back after each line, and seq_file then prints the text anew from the state of that moment,
# which may have moved under it). No fork.
proc() { PROC=(); [ -r /proc/net/bonding/$1 ] && mapfile -t PROC < /proc/net/bonding/$1; }
# bstate B: B_ACT (the active slave, "-" in modes without one), B_MII (the bond's), MII[slave]
# (spaces as -) and LFC[slave] (link failure count), for the enslaved slaves.
bstate() {
	local line cur=
	B_ACT=- B_MII=-
	MII=() LFC=()
	proc $1
	[ ${#PROC[@]} -gt 0 ] || return 1
	for line in "${PROC[@]}"; do
		case $line in
		"Currently Active Slave: "*) B_ACT=${line#*: } ;;
		"Slave Interface: "*) cur=${line#*: } ;;
		"MII Status: "*) if [ -z "$cur" ]; then B_MII=${line#*: }; else MII[$cur]=${line#*: }; MII[$cur]=${MII[$cur]// /-}; fi ;;
		"Link Failure Count: "*) [ -n "$cur" ] && LFC[$cur]=${line#*: } ;;
		esac
	done
}

# read_maddrs: every device's solicited-node multicast MACs but 33:33:ff:00:00:01 (a bond's
# own address, in the active slave's list from the bond's), sorted, into MNS[dev].
read_maddrs() {
	local line dev= a
	MNS=()
	ip maddr show > $OUT/maddr
	while IFS= read -r line; do
		if [[ $line =~ ^[0-9]+:[[:space:]]+([^[:space:]]+) ]]; then
			dev=${BASH_REMATCH[1]}
		elif [[ $line =~ ^[[:space:]]+link[[:space:]]+(33:33:ff:[0-9a-f:]+) ]]; then
			a=${BASH_REMATCH[1]}
			[ $a = 33:33:ff:00:00:01 ] || MNS[$dev]="${MNS[$dev]:-} $a"
		fi
	done < $OUT/maddr
	for dev in "${!MNS[@]}"; do MNS[$dev]=$(printf '%s\n' ${MNS[$dev]} | sort | xargs); done
}

# bline B [rotating]: LINE, B's state as one line (after bstate): active slave, carrier, each
# enslaved slave's MII status and link failure count (a slave not up shown as "rotating"
# while the probe goes round), and for an NS unit in active-backup each slave's solicited-node
# multicast addresses (read_maddrs first).
bline() {
	local b=$1 s m k
	LINE="active=$B_ACT carrier=$B_MII"
	for ((k = 0; k < U_N[$b]; k++)); do
		s=${b}s$k
		[ -n "${MII[$s]:-}" ] || continue
		m=${MII[$s]}
		[ "${2:-}" = rotating ] && [ $m != up ] && m=rotating
		LINE="$LINE $s=$m/${LFC[$s]}"
	done
	if [ ${U_KIND[$b]} = ns ] && [ "$B_ACT" != - ]; then
		for ((k = 0; k < U_N[$b]; k++)); do
			s=${b}s$k
			[ -n "${MII[$s]:-}" ] && LINE="$LINE $s{${MNS[$s]:-}}"
		done
	fi
}

# rec KEY VALUE: one line of this run's results.
rec() { echo "$1: $2" >> $OUT/$SCEN-$LABEL; }

# mark STEP: the kernel log's mark that STEP begins.
mark() { STEP=$1; echo "arp-test: $LABEL $SCEN $1" > /dev/kmsg; }

# snap [rotating|set]: for every live unit, its state line ("B STEP") and a file with its
# kernel log lines since the step's mark and its /proc text. rotating: slaves not up are
# masked; set: each log line once (the first time), no state line and no /proc text (the unit
# is not at rest).
snap() {
	local how=${1:-} b line s f
	dmesg -t | awk -v m="arp-test: $LABEL $SCEN $STEP" -v dir="$OUT/$SCEN-$LABEL.d" -v step="$STEP" \
		-v units="$LIVE" -v how="$how" '
		BEGIN { n = split(units, u, " ")
			for (i = 1; i <= n; i++) { want[u[i]] = 1; print "== kernel log" > (dir "/" u[i] "-" step) } }
		$0 == m { on = 1; next }
		/^arp-test: / { on = 0 }
		on {
			p = index($0, ": "); b = substr($0, 1, p - 1)
			if (p > 1 && (b in want) && (how != "set" || !seen[$0]++)) print > (dir "/" b "-" step)
		}'
	[ "$how" = set ] && return
	read_maddrs
	for b in $LIVE; do
		bstate $b
		bline $b $how
		rec "$b $STEP" "$LINE"
		f=$OUT/$SCEN-$LABEL.d/$b-$STEP
		s=0
		{
			echo "== /proc/net/bonding/$b"
			for line in "${PROC[@]:1}"; do
				[[ $line == "Slave Interface: "* ]] && s=1
				[ "$how" = rotating ] && [ $s = 1 ] && [[ $line == "MII Status: "* ]] &&
					[ "$line" != "MII Status: up" ] && line="MII Status: (rotating)"
				printf '%s\n' "$line"
			done
		} >> $f
	done
}

# wait_all WHAT LIMIT PREDICATE ARG...: polls `PREDICATE B ARG...` for every live unit until
# it has held once for each (a unit that got there is not polled again); a check per unit. A
# unit that does not get there within LIMIT seconds fails and leaves LIVE: the scenario goes
# on without it (its later results are missing, which the comparison reports).
wait_all() {
	local what=$1 limit=$(( $2 * ${RBOND_SLOW:-1} )) pred=$3 b left=$LIVE todo end
	shift 3
	end=$((SECONDS + limit))
	while :; do
		todo=
		for b in $left; do $pred $b "$@" || todo="$todo $b"; done
		left=$todo
		{ [ -z "$left" ] || [ $SECONDS -ge $end ]; } && break
		nap
	done
	for b in $LIVE; do
		if [[ " $left " == *" $b "* ]]; then
			bstate $b
			bline $b
			fail "$LABEL $SCEN $b: $what" "not after ${limit}s: $LINE"
			LIVE=" $LIVE "
			LIVE=${LIVE/ $b / }
		else
			pass "$LABEL $SCEN $b: $what"
		fi
	done
	[ -n "${LIVE// /}" ]
}

# --- predicates (PREDICATE B ARG...; no command substitution, which forks) ------------------
all_up() {
	local s
	[ "$B_MII" = up ] || return 1
	for s in "${!MII[@]}"; do [ "${MII[$s]}" = up ] || return 1; done
}
# settled B [K [N]]: every enslaved slave up, slave K (0) active and it has sent N (4) probes
# per target since it was enslaved, so the target has answered (and a backup that validates
# counts the active slave's probes from then on).
settled() {
	local k=${2:-0} v
	bstate $1 && all_up $1 && [ "$B_ACT" = $1s$k ] || return 1
	read -r v < /sys/class/net/$1s$k/statistics/tx_packets
	[ $v -ge $(( ${3:-4} * U_TARGETS )) ]
}
# answered B K N: slave K has sent N more probes per target than at base_tx K (the target
# answers each).
base_tx() { local b v; for b in $LIVE; do read -r v < /sys/class/net/${b}s$1/statistics/tx_packets; BASE[$b]=$v; done; }
answered() { local v; read -r v < /sys/class/net/$1s$2/statistics/tx_packets; [ $v -ge $(( BASE[$1] + $3 * U_TARGETS )) ]; }
base_sent() { local b; for b in $LIVE; do sent $b; BASE[$b]=$TX; done; }
no_active() { bstate $1 && [ "$B_ACT" = None ] && [ "$B_MII" = down ]; }
mii_is() { bstate $1 && [ "${MII[$1s$2]:-}" = "$3" ]; }
active_is() { bstate $1 && [ "$B_ACT" = $1s$2 ] && [ "$B_MII" = up ] && [ "${MII[$1s$2]:-}" = up ]; }
carrier_is() { bstate $1 && [ "$B_MII" = $2 ]; }
lb_up() { bstate $1 && all_up $1; }
# down_or_rounds B N: B has no carrier, or its slaves have sent N more probes per target than
# at base_sent without it losing it.
down_or_rounds() { bstate $1 && { [ "$B_MII" = down ] || { sent $1; [ $(( (TX - BASE[$1]) / U_TARGETS )) -ge $2 ]; }; }; }
# down_or_fails B N: B has no carrier, or slave 0 has failed N times in all.
down_or_fails() { bstate $1 && { [ "$B_MII" = down ] || [ "${LFC[$1s0]:-0}" -ge $2 ]; }; }

# --- 1: active-backup, each arp_validate -------------------------------------------------
ab_opts() {
	local v=${VALIDATE[${1#?}]}
	if [ "${ARP_MUTATE:-}" = 1 ] && [ $LABEL = $L2 ]; then
		case $v in active) v=backup ;; backup) v=active ;; esac
	fi
	echo "mode active-backup arp_interval $IV $(targets $1 2) arp_validate $v primary ${1}s0 primary_reselect failure"
}
scen_ab() {
	local b v i=0
	for v in 0 1 2 3 4 5 6; do unit a$v $((++i)) 2 arp; done
	for v in 0 1 3 4; do unit n$v $((++i)) 2 ns; done
	U_TARGETS=1
	topo || return 1
	mark create
	bonds ab_opts || return 1
	wait_all "s0 active, s0 and s1 up, the target answers" 15 settled || return 1
	snap

	# Both paths cut: s0 fails (missed_max 2), s1 takes over, fails, and the probe rotates.
	mark cut
	cut 0 1 || return 1
	wait_all "both paths cut: no active slave" 15 no_active || return 1
	wait_all "s0 has had its turn of the probe (going down)" 10 mii_is 0 going-down || return 1
	snap rotating

	mark s1back
	mend 1 || return 1
	wait_all "s1's path mends: s1 active" 10 active_is 1 || return 1
	snap

	# primary_reselect failure: the primary coming back does not take over.
	mark s0back
	mend 0 || return 1
	wait_all "s0's path mends: s0 up" 10 mii_is 0 up || return 1
	snap

	mark always
	base_tx 0
	for b in $LIVE; do echo "link set $b type bond primary_reselect always"; done | ip -batch - || return 1
	wait_all "primary_reselect always: s0 active" 5 active_is 0 || return 1
	wait_all "the target answers s0 again" 10 answered 0 2 || return 1
	snap

	# The target goes; the active slave's probes still reach the backup.
	mark gone
	target_addrs del peer 2 || return 1
	wait_all "the target is gone: no active slave, or s0 has failed twice more" 15 down_or_fails 3 || return 1
	snap set
	for b in $LIVE; do
		bstate $b
		if [ "$B_MII" = down ]; then
			rec "$b gone outcome" "no active slave, link failures ${LFC[${b}s0]} ${LFC[${b}s1]}"
		else
			rec "$b gone outcome" "carrier up, s0 failed again, s1's link failures ${LFC[${b}s1]}"
		fi
	done
}

# --- 2: arp_all_targets any and all, two targets -----------------------------------------
targets_opts() { echo "mode active-backup arp_interval $IV $(targets $1 2 10) arp_validate all arp_all_targets ${1:1} primary ${1}s0 primary_reselect always"; }
scen_targets() {
	local b i=20
	for b in tany tall; do unit $b $((++i)) 2 arp; U_CLIENT[$b]=1; done
	for b in uany uall; do unit $b $((++i)) 2 ns; U_CLIENT[$b]=1; done
	U_TARGETS=2
	topo || return 1
	mark create
	bonds targets_opts || return 1
	wait_all "s0 active, s0 and s1 up, the targets answer" 15 settled || return 1
	snap

	# Each unit: no carrier, or 9 rounds of probes go by (a change comes by the third).
	mark t2gone
	base_sent
	target_addrs del client 10 || return 1
	wait_all "the client's target is gone" 15 down_or_rounds 9 || return 1
	snap rotating

	# How each comes back depends on where the probe was: not compared, but where it ends.
	mark t2back
	target_addrs add client 10 || return 1
	wait_all "the client's target is back: s0 active, s0 and s1 up" 15 active_is 0 || return 1
	wait_all "s1 up" 10 mii_is 1 up || return 1
	base_tx 0
	wait_all "the targets answer s0" 10 answered 0 2 || return 1
	read_maddrs
	for b in $LIVE; do bstate $b; bline $b; rec "$b $STEP" "$LINE"; done

	mark t1gone
	base_sent
	target_addrs del peer 2 || return 1
	wait_all "Bbr's target is gone" 15 down_or_rounds 9 || return 1
	snap rotating
}

# --- 3: balance-rr and balance-xor, arp_missed_max 3 -------------------------------------
lb_opts() { echo "mode $( [ $1 = lxor ] && echo balance-xor || echo balance-rr) arp_interval $IV $(targets $1 2) arp_missed_max 3"; }
scen_lb() {
	local i=30
	unit lrr $((++i)) 2 arp; unit lxor $((++i)) 2 arp; unit lns $((++i)) 2 ns
	U_TARGETS=1
	topo || return 1
	mark create
	STAGGER=170000 bonds lb_opts || return 1
	base_sent
	wait_all "probes going" 15 down_or_rounds 4 || return 1
	wait_all "s0 and s1 up" 5 lb_up || return 1
	snap

	mark s1deaf
	deaf 1 || return 1
	wait_all "s1 hears nothing: down" 10 mii_is 1 down || return 1
	snap
	mark s1hears
	hear 1 || return 1
	wait_all "s1 hears again: up" 10 mii_is 1 up || return 1
	snap
	mark s0deaf
	deaf 0 || return 1
	wait_all "s0 hears nothing: down" 10 mii_is 0 down || return 1
	snap
	mark s0hears
	hear 0 || return 1
	wait_all "s0 hears again: up" 10 mii_is 0 up || return 1
	snap
	mark bothdeaf
	deaf 0 1 || return 1
	wait_all "neither hears: no carrier" 10 carrier_is down || return 1
	wait_all "s1 down" 5 mii_is 1 down || return 1
	snap
	mark s1back
	hear 1 || return 1
	wait_all "s1 hears again: carrier" 10 carrier_is up || return 1
	snap
	mark s0back
	hear 0 || return 1
	wait_all "s0 hears again: up" 10 mii_is 0 up || return 1
	snap
}

# --- 4: the target behind VLAN 5 -----------------------------------------------------------
# tagged B K: "tagged=yes untagged=N" when at least 2 of slave K's frames towards the peer since
# tag_base were tagged, and N of them untagged (ARP for ARP units, IPv6 for NS units).
declare -A TBASE
tag_base() { local b; for b in $LIVE; do TBASE[$b]=$(count $b $1 ingress 30); done; }
tagged() {
	local t=$(count $1 $2 ingress 30) u
	if [ ${U_KIND[$1]} = arp ]; then u=$(count $1 $2 ingress 31); else u=$(count $1 $2 ingress 32); fi
	echo "tagged=$( [ ${t:-0} -ge $(( ${TBASE[$1]:-0} + 2 )) ] && echo yes || echo "no($t)") untagged=$u"
}
vlan_opts() { echo "mode active-backup arp_interval $IV $(targets $1 2) arp_validate all"; }
scen_vlan() {
	local b i=40
	unit va $((++i)) 2 arp 5; unit vn $((++i)) 2 ns 5
	U_TARGETS=1
	topo || return 1
	mark create
	bonds vlan_opts || return 1
	wait_all "s0 active, s0 and s1 up, the target answers through VLAN 5" 15 settled || return 1
	snap
	TBASE=()
	for b in $LIVE; do rec "$b s0 probes" "$(tagged $b 0)"; done

	mark cut
	tag_base 1
	cut 0 || return 1
	wait_all "s0's path cut: s1 active" 10 active_is 1 || return 1
	wait_all "s0 down" 5 mii_is 0 down || return 1
	base_tx 1
	wait_all "the target answers s1" 10 answered 1 2 || return 1
	for b in $LIVE; do rec "$b s1 probes" "$(tagged $b 1)"; done
	snap

	mark mend
	mend 0 || return 1
	wait_all "s0's path mends: s0 up" 10 mii_is 0 up || return 1
	snap
}

# --- 5: rotation through three slaves --------------------------------------------------------
# The watcher reads each unit's slaves' mii_status every 20 ms while the unit has no carrier and
# writes, per unit, the slaves seen "going back" in turn (the first 7) and how many times two
# were seen going back at once in two reads in a row. (One read of the slaves is not atomic: a
# probe that moves "going back" from one slave to the next between the reads of the two shows
# both once. bonding.ko showed that on the debug kernel.)
cat > $OUT/watch.py <<'EOF'
import sys, time
out, ready, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
bonds = {}
for spec in sys.argv[4:]:
    b, n = spec.split(":")
    bonds[b] = ["%ss%d" % (b, k) for k in range(int(n))]
seq = {b: [] for b in bonds}
both = {b: 0 for b in bonds}
several = {b: False for b in bonds}
def rd(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return "?"
open(ready, "w").close()
end = time.monotonic() + limit
while time.monotonic() < end and any(len(s) < 7 for s in seq.values()):
    for b, slaves in bonds.items():
        if rd("/sys/class/net/%s/carrier" % b) != "0":
            continue
        back = [s for s in slaves if rd("/sys/class/net/%s/bonding_slave/mii_status" % s) == "going back"]
        if len(back) > 1 and several[b]:
            both[b] += 1
        several[b] = len(back) > 1
        if back and (not seq[b] or seq[b][-1] != back[0]):
            seq[b].append(back[0])
    time.sleep(0.02)
with open(out, "w") as f:
    for b in bonds:
        f.write("%s %s; two at once: %d\n" % (b, " ".join(seq[b][:7]), both[b]))
EOF
rotation_opts() { echo "mode active-backup arp_interval $IV $(targets $1 2) arp_validate all"; }
scen_rotation() {
	local b i=50 pid line
	unit ra $((++i)) 3 arp; unit rn $((++i)) 3 ns
	U_TARGETS=1
	topo || return 1
	mark create
	bonds rotation_opts || return 1
	wait_all "s0 active, s0 s1 s2 up, the target answers" 15 settled || return 1
	snap

	mark cut
	rm -f $OUT/watch-ready
	python3 $OUT/watch.py $OUT/watch-$LABEL $OUT/watch-ready $(( 25 * ${RBOND_SLOW:-1} )) \
		$(for b in $LIVE; do echo $b:3; done) &
	pid=$!
	wait_for "$LABEL $SCEN: the watcher runs" 20 test -e $OUT/watch-ready
	cut 0 1 2 || return 1
	wait_all "all paths cut: no active slave" 15 no_active || return 1
	wait $pid
	while IFS= read -r line; do
		[[ " $LIVE " == *" ${line%% *} "* ]] && rec "${line%% *} rotation" "${line#* }"
	done < $OUT/watch-$LABEL
	snap rotating

	mark s2back
	mend 2 || return 1
	wait_all "s2's path mends: s2 active" 10 active_is 2 || return 1
	snap
	mark allback
	mend 0 1 || return 1
	wait_all "s0's path mends: s0 up" 10 mii_is 0 up || return 1
	wait_all "s1's path mends: s1 up" 10 mii_is 1 up || return 1
	snap
}

# --- 6: the solicited-node multicast addresses of NS targets on backups -----------------------
# mrec: the state line, then each slave's solicited-node list and whole multicast list, and
# what ip -d link show says of ns_ip6_target; the /proc text as a file.
maddrs() { ip maddr show dev $1 | sed -n 's/^[[:space:]]*link[[:space:]]*//p' | sort | xargs; }
mrec() {
	local s v
	read -r v < /sys/class/net/mc/bonding/arp_validate
	bstate mc
	rec "mc $STEP" "active=$B_ACT validate=${v% *}"
	read_maddrs
	for s in mcs0 mcs1 mcs2; do
		rec "mc $STEP $s ns" "${MNS[$s]:-}"
		rec "mc $STEP $s all" "$(maddrs $s)"
	done
	rec "mc $STEP ns_ip6_target" "$(ip -j -d link show mc | jq -c '.[0].linkinfo.info_data.ns_ip6_target')"
	{ echo "== /proc/net/bonding/mc"; sed 1d /proc/net/bonding/mc; } > $OUT/$SCEN-$LABEL.d/mc-$STEP
}
# The MII monitor here: what changes the lists is arp_validate, the active slave and the
# targets, not the ARP monitor, whose link states would move the active slave. (netlink takes
# arp_validate with miimon but in the same message.)
maddr_opts() { echo "mode active-backup miimon 100 $(targets $1 2 3)"; }
scen_maddr() {
	unit mc 61 3 ns
	topo || return 1
	STEP=none
	ENSLAVE=2 bonds maddr_opts || return 1
	wait_all "s0 active" 10 active_is 0 || return 1
	wait_all "s1 up" 5 mii_is 1 up || return 1
	mrec
	STEP=active
	ip link set mc type bond arp_validate active || return 1
	mrec
	STEP=s1active
	ip link set mc type bond active_slave mcs1 || return 1
	mrec
	STEP=newtargets
	ip link set mc type bond $(targets mc 3 4) || return 1
	mrec
	STEP=s2enslaved
	ip link set mcs2 master mc || return 1
	mrec
	STEP=s0released
	ip link set mcs0 nomaster || return 1
	mrec
	STEP=validatenone
	ip link set mc type bond arp_validate none || return 1
	mrec
}

# --- the runs ------------------------------------------------------------------------------
SCENS="ab targets lb vlan rotation maddr"
run() {
	local t=$SECONDS
	SCEN=$1 STEP=
	: > $OUT/$SCEN-$LABEL
	mkdir -p $OUT/$SCEN-$LABEL.d
	dmesg -C
	if scen_$SCEN; then pass "$LABEL: $SCEN ran to its end"; else fail "$LABEL: $SCEN ran to its end" "step: $STEP"; fi
	topo_clean
	echo "# $LABEL: $SCEN took $((SECONDS - t)) s"
}
for LABEL in bonding $L2; do
	DRIVER=bonding
	[ $LABEL = rbond ] && DRIVER=rbond
	check "$LABEL: load $DRIVER" load_driver $DRIVER || continue
	for s in $SCENS; do run $s; done
	check "$LABEL: unload $DRIVER" unload_driver $DRIVER
done
[ -d "${RBOND_OUT:-}" ] && cp -r $OUT $RBOND_OUT/

# --- the results, read back without a process per line ------------------------------------
declare -A R
for s in $SCENS; do
	for l in bonding $L2; do
		[ -e $OUT/$s-$l ] || continue
		while IFS= read -r line; do R[$s-$l ${line%%: *}]=${line#*: }; done < $OUT/$s-$l
	done
done

# --- what bonding.ko does (the test's own premises, checked on its runs) ---------------------
# expect SCEN KEY GLOB: on each bonding.ko run, the value of KEY matches GLOB.
expect() {
	local l v
	for l in bonding $L2; do
		[ $l = rbond ] && continue
		v=${R[$1-$l $2]-(missing)}
		if [[ "$v" == $3 ]]; then pass "$l $1 $2: as expected"; else fail "$l $1 $2: as expected" "expected: $3" "actual:   $v"; fi
	done
}
for b in a0 a1 a2 a3 a4 a5 a6 n0 n1 n3 n4; do
	expect ab "$b create" "active=${b}s0 carrier=up ${b}s0=up/0 ${b}s1=up/0*"
	expect ab "$b cut" "active=None carrier=down ${b}s0=rotating/1 ${b}s1=rotating/1*"
	expect ab "$b s1back" "active=${b}s1 carrier=up ${b}s0=going-down/1 ${b}s1=up/1*"
	expect ab "$b s0back" "active=${b}s1 carrier=up ${b}s0=up/1 ${b}s1=up/1*"
	expect ab "$b always" "active=${b}s0 carrier=up ${b}s0=up/1 ${b}s1=up/1*"
	case $b in
	a2|a3|a6|n3) expect ab "$b gone outcome" "no active slave, link failures 2 2" ;;
	*) expect ab "$b gone outcome" "carrier up, s0 failed again, s1's link failures 1" ;;
	esac
done
expect ab "n0 create" "* n0s0{} n0s1{}"
expect ab "n0 s1back" "* n0s0{} n0s1{}"
# The old active slave gets the target's address when it failed (it was made inactive before
# the failover), not when primary_reselect or active_slave moved the active slave (then
# bond_hw_addr_swap runs while it is still active, and slave_can_set_ns_maddr says no).
for b in n1 n3 n4; do
	expect ab "$b create" "* ${b}s0{} ${b}s1{33:33:ff:00:00:02}"
	expect ab "$b s1back" "* ${b}s0{33:33:ff:00:00:02} ${b}s1{}"
	expect ab "$b always" "* ${b}s0{} ${b}s1{}"
done
# arp_all_targets all with NS targets only looks at the first: slave_oldest_target_arp_rx()
# walks arp_targets[] (the IPv4 ones, none here) from slot 1, so only slot 0 counts. uall keeps
# its slaves when the second target dies and loses them when the first does.
for b in tany uany uall; do expect targets "$b t2gone" "active=${b}s0 carrier=up ${b}s0=up/0 ${b}s1=up/0*"; done
expect targets "tall t2gone" "active=None carrier=down *"
for b in tany uany; do expect targets "$b t1gone" "active=${b}s0 carrier=up ${b}s0=up/0 ${b}s1=up/0*"; done
for b in tall uall; do expect targets "$b t1gone" "active=None carrier=down *"; done
# (bond_loadbalance_arp_mon() counts a failure and logs it before rtnl_trylock(); when that
# fails it does both again on its next run: the units are opened a third of an interval apart.)
for b in lrr lxor lns; do
	expect lb "$b s1deaf" "* ${b}s0=up/0 ${b}s1=down/1"
	expect lb "$b s0deaf" "* ${b}s0=down/1 ${b}s1=up/1"
	expect lb "$b bothdeaf" "* carrier=down ${b}s0=down/2 ${b}s1=down/2"
	expect lb "$b s0back" "* carrier=up ${b}s0=up/2 ${b}s1=up/2"
done
for b in va vn; do
	expect vlan "$b s0 probes" "tagged=yes untagged=0"
	expect vlan "$b s1 probes" "tagged=yes untagged=0"
	expect vlan "$b cut" "active=${b}s1 carrier=up ${b}s0=down/1 ${b}s1=up/0*"
	expect vlan "$b mend" "active=${b}s1 carrier=up ${b}s0=up/1 ${b}s1=up/0*"
done
for b in ra rn; do
	expect rotation "$b rotation" "${b}s1 ${b}s2 ${b}s0 ${b}s1 ${b}s2 ${b}s0 ${b}s1; two at once: 0"
	expect rotation "$b s2back" "active=${b}s2 carrier=up ${b}s0=going-down/1 ${b}s1=going-down/1 ${b}s2=up/1*"
done
expect maddr "mc none mcs1 ns" ""
expect maddr "mc active mcs0 ns" ""
expect maddr "mc active mcs1 ns" "33:33:ff:00:00:02 33:33:ff:00:00:03"
expect maddr "mc s1active mcs0 ns" ""
expect maddr "mc s1active mcs1 ns" ""
expect maddr "mc newtargets mcs0 ns" "33:33:ff:00:00:03 33:33:ff:00:00:04"
expect maddr "mc s2enslaved mcs2 ns" "33:33:ff:00:00:03 33:33:ff:00:00:04"
expect maddr "mc s0released mcs0 ns" ""
expect maddr "mc validatenone mcs2 ns" ""

# --- the second run as bonding.ko's ------------------------------------------------------------
# same_lines FILE FILE: the two files have the same lines (read without a process).
same_lines() {
	local IFS=$'\n' a z
	[ -e "$2" ] || return 1
	mapfile -t a < $1
	mapfile -t z < $2
	[ ${#a[@]} = ${#z[@]} ] && [ "${a[*]}" = "${z[*]}" ]
}
for s in $SCENS; do
	a=$OUT/$s-bonding z=$OUT/$s-$L2
	[ -e $a ] || { fail "$s: bonding.ko's results"; continue; }
	n=0
	while IFS= read -r line; do
		key=${line%%: *} v=${line#*: }
		n=$((n + 1))
		expect_eq "$s $key: $L2 as bonding.ko" "${R[$s-$L2 $key]-(missing)}" "$v"
	done < $a
	for key in "${!R[@]}"; do
		[[ $key == "$s-$L2 "* ]] && [ -z "${R[$s-bonding ${key#* }]+x}" ] && fail "$s ${key#* }: $L2 has it, bonding.ko not"
	done
	for f in $a.d/*; do
		[ -e "$f" ] || continue
		if same_lines $f $z.d/${f##*/}; then
			pass "$s ${f##*/}: the same kernel log lines and /proc text"
		else
			fail "$s ${f##*/}: the same kernel log lines and /proc text" "$(diff -u $f $z.d/${f##*/} 2>&1)"
		fi
	done
done
finish
