# The ARP monitor (arp_interval + arp_ip_target) and the NS monitor (arp_interval +
# ns_ip6_target), against bonding.ko on the same scenarios.
#
# Every bond here is a "unit": bond B with slaves Bs0, Bs1 (and Bs2) here, veths into its own
# namespace pB where their ends p0, p1 (p2) are bridged on br0 (multicast snooping off, so
# that a probe floods to the other slaves as an ARP broadcast does). The targets are br0's
# address in pB (10.I.0.2, 2001:db8:I::2) or, in scenario 2, also a client namespace cB
# behind the bridge (10.I.0.10, 2001:db8:I::10). Every MAC is fixed, so /proc text and log
# lines compare verbatim. A path dies while its carrier stays up: tc flower drops everything
# on pK in the peer ("cut": both directions; "deaf": towards the slave only); a target dies
# when its address goes. IPv6 is off but where the NS monitor needs it (the bond, and the
# slaves, whose NS probes are dropped by ip6_output otherwise), without link-local addresses
# or DAD, so that nothing but the monitor talks. arp_interval is 500 ms throughout.
#
# The units of a scenario go through its steps together (a step acts on every unit, then
# waits for each to reach the state the step leads to; a unit that does not is dropped from
# the scenario's later steps). The same scenarios run once with bonding.ko and once with
# rbond.ko; each run writes "key: value" lines to $OUT/<scenario>-<driver> and, per unit and
# step, a file with the /proc/net/bonding text and the unit's kernel log lines since the step
# began; every line and file must be the same for both drivers. ARP_SECOND_DRIVER=bonding runs
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
#    bond ends with no active slave; otherwise a backup hears the active's probes, comes up,
#    the primary takes over again and fails again (recorded as such, not counted). The NS
#    units also record each slave's multicast list (the solicited-node address of the target
#    on backups when arp_validate is set, slave_set_ns_maddrs).
# 2. targets: arp_validate all, two targets (br0, then the client), arp_all_targets any and
#    all, for ARP and NS. The client's target dies, then comes back, then br0's dies.
# 3. lb: balance-rr and balance-xor (ARP) and balance-rr (NS), arp_missed_max 3: a slave that
#    hears nothing goes down ("interface is now down") and comes back; the current one too;
#    both: "now running without any active interface!", and back one at a time.
# 4. vlan: active-backup, arp_validate all, the target only behind VLAN 5 on the bond (B.5
#    to br0.5): the probes leave tagged (tc counters on the bridge port); failover and back.
# 5. rotation: three slaves, all paths cut: the order the slaves are taken down in, then the
#    probe's rotation (each slave "going back" in turn, one at a time), then one path mends
#    (its slave is made active, the others stay "going down") and the others.
# 6. maddr: an NS unit with three slaves: the target's solicited-node MAC on backups only, as
#    arp_validate, the active slave, ns_ip6_target, enslaving and releasing change.
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

# --- units -------------------------------------------------------------------------------
declare -A U_I U_N U_KIND U_VLAN MII LFC
ALL=            # every unit of the scenario (for cleaning up)
LIVE=           # the units still going through its steps

# t4 B HOST, t6 B HOST: B's addresses on its subnet (behind VLAN 5 for a VLAN unit).
t4() { echo 10.${U_I[$1]}.${U_VLAN[$1]:-0}.$2; }
t6() { echo 2001:db8:${U_I[$1]}:${U_VLAN[$1]:-0}::$2; }
# targets B HOST...: the option naming B's targets (arp_ip_target or ns_ip6_target).
targets() {
	local b=$1 h l=; shift
	for h; do if [ ${U_KIND[$b]} = arp ]; then l="$l,$(t4 $b $h)"; else l="$l,$(t6 $b $h)"; fi; done
	if [ ${U_KIND[$b]} = arp ]; then echo "arp_ip_target ${l#,}"; else echo "ns_ip6_target ${l#,}"; fi
}
slaves() { local k; for k in $(seq 0 $((U_N[$1] - 1))); do echo -n "$1s$k "; done; }
ipv6_on() { echo 0 > /proc/sys/net/ipv6/conf/$1/disable_ipv6; }
ipv6_on_in() { ip netns exec $1 sh -c "echo 0 > /proc/sys/net/ipv6/conf/$2/disable_ipv6"; }

