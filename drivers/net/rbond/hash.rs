// SPDX-License-Identifier: GPL-2.0

//! Transmit hashing: bond_main.c's `bond_xmit_hash()` for every `xmit_hash_policy`, with
//! `bond_flow_ip()`, `bond_flow_dissect()`, `bond_eth_hash()`, `bond_vlan_srcmac_hash()` and
//! `bond_ip_hash()`, giving bonding.ko's value for the same packet (so the same slave for the
//! same flow).
//!
//! Pure: the packet comes in through [`Packet`] (bytes at an offset from `skb->data`, and the
//! few skb fields the C reads), and the encap policies' keys come from the kernel's flow
//! dissector through [`Packet::dissect_encap`], as in C; both fill the abstraction's
//! [`FlowKeys`] (addresses folded as `flow_get_u32_src()` does). Values are built from the header
//! bytes exactly as the C reads them: `(__force u32)` of a big-endian field is its bytes in
//! native order.

use kernel::net::skb::{FlowKeySet, FlowKeys};

/// `ETH_P_IP`, `ETH_P_IPV6`.
const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;
/// `IPPROTO_*` the hash looks at.
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_DCCP: u8 = 33;
const IPPROTO_ESP: u8 = 50;
const IPPROTO_AH: u8 = 51;
const IPPROTO_ICMPV6: u8 = 58;
const IPPROTO_SCTP: u8 = 132;
const IPPROTO_UDPLITE: u8 = 136;
/// `sizeof(struct ethhdr)`, `sizeof(struct iphdr)`, `sizeof(struct ipv6hdr)`, and the ICMP
/// header (`struct icmphdr`/`struct icmp6hdr`, 8 bytes either).
const ETH_HLEN: usize = 14;
const IPV4_HLEN: usize = 20;
const IPV6_HLEN: usize = 40;
const ICMP_HLEN: usize = 8;

/// The keys of bonding's own dissector for the encap policies (C: `flow_keys_bonding_keys`;
/// control and basic are always there).
pub(crate) const ENCAP_KEYS: FlowKeySet = FlowKeySet::IPV4_ADDRS
    .with(FlowKeySet::IPV6_ADDRS)
    .with(FlowKeySet::TIPC)
    .with(FlowKeySet::PORTS)
    .with(FlowKeySet::ICMP)
    .with(FlowKeySet::VLAN)
    .with(FlowKeySet::FLOW_LABEL)
    .with(FlowKeySet::GRE_KEYID);

/// `xmit_hash_policy` (`BOND_XMIT_POLICY_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Policy {
    /// `layer2` (0).
    Layer2,
    /// `layer3+4` (1).
    Layer34,
    /// `layer2+3` (2).
    Layer23,
    /// `encap2+3` (3).
    Encap23,
    /// `encap3+4` (4).
    Encap34,
    /// `vlan+srcmac` (5).
    VlanSrcMac,
}

impl Policy {
    /// The policy with bonding.ko's number (the option engine only stores valid ones).
    pub(crate) fn from_value(v: u32) -> Policy {
        match v {
            1 => Policy::Layer34,
            2 => Policy::Layer23,
            3 => Policy::Encap23,
            4 => Policy::Encap34,
            5 => Policy::VlanSrcMac,
            _ => Policy::Layer2,
        }
    }

    /// The policies whose hash includes the transport ports (and drop the lowest bit).
    fn uses_ports(self) -> bool {
        matches!(self, Policy::Layer34 | Policy::Encap34)
    }
}

/// The 32 bits of `struct flow_dissector_key_icmp` in memory order, as the C's
/// `memcpy(&hash, &flow.icmp, 4)` reads them.
fn icmp_word(keys: &FlowKeys) -> u32 {
    let id = keys.icmp_id.to_ne_bytes();
    u32::from_ne_bytes([keys.icmp_type, keys.icmp_code, id[0], id[1]])
}

