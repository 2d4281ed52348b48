/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "network-conf.h"

G_BEGIN_DECLS

/* private to network-conf.c and network-update.c */

void vb_net_host_free(VbNetworkDhcpHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbNetworkDhcpHost, vb_net_host_free)
void vb_net_range_free(VbNetworkDhcpRange *range);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbNetworkDhcpRange, vb_net_range_free)

/* "<host mac='...' name='...' ip='...'/>" for messages */
char *vb_net_host_string(const VbNetworkDhcpHost *host);
/* two entries that dnsmasq could not tell apart */
gboolean vb_net_host_conflicts(const VbNetworkIp *ip, const VbNetworkDhcpHost *a,
                               const VbNetworkDhcpHost *b);
/* <host> and <range> of @ip in network @netname; @partial (Update's delete) lets any
 * subset of the host's attributes through */
VbNetworkDhcpHost *vb_net_parse_host(const xmlNode *node, const VbNetworkIp *ip,
                                     const char *netname, gboolean partial, GError **error);
VbNetworkDhcpRange *vb_net_parse_range(const xmlNode *node, const VbNetworkIp *ip,
                                       const char *netname, GError **error);

G_END_DECLS