# unit B IDX NSLAVES arp|ns [VLAN]: the slaves (down, not enslaved) and the peer namespace,
# whose br0 (or br0.VLAN) holds the target 10.IDX.x.2 / 2001:db8:IDX:x::2. tc counters on
# each pK: egress pref 20 ARP replies, 21 neighbour advertisements, 22 VLAN-tagged frames;
# ingress (frames from the slave) pref 30 VLAN-tagged, 31 untagged ARP, 32 untagged IPv6.
unit() {
	local b=$1 i=$2 n=$3 p=p$1 k hx tdev=br0
	hx=$(printf %02x $i)
	U_I[$b]=$i U_N[$b]=$n U_KIND[$b]=$4 U_VLAN[$b]=${5:-}
	ALL="$ALL $b" LIVE="$LIVE $b"
	ip netns add $p || return 1
	ip netns exec $p sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_dad=0 || return 1
	for k in $(seq 0 $((n - 1))); do
		echo "link add ${b}s$k address 02:00:00:$hx:00:0$k type veth peer name p$k address 02:00:00:$hx:01:0$k netns $p"
	done | ip -batch - || return 1
	{
		echo "link add br0 address 02:00:00:$hx:02:00 type bridge mcast_snooping 0"
		for k in $(seq 0 $((n - 1))); do echo "link set p$k master br0"; echo "link set p$k up"; done
		echo "link set br0 up"
		if [ -n "${U_VLAN[$b]}" ]; then
			tdev=br0.${U_VLAN[$b]}
			echo "link add link br0 name $tdev type vlan id ${U_VLAN[$b]}"
			echo "link set $tdev up"
		fi
	} | ip -n $p -batch - || return 1
	[ -n "${U_VLAN[$b]}" ] && tdev=br0.${U_VLAN[$b]}
	if [ ${U_KIND[$b]} = arp ]; then
		ip -n $p addr add $(t4 $b 2)/24 dev $tdev || return 1
	else
		ipv6_on_in $p $tdev && ip -n $p addr add $(t6 $b 2)/64 dev $tdev nodad || return 1
	fi
	for k in $(seq 0 $((n - 1))); do
		echo "qdisc add dev p$k clsact"
		echo "filter add dev p$k egress pref 20 protocol arp flower arp_op reply action pass"
		echo "filter add dev p$k egress pref 21 protocol ipv6 flower ip_proto icmpv6 type 136 action pass"
		if [ -n "${U_VLAN[$b]}" ]; then
			echo "filter add dev p$k egress pref 22 protocol 802.1q flower vlan_id ${U_VLAN[$b]} action pass"
			echo "filter add dev p$k ingress pref 30 protocol 802.1q flower vlan_id ${U_VLAN[$b]} action pass"
			echo "filter add dev p$k ingress pref 31 protocol arp flower action pass"
			echo "filter add dev p$k ingress pref 32 protocol ipv6 flower action pass"
		fi
	done | tc -n $p -batch - || return 1
}

# client B: a second target behind B's bridge, in namespace cB: 10.I.0.10 / 2001:db8:I::10.
client() {
	local b=$1 p=p$1 c=c$1 hx
	hx=$(printf %02x ${U_I[$b]})
	ip netns add $c || return 1
	ip netns exec $c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_dad=0 || return 1
	ip -n $p link add q0 address 02:00:00:$hx:03:00 type veth peer name eth0 address 02:00:00:$hx:04:00 netns $c || return 1
	ip -n $p link set q0 master br0 && ip -n $p link set q0 up || return 1
	ip -n $c link set eth0 up || return 1
	if [ ${U_KIND[$b]} = arp ]; then
		ip -n $c addr add $(t4 $b 10)/24 dev eth0
	else
		ipv6_on_in $c eth0 && ip -n $c addr add $(t6 $b 10)/64 dev eth0 nodad
	fi
}

# target_del B WHERE HOST / target_add: a target's address goes (comes back): on br0 (or
# br0.VLAN) in pB, or on eth0 in cB.
target_addr() {
	local op=$1 b=$2 where=$3 h=$4 dev=br0 ns=p$2
	[ -n "${U_VLAN[$b]}" ] && dev=br0.${U_VLAN[$b]}
	[ $where = client ] && dev=eth0 ns=c$b
	if [ ${U_KIND[$b]} = arp ]; then ip -n $ns addr $op $(t4 $b $h)/24 dev $dev
	elif [ $op = add ]; then ip -n $ns addr add $(t6 $b $h)/64 dev $dev nodad
	else ip -n $ns addr del $(t6 $b $h)/64 dev $dev; fi
}