/// A packet being transmitted, as the hash reads it.
pub(crate) trait Packet {
    /// Copies `out.len()` bytes at `offset` from `skb->data` (from the linear part or the
    /// fragments); `false` if the packet is shorter.
    fn read(&self, offset: usize, out: &mut [u8]) -> bool;
    /// `skb->protocol`, host order.
    fn protocol(&self) -> u16;
    /// `skb_network_offset()`; `None` if negative.
    fn network_offset(&self) -> Option<usize>;
    /// `skb_vlan_tag_get()` if a tag is present (out of band), else 0.
    fn vlan_tci(&self) -> u16;
    /// `skb->hash` if it is an L4 hash (`skb->l4_hash`).
    fn l4_hash(&self) -> Option<u32>;
    /// The kernel's flow dissector over the packet with bonding's key set
    /// (`flow_keys_bonding`), as the encap policies use it; `None` if it fails.
    fn dissect_encap(&self) -> Option<FlowKeys>;
}

fn read_array<const N: usize>(pkt: &impl Packet, offset: usize) -> Option<[u8; N]> {
    let mut buf = [0u8; N];
    pkt.read(offset, &mut buf).then_some(buf)
}

fn ne32(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

/// bond_xmit_hash().
pub(crate) fn xmit_hash(policy: Policy, pkt: &impl Packet) -> u32 {
    if policy == Policy::Encap34 {
        if let Some(h) = pkt.l4_hash() {
            return h;
        }
    }
    if policy == Policy::VlanSrcMac {
        return vlan_srcmac_hash(pkt);
    }
    let keys = match policy {
        Policy::Layer2 => None,
        _ => flow_dissect(policy, pkt),
    };
    let Some(keys) = keys else {
        return eth_hash(pkt);
    };
    let hash = match policy {
        Policy::Layer23 | Policy::Encap23 => eth_hash(pkt),
        _ if keys.icmp_id != 0 => icmp_word(&keys),
        _ => keys.ports,
    };
    ip_hash(hash, &keys, policy)
}

/// bond_eth_hash(): last bytes of both addresses and the EtherType; 0 without a full
/// Ethernet header.
fn eth_hash(pkt: &impl Packet) -> u32 {
    match read_array::<ETH_HLEN>(pkt, 0) {
        Some(h) => u32::from(h[5] ^ h[11]) ^ u32::from(u16::from_be_bytes([h[12], h[13]])),
        None => 0,
    }
}

/// bond_vlan_srcmac_hash(): the VLAN tag and both halves of the source address.
fn vlan_srcmac_hash(pkt: &impl Packet) -> u32 {
    let Some(h) = read_array::<ETH_HLEN>(pkt, 0) else {
        return 0;
    };
    let vendor = u32::from_be_bytes([0, h[6], h[7], h[8]]);
    let device = u32::from_be_bytes([0, h[9], h[10], h[11]]);
    u32::from(pkt.vlan_tci()) ^ vendor ^ device
}

/// bond_ip_hash(): the addresses folded into `hash`.
fn ip_hash(hash: u32, keys: &FlowKeys, policy: Policy) -> u32 {
    let mut hash = hash ^ keys.dst ^ keys.src;
    hash ^= hash >> 16;
    hash ^= hash >> 8;
    // The lowest bit is dropped for the common even-ports pattern.
    if policy.uses_ports() {
        hash >> 1
    } else {
        hash
    }
}

/// bond_flow_dissect(): the keys of an IPv4 or IPv6 packet; for an ICMP error, the addresses
/// and ports of the packet it carries. `None` for anything else.
fn flow_dissect(policy: Policy, pkt: &impl Packet) -> Option<FlowKeys> {
    if matches!(policy, Policy::Encap23 | Policy::Encap34) {
        return pkt.dissect_encap();
    }
    let l34 = policy == Policy::Layer34;
    let l2_proto = pkt.protocol();
    let mut keys = FlowKeys::default();
    let mut nhoff = pkt.network_offset()?;
    let mut ip_proto = None;
    if !flow_ip(pkt, &mut keys, l2_proto, &mut nhoff, &mut ip_proto, l34) {
        return None;
    }
    if let Some(proto @ (IPPROTO_ICMP | IPPROTO_ICMPV6)) = ip_proto {
        icmp_tci(pkt, &mut keys, nhoff);
        let is_err = if proto == IPPROTO_ICMP {
            icmp_is_err(keys.icmp_type)
        } else {
            // icmpv6_is_err(): not an informational message.
            keys.icmp_type & 0x80 == 0
        };
        if !is_err {
            return Some(keys);
        }
        nhoff += ICMP_HLEN;
        if !flow_ip(pkt, &mut keys, l2_proto, &mut nhoff, &mut ip_proto, l34) {
            return None;
        }
    }
    Some(keys)
}

/// bond_flow_ip(): the addresses at `nhoff` (moved past the network header), the transport
/// protocol unless the packet is an IPv4 fragment, and with `l34` the ports.
fn flow_ip(
    pkt: &impl Packet,
    keys: &mut FlowKeys,
    l2_proto: u16,
    nhoff: &mut usize,
    ip_proto: &mut Option<u8>,
    l34: bool,
) -> bool {
    if l2_proto == ETH_P_IP {
        let Some(iph) = read_array::<IPV4_HLEN>(pkt, *nhoff) else {
            return false;
        };
        keys.src = ne32(&iph[12..16]);
        keys.dst = ne32(&iph[16..20]);
        *nhoff += usize::from(iph[0] & 0x0f) << 2;
        // ip_is_fragment(): more fragments, or an offset.
        let frag_off = u16::from_be_bytes([iph[6], iph[7]]);
        if frag_off & 0x3fff == 0 {
            *ip_proto = Some(iph[9]);
        }
    } else if l2_proto == ETH_P_IPV6 {
        let Some(ip6h) = read_array::<IPV6_HLEN>(pkt, *nhoff) else {
            return false;
        };
        keys.src = fold_ipv6(&ip6h[8..24]);
        keys.dst = fold_ipv6(&ip6h[24..40]);
        *nhoff += IPV6_HLEN;
        *ip_proto = Some(ip6h[6]);
    } else {
        return false;
    }
    if l34 {
        if let Some(proto) = *ip_proto {
            keys.ports = flow_get_ports(pkt, *nhoff, proto);
        }
    }
    true
}

/// ipv6_addr_hash(): the four words of the address XORed together.
fn fold_ipv6(a: &[u8]) -> u32 {
    ne32(&a[0..4]) ^ ne32(&a[4..8]) ^ ne32(&a[8..12]) ^ ne32(&a[12..16])
}

/// __skb_flow_get_ports(): the 32 bits at the protocol's ports offset, 0 if it has none or
/// the packet ends first.
fn flow_get_ports(pkt: &impl Packet, thoff: usize, ip_proto: u8) -> u32 {
    // proto_ports_offset()
    let poff = match ip_proto {
        IPPROTO_TCP | IPPROTO_UDP | IPPROTO_DCCP | IPPROTO_ESP | IPPROTO_SCTP | IPPROTO_UDPLITE => 0,
        IPPROTO_AH => 4,
        _ => return 0,
    };
    read_array::<4>(pkt, thoff + poff).map_or(0, |p| u32::from_ne_bytes(p))
}

/// skb_flow_get_icmp_tci(): type, code and, for the types that have one, the identifier
/// (1 standing in for a zero identifier).
fn icmp_tci(pkt: &impl Packet, keys: &mut FlowKeys, thoff: usize) {
    let Some(ih) = read_array::<ICMP_HLEN>(pkt, thoff) else {
        return;
    };
    keys.icmp_type = ih[0];
    keys.icmp_code = ih[1];
    keys.icmp_id = if icmp_has_id(ih[0]) {
        match u16::from_be_bytes([ih[4], ih[5]]) {
            0 => 1,
            id => id,
        }
    } else {
        0
    };
}

/// icmp_has_id(): echo and timestamp messages (ICMP), echo (ICMPv6); the C does not look at
/// which of the two protocols it is.
fn icmp_has_id(icmp_type: u8) -> bool {
    // ICMP_ECHO, ICMP_ECHOREPLY, ICMP_TIMESTAMP, ICMP_TIMESTAMPREPLY, ICMPV6_ECHO_REQUEST,
    // ICMPV6_ECHO_REPLY.
    matches!(icmp_type, 8 | 0 | 13 | 14 | 128 | 129)
}

/// icmp_is_err(): destination unreachable, source quench, redirect, time exceeded,
/// parameter problem.
fn icmp_is_err(icmp_type: u8) -> bool {
    matches!(icmp_type, 3 | 4 | 5 | 11 | 12)
}

#[cfg(rbond_kunit)]
#[kernel::prelude::kunit_tests(rbond_hash)]
mod tests {
    use super::*;
    use kernel::prelude::*;

    /// A linear test packet: bytes from `skb->data`, the network header after `nhoff` bytes.
    struct Frame<'a> {
        bytes: &'a [u8],
        proto: u16,
        nhoff: usize,
        vlan: u16,
        l4: Option<u32>,
    }

    impl Packet for Frame<'_> {
        fn read(&self, offset: usize, out: &mut [u8]) -> bool {
            match self.bytes.get(offset..offset + out.len()) {
                Some(b) => {
                    out.copy_from_slice(b);
                    true
                }
                None => false,
            }
        }
        fn protocol(&self) -> u16 {
            self.proto
        }
        fn network_offset(&self) -> Option<usize> {
            Some(self.nhoff)
        }
        fn vlan_tci(&self) -> u16 {
            self.vlan
        }
        fn l4_hash(&self) -> Option<u32> {
            self.l4
        }
        fn dissect_encap(&self) -> Option<FlowKeys> {
            None
        }
    }

    /// The parts, one after the other.
    fn concat(parts: &[&[u8]]) -> KVec<u8> {
        let mut v = KVec::new();
        for part in parts {
            for b in *part {
                v.push(*b, GFP_KERNEL).unwrap();
            }
        }
        v
    }

    fn frame(bytes: &[u8], proto: u16) -> Frame<'_> {
        Frame { bytes, proto, nhoff: ETH_HLEN, vlan: 0, l4: None }
    }

    /// Ethernet 02:..:0b -> 02:..:0a, IPv4 10.0.0.1 -> 10.0.0.2 (first half of a UDP
    /// datagram 0x1234 -> 0x0050, or whatever `proto`, `frag` and `tail` make it).
    fn ipv4(proto: u8, frag: u16, tail: &[u8]) -> KVec<u8> {
        let eth = [2, 0, 0, 0, 0, 0x0a, 2, 0, 0, 0, 0, 0x0b, 0x08, 0x00];
        let f = frag.to_be_bytes();
        let ip = [0x45, 0, 0, 0, 0, 0, f[0], f[1], 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        concat(&[&eth, &ip, tail])
    }

    const UDP: [u8; 8] = [0x12, 0x34, 0x00, 0x50, 0, 8, 0, 0];

    #[test]
    fn layer2_is_the_last_address_bytes_and_the_ethertype() {
        let p = ipv4(IPPROTO_UDP, 0, &UDP);
        // 0x0a ^ 0x0b ^ 0x0800
        assert_eq!(xmit_hash(Policy::Layer2, &frame(&p, ETH_P_IP)), 0x0801);
    }

    #[test]
    fn layer23_folds_the_addresses_into_the_layer2_hash() {
        let p = ipv4(IPPROTO_UDP, 0, &UDP);
        // src ^ dst = 10.0.0.1 ^ 10.0.0.2 = bytes 00 00 00 03, natively 0x03000000 here.
        let addrs = u32::from_ne_bytes([0, 0, 0, 3]);
        let mut h = 0x0801 ^ addrs;
        h ^= h >> 16;
        h ^= h >> 8;
        assert_eq!(xmit_hash(Policy::Layer23, &frame(&p, ETH_P_IP)), h);
    }

    #[test]
    fn layer34_uses_the_ports_and_drops_the_lowest_bit() {
        let p = ipv4(IPPROTO_UDP, 0, &UDP);
        let mut h = u32::from_ne_bytes([0x12, 0x34, 0x00, 0x50]) ^ u32::from_ne_bytes([0, 0, 0, 3]);
        h ^= h >> 16;
        h ^= h >> 8;
        assert_eq!(xmit_hash(Policy::Layer34, &frame(&p, ETH_P_IP)), h >> 1);
    }

    #[test]
    fn an_ipv4_fragment_has_no_ports() {
        let first = ipv4(IPPROTO_UDP, 0x2000, &UDP); // more fragments
        let later = ipv4(IPPROTO_UDP, 0x0010, &UDP); // an offset
        let no_ports = ipv4(IPPROTO_UDP, 0, &[0, 0, 0, 0, 0, 8, 0, 0]);
        let expect = xmit_hash(Policy::Layer34, &frame(&no_ports, ETH_P_IP));
        assert_eq!(xmit_hash(Policy::Layer34, &frame(&first, ETH_P_IP)), expect);
        assert_eq!(xmit_hash(Policy::Layer34, &frame(&later, ETH_P_IP)), expect);
    }

    #[test]
    fn an_icmp_error_hashes_as_the_packet_it_carries() {
        // Port unreachable from 10.0.0.1 to 10.0.0.2 about a UDP datagram 10.0.0.1 -> 10.0.0.2
        // 0x1234 -> 0x0050: same addresses and ports as the datagram itself.
        let inner = ipv4(IPPROTO_UDP, 0, &UDP);
        let tail = concat(&[&[3u8, 3, 0, 0, 0, 0, 0, 0], &inner[ETH_HLEN..]]);
        let err = ipv4(IPPROTO_ICMP, 0, &tail);
        let datagram = ipv4(IPPROTO_UDP, 0, &UDP);
        assert_eq!(
            xmit_hash(Policy::Layer34, &frame(&err, ETH_P_IP)),
            xmit_hash(Policy::Layer34, &frame(&datagram, ETH_P_IP))
        );
    }

    #[test]
    fn an_echo_hashes_by_its_identifier() {
        let echo = ipv4(IPPROTO_ICMP, 0, &[8, 0, 0, 0, 0x01, 0x02, 0, 1]);
        let icmp = u32::from_ne_bytes([8, 0, 0, 0]) | (u32::from(0x0102u16) << 16);
        let mut h = icmp ^ u32::from_ne_bytes([0, 0, 0, 3]);
        h ^= h >> 16;
        h ^= h >> 8;
        assert_eq!(xmit_hash(Policy::Layer34, &frame(&echo, ETH_P_IP)), h >> 1);
    }

    #[test]
    fn ipv6_addresses_are_folded() {
        let eth = [2, 0, 0, 0, 0, 0x0a, 2, 0, 0, 0, 0, 0x0b, 0x86, 0xdd];
        let mut ip6 = [0u8; IPV6_HLEN];
        ip6[0] = 0x60;
        ip6[6] = IPPROTO_UDP;
        ip6[8] = 0x20; // 2000::1
        ip6[23] = 1;
        ip6[24] = 0x20; // 2000::2
        ip6[39] = 2;
        let p = concat(&[&eth, &ip6, &UDP]);
        // The two 0x20 bytes cancel out: src ^ dst folds to 00 00 00 03.
        let mut h = u32::from_ne_bytes([0x12, 0x34, 0x00, 0x50]) ^ u32::from_ne_bytes([0, 0, 0, 3]);
        h ^= h >> 16;
        h ^= h >> 8;
        assert_eq!(xmit_hash(Policy::Layer34, &frame(&p, ETH_P_IPV6)), h >> 1);
    }

    #[test]
    fn non_ip_and_short_packets_fall_back_to_layer2() {
        let p = ipv4(IPPROTO_UDP, 0, &UDP);
        // An ARP-typed skb is not dissected: layer2's value, whatever the bytes.
        assert_eq!(xmit_hash(Policy::Layer34, &frame(&p, 0x0806)), 0x0801);
        // A truncated IPv4 header: the same.
        assert_eq!(xmit_hash(Policy::Layer23, &frame(&p[..20], ETH_P_IP)), 0x0801);
        // Not even an Ethernet header: 0.
        assert_eq!(xmit_hash(Policy::Layer2, &frame(&p[..10], ETH_P_IP)), 0);
    }

    #[test]
    fn vlan_srcmac_is_the_tag_and_both_halves_of_the_source() {
        let p = ipv4(IPPROTO_UDP, 0, &UDP);
        let f = Frame { vlan: 100, ..frame(&p, ETH_P_IP) };
        // 100 ^ 0x020000 ^ 0x00000b
        assert_eq!(xmit_hash(Policy::VlanSrcMac, &f), 100 ^ 0x0200_00 ^ 0x0b);
    }

    #[test]
    fn encap34_takes_an_l4_skb_hash_as_it_is() {
        let p = ipv4(IPPROTO_UDP, 0, &UDP);
        let f = Frame { l4: Some(0xdead_beef), ..frame(&p, ETH_P_IP) };
        assert_eq!(xmit_hash(Policy::Encap34, &f), 0xdead_beef);
        // Without the dissector's keys it falls back to layer2, as the C does.
        assert_eq!(xmit_hash(Policy::Encap23, &f), 0x0801);
    }
}
