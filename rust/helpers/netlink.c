// SPDX-License-Identifier: GPL-2.0

#include <net/netlink.h>

struct nlattr *rust_helper_nla_nest_start_noflag(struct sk_buff *skb, int attrtype)
{
	return nla_nest_start_noflag(skb, attrtype);
}

int rust_helper_nla_nest_end(struct sk_buff *skb, struct nlattr *start)
{
	return nla_nest_end(skb, start);
}

void rust_helper_nla_nest_cancel(struct sk_buff *skb, struct nlattr *start)
{
	nla_nest_cancel(skb, start);
}

int rust_helper_nla_put_u64_64bit(struct sk_buff *skb, int attrtype, u64 value,
				  int padattr)
{
	return nla_put_u64_64bit(skb, attrtype, value, padattr);
}

size_t rust_helper_nla_total_size(int payload)
{
	return nla_total_size(payload);
}
