// SPDX-License-Identifier: GPL-2.0

//! balance-tlb's transmit table: bond_alb.c's "tlb specific functions" (`tlb_init_table_entry`
//! to `tlb_choose_channel`) and the rebalance step of `bond_alb_monitor`.
//!
//! Each of the 256 buckets (`bond_xmit_hash() & 0xff`) is given, the first time a frame falls
//! in it, to the slave with the largest gap between its speed and its load. A slave's load is
//! the sum of its buckets' histories; a bucket's history is what it sent in the last interval,
//! in bytes per second. Every [`REBALANCE_INTERVAL`] seconds all buckets are let go and
//! assigned again as frames come. The arithmetic is C's, wrapping where C's `u32`s wrap, so
//! that the same frames land on the same slaves as with bonding.ko.
//!
//! The table holds no slave objects: a slave is its key, and the caller passes the slaves in
//! list order when a choice is to be made.

use kernel::prelude::*;

/// `TLB_HASH_TABLE_SIZE`: one bucket per value of the hash's low byte.
pub(crate) const TABLE_SIZE: usize = 256;
/// `BOND_TLB_REBALANCE_INTERVAL`, in seconds.
pub(crate) const REBALANCE_INTERVAL: u32 = 10;
/// `TLB_NULL_INDEX`: the end of a slave's bucket list.
const NONE: u32 = 0xffff_ffff;

/// A slave as a choice sees it (`bond_for_each_slave_rcu` with `bond_slave_can_tx`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate {
    /// The slave's key in the table.
    pub(crate) key: u32,
    /// `slave->speed` in Mb/s (`SPEED_UNKNOWN` as C stores it: all ones).
    pub(crate) speed: u32,
    /// `bond_slave_can_tx()`.
    pub(crate) can_tx: bool,
}

/// One bucket (`struct tlb_client_info`).
#[derive(Clone, Copy)]
struct Bucket {
    /// The slave transmitting this bucket's frames, if assigned.
    slave: Option<u32>,
    /// Bytes sent through the bucket in this interval.
    tx_bytes: u32,
    /// Bytes per second sent in the last interval, plus one.
    load_history: u32,
    /// The neighbours in the slave's bucket list.
    next: u32,
    prev: u32,
}

impl Bucket {
    const EMPTY: Bucket = Bucket { slave: None, tx_bytes: 0, load_history: 0, next: NONE, prev: NONE };
}

/// A slave's share (`struct tlb_slave_info`).
#[derive(Clone, Copy)]
struct SlaveLoad {
    key: u32,
    /// The sum of its buckets' histories.
    load: u32,
    /// Its first bucket.
    head: u32,
}

/// The table (`tx_hashtbl`, the slaves' `tlb_info`, and `unbalanced_load`).
pub(crate) struct TxTable {
    /// [`TABLE_SIZE`] buckets.
    buckets: KVec<Bucket>,
    slaves: KVec<SlaveLoad>,
    /// Bytes sent through the active slave because no bucket took them.
    unbalanced_load: u32,
}

impl TxTable {
    /// tlb_initialize(): every bucket free, no slave.
    pub(crate) fn new(flags: kernel::alloc::Flags) -> Result<Self> {
        Ok(Self { buckets: KVec::from_elem(Bucket::EMPTY, TABLE_SIZE, flags)?, slaves: KVec::new(), unbalanced_load: 0 })
    }

    fn slave_mut(&mut self, key: u32) -> Option<&mut SlaveLoad> {
        self.slaves.iter_mut().find(|s| s.key == key)
    }

    fn load_of(&self, key: u32) -> u32 {
        self.slaves.iter().find(|s| s.key == key).map_or(0, |s| s.load)
    }

    /// tlb_init_slave(): the slave joins with no load and no bucket.
    pub(crate) fn add_slave(&mut self, key: u32, flags: kernel::alloc::Flags) -> Result {
        self.clear_slave(key, false);
        if self.slave_mut(key).is_none() {
            self.slaves.push(SlaveLoad { key, load: 0, head: NONE }, flags)?;
        }
        Ok(())
    }

    /// bond_alb_deinit_slave()'s table step: its buckets are freed and it is forgotten.
    pub(crate) fn remove_slave(&mut self, key: u32) {
        self.clear_slave(key, false);
        if let Some(i) = self.slaves.iter().position(|s| s.key == key) {
            self.slaves.remove(i);
        }
    }

