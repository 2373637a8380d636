// SPDX-License-Identifier: GPL-2.0

//! balance-alb's receive load balancing: bond_alb.c's "rlb specific functions" and the rlb
//! steps of `bond_alb_monitor`, as a table with no kernel objects in it.
//!
//! Each client (a peer IP address the bond talks to) gets a slave, and the bond's ARP replies
//! to it carry that slave's MAC address, so its traffic to the bond arrives on that slave. The
//! table has 256 entries, indexed by the XOR of the client address's bytes (`_simple_hash`);
//! a new client whose hash collides with an older one replaces it, as in C. Used entries are
//! chained in a list (`used_next`), and entries are chained by the hash of their server
//! address too (`src_next`), so that a server address taken over by another host can be
//! purged. When clients must learn a new MAC ("need to transmit", `ntt`), the monitor sends
//! them ARP replies, after a delay and with retries.
//!
//! Slaves are keys (their ifindex); the caller passes the bond's slaves in list order when a
//! choice is to be made, and sends the ARP replies the table asks for.

use kernel::prelude::*;

/// `RLB_HASH_TABLE_SIZE`.
pub(crate) const TABLE_SIZE: usize = 256;
/// `RLB_NULL_INDEX`: the end of a list.
const NONE: u32 = 0xffff_ffff;
/// `RLB_UPDATE_DELAY`: monitor ticks (100 ms) before clients are updated.
pub(crate) const UPDATE_DELAY: u32 = 20;
/// `RLB_UPDATE_RETRY`: further rounds of updates after a slave goes or changes its MAC.
pub(crate) const UPDATE_RETRY: u32 = 3;

/// `ARPOP_REQUEST` and `ARPOP_REPLY`.
pub(crate) const ARPOP_REQUEST: u16 = 1;
pub(crate) const ARPOP_REPLY: u16 = 2;

/// The fields of an Ethernet/IPv4 ARP packet the table reads (`struct arp_pkt`). Addresses
/// are in network byte order, as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Arp {
    pub(crate) op: u16,
    pub(crate) mac_src: [u8; 6],
    pub(crate) ip_src: [u8; 4],
    pub(crate) mac_dst: [u8; 6],
    pub(crate) ip_dst: [u8; 4],
}

/// A slave as a choice sees it: the same as for the transmit table.
pub(crate) use super::tlb::Candidate;

/// The slaves a choice sees, in list order; walked once per choice.
pub(crate) trait Candidates: Iterator<Item = Candidate> + Clone {}

impl<I: Iterator<Item = Candidate> + Clone> Candidates for I {}

/// An update to a client (`rlb_update_client`): the caller sends `RLB_ARP_BURST_SIZE` (2) ARP
/// replies from `ip_src` through `slave` to the client `ip_dst` at `mac_dst`, with the
/// slave's own MAC as sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ClientUpdate {
    pub(crate) slave: u32,
    pub(crate) ip_src: [u8; 4],
    pub(crate) ip_dst: [u8; 4],
    pub(crate) mac_dst: [u8; 6],
    /// The VLAN the client was seen on, or 0.
    pub(crate) vlan_id: u16,
}

/// One client (`struct rlb_client_info`).
#[derive(Clone, Copy)]
struct Client {
    ip_src: [u8; 4],
    ip_dst: [u8; 4],
    mac_src: [u8; 6],
    mac_dst: [u8; 6],
    used_next: u32,
    used_prev: u32,
    src_next: u32,
    src_prev: u32,
    src_first: u32,
    assigned: bool,
    ntt: bool,
    slave: Option<u32>,
    vlan_id: u16,
}

impl Client {
    /// rlb_init_table_entry().
    const EMPTY: Client = Client {
        ip_src: [0; 4],
        ip_dst: [0; 4],
        mac_src: [0; 6],
        mac_dst: [0; 6],
        used_next: NONE,
        used_prev: NONE,
        src_next: NONE,
        src_prev: NONE,
        src_first: NONE,
        assigned: false,
        ntt: false,
        slave: None,
        vlan_id: 0,
    };

