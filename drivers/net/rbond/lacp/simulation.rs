// SPDX-License-Identifier: GPL-2.0

//! KUnit: two bonds' 802.3ad states joined port to port by simulated wires, run tick by
//! tick. The aggregation forms, survives a cut, chooses by `ad_select`, and follows the
//! timeline bonding.ko's code gives (Documentation/networking/rbond-3ad-reference.md 3.8).

use super::engine::{AdSelect, Config, Env, Flags, Lacp, Log};
use super::pdu::Lacpdu;
use super::port::{state, MuxState, PeriodicState, RxState, SlaveLink};
use kernel::prelude::*;

const GIGABIT: SlaveLink = SlaveLink { up: true, running: true, speed: 1000, duplex: 1 };

/// One slave as the fake driver keeps it.
struct FakeSlave {
    key: u32,
    link: SlaveLink,
    backup: bool,
    inactive: bool,
}

/// One bond's side of the simulation.
struct Side {
    lacp: Lacp,
    cfg: Config,
    slaves: KVec<FakeSlave>,
    outbox: KVec<(u32, Lacpdu)>,
    carrier: bool,
    logs: KVec<Log>,
    sent: u32,
}

impl Side {
    fn slave(&self, key: u32) -> &FakeSlave {
        self.slaves.iter().find(|s| s.key == key).expect("known slave")
    }

    fn slave_mut(&mut self, key: u32) -> &mut FakeSlave {
        self.slaves.iter_mut().find(|s| s.key == key).expect("known slave")
    }
}

impl Env for Side {
    fn config(&self) -> Config {
        self.cfg
    }
    fn link(&self, key: u32) -> SlaveLink {
        self.slave(key).link
    }
    fn is_active(&self, key: u32) -> bool {
        !self.slave(key).backup
    }
    fn set_flags(&mut self, key: u32, flags: Flags) {
        let s = self.slave_mut(key);
        match flags {
            Flags::Active => (s.backup, s.inactive) = (false, false),
            Flags::Inactive => (s.backup, s.inactive) = (true, true),
            Flags::TxDisabled => s.backup = true,
        }
    }
    fn send(&mut self, key: u32, pdu: &Lacpdu) -> bool {
        self.sent += 1;
        self.outbox.push((key, *pdu), GFP_KERNEL).is_ok()
    }
    fn carrier_ok(&self) -> bool {
        self.carrier
    }
    fn set_carrier(&mut self, on: bool) {
        self.carrier = on;
    }
    fn log(&mut self, _key: Option<u32>, event: Log) {
        let _ = self.logs.push(event, GFP_KERNEL);
    }
}

const FAST: Config = Config {
    ad_select: AdSelect::Stable,
    coupled_control: true,
    lacp_active: true,
    lacp_fast: true,
    min_links: 0,
    user_port_key: 0,
};

/// A bond of system `id` with slaves 1..=`n` (`bond_open()` after enslaving: selection at
/// the first tick).
fn side(id: u8, n: u32, cfg: Config) -> Side {
    let mut s = Side {
        lacp: Lacp::new(),
        cfg,
        slaves: KVec::new(),
        outbox: KVec::new(),
        carrier: false,
        logs: KVec::new(),
        sent: 0,
    };
    let system = [0x02, 0, 0, 0, 0, id];
    for key in 1..=n {
        s.slaves.push(FakeSlave { key, link: GIGABIT, backup: false, inactive: false }, GFP_KERNEL).unwrap();
        let mut lacp = core::mem::replace(&mut s.lacp, Lacp::new());
        if key == 1 {
            lacp.initialize(0xffff, system);
        }
        lacp.bind(key, system, &mut s).unwrap();
        s.lacp = lacp;
    }
    s.lacp.initiate_agg_selection(1);
    s
}

/// A wire between slave `ends[0].1` of side `ends[0].0` and slave `ends[1].1` of side
/// `ends[1].0`; a cut wire carries nothing.
struct Wire {
    ends: [(usize, u32); 2],
    cut: bool,
}

/// Bonds joined by wires.
struct Net {
    sides: KVec<Side>,
    wires: KVec<Wire>,
}

