// SPDX-License-Identifier: GPL-2.0

#include <linux/etherdevice.h>
#include <linux/inetdevice.h>
#include <net/route.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <linux/netdevice.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/sched/signal.h>
#include <linux/sysfs.h>

void rust_helper_dev_hold(struct net_device *dev)
{
	dev_hold(dev);
}

void rust_helper_dev_put(struct net_device *dev)
{
	dev_put(dev);
}

void *rust_helper_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

void rust_helper_netif_tx_start_all_queues(struct net_device *dev)
{
	netif_tx_start_all_queues(dev);
}

void rust_helper_netif_tx_stop_all_queues(struct net_device *dev)
{
	netif_tx_stop_all_queues(dev);
}

void rust_helper_netdev_set_lltx(struct net_device *dev, bool lltx)
{
	dev->lltx = lltx;
}

void rust_helper_netdev_set_needs_free(struct net_device *dev)
{
	dev->needs_free_netdev = true;
}

struct net *rust_helper_dev_net(const struct net_device *dev)
{
	return dev_net(dev);
}

void rust_helper_eth_hw_addr_random(struct net_device *dev)
{
	eth_hw_addr_random(dev);
}

void rust_helper_eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	eth_hw_addr_set(dev, addr);
}

bool rust_helper_is_valid_ether_addr(const u8 *addr)
{
	return is_valid_ether_addr(addr);
}

struct net_device *
rust_helper_netdev_notifier_info_to_dev(const struct netdev_notifier_info *info)
{
	return netdev_notifier_info_to_dev(info);
}

struct net_device *rust_helper_to_net_dev(struct device *dev)
{
	return to_net_dev(dev);
}

void *rust_helper_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}

struct net *rust_helper_get_net(struct net *net)
{
	return get_net(net);
}

void rust_helper_put_net(struct net *net)
{
	put_net(net);
}

bool rust_helper_net_eq(const struct net *a, const struct net *b)
{
	return net_eq(a, b);
}

u64 rust_helper_netdev_priv_flags_get(const struct net_device *dev)
{
	return dev->priv_flags;
}

void rust_helper_netdev_priv_flags_set(struct net_device *dev, u64 flags)
{
	dev->priv_flags = flags;
}

void rust_helper_dev_net_set(struct net_device *dev, struct net *net)
{
	dev_net_set(dev, net);
}

void rust_helper_sysfs_attr_init(struct attribute *attr)
{
	sysfs_attr_init(attr);
}

int rust_helper_restart_syscall(void)
{
	return restart_syscall();
}

void rust_helper_dev_core_stats_tx_dropped_inc(struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
}

void rust_helper_dev_core_stats_rx_dropped_inc(struct net_device *dev)
{
	dev_core_stats_rx_dropped_inc(dev);
}

netdev_features_t rust_helper_netdev_base_features(netdev_features_t features)
{
	return netdev_base_features(features);
}

netdev_features_t rust_helper_netdev_add_tso_features(netdev_features_t features,
						      netdev_features_t mask)
{
	return netdev_add_tso_features(features, mask);
}

void rust_helper_dev_addr_set_stolen(struct net_device *dev, const u8 *addr,
				     unsigned char len)
{
	__dev_addr_set(dev, addr, len);
	dev->addr_assign_type = NET_ADDR_STOLEN;
}

void rust_helper_netif_addr_lock_bh(struct net_device *dev)
{
	netif_addr_lock_bh(dev);
}

void rust_helper_netif_addr_unlock_bh(struct net_device *dev)
{
	netif_addr_unlock_bh(dev);
}

struct net_device *rust_helper_ip_dev_find_rcu(struct net_device *dev, __be32 addr)
{
	/* An unregistered device's namespace may already be gone; a registered one's stays
	 * until a grace period after the device is unlisted, which the caller's RCU read-side
	 * section spans.
	 */
	if (READ_ONCE(dev->reg_state) != NETREG_REGISTERED)
		return NULL;
	return __ip_dev_find(dev_net(dev), addr, false);
}

struct rtable *rust_helper_ip_route_output(struct net *net, __be32 daddr, __be32 saddr,
					   u8 tos, int oif, __u8 scope)
{
	return ip_route_output(net, daddr, saddr, tos, oif, scope);
}

void rust_helper_ip_rt_put(struct rtable *rt)
{
	ip_rt_put(rt);
}

struct net_device *rust_helper_rt_dst_dev(const struct rtable *rt)
{
	return READ_ONCE(rt->dst.dev);
}

struct net *rust_helper_dev_net_registered(struct net_device *dev)
{
	if (READ_ONCE(dev->reg_state) != NETREG_REGISTERED)
		return NULL;
	return dev_net(dev);
}

__be32 rust_helper_inet_confirm_addr_rcu(struct net_device *dev, __be32 dst, __be32 local)
{
	struct in_device *in_dev = __in_dev_get_rcu(dev);

	if (!in_dev || READ_ONCE(dev->reg_state) != NETREG_REGISTERED)
		return 0;
	return inet_confirm_addr(dev_net(dev), in_dev, dst, local, RT_SCOPE_HOST);
}

/*
 * IPv6 routes and addresses (kernel::net::route, kernel::net::ndisc). Each returns nothing,
 * or an error, for a device that is not registered (its namespace may then be gone), and the
 * caller checked ipv6_mod_enabled(): with ipv6.disable=1 the routing tables and the ndisc
 * socket do not exist.
 */
struct dst_entry *rust_helper_ip6_route_output_daddr(struct net *net, const struct in6_addr *daddr)
{
	struct flowi6 fl6 = { .daddr = *daddr };
	struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);
	int err = dst->error;

	if (err) {
		dst_release(dst);
		return ERR_PTR(err);
	}
	return dst;
}

struct net_device *rust_helper_dst_dev_rcu(const struct dst_entry *dst)
{
	return READ_ONCE(dst->dev);
}

int rust_helper_ipv6_dev_get_saddr_rcu(struct net_device *dev, const struct in6_addr *daddr,
				       struct in6_addr *saddr)
{
	if (READ_ONCE(dev->reg_state) != NETREG_REGISTERED)
		return -ENODEV;
	return ipv6_dev_get_saddr(dev_net(dev), dev, daddr, 0, saddr);
}

bool rust_helper_ipv6_chk_addr_rcu(struct net_device *dev, const struct in6_addr *addr)
{
	if (READ_ONCE(dev->reg_state) != NETREG_REGISTERED)
		return false;
	return ipv6_chk_addr(dev_net(dev), addr, dev, 0);
}

void rust_helper_ndisc_send_registered(struct sk_buff *skb, const struct in6_addr *daddr,
				       const struct in6_addr *saddr)
{
	/* An unregistering device leaves its namespace only after a grace period. */
	rcu_read_lock();
	if (READ_ONCE(skb->dev->reg_state) == NETREG_REGISTERED)
		ndisc_send_skb(skb, daddr, saddr);
	else
		kfree_skb(skb);
	rcu_read_unlock();
}

struct sk_buff *rust_helper_ndisc_ns_create(struct net_device *dev, const struct in6_addr *solicit,
					    const struct in6_addr *saddr)
{
	return ndisc_ns_create(dev, solicit, saddr, 0);
}

int rust_helper_ndisc_mc_map(const struct in6_addr *addr, char *buf, struct net_device *dev)
{
	return ndisc_mc_map(addr, buf, dev, 0);
}