    /// The update this client would get, if it has a slave and a unicast MAC.
    fn update(&self) -> Option<ClientUpdate> {
        let slave = self.slave?;
        is_valid_ether_addr(&self.mac_dst).then_some(ClientUpdate {
            slave,
            ip_src: self.ip_src,
            ip_dst: self.ip_dst,
            mac_dst: self.mac_dst,
            vlan_id: self.vlan_id,
        })
    }
}

/// `_simple_hash()` of an IPv4 address: the XOR of its bytes.
pub(crate) fn simple_hash(ip: &[u8; 4]) -> u8 {
    ip.iter().fold(0, |h, b| h ^ b)
}

/// `is_valid_ether_addr()`: not multicast (nor broadcast) and not zero.
fn is_valid_ether_addr(mac: &[u8; 6]) -> bool {
    mac[0] & 1 == 0 && *mac != [0; 6]
}

/// The table and the bond-wide rlb state of `struct alb_bond_info`.
pub(crate) struct RxTable {
    /// [`TABLE_SIZE`] entries, by the client's hash.
    clients: KVec<Client>,
    used_head: u32,
    /// The slave last handed to a client (`rx_slave`), where the next choice starts.
    rx_slave: Option<u32>,
    /// Some client needs an update (`rx_ntt`).
    rx_ntt: bool,
    /// Monitor ticks to wait before updating (`rlb_update_delay_counter`).
    update_delay: u32,
    /// Update rounds still to repeat (`rlb_update_retry_counter`).
    update_retry: u32,
    /// Rebalance at the next tick (`rlb_rebalance`).
    rebalance_pending: bool,
}

impl RxTable {
    /// rlb_initialize().
    pub(crate) fn new(flags: kernel::alloc::Flags) -> Result<Self> {
        Ok(Self {
            clients: KVec::from_elem(Client::EMPTY, TABLE_SIZE, flags)?,
            used_head: NONE,
            rx_slave: None,
            rx_ntt: false,
            update_delay: 0,
            update_retry: 0,
            rebalance_pending: false,
        })
    }