# bond B MODE OPTION...: B with arp_interval 500 and OPTION..., up, its address (on B.VLAN for
# a VLAN unit), then its slaves enslaved in order (the first $ENSLAVE of them, default all).
bond() {
	local b=$1 mode=$2 k dev=$1 n=${ENSLAVE:-${U_N[$1]}}; shift 2
	ip link add $b type bond mode $mode arp_interval $IV "$@" || return 1
	if [ ${U_KIND[$b]} = ns ]; then
		for k in $(slaves $b); do ipv6_on $k || return 1; done
		[ -n "${U_VLAN[$b]}" ] || ipv6_on $b || return 1
	fi
	ip link set $b up || return 1
	if [ -n "${U_VLAN[$b]}" ]; then
		dev=$b.${U_VLAN[$b]}
		ip link add link $b name $dev type vlan id ${U_VLAN[$b]} && ip link set $dev up || return 1
		[ ${U_KIND[$b]} = ns ] && { ipv6_on $dev || return 1; }
	fi
	if [ ${U_KIND[$b]} = arp ]; then ip addr add $(t4 $b 1)/24 dev $dev || return 1
	else ip addr add $(t6 $b 1)/64 dev $dev nodad || return 1; fi
	for k in $(seq 0 $((n - 1))); do ip link set ${b}s$k master $b || return 1; done
}

units_clean() {
	local b k
	for b in $ALL; do
		ip link del $b 2>/dev/null
		for k in $(seq 0 $((U_N[$b] - 1))); do ip link del ${b}s$k 2>/dev/null; done
		ip netns del p$b 2>/dev/null
		ip netns del c$b 2>/dev/null
	done
	ALL= LIVE=
	true
}

# cut B K / mend B K: everything through pK dropped, both ways (the path is dead, its carrier
# up) / let through again. deaf B K / hear B K: only what goes to the slave.
tc_drop() {
	local op=$1 b=$2 k=$3 dir
	shift 3
	for dir in "$@"; do
		if [ $op = add ]; then echo "filter add dev p$k $dir pref 1 protocol all flower action drop"
		else echo "filter del dev p$k $dir pref 1"; fi
	done | tc -n p$b -batch -
}
cut() { tc_drop add $1 $2 ingress egress; }
mend() { tc_drop del $1 $2 ingress egress; }
deaf() { tc_drop add $1 $2 egress; }
hear() { tc_drop del $1 $2 egress; }

# count B K DIR PREF: the frames a tc counter on pK has seen.
count() {
	tc -n p$1 -s filter show dev p$2 $3 pref $4 | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -1
}
# replies B K: the target's answers (ARP replies, NAs, or any tagged frame) sent to slave K.
replies() {
	local pref=20
	[ ${U_KIND[$1]} = ns ] && pref=21
	[ -n "${U_VLAN[$1]}" ] && pref=22
	count $1 $2 egress $pref
}
# sent B: the frames B's slaves have sent, all together.
sent() {
	local s v n=0
	for s in $(slaves $1); do read -r v < /sys/class/net/$s/statistics/tx_packets; n=$((n + v)); done
	echo $n
}

# --- what is read ------------------------------------------------------------------------
# bstate B: /proc/net/bonding/B, without a fork: B_ACT (the active slave, "-" in modes without
# one), B_MII (the bond's), MII[slave] (spaces as -) and LFC[slave] (link failure count).
bstate() {
	local line cur=
	B_ACT=- B_MII=-
	MII=() LFC=()
	[ -r /proc/net/bonding/$1 ] || return 1
	while IFS= read -r line; do
		case $line in
		"Currently Active Slave: "*) B_ACT=${line#*: } ;;
		"Slave Interface: "*) cur=${line#*: } ;;
		"MII Status: "*) if [ -z "$cur" ]; then B_MII=${line#*: }; else MII[$cur]=${line#*: }; MII[$cur]=${MII[$cur]// /-}; fi ;;
		"Link Failure Count: "*) LFC[$cur]=${line#*: } ;;
		esac
	done < /proc/net/bonding/$1
}
mii() { echo "${MII[$1]:-none}"; }
lfc() { echo "${LFC[$1]:-none}"; }