    /// __tlb_clear_slave(): the slave's buckets are let go (with `save_load`, each keeps what
    /// it sent as its history, per second of the interval) and its load is zero.
    pub(crate) fn clear_slave(&mut self, key: u32, save_load: bool) {
        let Some(slave) = self.slave_mut(key) else { return };
        let mut index = slave.head;
        slave.load = 0;
        slave.head = NONE;
        while index != NONE {
            let bucket = &mut self.buckets[index as usize];
            index = bucket.next;
            if save_load {
                bucket.load_history = 1 + bucket.tx_bytes / REBALANCE_INTERVAL;
                bucket.tx_bytes = 0;
            }
            bucket.slave = None;
            bucket.next = NONE;
            bucket.prev = NONE;
        }
    }

    /// compute_gap(): speed in bits against load in bits, each shifted in C's `u32`.
    fn gap(speed: u32, load: u32) -> i64 {
        i64::from(speed << 20) - i64::from(load << 3)
    }

    /// tlb_get_least_loaded_slave(): the first of the largest gaps among those that can
    /// transmit.
    fn least_loaded(&self, slaves: impl Iterator<Item = Candidate>) -> Option<u32> {
        let mut best = None;
        let mut max_gap = i64::MIN;
        for c in slaves.filter(|c| c.can_tx) {
            let gap = Self::gap(c.speed, self.load_of(c.key));
            if max_gap < gap {
                best = Some(c.key);
                max_gap = gap;
            }
        }
        best
    }

    /// __tlb_choose_channel(): the slave for a frame of `len` bytes in bucket `index`, giving
    /// a free bucket to the least-loaded slave first. `slaves` are the bond's, in list order.
    /// `None` if no slave can take the bucket.
    pub(crate) fn choose(&mut self, index: u8, len: u32, slaves: impl Iterator<Item = Candidate>) -> Option<u32> {
        let i = usize::from(index);
        let assigned = match self.buckets[i].slave {
            Some(key) => key,
            None => {
                let key = self.least_loaded(slaves)?;
                let history = self.buckets[i].load_history;
                let slave = self.slave_mut(key)?;
                let next = slave.head;
                slave.head = u32::from(index);
                slave.load = slave.load.wrapping_add(history);
                if next != NONE {
                    self.buckets[next as usize].prev = u32::from(index);
                }
                let bucket = &mut self.buckets[i];
                bucket.slave = Some(key);
                bucket.next = next;
                bucket.prev = NONE;
                key
            }
        };
        let bucket = &mut self.buckets[i];
        bucket.tx_bytes = bucket.tx_bytes.wrapping_add(len);
        Some(assigned)
    }

    /// bond_do_alb_xmit(): a frame no bucket took went through the active slave.
    pub(crate) fn add_unbalanced(&mut self, len: u32) {
        self.unbalanced_load = self.unbalanced_load.wrapping_add(len);
    }

    /// bond_alb_monitor()'s rebalance: every slave, in list order, lets its buckets go
    /// keeping their histories; the active slave then carries the unbalanced load of the
    /// interval, per second.
    pub(crate) fn rebalance(&mut self, slaves_in_order: impl Iterator<Item = u32>, active: Option<u32>) {
        for key in slaves_in_order {
            self.clear_slave(key, true);
            if Some(key) == active {
                let load = self.unbalanced_load / REBALANCE_INTERVAL;
                if let Some(s) = self.slave_mut(key) {
                    s.load = load;
                }
                self.unbalanced_load = 0;
            }
        }
    }

    /// The slave bucket `index` is assigned to, if any.
    pub(crate) fn owner(&self, index: u8) -> Option<u32> {
        self.buckets[usize::from(index)].slave
    }

    /// A slave's load (`SLAVE_TLB_INFO(slave).load`).
    pub(crate) fn load(&self, key: u32) -> u32 {
        self.load_of(key)
    }
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_tlb)]
mod tests {
    use super::*;

    const GIGABIT: u32 = 1000;

    fn slaves(speeds: &[u32]) -> KVec<Candidate> {
        let mut v = KVec::new();
        for (i, &speed) in speeds.iter().enumerate() {
            v.push(Candidate { key: i as u32 + 1, speed, can_tx: true }, GFP_KERNEL).unwrap();
        }
        v
    }

    fn table(n: usize) -> KBox<TxTable> {
        let mut t = KBox::new(TxTable::new(GFP_KERNEL).unwrap(), GFP_KERNEL).unwrap();
        for key in 1..=n as u32 {
            t.add_slave(key, GFP_KERNEL).unwrap();
        }
        t
    }