    /// The used entries' indexes, in list order (newest first).
    fn used(&self) -> impl Iterator<Item = usize> + '_ {
        let mut index = self.used_head;
        core::iter::from_fn(move || {
            (index != NONE).then(|| {
                let i = index as usize;
                index = self.clients[i].used_next;
                i
            })
        })
    }

    /// __rlb_next_rx_slave(): the fastest slave that can transmit after the last one handed
    /// out, or if there is none faster than the fastest up to it, that one. Round robin among
    /// equals.
    pub(crate) fn next_rx_slave(&mut self, slaves: impl Iterator<Item = Candidate>) -> Option<u32> {
        let mut before: Option<Candidate> = None;
        let mut after: Option<Candidate> = None;
        let mut found = false;
        for s in slaves.filter(|s| s.can_tx) {
            if !found {
                if before.map_or(true, |b| b.speed < s.speed) {
                    before = Some(s);
                }
            } else if after.map_or(true, |a| a.speed < s.speed) {
                after = Some(s);
            }
            if Some(s.key) == self.rx_slave {
                found = true;
            }
        }
        let chosen = match (after, before) {
            (Some(a), Some(b)) if a.speed < b.speed => Some(b),
            (None, b) => b,
            (a, _) => a,
        };
        if let Some(c) = chosen {
            self.rx_slave = Some(c.key);
        }
        chosen.map(|c| c.key)
    }

    /// rlb_arp_recv(): an ARP arrived. Entries whose server address now belongs to another
    /// MAC are dropped; a reply to us records the client's MAC.
    pub(crate) fn arp_received(&mut self, arp: &Arp) {
        self.purge_src_ip(arp);
        if arp.op == ARPOP_REPLY {
            self.update_from_arp_reply(arp);
        }
    }

    /// rlb_update_entry_from_arp(): a client answered from a new MAC; it must be told its
    /// slave's MAC again.
    fn update_from_arp_reply(&mut self, arp: &Arp) {
        let c = &mut self.clients[usize::from(simple_hash(&arp.ip_src))];
        if c.assigned && c.ip_src == arp.ip_dst && c.ip_dst == arp.ip_src && c.mac_dst != arp.mac_src {
            c.mac_dst = arp.mac_src;
            c.ntt = true;
            self.rx_ntt = true;
        }
    }

    /// rlb_clear_slave()'s table part: the slave's clients go to other slaves (each to the
    /// next in turn) and are updated, with retries; with no slave left they have none.
    pub(crate) fn clear_slave(&mut self, key: u32, slaves: impl Candidates) {
        let mut index = self.used_head;
        while index != NONE {
            let i = index as usize;
            index = self.clients[i].used_next;
            if self.clients[i].slave != Some(key) {
                continue;
            }
            match self.next_rx_slave(slaves.clone()) {
                Some(next) => {
                    let c = &mut self.clients[i];
                    c.slave = Some(next);
                    if is_valid_ether_addr(&c.mac_dst) {
                        c.ntt = true;
                        self.rx_ntt = true;
                        self.update_retry = UPDATE_RETRY;
                    }
                }
                None => self.clients[i].slave = None,
            }
        }
    }

    /// rlb_update_rx_clients(): every client that needs it gets its update (through `send`);
    /// the need stays while retries remain. Further updates wait [`UPDATE_DELAY`] ticks.
    fn update_rx_clients(&mut self, send: &mut impl FnMut(&ClientUpdate)) {
        let mut index = self.used_head;
        while index != NONE {
            let c = &mut self.clients[index as usize];
            index = c.used_next;
            if c.ntt {
                if let Some(u) = c.update() {
                    send(&u);
                }
                if self.update_retry == 0 {
                    c.ntt = false;
                }
            }
        }
        self.update_delay = UPDATE_DELAY;
    }

    /// rlb_req_update_slave_clients(): the slave's MAC changed; its clients must learn it.
    pub(crate) fn req_update_slave_clients(&mut self, key: u32) {
        let mut ntt = false;
        let mut index = self.used_head;
        while index != NONE {
            let c = &mut self.clients[index as usize];
            index = c.used_next;
            if c.slave == Some(key) && is_valid_ether_addr(&c.mac_dst) {
                c.ntt = true;
                ntt = true;
            }
        }
        if ntt {
            self.rx_ntt = true;
            self.update_retry = UPDATE_RETRY;
        }
    }

    /// rlb_req_update_subnet_clients(): the bond broadcast an ARP request from `ip_src`, which
    /// taught every client the bond's own MAC; the clients of that address on other slaves
    /// must be told theirs again. `has_bond_mac(slave)` says whether the slave carries the
    /// bond's MAC. Returns how many clients had no slave (C logs each).
    fn req_update_subnet_clients(&mut self, ip_src: &[u8; 4], has_bond_mac: &impl Fn(u32) -> bool) -> usize {
        let mut orphans = 0;
        let mut index = self.used_head;
        while index != NONE {
            let c = &mut self.clients[index as usize];
            index = c.used_next;
            let Some(slave) = c.slave else {
                orphans += 1;
                continue;
            };
            if c.ip_src == *ip_src && !has_bond_mac(slave) && is_valid_ether_addr(&c.mac_dst) {
                c.ntt = true;
                self.rx_ntt = true;
            }
        }
        orphans
    }

    /// rlb_choose_channel(): the slave an ARP from the bond to a client leaves through, and
    /// the client's entry made or refreshed. An entry held by another client is taken over
    /// after that client is moved to the active slave and told so (through `send`).
    fn choose_channel(
        &mut self,
        arp: &Arp,
        vlan_id: u16,
        curr_active: Option<u32>,
        slaves: impl Candidates,
        send: &mut impl FnMut(&ClientUpdate),
    ) -> Option<u32> {
        let index = simple_hash(&arp.ip_dst);
        let i = usize::from(index);
        if self.clients[i].assigned {
            let c = &mut self.clients[i];
            if c.ip_src == arp.ip_src && c.ip_dst == arp.ip_dst {
                // Already this client's.
                if arp.mac_dst != [0xff; 6] {
                    c.mac_dst = arp.mac_dst;
                }
                c.mac_src = arp.mac_src;
                if let Some(slave) = c.slave {
                    return Some(slave);
                }
            } else if let Some(active) = curr_active {
                // Another client's: it goes to the active slave, then gives up the entry.
                if c.slave != Some(active) {
                    c.slave = Some(active);
                    if let Some(u) = c.update() {
                        send(&u);
                    }
                }
            }
        }
        let assigned = self.next_rx_slave(slaves)?;
        let c = self.clients[i];
        if !(c.assigned && c.ip_src == arp.ip_src) {
            // The server address changes: the entry moves to that address's chain.
            self.src_unlink(index);
            self.src_link(simple_hash(&arp.ip_src), index);
        }
        let c = &mut self.clients[i];
        c.ip_src = arp.ip_src;
        c.ip_dst = arp.ip_dst;
        // A request's target MAC is broadcast; the client's reply will give the real one.
        c.mac_dst = arp.mac_dst;
        c.mac_src = arp.mac_src;
        c.slave = Some(assigned);
        c.ntt = is_valid_ether_addr(&c.mac_dst);
        if c.ntt {
            self.rx_ntt = true;
        }
        c.vlan_id = vlan_id;
        if !c.assigned {
            c.assigned = true;
            c.used_next = self.used_head;
            if self.used_head != NONE {
                self.clients[self.used_head as usize].used_prev = u32::from(index);
            }
            self.used_head = u32::from(index);
        }
        Some(assigned)
    }

    /// rlb_arp_xmit()'s table part, for an ARP the bond itself sends: a reply leaves through
    /// its client's slave (the caller writes that slave's MAC as the sender); a request
    /// makes an entry for the client to come, delays updates, and marks the clients its
    /// broadcast misled. Other ARPs, and requests with no slave, go through the active slave
    /// (`None`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn arp_xmit(
        &mut self,
        arp: &Arp,
        vlan_id: u16,
        curr_active: Option<u32>,
        slaves: impl Candidates,
        has_bond_mac: &impl Fn(u32) -> bool,
        send: &mut impl FnMut(&ClientUpdate),
    ) -> (Option<u32>, usize) {
        match arp.op {
            ARPOP_REPLY => (self.choose_channel(arp, vlan_id, curr_active, slaves, send), 0),
            ARPOP_REQUEST => {
                let slave = self.choose_channel(arp, vlan_id, curr_active, slaves, send);
                self.update_delay = UPDATE_DELAY;
                (slave, self.req_update_subnet_clients(&arp.ip_src, has_bond_mac))
            }
            _ => (None, 0),
        }
    }

    /// rlb_rebalance(): every client is handed the next slave in turn, and updated if that
    /// changed its slave and its MAC is known.
    fn rebalance(&mut self, slaves: impl Candidates) {
        let mut ntt = false;
        let mut index = self.used_head;
        while index != NONE {
            let i = index as usize;
            index = self.clients[i].used_next;
            let Some(next) = self.next_rx_slave(slaves.clone()) else { continue };
            let c = &mut self.clients[i];
            if c.slave != Some(next) {
                c.slave = Some(next);
                if c.mac_dst != [0; 6] {
                    c.ntt = true;
                    ntt = true;
                }
            }
        }
        if ntt {
            self.rx_ntt = true;
        }
    }

    /// A slave joined or came up: rebalance at the next tick.
    pub(crate) fn request_rebalance(&mut self) {
        self.rebalance_pending = true;
    }

    /// Forget the slave last handed out (bond_alb_deinit_slave()).
    pub(crate) fn forget_rx_slave(&mut self) {
        self.rx_slave = None;
    }

    /// bond_alb_monitor()'s rlb steps, each 100 ms tick: a pending rebalance, then the
    /// updates, once the delay has run out, repeated while retries remain.
    pub(crate) fn tick(&mut self, slaves: impl Candidates, send: &mut impl FnMut(&ClientUpdate)) {
        if self.rebalance_pending {
            self.rebalance_pending = false;
            self.rebalance(slaves);
        }
        if !self.rx_ntt {
            return;
        }
        if self.update_delay > 0 {
            self.update_delay -= 1;
            return;
        }
        self.update_rx_clients(send);
        if self.update_retry > 0 {
            self.update_retry -= 1;
        } else {
            self.rx_ntt = false;
        }
    }

    /// rlb_delete_table_entry().
    fn delete_entry(&mut self, index: u8) {
        let i = usize::from(index);
        let (next, prev) = (self.clients[i].used_next, self.clients[i].used_prev);
        if u32::from(index) == self.used_head {
            self.used_head = next;
        }
        if prev != NONE {
            self.clients[prev as usize].used_next = next;
        }
        if next != NONE {
            self.clients[next as usize].used_prev = prev;
        }
        // rlb_init_table_entry_dst(): the addresses and `ntt` stay, as in C.
        let c = &mut self.clients[i];
        c.used_next = NONE;
        c.used_prev = NONE;
        c.assigned = false;
        c.slave = None;
        c.vlan_id = 0;
        self.src_unlink(index);
    }

    /// rlb_src_unlink().
    fn src_unlink(&mut self, index: u8) {
        let i = usize::from(index);
        let (next, prev) = (self.clients[i].src_next, self.clients[i].src_prev);
        self.clients[i].src_next = NONE;
        self.clients[i].src_prev = NONE;
        if next != NONE {
            self.clients[next as usize].src_prev = prev;
        }
        if prev == NONE {
            return;
        }
        let p = &mut self.clients[prev as usize];
        if p.src_first == u32::from(index) {
            p.src_first = next;
        } else {
            p.src_next = next;
        }
    }

    /// rlb_src_link(): entry `dst_hash` joins the chain of server-address hash `src_hash`.
    fn src_link(&mut self, src_hash: u8, dst_hash: u8) {
        let (s, d) = (usize::from(src_hash), usize::from(dst_hash));
        self.clients[d].src_prev = u32::from(src_hash);
        let next = self.clients[s].src_first;
        self.clients[d].src_next = next;
        if next != NONE {
            self.clients[next as usize].src_prev = u32::from(dst_hash);
        }
        self.clients[s].src_first = u32::from(dst_hash);
    }

    /// rlb_purge_src_ip(): entries for the ARP's sender address but another MAC go.
    fn purge_src_ip(&mut self, arp: &Arp) {
        let mut index = self.clients[usize::from(simple_hash(&arp.ip_src))].src_first;
        while index != NONE {
            let c = self.clients[index as usize];
            if c.ip_src == arp.ip_src && c.mac_src != arp.mac_src {
                self.delete_entry(index as u8);
            }
            index = c.src_next;
        }
    }

    /// rlb_clear_vlan(): the VLAN went from the bond; its clients go.
    pub(crate) fn clear_vlan(&mut self, vlan_id: u16) {
        let mut index = self.used_head;
        while index != NONE {
            let i = index as usize;
            index = self.clients[i].used_next;
            if self.clients[i].vlan_id == vlan_id {
                self.delete_entry(i as u8);
            }
        }
    }

    /// The used entries, newest first: server address, client address, client MAC and
    /// slave (bond_debug_rlb_hash_show()).
    pub(crate) fn for_each_client(&self, mut f: impl FnMut([u8; 4], [u8; 4], [u8; 6], Option<u32>)) {
        for i in self.used() {
            let c = &self.clients[i];
            f(c.ip_src, c.ip_dst, c.mac_dst, c.slave);
        }
    }
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_rlb)]
mod tests {
    use super::*;

