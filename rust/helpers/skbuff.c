// SPDX-License-Identifier: GPL-2.0

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/if_vlan.h>
#include <net/flow_dissector.h>
#include <net/sch_generic.h>
#include <net/sock.h>

void rust_helper_kfree_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

struct sk_buff *rust_helper_alloc_skb(unsigned int size, gfp_t priority)
{
	return alloc_skb(size, priority);
}

struct sk_buff *rust_helper_skb_share_check(struct sk_buff *skb, gfp_t pri)
{
	return skb_share_check(skb, pri);
}

bool rust_helper_skb_shared(const struct sk_buff *skb)
{
	return skb_shared(skb);
}

unsigned int rust_helper_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

void *rust_helper_skb_header_pointer(const struct sk_buff *skb, int offset,
				     int len, void *buffer)
{
	return skb_header_pointer(skb, offset, len, buffer);
}

void rust_helper_skb_reserve(struct sk_buff *skb, int len)
{
	skb_reserve(skb, len);
}

void rust_helper_skb_reset_network_header(struct sk_buff *skb)
{
	skb_reset_network_header(skb);
}

void rust_helper_skb_reset_mac_header(struct sk_buff *skb)
{
	skb_reset_mac_header(skb);
}

int rust_helper_skb_mac_offset(const struct sk_buff *skb)
{
	return skb_mac_offset(skb);
}

bool rust_helper_skb_mac_header_was_set(const struct sk_buff *skb)
{
	return skb_mac_header_was_set(skb);
}

void rust_helper_skb_set_protocol(struct sk_buff *skb, __be16 protocol)
{
	skb->protocol = protocol;
}

u8 rust_helper_skb_pkt_type(const struct sk_buff *skb)
{
	return skb->pkt_type;
}

void rust_helper_skb_set_priority(struct sk_buff *skb, u32 priority)
{
	skb->priority = priority;
}

/*
 * The namespace the flow dissector runs in for @skb: its device's, else its socket's, else
 * init_net. __skb_flow_dissect() finds the first two itself when passed NULL, but warns
 * (DEBUG_NET_WARN_ON_ONCE) for an skb that has neither, which safe Rust code can build.
 */
const struct net *rust_helper_skb_dissect_net(const struct sk_buff *skb)
{
	if (skb->dev)
		return dev_net(skb->dev);
	if (skb->sk)
		return sock_net(skb->sk);
	return &init_net;
}

/* skb_flow_dissect_flow_keys(), in rust_helper_skb_dissect_net()'s namespace. */
bool rust_helper_skb_flow_dissect_flow_keys(const struct sk_buff *skb,
					    struct flow_keys *flow,
					    unsigned int flags)
{
	memset(flow, 0, sizeof(*flow));
	return __skb_flow_dissect(rust_helper_skb_dissect_net(skb), skb,
				  &flow_keys_dissector, flow, NULL, 0, 0, 0, flags);
}

/* skb_get_hash(), in rust_helper_skb_dissect_net()'s namespace. */
u32 rust_helper_skb_get_hash(struct sk_buff *skb)
{
	return skb_get_hash_net(rust_helper_skb_dissect_net(skb), skb);
}

int rust_helper_skb_tailroom(const struct sk_buff *skb)
{
	return skb_tailroom(skb);
}

void rust_helper_consume_skb(struct sk_buff *skb)
{
	consume_skb(skb);
}

bool rust_helper_skb_is_nonlinear(const struct sk_buff *skb)
{
	return skb_is_nonlinear(skb);
}

int rust_helper_skb_unclone(struct sk_buff *skb, gfp_t pri)
{
	return skb_unclone(skb, pri);
}

void rust_helper___vlan_hwaccel_put_tag(struct sk_buff *skb, __be16 vlan_proto, u16 vlan_tci)
{
	__vlan_hwaccel_put_tag(skb, vlan_proto, vlan_tci);
}

bool rust_helper_skb_vlan_tag_present(const struct sk_buff *skb)
{
	return skb_vlan_tag_present(skb);
}

u16 rust_helper_skb_vlan_tag_get(const struct sk_buff *skb)
{
	return skb_vlan_tag_get(skb);
}

bool rust_helper_skb_l4_hash(const struct sk_buff *skb)
{
	return skb->l4_hash;
}

u32 rust_helper_skb_raw_hash(const struct sk_buff *skb)
{
	return skb->hash;
}

void rust_helper_skb_set_network_header(struct sk_buff *skb, const int offset)
{
	skb_set_network_header(skb, offset);
}

int rust_helper_skb_cow_head(struct sk_buff *skb, unsigned int headroom)
{
	return skb_cow_head(skb, headroom);
}

unsigned int rust_helper_skb_headroom(const struct sk_buff *skb)
{
	return skb_headroom(skb);
}

struct sk_buff *rust_helper_vlan_insert_tag_set_proto(struct sk_buff *skb, __be16 vlan_proto,
						      u16 vlan_tci)
{
	return vlan_insert_tag_set_proto(skb, vlan_proto, vlan_tci);
}
