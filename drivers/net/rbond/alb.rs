// SPDX-License-Identifier: GPL-2.0

//! balance-tlb and balance-alb: transmit (and, for alb, receive) load balancing with no help
//! from the switch, as bond_alb.c does it.
//!
//! As with [`crate::lacp`], the protocol state is kept free of kernel objects: slaves are
//! named by a key (their ifindex) and the driver glue does the I/O. [`tlb`] is the transmit
//! table: 256 hash buckets, each given to the least-loaded slave that can transmit and
//! rebalanced every 10 s. [`rlb`] is alb's receive table: each client is given a slave, and
//! the bond's ARP replies teach the client that slave's MAC.

pub(crate) mod rlb;
pub(crate) mod tlb;