    const BOND_IP: [u8; 4] = [10, 0, 0, 1];
    const BOND_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
    const BROADCAST: [u8; 6] = [0xff; 6];

    fn client_ip(n: u8) -> [u8; 4] {
        [10, 0, 0, 10 + n]
    }

    fn client_mac(n: u8) -> [u8; 6] {
        [0x02, 0, 0, 0, 1, n]
    }

    fn slaves(n: u32) -> KVec<Candidate> {
        let mut v = KVec::new();
        for key in 1..=n {
            v.push(Candidate { key, speed: 1000, can_tx: true }, GFP_KERNEL).unwrap();
        }
        v
    }

    fn table() -> KBox<RxTable> {
        KBox::new(RxTable::new(GFP_KERNEL).unwrap(), GFP_KERNEL).unwrap()
    }

    /// The bond answers client `n`'s request: the reply leaves through the client's slave.
    fn reply_to(t: &mut RxTable, n: u8, s: &[Candidate]) -> Option<u32> {
        let arp = Arp { op: ARPOP_REPLY, mac_src: BOND_MAC, ip_src: BOND_IP, mac_dst: client_mac(n), ip_dst: client_ip(n) };
        t.arp_xmit(&arp, 0, Some(1), s.iter().copied(), &|k| k == 1, &mut |_| panic!("no update expected")).0
    }

