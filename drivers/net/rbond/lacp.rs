// SPDX-License-Identifier: GPL-2.0

//! 802.3ad: the Link Aggregation Control Protocol of IEEE 802.1AX, as bond_3ad.c runs it.
//!
//! The protocol is kept free of kernel objects: bytes and timer ticks go in, PDUs to send and
//! port changes come out, and the driver glue does the I/O. So each part can be tested on its
//! own: the PDU formats ([`pdu`]), one port's own machines ([`port`]), the aggregators
//! ([`aggregator`]), selection ([`selection`]), the mux machine ([`mux`]) and the bond-wide
//! state that runs them ([`engine`]); [`simulation`] runs two of them against each other
//! under KUnit. bonding.ko's behaviour, read from the C, is written down in
//! Documentation/networking/rbond-3ad-reference.md.

pub(crate) mod aggregator;
pub(crate) mod engine;
mod mux;
pub(crate) mod pdu;
pub(crate) mod port;
mod selection;
#[cfg(rbond_kunit)]
mod simulation;