impl Net {
    /// Two bonds whose slaves `k` are joined.
    fn pair(a: Side, b: Side) -> Self {
        let mut net = Net { sides: KVec::new(), wires: KVec::new() };
        for k in a.slaves.iter().map(|s| s.key).filter(|k| b.slaves.iter().any(|s| s.key == *k)) {
            net.wires.push(Wire { ends: [(0, k), (1, k)], cut: false }, GFP_KERNEL).unwrap();
        }
        net.sides.push(a, GFP_KERNEL).unwrap();
        net.sides.push(b, GFP_KERNEL).unwrap();
        net
    }

    fn a(&self) -> &Side {
        &self.sides[0]
    }

    fn b(&self) -> &Side {
        &self.sides[1]
    }

    /// Runs `ticks` ticks of every side, delivering the LACPDUs over the wires.
    fn run(&mut self, ticks: u32) {
        for _ in 0..ticks {
            for s in self.sides.iter_mut() {
                tick(s);
            }
            for from in 0..self.sides.len() {
                let out = core::mem::take(&mut self.sides[from].outbox);
                for (key, pdu) in out.iter() {
                    let Some(w) = self.wires.iter().find(|w| w.ends.iter().any(|e| *e == (from, *key))) else {
                        continue;
                    };
                    if w.cut {
                        continue;
                    }
                    let (to, to_key) = if w.ends[0] == (from, *key) { w.ends[1] } else { w.ends[0] };
                    rx(&mut self.sides[to], to_key, pdu);
                }
            }
        }
    }

    /// Silences wire `key` of a pair, leaving the links up (a partner that stops sending).
    fn silence(&mut self, key: u32) {
        for w in self.wires.iter_mut().filter(|w| w.ends[0].1 == key) {
            w.cut = true;
        }
    }

    /// Cuts wire `key` of a pair: carrier lost on both ends, as the MII monitor sees it.
    fn cut(&mut self, key: u32) {
        self.silence(key);
        for s in self.sides.iter_mut() {
            s.slave_mut(key).link = SlaveLink { up: false, running: false, ..GIGABIT };
            with_lacp(s, |lacp, s| lacp.link_change(key, false, s));
        }
    }

    /// Joins wire `key` of a pair again.
    fn mend(&mut self, key: u32) {
        for w in self.wires.iter_mut().filter(|w| w.ends[0].1 == key) {
            w.cut = false;
        }
        for s in self.sides.iter_mut() {
            s.slave_mut(key).link = GIGABIT;
            with_lacp(s, |lacp, s| lacp.link_change(key, true, s));
        }
    }
}

/// Runs `f` on a side's state with the side as its environment.
fn with_lacp<R>(s: &mut Side, f: impl FnOnce(&mut Lacp, &mut Side) -> R) -> R {
    let mut lacp = core::mem::replace(&mut s.lacp, Lacp::new());
    let r = f(&mut lacp, s);
    s.lacp = lacp;
    r
}

/// The fake driver forgets slave `key` (after unbinding it).
fn remove_slave(s: &mut Side, key: u32) {
    if let Some(i) = s.slaves.iter().position(|x| x.key == key) {
        let _ = s.slaves.remove(i);
    }
}

fn tick(s: &mut Side) {
    with_lacp(s, |lacp, s| lacp.tick(s));
}

fn rx(s: &mut Side, key: u32, pdu: &Lacpdu) {
    with_lacp(s, |lacp, s| lacp.rx_lacpdu(key, pdu, s));
}

/// `true` if every slave of `s` in `keys` is collecting and distributing.
fn distributing(s: &Side, keys: &[u32]) -> bool {
    keys.iter().all(|&k| {
        let m = &s.lacp.members[s.lacp.find(k).unwrap()];
        m.port.sm_mux_state == MuxState::CollectingDistributing
            && m.port.actor_has(state::COLLECTING | state::DISTRIBUTING | state::SYNCHRONIZATION)
            && !s.slave(k).backup
            && !s.slave(k).inactive
    })
}

fn port(s: &Side, key: u32) -> &super::port::Port {
    &s.lacp.members[s.lacp.find(key).unwrap()].port
}

#[kunit_tests(rbond_lacp)]
mod tests {
    use super::*;

