# 802.3ad against LACP implementations rbond did not write, each started for real in the peer
# namespace over 4 veth pairs:
#   - teamd's LACP runner (libteam-utils) on a team device: both sides report the same
#     aggregation, rbond in /proc and teamd in `teamdctl team0 state dump`;
#   - Open vSwitch (openvswitch-switch, ovsdb-server and ovs-vswitchd started by hand with
#     their database in /tmp): an OVS bond with lacp=active and bond_mode=balance-tcp;
#     `ovs-appctl lacp/show` shows rbond as the negotiated partner.
# In both, traffic crosses both ways and a cut port leaves and rejoins on both sides.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/partners
mkdir -p $OUT
N=4

# topo: veth s0..s3 here, p0..p3 in namespace "peer"; bond0 (rbond, 802.3ad, fast) over s*.
topo() {
	local i
	load_kmod veth && load_rbond max_bonds=0 || return 1
	ip netns add peer || return 1
	for i in $(seq 0 $((N - 1))); do
		ip link add s$i type veth peer name p$i && ip link set p$i netns peer || return 1
	done
	ip link add bond0 type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4 || return 1
	for i in $(seq 0 $((N - 1))); do ip link set s$i master bond0 || return 1; done
	ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0
}

topo_clean_all() {
	ip link del bond0 2>/dev/null
	for i in $(seq 0 $((N - 1))); do ip link del s$i 2>/dev/null; done
	ip netns del peer 2>/dev/null
	true
}

bond_partner_mac() { sed -n 's/^\tPartner Mac Address: //p' /proc/net/bonding/bond0; }
bond_actor_key() { sed -n 's/^\tActor Key: //p' /proc/net/bonding/bond0; }

# cut_and_mend PORT LEFT REJOINED: takes the peer's PORT down until LEFT succeeds, then up
# until REJOINED does.
cut_and_mend() {
	local who=$1
	ip -n peer link set p1 down
	wait_for "$who: s1 leaves the aggregator" 15 aggregated root bond0 s 3
	check "$who: traffic still crosses" ping -c 3 -i 0.2 -W 1 10.9.0.2
	ip -n peer link set p1 up
	wait_for "$who: s1 rejoins the aggregator" 30 aggregated root bond0 s 4
}

# --- teamd --------------------------------------------------------------------------------
team_json() { ip netns exec peer teamdctl team0 state dump; }
# team_selected COUNT: COUNT ports of team0 are selected, in one aggregator, in state current.
team_selected() {
	local json=$(team_json)
	[ "$(echo "$json" | jq '[.ports[] | select(.runner.selected and .runner.state == "current")] | length')" = "$1" ] &&
		[ "$(echo "$json" | jq '[.ports[] | select(.runner.selected) | .runner.aggregator.id] | unique | length')" = 1 ]
}

teamd_up() {
	topo || return 1
	load_kmod team && load_kmod team_mode_loadbalance || return 1
	local ports=$(for i in $(seq 0 $((N - 1))); do printf '"p%d": {},' $i; done)
	ip netns exec peer teamd -d -t team0 -c "{\"device\": \"team0\",
		\"runner\": {\"name\": \"lacp\", \"active\": true, \"fast_rate\": true,
			\"tx_hash\": [\"eth\", \"ipv4\", \"l4\"]},
		\"link_watch\": {\"name\": \"ethtool\"}, \"ports\": {${ports%,}}}" || return 1
	ip -n peer link set team0 up && ip -n peer addr add 10.9.0.2/24 dev team0
}

teamd_partner() {
	if ! check "teamd: its LACP runner on 4 ports in the peer, rbond here" teamd_up; then
		topo_clean_all; unload_driver rbond; return 1
	fi
	wait_for "teamd: rbond aggregates all 4 ports" 30 aggregated root bond0 s 4
	wait_for "teamd: teamd selects all 4 ports, in one aggregator" 30 team_selected 4
	local json=$(team_json) team_mac=$(ip netns exec peer cat /sys/class/net/team0/address)
	local bond_mac=$(cat /sys/class/net/bond0/address)
	echo "$json" > $OUT/teamd-state.json
	expect_eq "teamd: rbond's partner is the team device" "$(bond_partner_mac)" "$team_mac"
	expect_eq "teamd: teamd's partner is the bond" \
		"$(echo "$json" | jq -r '[.ports[].runner.partner_lacpdu_info.system] | unique | .[]')" "$bond_mac"
	expect_eq "teamd: teamd records rbond's key" \
		"$(echo "$json" | jq -r '[.ports[].runner.partner_lacpdu_info.key] | unique | .[]')" "$(bond_actor_key)"
	expect_eq "teamd: rbond records teamd's key" \
		"$(sed -n 's/^\tPartner Key: //p' /proc/net/bonding/bond0)" \
		"$(echo "$json" | jq -r '[.ports[].runner.actor_lacpdu_info.key] | unique | .[]')"
	check "teamd: the team answers" ping -c 3 -i 0.2 -W 1 10.9.0.2
	check "teamd: the team reaches the bond" ip netns exec peer ping -c 3 -i 0.2 -W 1 10.9.0.1
	cut_and_mend teamd
	wait_for "teamd: teamd selects all 4 ports again" 30 team_selected 4
	ip netns exec peer teamd -t team0 -k 2>/dev/null
	topo_clean_all
	unload_driver rbond
}

