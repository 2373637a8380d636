// SPDX-License-Identifier: GPL-2.0

//! LACPDU and Marker PDU: bond_3ad.h's `struct lacpdu` and `struct bond_marker` (IEEE
//! 802.1AX-2014 6.4.2.3 and 6.5.3.2), and how bond_3ad_lacpdu_recv() and
//! bond_3ad_rx_indication() sort a received slow-protocol frame.
//!
//! Both PDUs are 110 bytes after the Ethernet header, multi-byte LACPDU fields big-endian.
//! As in C, a received PDU is read at fixed offsets and nothing else is checked: not the
//! version, the TLV types or their lengths. Only a frame shorter than a PDU is illegal.

/// The Slow Protocols multicast address LACPDUs and Markers are sent to.
pub(crate) const SLOW_PROTOCOLS_MULTICAST: [u8; 6] = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x02];

/// `ETH_P_SLOW`, the Slow Protocols ethertype.
pub(crate) const ETH_P_SLOW: u16 = 0x8809;

/// The length of either PDU after the Ethernet header (`sizeof(struct lacpdu)`).
pub(crate) const PDU_LEN: usize = 110;

/// `AD_TYPE_LACPDU`, `AD_TYPE_MARKER`: the Slow Protocols subtype, the PDU's first byte.
const SUBTYPE_LACP: u8 = 1;
const SUBTYPE_MARKER: u8 = 2;

/// `AD_MARKER_INFORMATION_SUBTYPE`, `AD_MARKER_RESPONSE_SUBTYPE`: a Marker's TLV type.
const MARKER_INFORMATION: u8 = 1;
const MARKER_RESPONSE: u8 = 2;

/// Offsets in a Marker PDU.
const MARKER_TLV_TYPE: usize = 2;

/// Offsets of the actor's and the partner's information in a LACPDU.
const ACTOR_INFO: usize = 4;
const PARTNER_INFO: usize = 24;

/// One side's information in a LACPDU: the actor's or the partner's TLV value
/// (`struct port_params` as `__update_lacpdu_from_port()` writes it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PortInfo {
    /// System priority.
    pub(crate) system_priority: u16,
    /// System identifier, a MAC address.
    pub(crate) system: [u8; 6],
    /// Operational key.
    pub(crate) key: u16,
    /// Port priority.
    pub(crate) port_priority: u16,
    /// Port number.
    pub(crate) port: u16,
    /// The `LACP_STATE_*` bits.
    pub(crate) state: u8,
}

impl PortInfo {
    /// Reads the 15 value bytes at `at`.
    fn read(b: &[u8; PDU_LEN], at: usize) -> Self {
        let be16 = |i: usize| u16::from_be_bytes([b[at + i], b[at + i + 1]]);
        let mut system = [0u8; 6];
        system.copy_from_slice(&b[at + 2..at + 8]);
        PortInfo {
            system_priority: be16(0),
            system,
            key: be16(8),
            port_priority: be16(10),
            port: be16(12),
            state: b[at + 14],
        }
    }

    /// Writes the 15 value bytes at `at`.
    fn write(&self, b: &mut [u8; PDU_LEN], at: usize) {
        b[at..at + 2].copy_from_slice(&self.system_priority.to_be_bytes());
        b[at + 2..at + 8].copy_from_slice(&self.system);
        b[at + 8..at + 10].copy_from_slice(&self.key.to_be_bytes());
        b[at + 10..at + 12].copy_from_slice(&self.port_priority.to_be_bytes());
        b[at + 12..at + 14].copy_from_slice(&self.port.to_be_bytes());
        b[at + 14] = self.state;
    }
}

/// A LACPDU's actor and partner information, all the receive machine reads of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lacpdu {
    /// The sender's own information.
    pub(crate) actor: PortInfo,
    /// What the sender knows of its partner, that is of us.
    pub(crate) partner: PortInfo,
}