    fn run_ticks(t: &mut RxTable, s: &[Candidate], ticks: u32) -> KVec<ClientUpdate> {
        let mut sent = KVec::new();
        for _ in 0..ticks {
            t.tick(s.iter().copied(), &mut |u| sent.push(*u, GFP_KERNEL).unwrap());
        }
        sent
    }

    #[test]
    fn the_hash_is_the_xor_of_the_address_bytes() {
        assert_eq!(simple_hash(&[10, 0, 0, 11]), 10 ^ 11);
        assert_eq!(simple_hash(&[192, 168, 1, 1]), 192 ^ 168 ^ 1 ^ 1);
    }

    #[test]
    fn clients_get_the_slaves_in_turn_and_keep_them() {
        let s = slaves(3);
        let mut t = table();
        let got: [Option<u32>; 4] = [1, 2, 3, 4].map(|n| reply_to(&mut t, n, &s));
        assert_eq!(got, [Some(1), Some(2), Some(3), Some(1)]);
        // A second reply to a known client leaves where the first did.
        assert_eq!(reply_to(&mut t, 2, &s), Some(2));
        // The faster slave is preferred when the turn comes round.
        let mut mixed = slaves(3);
        mixed[1].speed = 10000;
        let mut t = table();
        assert_eq!([5, 6].map(|n| reply_to(&mut t, n, &mixed)), [Some(2), Some(2)]);
        // None can transmit: no slave, so the active slave carries it.
        let down: KVec<Candidate> = {
            let mut v = slaves(2);
            v[0].can_tx = false;
            v[1].can_tx = false;
            v
        };
        assert_eq!(reply_to(&mut table(), 1, &down), None);
    }