# maddrs DEV: DEV's link-layer multicast list, sorted; maddr_ns DEV: its solicited-node
# addresses but the bond's own (33:33:ff:00:00:01).
maddrs() { ip maddr show dev $1 | sed -n 's/^[[:space:]]*link[[:space:]]*//p' | sort | xargs; }
maddr_ns() { ip maddr show dev $1 | grep -o '33:33:ff:[0-9a-f:]*' | grep -v '^33:33:ff:00:00:01$' | sort | xargs; }

# bline B [rotating]: B's state as one line (bstate first): active slave, carrier, each slave's
# MII status and link failure count (a slave not up shown as "rotating" while the probe goes
# round), and for an NS unit in active-backup each slave's solicited-node multicast addresses.
bline() {
	local b=$1 s m l="active=$B_ACT carrier=$B_MII"
	for s in $(slaves $b); do
		m=$(mii $s)
		[ "${2:-}" = rotating ] && [ $m != up ] && m=rotating
		l="$l $s=$m/$(lfc $s)"
	done
	if [ ${U_KIND[$b]} = ns ] && [ "$B_ACT" != - ]; then
		for s in $(slaves $b); do l="$l $s[$(maddr_ns $s)]"; done
	fi
	echo "$l"
}

# rec KEY VALUE: one line of this run's results.
rec() { echo "$1: $2" >> $OUT/$SCEN-$LABEL; }

# mark STEP: the kernel log's mark that STEP begins; steplog B STEP: B's lines since it (from
# $OUT/dmesg, read by snap).
mark() { STEP=$1; echo "arp-test: $LABEL $SCEN $1" > /dev/kmsg; }
steplog() {
	awk -v m="arp-test: $LABEL $SCEN $2" '$0 == m { on = 1; next } /^arp-test: / { on = 0 } on' $OUT/dmesg |
		grep "^$1: " | sed 's/^rbond: /bonding: /'
}

# snap [rotating|set]: for every live unit, its state line ("B STEP") and a file with its /proc
# text and its log lines of the step. rotating: slaves not up are masked; set: the log lines
# sorted and each once, no /proc text (the unit is not at rest).
snap() {
	local how=${1:-} b
	dmesg -t > $OUT/dmesg
	for b in $LIVE; do
		bstate $b
		[ "$how" = set ] || rec "$b $STEP" "$(bline $b $how)"
		{
			if [ "$how" != set ]; then
				echo "== /proc/net/bonding/$b"
				sed 1d /proc/net/bonding/$b | awk -v how="$how" '
					/^Slave Interface: / { s = 1 }
					how == "rotating" && s && /^MII Status: / && $0 != "MII Status: up" { $0 = "MII Status: (rotating)" }
					{ print }'
			fi
			echo "== kernel log"
			if [ "$how" = set ]; then steplog $b $STEP | sort -u; else steplog $b $STEP; fi
		} > $OUT/$SCEN-$LABEL.d/$b-$STEP
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
		sleep 0.1
	done
	for b in $LIVE; do
		if [[ " $left " == *" $b "* ]]; then
			bstate $b
			fail "$LABEL $SCEN $b: $what" "not after ${limit}s: $(bline $b)"
			LIVE=" $LIVE "; LIVE=${LIVE/ $b / }
		else
			pass "$LABEL $SCEN $b: $what"
		fi
	done
	[ -n "${LIVE// /}" ]
}

