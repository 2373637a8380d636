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

// Wired to the receive and transmit paths with the 802.3ad mode; until then only the KUnit
// suites use it.
#[allow(dead_code)]
pub(crate) mod aggregator;
#[allow(dead_code)]
pub(crate) mod engine;
mod mux;
#[allow(dead_code)]
pub(crate) mod pdu;
#[allow(dead_code)]
pub(crate) mod port;
mod selection;
#[cfg(rbond_kunit)]
mod simulation;