    #[test]
    fn two_bonds_aggregate_all_their_ports() {
        let mut w = Net::pair(side(1, 3, FAST), side(2, 3, FAST));
        w.run(60);
        for s in [w.a(), w.b()] {
            assert!(distributing(s, &[1, 2, 3]));
            let info = s.lacp.active_agg_info().expect("an active aggregator");
            assert_eq!(info.ports, 3);
            assert_eq!(info.actor_key, 9);
            assert!(s.carrier);
            // One aggregator for all three.
            let first = s.lacp.aggregator_of(1);
            assert!(first.is_some());
            assert!((2..=3).all(|k| s.lacp.aggregator_of(k) == first));
            assert!(s.logs.is_empty());
        }
        assert_eq!(w.a().lacp.active_agg_info().unwrap().partner_system, [0x02, 0, 0, 0, 0, 2]);
        assert_eq!(port(w.b(), 2).partner_oper.port, 2);
        assert_eq!(port(w.a(), 1).sm_rx_state, RxState::Current);
    }

    #[test]
    fn a_cut_port_leaves_and_rejoins() {
        let mut w = Net::pair(side(1, 3, FAST), side(2, 3, FAST));
        w.run(60);
        w.cut(2);
        w.run(10);
        for s in [w.a(), w.b()] {
            assert!(distributing(s, &[1, 3]));
            assert!(s.slave(2).backup && s.slave(2).inactive);
            assert_eq!(s.lacp.active_agg_info().unwrap().ports, 2);
        }
        w.mend(2);
        w.run(60);
        for s in [w.a(), w.b()] {
            assert!(distributing(s, &[1, 2, 3]));
            assert_eq!(s.lacp.active_agg_info().unwrap().ports, 3);
        }
    }

    #[test]
    fn a_silent_partner_expires_and_the_port_stops_distributing() {
        let mut w = Net::pair(side(1, 2, FAST), side(2, 2, FAST));
        w.run(60);
        // The wire stays up but carries nothing (a partner that stopped sending).
        w.silence(2);
        w.run(31);
        assert_eq!(port(w.a(), 2).sm_rx_state, RxState::Expired);
        w.run(30);
        assert_eq!(port(w.a(), 2).sm_rx_state, RxState::Defaulted);
        w.run(10);
        assert!(distributing(w.a(), &[1]));
        assert!(w.a().slave(2).backup); // no longer distributing
        assert_ne!(w.a().lacp.aggregator_of(2), w.a().lacp.aggregator_of(1));
    }

    #[test]
    fn the_first_selection_waits_for_its_timer() {
        // Enslaved into a bond that is up: bond_3ad_initialize()'s 8 s stand.
        let mut a = side(1, 1, FAST);
        a.lacp.initiate_agg_selection(80);
        let mut w = Net::pair(a, side(2, 1, FAST));
        w.run(1);
        // Tick 1: no partner yet, so the lone aggregator is active and its port enabled.
        assert!(!w.a().slave(1).backup && w.a().carrier);
        w.run(70);
        assert_eq!(port(w.a(), 1).sm_mux_state, MuxState::Attached);
        assert!(w.a().slave(1).backup); // attached to a partnered aggregator: disabled
        w.run(9);
        assert!(distributing(w.a(), &[1])); // tick 80: the selection timer ran out
    }

    #[test]
    fn min_links_holds_the_carrier_down() {
        let mut w = Net::pair(side(1, 2, Config { min_links: 2, ..FAST }), side(2, 2, FAST));
        w.run(60);
        assert!(w.a().carrier);
        w.cut(1);
        assert!(!w.a().carrier);
        w.mend(1);
        assert!(w.a().carrier);
    }