# --- predicates (PREDICATE B ARG...) -------------------------------------------------------
all_up() { local s; [ "$B_MII" = up ] || return 1; for s in $(slaves $1); do [ "$(mii $s)" = up ] || return 1; done; }
# settled B [ACTIVE]: every slave up, ACTIVE (slave 0) active, and the target has answered it
# twice (so that a backup that validates counts the active slave's probes from now on).
settled() { bstate $1 && all_up $1 && [ "$B_ACT" = $1s${2:-0} ] && [ "$(replies $1 ${2:-0})" -ge 2 ]; }
# answered B K N: slave K has had N more answers than when the step began (BASE[B]).
declare -A BASE
base_replies() { local b; for b in $LIVE; do BASE[$b]=$(replies $b $1); done; }
base_sent() { local b; for b in $LIVE; do BASE[$b]=$(sent $b); done; }
answered() { [ "$(replies $1 $2)" -ge $(( BASE[$1] + $3 )) ]; }
no_active() { bstate $1 && [ "$B_ACT" = None ] && [ "$B_MII" = down ]; }
mii_is() { bstate $1 && [ "$(mii $1s$2)" = "$3" ]; }
active_is() { bstate $1 && [ "$B_ACT" = $1s$2 ] && [ "$B_MII" = up ] && [ "$(mii $1s$2)" = up ]; }
lb_up() { bstate $1 && all_up $1; }
carrier_is() { bstate $1 && [ "$B_MII" = $2 ]; }
# down_or_rounds B N: B has no carrier, or its slaves have sent N more probes per target
# than when the step began (BASE[B], sent) without it losing it.
down_or_rounds() { bstate $1 && { [ "$B_MII" = down ] || [ $(( ($(sent $1) - BASE[$1]) / $2 )) -ge $3 ]; }; }
# down_or_fails B N: B has no carrier, or slave 0 has failed N times in all.
down_or_fails() { bstate $1 && { [ "$B_MII" = down ] || [ "$(lfc $1s0)" -ge $2 ] 2>/dev/null; }; }