impl Lacpdu {
    /// The PDU as bonding.ko sends it: `ad_initialize_port()`'s template (version 1, the
    /// actor, partner, collector and terminator TLVs, collector max delay 0, reserved bytes
    /// zero) with the actor's and partner's values.
    pub(crate) fn encode(&self) -> [u8; PDU_LEN] {
        let mut b = [0u8; PDU_LEN];
        b[..4].copy_from_slice(&[SUBTYPE_LACP, 0x01, 0x01, 0x14]);
        self.actor.write(&mut b, ACTOR_INFO);
        b[22..24].copy_from_slice(&[0x02, 0x14]);
        self.partner.write(&mut b, PARTNER_INFO);
        b[42..44].copy_from_slice(&[0x03, 0x10]);
        // Collector max delay (bytes 44-45), the terminator TLV (58-59) and every reserved
        // byte stay zero.
        b
    }

    /// Reads a received LACPDU at its fixed offsets, checking nothing, as C does.
    pub(crate) fn decode(b: &[u8; PDU_LEN]) -> Self {
        Lacpdu {
            actor: PortInfo::read(b, ACTOR_INFO),
            partner: PortInfo::read(b, PARTNER_INFO),
        }
    }
}

/// What a frame received on a port is to the 802.3ad receive path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Received {
    /// Not a Slow Protocols frame to the LACP address: it goes on, uncounted.
    Other,
    /// Shorter than a PDU: counted in `lacpdu_illegal_rx`, and the frame goes on.
    Illegal,
    /// A Slow Protocols subtype other than LACP and Marker: counted in `lacpdu_unknown_rx`,
    /// and the frame goes on.
    Unknown,
    /// A LACPDU, for the receive machine (which counts it); consumed.
    Lacpdu(Lacpdu),
    /// A Marker Information PDU: counted in `marker_rx` and answered with this Marker
    /// Response; consumed.
    MarkerInformation([u8; PDU_LEN]),
    /// A Marker Response: counted in `marker_resp_rx`; consumed.
    MarkerResponse,
    /// A Marker of another TLV type: counted in `marker_unknown_rx`; consumed.
    MarkerUnknown,
}

impl Received {
    /// `true` if the frame stops here (`RX_HANDLER_CONSUMED`); otherwise it goes on through
    /// the receive handler (`RX_HANDLER_ANOTHER`).
    pub(crate) fn consumed(&self) -> bool {
        !matches!(self, Received::Other | Received::Illegal | Received::Unknown)
    }
}

/// bond_3ad_lacpdu_recv() and bond_3ad_rx_indication(): sorts a frame by its protocol
/// (`skb->protocol`, host order), its destination address and the first [`PDU_LEN`] bytes
/// after its Ethernet header, or `None` if it has fewer.
pub(crate) fn classify(protocol: u16, dest: &[u8; 6], pdu: Option<&[u8; PDU_LEN]>) -> Received {
    if protocol != ETH_P_SLOW || *dest != SLOW_PROTOCOLS_MULTICAST {
        return Received::Other;
    }
    let Some(pdu) = pdu else {
        return Received::Illegal;
    };
    match pdu[0] {
        SUBTYPE_LACP => Received::Lacpdu(Lacpdu::decode(pdu)),
        SUBTYPE_MARKER => match pdu[MARKER_TLV_TYPE] {
            MARKER_INFORMATION => Received::MarkerInformation(marker_response(pdu)),
            MARKER_RESPONSE => Received::MarkerResponse,
            _ => Received::MarkerUnknown,
        },
        _ => Received::Unknown,
    }
}

/// ad_marker_info_received(): the response is the received Marker, every byte of it, with
/// the TLV type changed to Marker Response.
fn marker_response(info: &[u8; PDU_LEN]) -> [u8; PDU_LEN] {
    let mut response = *info;
    response[MARKER_TLV_TYPE] = MARKER_RESPONSE;
    response
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_lacp_pdu)]
mod tests {
    use super::*;