    #[test]
    fn a_request_waits_for_the_clients_reply_and_then_updates_it() {
        let s = slaves(2);
        let mut t = table();
        // Two clients known on slave 1 and 2. Each reply through a client's slave also asks
        // for an update (the client is told the slave's MAC again by the monitor): one round.
        reply_to(&mut t, 1, &s);
        reply_to(&mut t, 2, &s);
        assert_eq!(run_ticks(&mut t, &s, 1).len(), 2);
        assert!(run_ticks(&mut t, &s, 100).is_empty());
        // The bond broadcasts a request for client 3: every client learned the bond's MAC
        // from it, so client 2 (on slave 2, not the bond's MAC) must be told its own again.
        let req = Arp { op: ARPOP_REQUEST, mac_src: BOND_MAC, ip_src: BOND_IP, mac_dst: BROADCAST, ip_dst: client_ip(3) };
        let (slave, orphans) = t.arp_xmit(&req, 0, Some(1), s.iter().copied(), &|k| k == 1, &mut |_| panic!());
        assert_eq!((slave, orphans), (Some(1), 0));
        // Client 3 answers from its MAC: its entry learns it and needs an update too.
        t.arp_received(&Arp { op: ARPOP_REPLY, mac_src: client_mac(3), ip_src: client_ip(3), mac_dst: BOND_MAC, ip_dst: BOND_IP });
        // Nothing before the delay of 2 s (20 ticks), then one round.
        assert!(run_ticks(&mut t, &s, UPDATE_DELAY).is_empty());
        let sent = run_ticks(&mut t, &s, 1);
        let mut to: KVec<([u8; 4], u32)> = KVec::new();
        for u in sent.iter() {
            assert_eq!(u.ip_src, BOND_IP);
            to.push((u.ip_dst, u.slave), GFP_KERNEL).unwrap();
        }
        assert_eq!(&to[..], &[(client_ip(3), 1), (client_ip(2), 2)]);
        // With no retries pending, that was all.
        assert!(run_ticks(&mut t, &s, 100).is_empty());
    }