    #[test]
    fn free_buckets_go_to_the_first_of_the_largest_gaps() {
        let s = slaves(&[GIGABIT, GIGABIT, GIGABIT]);
        let mut t = table(3);
        // No history yet: every load stays 0, so the first slave takes every bucket.
        for i in 0..=255u8 {
            assert_eq!(t.choose(i, 100, s.iter().copied()), Some(1));
        }
        assert_eq!(t.load(1), 0);
        // After a rebalance each bucket has a history of 1 + bytes/10, so loads grow as
        // buckets are taken and the buckets spread.
        t.rebalance([1, 2, 3].into_iter(), Some(1));
        let mut count = [0u32; 4];
        for i in 0..=255u8 {
            count[t.choose(i, 100, s.iter().copied()).unwrap() as usize] += 1;
        }
        assert_eq!(count[1] + count[2] + count[3], 256);
        assert!(count[1].abs_diff(count[2]) <= 1 && count[2].abs_diff(count[3]) <= 1);
        // Each load is the sum of its buckets' histories of 1 + 100/10.
        assert_eq!(t.load(1), count[1] * 11);
    }

    #[test]
    fn a_faster_slave_takes_more_and_speeds_wrap_as_in_c() {
        // 10000 Mb/s << 20 wraps in C's u32: 10000 << 20 mod 2^32 = 1_895_825_408.
        assert_eq!(TxTable::gap(10000, 0), 1_895_825_408);
        assert_eq!(TxTable::gap(1000, 1), (1000i64 << 20) - 8);
        let s = slaves(&[100, 1000]);
        let mut t = table(2);
        for i in 0..=255u8 {
            t.choose(i, 10_000_000, s.iter().copied());
        }
        t.rebalance([1, 2].into_iter(), None);
        let mut count = [0u32; 3];
        for i in 0..=255u8 {
            count[t.choose(i, 0, s.iter().copied()).unwrap() as usize] += 1;
        }
        // Gaps are absolute: the gigabit slave takes buckets until its gap falls to the other's
        // (117 buckets of 1,000,001 B/s), then they alternate: 69 and 187, from C's arithmetic.
        assert_eq!((count[1], count[2]), (69, 187));
    }

    #[test]
    fn an_assigned_bucket_stays_until_its_slave_is_cleared() {
        let mut s = slaves(&[GIGABIT, GIGABIT]);
        let mut t = table(2);
        assert_eq!(t.choose(7, 60, s.iter().copied()), Some(1));
        // The slave cannot transmit now, but the bucket keeps it: the transmit path finds
        // out and clears the slave (bond_do_alb_xmit()).
        s[0].can_tx = false;
        assert_eq!(t.choose(7, 60, s.iter().copied()), Some(1));
        t.clear_slave(1, false);
        assert_eq!(t.owner(7), None);
        assert_eq!(t.choose(7, 60, s.iter().copied()), Some(2));
        // None can transmit: nothing is assigned.
        s[1].can_tx = false;
        t.clear_slave(2, false);
        assert_eq!(t.choose(7, 60, s.iter().copied()), None);
        assert_eq!(t.owner(7), None);
    }

    #[test]
    fn clearing_walks_the_whole_list_and_keeps_histories_only_when_asked() {
        let s = slaves(&[GIGABIT]);
        let mut t = table(1);
        for i in [3u8, 9, 200] {
            t.choose(i, 1000, s.iter().copied());
        }
        t.clear_slave(1, true);
        for i in [3u8, 9, 200] {
            assert_eq!(t.owner(i), None);
        }
        // Taking the buckets back adds their histories, 1 + 1000/10 each.
        for i in [3u8, 9, 200] {
            t.choose(i, 0, s.iter().copied());
        }
        assert_eq!(t.load(1), 3 * 101);
        // Without save_load the histories stay as they were (nothing was sent since).
        t.clear_slave(1, false);
        t.choose(3, 0, s.iter().copied());
        assert_eq!(t.load(1), 101);
    }

    #[test]
    fn the_active_slave_carries_the_unbalanced_load() {
        let mut t = table(2);
        t.add_unbalanced(5000);
        t.rebalance([1, 2].into_iter(), Some(2));
        assert_eq!(t.load(2), 500);
        assert_eq!(t.load(1), 0);
        // Counted once: the next interval starts from zero.
        t.rebalance([1, 2].into_iter(), Some(2));
        assert_eq!(t.load(2), 0);
    }

    #[test]
    fn a_removed_slave_frees_its_buckets() {
        let s = slaves(&[GIGABIT, GIGABIT]);
        let mut t = table(2);
        t.choose(1, 10, s.iter().copied());
        t.remove_slave(1);
        assert_eq!(t.owner(1), None);
        let only_two = [s[1]];
        assert_eq!(t.choose(1, 10, only_two.iter().copied()), Some(2));
        // Adding it back starts it empty.
        t.add_slave(1, GFP_KERNEL).unwrap();
        assert_eq!(t.load(1), 0);
    }
}