# --- Open vSwitch ---------------------------------------------------------------------------
OVS=/tmp/ovs
export OVS_RUNDIR=$OVS OVS_LOGDIR=$OVS OVS_DBDIR=$OVS
ovs() { ip netns exec peer env OVS_RUNDIR=$OVS "$@"; }
vsctl() { ovs ovs-vsctl --db=unix:$OVS/db.sock "$@"; }

ovs_up() {
	topo || return 1
	load_kmod openvswitch || return 1
	mkdir -p $OVS
	ovsdb-tool create $OVS/conf.db /usr/share/openvswitch/vswitch.ovsschema || return 1
	ovs ovsdb-server $OVS/conf.db --remote=punix:$OVS/db.sock --pidfile=$OVS/ovsdb-server.pid \
		--detach --log-file=$OVS/ovsdb-server.log || return 1
	vsctl --no-wait init || return 1
	ovs ovs-vswitchd unix:$OVS/db.sock --pidfile=$OVS/ovs-vswitchd.pid --detach \
		--log-file=$OVS/ovs-vswitchd.log || return 1
	vsctl add-br br0 || return 1
	vsctl add-bond br0 bond0 p0 p1 p2 p3 lacp=active bond_mode=balance-tcp \
		other_config:lacp-time=fast || return 1
	local i
	for i in $(seq 0 $((N - 1))); do ip -n peer link set p$i up; done
	ip -n peer link set br0 up && ip -n peer addr add 10.9.0.2/24 dev br0
}

lacp_show() { ovs ovs-appctl -t $OVS/ovs-vswitchd.$(cat $OVS/ovs-vswitchd.pid).ctl lacp/show bond0; }
# ovs_negotiated COUNT: OVS's bond negotiated, with COUNT members current and attached.
ovs_negotiated() {
	local show=$(lacp_show)
	echo "$show" | grep -q 'status: active negotiated' &&
		[ "$(echo "$show" | grep -c '^\(member\|slave\): .*current attached')" = "$1" ]
}

ovs_partner() {
	if ! check "Open vSwitch: ovsdb-server and ovs-vswitchd in the peer, a bond with lacp=active" ovs_up; then
		cat $OVS/*.log 2>/dev/null | tail -20 | sed 's/^/# /'
		topo_clean_all; unload_driver rbond; return 1
	fi
	wait_for "Open vSwitch: rbond aggregates all 4 ports" 40 aggregated root bond0 s 4
	wait_for "Open vSwitch: the OVS bond is negotiated with 4 members attached" 40 ovs_negotiated 4
	local show=$(lacp_show) bond_mac=$(cat /sys/class/net/bond0/address)
	echo "$show" > $OUT/ovs-lacp-show
	check "Open vSwitch: its partner is rbond's system ($bond_mac)" \
		sh -c "echo '$show' | grep -q 'partner sys_id.*$bond_mac'"
	check "Open vSwitch: traffic reaches the OVS bridge" ping -c 3 -i 0.2 -W 1 10.9.0.2
	check "Open vSwitch: the bridge reaches the bond" ip netns exec peer ping -c 3 -i 0.2 -W 1 10.9.0.1
	cut_and_mend "Open vSwitch"
	wait_for "Open vSwitch: all 4 members attached again" 40 ovs_negotiated 4
	ovs ovs-appctl -t $OVS/ovs-vswitchd.$(cat $OVS/ovs-vswitchd.pid).ctl exit 2>/dev/null
	kill $(cat $OVS/ovsdb-server.pid) 2>/dev/null
	topo_clean_all
	unload_driver rbond
}

teamd_partner
ovs_partner
finish