    #[test]
    fn a_cleared_slave_hands_its_clients_on_with_retries() {
        let mut s = slaves(2);
        let mut t = table();
        for n in 1..=4 {
            reply_to(&mut t, n, &s);
        }
        assert_eq!(run_ticks(&mut t, &s, 100).len(), 4);
        // Slave 2 fails: its clients (2 and 4) go to slave 1 and are updated once the delay
        // since the last round is over, then 3 times more (rlb_update_retry_counter), each
        // round 2 s after the last.
        s[1].can_tx = false;
        t.clear_slave(2, s.iter().copied());
        let sent = run_ticks(&mut t, &s, 200);
        assert_eq!(sent.len(), 2 * (1 + UPDATE_RETRY as usize));
        assert!(sent.iter().all(|u| u.slave == 1));
        let mut owners: KVec<([u8; 4], Option<u32>)> = KVec::new();
        t.for_each_client(|_, ip, _, slave| owners.push((ip, slave), GFP_KERNEL).unwrap());
        assert!(owners.iter().all(|(_, slave)| *slave == Some(1)));
        assert_eq!(owners.len(), 4);
        // No slave left: the clients have none.
        s[0].can_tx = false;
        t.clear_slave(1, s.iter().copied());
        let mut none = 0;
        t.for_each_client(|_, _, _, slave| none += usize::from(slave.is_none()));
        assert_eq!(none, 4);
    }

    #[test]
    fn a_colliding_client_takes_the_entry_and_the_old_one_goes_to_the_active_slave() {
        let s = slaves(3);
        let mut t = table();
        reply_to(&mut t, 1, &s); // 10.0.0.11 -> slave 1
        reply_to(&mut t, 2, &s); // 10.0.0.12 -> slave 2
        // 10.0.1.13 hashes like 10.0.0.12 (10^1^13 == 10^12).
        let other = [10, 0, 1, 13];
        assert_eq!(simple_hash(&other), simple_hash(&client_ip(2)));
        let arp = Arp { op: ARPOP_REPLY, mac_src: BOND_MAC, ip_src: BOND_IP, mac_dst: [0x02, 0, 0, 0, 2, 1], ip_dst: other };
        let mut moved = KVec::new();
        let (slave, _) = t.arp_xmit(&arp, 0, Some(1), s.iter().copied(), &|k| k == 1, &mut |u| moved.push(*u, GFP_KERNEL).unwrap());
        // The old client was told the active slave's MAC; the new one gets the next slave.
        assert_eq!(moved.len(), 1);
        assert_eq!((moved[0].ip_dst, moved[0].slave), (client_ip(2), 1));
        assert_eq!(slave, Some(3));
        let mut clients = 0;
        t.for_each_client(|_, _, _, _| clients += 1);
        assert_eq!(clients, 2);
    }