# --- 1: active-backup, each arp_validate -------------------------------------------------
scen_ab() {
	local b v i=0 opt
	for v in 0 1 2 3 4 5 6; do unit a$v $((++i)) 2 arp || return 1; done
	for v in 0 1 3 4; do unit n$v $((++i)) 2 ns || return 1; done
	mark create
	for b in $LIVE; do
		v=${VALIDATE[${b#?}]}
		if [ "${ARP_MUTATE:-}" = 1 ] && [ $LABEL = $L2 ]; then
			case $v in active) v=backup ;; backup) v=active ;; esac
		fi
		bond $b active-backup $(targets $b 2) arp_validate $v primary ${b}s0 primary_reselect failure || return 1
	done
	wait_all "s0 active, s0 and s1 up, the target answers" 15 settled || return 1
	snap

	# Both paths cut: s0 fails (missed_max 2), s1 takes over, fails, and the probe rotates.
	mark cut
	for b in $LIVE; do cut $b 0 && cut $b 1 || return 1; done
	wait_all "both paths cut: no active slave" 15 no_active || return 1
	wait_all "s0 has had its turn of the probe (going down)" 10 mii_is 0 going-down || return 1
	snap rotating

	mark s1back
	for b in $LIVE; do mend $b 1 || return 1; done
	wait_all "s1's path mends: s1 active" 10 active_is 1 || return 1
	snap

	# primary_reselect failure: the primary coming back does not take over.
	mark s0back
	for b in $LIVE; do mend $b 0 || return 1; done
	wait_all "s0's path mends: s0 up" 10 mii_is 0 up || return 1
	snap

	mark always
	base_replies 0
	for b in $LIVE; do ip link set $b type bond primary_reselect always || return 1; done
	wait_all "primary_reselect always: s0 active" 5 active_is 0 || return 1
	wait_all "the target answers s0 again" 10 answered 0 2 || return 1
	snap

	# The target goes; the active slave's probes still reach the backup.
	mark gone
	for b in $LIVE; do target_addr del $b peer 2 || return 1; done
	wait_all "the target is gone: no active slave, or s0 has failed twice more" 15 down_or_fails 3 || return 1
	snap set
	for b in $LIVE; do
		bstate $b
		if [ "$B_MII" = down ]; then
			rec "$b gone outcome" "no active slave, link failures $(lfc ${b}s0) $(lfc ${b}s1)"
		else
			rec "$b gone outcome" "carrier up, s0 failed again, s1's link failures $(lfc ${b}s1)"
		fi
	done
}

# --- 2: arp_all_targets any and all, two targets -----------------------------------------
scen_targets() {
	local b i=20
	for b in tany tall; do unit $b $((++i)) 2 arp && client $b || return 1; done
	for b in uany uall; do unit $b $((++i)) 2 ns && client $b || return 1; done
	mark create
	for b in $LIVE; do
		bond $b active-backup $(targets $b 2 10) arp_validate all arp_all_targets ${b:1} \
			primary ${b}s0 primary_reselect always || return 1
	done
	wait_all "s0 active, s0 and s1 up, the targets answer" 15 settled || return 1
	snap

	# Each unit: no carrier, or 9 rounds of probes go by (a change comes by the third).
	mark t2gone
	base_sent
	for b in $LIVE; do target_addr del $b client 10 || return 1; done
	wait_all "the client's target is gone" 15 down_or_rounds 2 9 || return 1
	snap

	# How each comes back depends on where the probe was: not compared, but where it ends.
	mark t2back
	for b in $LIVE; do target_addr add $b client 10 || return 1; done
	wait_all "the client's target is back: s0 active, s0 and s1 up" 15 active_is 0 || return 1
	wait_all "s1 up" 10 mii_is 1 up || return 1
	base_replies 0
	wait_all "the targets answer s0" 10 answered 0 4 || return 1
	dmesg -t > $OUT/dmesg
	for b in $LIVE; do bstate $b; rec "$b $STEP" "$(bline $b)"; done

	mark t1gone
	base_sent
	for b in $LIVE; do target_addr del $b peer 2 || return 1; done
	wait_all "br0's target is gone" 15 down_or_rounds 2 9 || return 1
	snap
}

# --- 3: balance-rr and balance-xor, arp_missed_max 3 -------------------------------------
scen_lb() {
	local b i=30
	unit lrr $((++i)) 2 arp && unit lxor $((++i)) 2 arp && unit lns $((++i)) 2 ns || return 1
	mark create
	bond lrr balance-rr $(targets lrr 2) arp_missed_max 3 &&
	bond lxor balance-xor $(targets lxor 2) arp_missed_max 3 &&
	bond lns balance-rr $(targets lns 2) arp_missed_max 3 || return 1
	base_sent
	wait_all "probes going" 15 down_or_rounds 1 4 || return 1
	wait_all "s0 and s1 up" 5 lb_up || return 1
	snap

	mark s1deaf
	for b in $LIVE; do deaf $b 1 || return 1; done
	wait_all "s1 hears nothing: down" 10 mii_is 1 down || return 1
	snap
	mark s1hears
	for b in $LIVE; do hear $b 1 || return 1; done
	wait_all "s1 hears again: up" 10 mii_is 1 up || return 1
	snap
	mark s0deaf
	for b in $LIVE; do deaf $b 0 || return 1; done
	wait_all "s0 hears nothing: down" 10 mii_is 0 down || return 1
	snap
	mark s0hears
	for b in $LIVE; do hear $b 0 || return 1; done
	wait_all "s0 hears again: up" 10 mii_is 0 up || return 1
	snap
	mark bothdeaf
	for b in $LIVE; do deaf $b 0 && deaf $b 1 || return 1; done
	wait_all "neither hears: no carrier" 10 carrier_is down || return 1
	wait_all "s1 down" 5 mii_is 1 down || return 1
	snap
	mark s1back
	for b in $LIVE; do hear $b 1 || return 1; done
	wait_all "s1 hears again: carrier" 10 carrier_is up || return 1
	snap
	mark s0back
	for b in $LIVE; do hear $b 0 || return 1; done
	wait_all "s0 hears again: up" 10 mii_is 0 up || return 1
	snap
}

# --- 4: the target behind VLAN 5 -----------------------------------------------------------
# tagged B K: "tagged=yes untagged=N" when slave K's frames towards the peer were tagged
# (at least 2 since BASE) and N of them untagged (ARP for ARP units, IPv6 for NS units).
declare -A TBASE
tag_base() { local b; for b in $LIVE; do TBASE[$b]=$(count $b $1 ingress 30); done; }
tagged() {
	local t=$(count $1 $2 ingress 30) u
	if [ ${U_KIND[$1]} = arp ]; then u=$(count $1 $2 ingress 31); else u=$(count $1 $2 ingress 32); fi
	echo "tagged=$( [ $t -ge $(( ${TBASE[$1]:-0} + 2 )) ] && echo yes || echo "no($t)") untagged=$u"
}
scen_vlan() {
	local b i=40
	unit va $((++i)) 2 arp 5 && unit vn $((++i)) 2 ns 5 || return 1
	mark create
	for b in $LIVE; do bond $b active-backup $(targets $b 2) arp_validate all || return 1; done
	wait_all "s0 active, s0 and s1 up, the target answers through VLAN 5" 15 settled || return 1
	snap
	for b in $LIVE; do rec "$b s0 probes" "$(tagged $b 0)"; done

	mark cut
	tag_base 1
	for b in $LIVE; do cut $b 0 || return 1; done
	wait_all "s0's path cut: s1 active" 10 active_is 1 || return 1
	wait_all "s0 down" 5 mii_is 0 down || return 1
	base_replies 1
	wait_all "the target answers s1" 10 answered 1 2 || return 1
	snap
	for b in $LIVE; do rec "$b s1 probes" "$(tagged $b 1)"; done

	mark mend
	for b in $LIVE; do mend $b 0 || return 1; done
	wait_all "s0's path mends: s0 up" 10 mii_is 0 up || return 1
	snap
}

# --- 5: rotation through three slaves --------------------------------------------------------
# The watcher reads each unit's slaves' mii_status every 20 ms while the unit has no carrier and
# writes, per unit, the slaves seen "going back" in turn (the first 7) and how many times two
# were seen going back at once.
cat > $OUT/watch.py <<'EOF'
import sys, time
out, ready, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
bonds = {}
for spec in sys.argv[4:]:
    b, n = spec.split(":")
    bonds[b] = ["%ss%d" % (b, k) for k in range(int(n))]
seq = {b: [] for b in bonds}
both = {b: 0 for b in bonds}
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
        if len(back) > 1:
            both[b] += 1
        if back and (not seq[b] or seq[b][-1] != back[0]):
            seq[b].append(back[0])
    time.sleep(0.02)
with open(out, "w") as f:
    for b in bonds:
        f.write("%s %s; two at once: %d\n" % (b, " ".join(seq[b][:7]), both[b]))
EOF
scen_rotation() {
	local b i=50 pid
	unit ra $((++i)) 3 arp && unit rn $((++i)) 3 ns || return 1
	mark create
	for b in $LIVE; do bond $b active-backup $(targets $b 2) arp_validate all || return 1; done
	wait_all "s0 active, s0 s1 s2 up, the target answers" 15 settled || return 1
	snap

	mark cut
	rm -f $OUT/watch-ready
	python3 $OUT/watch.py $OUT/watch-$LABEL $OUT/watch-ready $(( 25 * ${RBOND_SLOW:-1} )) \
		$(for b in $LIVE; do echo $b:3; done) &
	pid=$!
	wait_for "$LABEL $SCEN: the watcher runs" 20 test -e $OUT/watch-ready
	for b in $LIVE; do cut $b 0 && cut $b 1 && cut $b 2 || return 1; done
	wait_all "all paths cut: no active slave" 15 no_active || return 1
	wait $pid
	for b in $LIVE; do rec "$b rotation" "$(sed -n "s/^$b //p" $OUT/watch-$LABEL)"; done
	snap rotating

	mark s2back
	for b in $LIVE; do mend $b 2 || return 1; done
	wait_all "s2's path mends: s2 active" 10 active_is 2 || return 1
	snap
	mark allback
	for b in $LIVE; do mend $b 0 && mend $b 1 || return 1; done
	wait_all "s0's path mends: s0 up" 10 mii_is 0 up || return 1
	wait_all "s1's path mends: s1 up" 10 mii_is 1 up || return 1
	snap
}

# --- 6: the solicited-node multicast addresses of NS targets on backups -----------------------
# mrec B: the state line, then each slave's solicited-node list and whole multicast list, and
# what ip -d link show says of ns_ip6_target.
mrec() {
	local s
	bstate mc
	rec "mc $STEP" "active=$B_ACT validate=$(cut -d' ' -f1 /sys/class/net/mc/bonding/arp_validate)"
	for s in mcs0 mcs1 mcs2; do
		rec "mc $STEP $s ns" "$(maddr_ns $s)"
		rec "mc $STEP $s all" "$(maddrs $s)"
	done
	rec "mc $STEP ns_ip6_target" "$(ip -j -d link show mc | jq -c '.[0].linkinfo.info_data.ns_ip6_target')"
	{ echo "== /proc/net/bonding/mc"; sed 1d /proc/net/bonding/mc; } > $OUT/$SCEN-$LABEL.d/mc-$STEP
}
scen_maddr() {
	local i=60
	unit mc $((++i)) 3 ns || return 1
	ip -n pmc addr add $(t6 mc 3)/64 dev br0 nodad && ip -n pmc addr add $(t6 mc 4)/64 dev br0 nodad || return 1
	STEP=none
	ENSLAVE=2 bond mc active-backup $(targets mc 2 3) arp_validate none || return 1
	wait_all "s0 active, s0 and s1 up, the targets answer" 15 settled || return 1
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
	SCEN=$1
	: > $OUT/$SCEN-$LABEL
	mkdir -p $OUT/$SCEN-$LABEL.d
	dmesg -C
	if scen_$SCEN; then pass "$LABEL: $SCEN ran to its end"; else fail "$LABEL: $SCEN ran to its end" "step: ${STEP:-}"; fi
	units_clean
	echo "# $LABEL: $SCEN took $((SECONDS - t)) s"
}
for LABEL in bonding $L2; do
	DRIVER=bonding
	[ $LABEL = rbond ] && DRIVER=rbond
	check "$LABEL: load $DRIVER" load_driver $DRIVER || continue
	for s in $SCENS; do run $s; done
	check "$LABEL: unload $DRIVER" unload_driver $DRIVER
done

# --- what bonding.ko does (the test's own premises, checked on its runs) ---------------------
# expect SCEN KEY GLOB: on each bonding.ko run, the value of KEY matches GLOB.
val() { sed -n "s/^$2: //p" $OUT/$1 2>/dev/null; }
expect() {
	local l v
	for l in bonding $L2; do
		[ $l = rbond ] && continue
		v=$(val $1-$l "$2")
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
for b in n0; do
	expect ab "$b create" "* ${b}s0[] ${b}s1[]"
	expect ab "$b s1back" "* ${b}s0[] ${b}s1[]"
done
for b in n1 n3 n4; do
	expect ab "$b create" "* ${b}s0[] ${b}s1[33:33:ff:00:00:02]"
	expect ab "$b s1back" "* ${b}s0[33:33:ff:00:00:02] ${b}s1[]"
	expect ab "$b always" "* ${b}s0[] ${b}s1[33:33:ff:00:00:02]"
done
for b in tany uany uall; do expect targets "$b t2gone" "active=${b}s0 carrier=up ${b}s0=up/0 ${b}s1=up/0*"; done
expect targets "tall t2gone" "active=None carrier=down *"
for b in tany uany; do expect targets "$b t1gone" "active=${b}s0 carrier=up ${b}s0=up/0 ${b}s1=up/0*"; done
for b in tall uall; do expect targets "$b t1gone" "active=None carrier=down *"; done
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
expect maddr "mc s1active mcs0 ns" "33:33:ff:00:00:02 33:33:ff:00:00:03"
expect maddr "mc s1active mcs1 ns" ""
expect maddr "mc newtargets mcs0 ns" "33:33:ff:00:00:03 33:33:ff:00:00:04"
expect maddr "mc s2enslaved mcs2 ns" "33:33:ff:00:00:03 33:33:ff:00:00:04"
expect maddr "mc s0released mcs0 ns" ""
expect maddr "mc validatenone mcs2 ns" ""

# --- the second run as bonding.ko's ------------------------------------------------------------
for s in $SCENS; do
	a=$OUT/$s-bonding z=$OUT/$s-$L2
	expect_eq "$s: $L2 recorded what bonding.ko did ($(wc -l < $a) results)" "$(cut -d: -f1 $z 2>&1)" "$(cut -d: -f1 $a 2>&1)"
	while IFS= read -r line; do
		key=${line%%: *} v=${line#*: }
		expect_eq "$s $key: $L2 as bonding.ko" "$(val $s-$L2 "$key")" "$v"
	done < $a
	for f in $a.d/*; do
		[ -e "$f" ] || continue
		n=$(basename $f)
		if out=$(diff -u $f $z.d/$n 2>&1); then pass "$s $n: the same /proc text and kernel log lines"
		else fail "$s $n: the same /proc text and kernel log lines" "$out"; fi
	done
done
finish