    #[test]
    fn ad_select_chooses_between_two_partners() {
        // Bond 1's slaves 1 and 2 reach bond 2; its slave 3, at 10 Gb/s, reaches bond 3.
        let ten_g = SlaveLink { speed: 10000, ..GIGABIT };
        for (select, winner) in [(AdSelect::Bandwidth, 3u32), (AdSelect::Count, 1)] {
            let cfg = Config { ad_select: select, ..FAST };
            let mut a = side(1, 3, cfg);
            a.slave_mut(3).link = ten_g;
            with_lacp(&mut a, |lacp, s| lacp.speed_duplex_changed(3, s));
            let mut c = side(3, 1, cfg);
            c.slave_mut(1).link = ten_g;
            with_lacp(&mut c, |lacp, s| lacp.speed_duplex_changed(1, s));
            let mut w = Net::pair(a, side(2, 2, cfg));
            w.sides.push(c, GFP_KERNEL).unwrap();
            w.wires.push(Wire { ends: [(0, 3), (2, 1)], cut: false }, GFP_KERNEL).unwrap();
            w.run(60);
            let active = w.a().lacp.active_agg_info().unwrap();
            assert_eq!(Some(active.aggregator_id), w.a().lacp.aggregator_of(winner)); // per ad_select
            assert_ne!(w.a().lacp.aggregator_of(1), w.a().lacp.aggregator_of(3));
            assert_eq!(w.a().lacp.aggregator_of(1), w.a().lacp.aggregator_of(2));
            if winner == 3 {
                assert!(distributing(w.a(), &[3]) && w.a().slave(1).backup);
            } else {
                assert!(distributing(w.a(), &[1, 2]) && w.a().slave(3).backup);
            }
        }
    }

    #[test]
    fn passive_partners_speak_only_when_spoken_to() {
        // lacp_rate slow: a partner's information lasts 90 s.
        let passive = Config { lacp_active: false, lacp_fast: false, ..FAST };
        let mut w = Net::pair(side(1, 2, passive), side(2, 2, passive));
        w.run(100);
        for s in [w.a(), w.b()] {
            for k in 1..=2 {
                assert_eq!(port(s, k).sm_periodic_state, PeriodicState::NoPeriodic);
            }
        }
        // No periodic LACPDUs: only those state changes called for, which aggregated them.
        let before = w.a().sent + w.b().sent;
        w.run(300);
        assert_eq!(w.a().sent + w.b().sent, before);
        assert!(distributing(w.a(), &[1, 2]) && distributing(w.b(), &[1, 2]));
        // An active partner gets them going.
        let mut w = Net::pair(side(1, 2, passive), side(2, 2, FAST));
        w.run(60);
        assert!(distributing(w.a(), &[1, 2]) && distributing(w.b(), &[1, 2]));
        assert_eq!(port(w.a(), 1).sm_periodic_state, PeriodicState::Fast);
    }

    #[test]
    fn independent_control_collects_before_distributing() {
        let cfg = Config { coupled_control: false, ..FAST };
        let mut w = Net::pair(side(1, 2, cfg), side(2, 2, cfg));
        w.run(60);
        for s in [w.a(), w.b()] {
            for k in 1..=2 {
                assert_eq!(port(s, k).sm_mux_state, MuxState::Distributing);
                assert!(!s.slave(k).backup);
            }
        }
    }

    #[test]
    fn releasing_slaves_keeps_the_aggregation() {
        let mut w = Net::pair(side(1, 3, FAST), side(2, 3, FAST));
        w.run(60);
        // The first slave owns the aggregator: its ports move to a free one.
        with_lacp(&mut w.sides[0], |lacp, s| lacp.unbind(1, s));
        remove_slave(&mut w.sides[0], 1);
        w.silence(1);
        assert_eq!(w.a().outbox.last().map(|(k, p)| (*k, p.actor.state & state::AGGREGATION)), Some((1, 0)));
        w.run(40);
        assert_eq!(w.a().lacp.members.len(), 2);
        assert!(distributing(w.a(), &[2, 3]));
        assert_eq!(w.a().lacp.active_agg_info().unwrap().ports, 2);
        with_lacp(&mut w.sides[0], |lacp, s| lacp.unbind(3, s));
        remove_slave(&mut w.sides[0], 3);
        w.silence(3);
        w.run(10);
        assert!(distributing(w.a(), &[2]));
        for m in w.a().lacp.members.iter() {
            assert!(m.port.aggregator.map_or(true, |a| a < w.a().lacp.members.len()));
        }
    }

    #[test]
    fn at_most_three_lacpdus_a_second_per_port() {
        let mut w = Net::pair(side(1, 2, FAST), side(2, 2, FAST));
        w.run(600);
        // Fast rate: about one a second per port once settled, never above three a second.
        assert!(w.a().sent <= 3 * 60 * 2);
        assert!(w.a().sent >= 100);
    }
}