    #[test]
    fn an_address_taken_by_another_host_and_a_removed_vlan_purge_entries() {
        let s = slaves(2);
        let mut t = table();
        reply_to(&mut t, 1, &s);
        let on_vlan = Arp { op: ARPOP_REPLY, mac_src: BOND_MAC, ip_src: BOND_IP, mac_dst: client_mac(2), ip_dst: client_ip(2) };
        t.arp_xmit(&on_vlan, 5, Some(1), s.iter().copied(), &|k| k == 1, &mut |_| {});
        t.clear_vlan(5);
        let mut left: KVec<[u8; 4]> = KVec::new();
        t.for_each_client(|_, ip, _, _| left.push(ip, GFP_KERNEL).unwrap());
        assert_eq!(&left[..], &[client_ip(1)]);
        // Another host now answers for the bond's address: entries from it go.
        t.arp_received(&Arp { op: ARPOP_REQUEST, mac_src: [0x02, 9, 9, 9, 9, 9], ip_src: BOND_IP, mac_dst: [0; 6], ip_dst: client_ip(1) });
        let mut count = 0;
        t.for_each_client(|_, _, _, _| count += 1);
        assert_eq!(count, 0);
        // The same host with the bond's MAC purges nothing.
        reply_to(&mut t, 1, &s);
        t.arp_received(&Arp { op: ARPOP_REQUEST, mac_src: BOND_MAC, ip_src: BOND_IP, mac_dst: [0; 6], ip_dst: client_ip(1) });
        t.for_each_client(|_, _, _, _| count += 1);
        assert_eq!(count, 1);
    }

    #[test]
    fn a_slave_with_a_new_mac_has_its_clients_updated() {
        let s = slaves(2);
        let mut t = table();
        for n in 1..=3 {
            reply_to(&mut t, n, &s);
        }
        assert_eq!(run_ticks(&mut t, &s, 100).len(), 3);
        // Slave 1's MAC changed (alb_swap_mac_addr()): clients 1 and 3 are told, with retries.
        t.req_update_slave_clients(1);
        let sent = run_ticks(&mut t, &s, 200);
        assert_eq!(sent.len(), 2 * (1 + UPDATE_RETRY as usize));
        assert!(sent.iter().all(|u| u.slave == 1 && u.ip_dst != client_ip(2)));
        // Forgetting the last slave handed out starts the turn from the fastest again.
        t.forget_rx_slave();
        assert_eq!(reply_to(&mut t, 4, &s), Some(1));
    }

    #[test]
    fn a_requested_rebalance_moves_clients_and_updates_them() {
        let mut s = slaves(2);
        s[1].can_tx = false;
        let mut t = table();
        for n in 1..=4 {
            reply_to(&mut t, n, &s);
        }
        assert_eq!(run_ticks(&mut t, &s, 100).len(), 4);
        // Slave 2 comes up: at the next tick the clients alternate again, and the two that
        // moved are told.
        s[1].can_tx = true;
        t.request_rebalance();
        let sent = run_ticks(&mut t, &s, 100);
        let mut on_two = 0;
        t.for_each_client(|_, _, _, slave| on_two += usize::from(slave == Some(2)));
        assert_eq!(on_two, 2);
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|u| u.slave == 2));
    }
}