    const ACTOR: PortInfo = PortInfo {
        system_priority: 0xffff,
        system: [0x02, 0x00, 0x00, 0x00, 0x00, 0x01],
        key: 0x0911,
        port_priority: 0x00ff,
        port: 1,
        state: 0x3d,
    };
    const PARTNER: PortInfo = PortInfo {
        system_priority: 0x8000,
        system: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56],
        key: 0x000f,
        port_priority: 0x8000,
        port: 0x0102,
        state: 0x3f,
    };

    #[test]
    fn a_lacpdu_is_bonding_kos_bytes() {
        let b = Lacpdu { actor: ACTOR, partner: PARTNER }.encode();
        let expected_head: [u8; 60] = [
            0x01, 0x01, 0x01, 0x14, // LACP, version 1, actor TLV of 20 bytes
            0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // system priority, system
            0x09, 0x11, 0x00, 0xff, 0x00, 0x01, 0x3d, // key, port priority, port, state
            0x00, 0x00, 0x00, // reserved
            0x02, 0x14, // partner TLV of 20 bytes
            0x80, 0x00, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, //
            0x00, 0x0f, 0x80, 0x00, 0x01, 0x02, 0x3f, //
            0x00, 0x00, 0x00, // reserved
            0x03, 0x10, 0x00, 0x00, // collector TLV of 16 bytes, max delay 0
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // reserved
            0x00, 0x00, // terminator
        ];
        assert_eq!(&b[..60], &expected_head[..]);
        assert!(b[60..].iter().all(|&x| x == 0));
    }

    #[test]
    fn decoding_reads_back_what_was_encoded() {
        let pdu = Lacpdu { actor: ACTOR, partner: PARTNER };
        assert_eq!(Lacpdu::decode(&pdu.encode()), pdu);
    }

    #[test]
    fn only_slow_frames_to_the_lacp_address_are_lacp() {
        let b = Lacpdu { actor: ACTOR, partner: PARTNER }.encode();
        let other_dest = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x03];
        assert_eq!(classify(0x0800, &SLOW_PROTOCOLS_MULTICAST, Some(&b)), Received::Other);
        assert_eq!(classify(ETH_P_SLOW, &other_dest, Some(&b)), Received::Other);
        assert!(!classify(ETH_P_SLOW, &other_dest, None).consumed());
    }

    #[test]
    fn a_short_frame_is_illegal_and_goes_on() {
        let got = classify(ETH_P_SLOW, &SLOW_PROTOCOLS_MULTICAST, None);
        assert_eq!(got, Received::Illegal);
        assert!(!got.consumed());
    }

    #[test]
    fn an_unknown_subtype_is_counted_and_goes_on() {
        for subtype in [0u8, 3, 10, 0xff] {
            let mut b = [0u8; PDU_LEN];
            b[0] = subtype;
            let got = classify(ETH_P_SLOW, &SLOW_PROTOCOLS_MULTICAST, Some(&b));
            assert_eq!(got, Received::Unknown);
            assert!(!got.consumed());
        }
    }

    #[test]
    fn a_lacpdu_is_read_whatever_its_version_and_tlvs() {
        let mut b = Lacpdu { actor: ACTOR, partner: PARTNER }.encode();
        b[1] = 0x7f; // version
        b[2] = 0x09; // actor TLV type
        b[23] = 0x00; // partner TLV length
        b[109] = 0xaa; // reserved
        let got = classify(ETH_P_SLOW, &SLOW_PROTOCOLS_MULTICAST, Some(&b));
        assert_eq!(got, Received::Lacpdu(Lacpdu { actor: ACTOR, partner: PARTNER }));
        assert!(got.consumed());
    }

    #[test]
    fn a_marker_information_is_answered_with_its_own_bytes() {
        let mut b = [0u8; PDU_LEN];
        b[..4].copy_from_slice(&[0x02, 0x01, 0x01, 0x16]);
        b[4..20].copy_from_slice(&[0, 7, 2, 0, 0, 0, 0, 9, 0xde, 0xad, 0xbe, 0xef, 0x55, 0x66, 0, 0]);
        b[100] = 0x42; // even reserved bytes are echoed
        let mut expected = b;
        expected[2] = 0x02;
        let got = classify(ETH_P_SLOW, &SLOW_PROTOCOLS_MULTICAST, Some(&b));
        assert_eq!(got, Received::MarkerInformation(expected));
        assert!(got.consumed());
    }

    #[test]
    fn other_markers_are_consumed() {
        let mut b = [0u8; PDU_LEN];
        b[0] = 0x02;
        b[2] = 0x02;
        let got = classify(ETH_P_SLOW, &SLOW_PROTOCOLS_MULTICAST, Some(&b));
        assert_eq!(got, Received::MarkerResponse);
        assert!(got.consumed());
        b[2] = 0x03;
        let got = classify(ETH_P_SLOW, &SLOW_PROTOCOLS_MULTICAST, Some(&b));
        assert_eq!(got, Received::MarkerUnknown);
        assert!(got.consumed());
    }
}
