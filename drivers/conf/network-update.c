/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "network-conf.h"

#include <libxml/tree.h>

#include "network-conf-priv.h"
#include "vb-error.h"
#include "xml-util.h"

static VbNetworkIp *
vb_net_first_ip(const VbNetworkDef *def, GSocketFamily family)
{
    for (guint i = 0; i < def->ips->len; i++) {
        VbNetworkIp *ip = g_ptr_array_index(def->ips, i);

        if (ip->family == family)
            return ip;
    }
    return NULL;
}

/* the <ip> an update works on: @index, or the one serving dhcp, or the first one */
static VbNetworkIp *
vb_net_update_ip(const VbNetworkDef *def, int index, const char *section, GError **error)
{
    VbNetworkIp *ip = NULL;

    if (index >= 0) {
        if ((guint)index < def->ips->len)
            return g_ptr_array_index(def->ips, index);
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "couldn't update '%s' section - no <ip> element found at index %d in "
                     "network '%s'",
                     section, index, def->name);
        return NULL;
    }
    for (guint i = 0; i < def->ips->len && ip == NULL; i++) {
        VbNetworkIp *candidate = g_ptr_array_index(def->ips, i);

        if (candidate->ranges->len > 0 || candidate->hosts->len > 0)
            ip = candidate;
    }
    if (ip == NULL)
        ip = vb_net_first_ip(def, G_SOCKET_FAMILY_IPV4);
    if (ip == NULL)
        ip = vb_net_first_ip(def, G_SOCKET_FAMILY_IPV6);
    if (ip == NULL)
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "couldn't update '%s' section - no <ip> element found in network '%s'",
                     section, def->name);
    return ip;
}

/* turning on dhcp for @ip must not give the network a second dhcp of its family */
static gboolean
vb_net_update_enable_dhcp(const VbNetworkDef *def, VbNetworkIp *ip, GError **error)
{
    if (ip->dhcp)
        return TRUE;
    for (guint i = 0; i < def->ips->len; i++) {
        const VbNetworkIp *other = g_ptr_array_index(def->ips, i);

        if (other != ip && other->dhcp && other->family == ip->family) {
            vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                         "dhcp is supported only for a single %s address on each network, and "
                         "network '%s' already serves it on '%s'",
                         ip->family == G_SOCKET_FAMILY_IPV6 ? "IPv6" : "IPv4", def->name,
                         other->address);
            return FALSE;
        }
    }
    return TRUE;
}

/* the index of the entry @host names (by mac, else name, else ip); with @exact every
 * attribute @host gives must match too */
static int
vb_net_find_host(const VbNetworkIp *ip, const VbNetworkDhcpHost *host, gboolean exact)
{
    for (guint i = 0; i < ip->hosts->len; i++) {
        const VbNetworkDhcpHost *h = g_ptr_array_index(ip->hosts, i);
        gboolean hit;

        if (host->mac != NULL)
            hit = g_strcmp0(h->mac, host->mac) == 0;
        else if (host->name != NULL)
            hit = g_strcmp0(h->name, host->name) == 0;
        else
            hit = g_strcmp0(h->ip, host->ip) == 0;
        if (hit && exact &&
            ((host->name != NULL && g_strcmp0(h->name, host->name) != 0) ||
             (host->ip != NULL && g_strcmp0(h->ip, host->ip) != 0)))
            hit = FALSE;
        if (hit)
            return (int)i;
    }
    return -1;
}

static gboolean
vb_net_update_host(VbNetworkDef *def, VbNetworkIp *ip, guint command, const xmlNode *node,
                   GError **error)
{
    g_autoptr(VbNetworkDhcpHost) host = NULL;
    int index;

    host =
        vb_net_parse_host(node, ip, def->name, command == VB_NETWORK_UPDATE_COMMAND_DELETE, error);
    if (host == NULL)
        return FALSE;

    if (command == VB_NETWORK_UPDATE_COMMAND_ADD_FIRST ||
        command == VB_NETWORK_UPDATE_COMMAND_ADD_LAST) {
        for (guint i = 0; i < ip->hosts->len; i++) {
            if (vb_net_host_conflicts(ip, g_ptr_array_index(ip->hosts, i), host)) {
                g_autofree char *text = vb_net_host_string(host);

                vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                             "there is an existing dhcp host entry in network '%s' that "
                             "matches \"%s\"",
                             def->name, text);
                return FALSE;
            }
        }
        if (!vb_net_update_enable_dhcp(def, ip, error))
            return FALSE;
        ip->dhcp = TRUE;
        if (command == VB_NETWORK_UPDATE_COMMAND_ADD_FIRST)
            g_ptr_array_insert(ip->hosts, 0, g_steal_pointer(&host));
        else
            g_ptr_array_add(ip->hosts, g_steal_pointer(&host));
        return TRUE;
    }

    index = vb_net_find_host(ip, host, command == VB_NETWORK_UPDATE_COMMAND_DELETE);
    if (index < 0) {
        g_autofree char *text = vb_net_host_string(host);

        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "couldn't locate a matching dhcp host entry in network '%s' for \"%s\"",
                     def->name, text);
        return FALSE;
    }
    if (command == VB_NETWORK_UPDATE_COMMAND_DELETE) {
        g_ptr_array_remove_index(ip->hosts, (guint)index);
        return TRUE;
    }
    for (guint i = 0; i < ip->hosts->len; i++) {
        if (i != (guint)index && vb_net_host_conflicts(ip, g_ptr_array_index(ip->hosts, i), host)) {
            g_autofree char *text = vb_net_host_string(host);

            vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                         "there is an existing dhcp host entry in network '%s' that matches "
                         "\"%s\"",
                         def->name, text);
            return FALSE;
        }
    }
    vb_net_host_free(g_ptr_array_index(ip->hosts, index));
    g_ptr_array_index(ip->hosts, index) = g_steal_pointer(&host);
    return TRUE;
}

static gboolean
vb_net_update_range(VbNetworkDef *def, VbNetworkIp *ip, guint command, const xmlNode *node,
                    GError **error)
{
    g_autoptr(VbNetworkDhcpRange) range = NULL;
    int index = -1;

    if (command == VB_NETWORK_UPDATE_COMMAND_MODIFY) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "dhcp ranges cannot be modified, only added or deleted (network '%s')",
                     def->name);
        return FALSE;
    }
    range = vb_net_parse_range(node, ip, def->name, error);
    if (range == NULL)
        return FALSE;
    for (guint i = 0; i < ip->ranges->len && index < 0; i++) {
        const VbNetworkDhcpRange *r = g_ptr_array_index(ip->ranges, i);

        if (g_strcmp0(r->start, range->start) == 0 && g_strcmp0(r->end, range->end) == 0)
            index = (int)i;
    }

    if (command == VB_NETWORK_UPDATE_COMMAND_DELETE) {
        if (index < 0) {
            vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                         "couldn't locate a matching dhcp range entry in network '%s' for "
                         "\"<range start='%s' end='%s'/>\"",
                         def->name, range->start, range->end);
            return FALSE;
        }
        g_ptr_array_remove_index(ip->ranges, (guint)index);
        return TRUE;
    }
    if (index >= 0) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "there is an existing dhcp range entry in network '%s' that matches "
                     "\"<range start='%s' end='%s'/>\"",
                     def->name, range->start, range->end);
        return FALSE;
    }
    if (!vb_net_update_enable_dhcp(def, ip, error))
        return FALSE;
    ip->dhcp = TRUE;
    if (command == VB_NETWORK_UPDATE_COMMAND_ADD_FIRST)
        g_ptr_array_insert(ip->ranges, 0, g_steal_pointer(&range));
    else
        g_ptr_array_add(ip->ranges, g_steal_pointer(&range));
    return TRUE;
}

gboolean
vb_network_def_update(VbNetworkDef *def, guint command, guint section, int parent_index,
                      const char *xml, GError **error)
{
    const char *name = vb_network_section_to_string(section);
    const char *root = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    VbNetworkIp *ip;

    g_return_val_if_fail(def != NULL, FALSE);
    if (command < VB_NETWORK_UPDATE_COMMAND_MODIFY ||
        command > VB_NETWORK_UPDATE_COMMAND_ADD_FIRST) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unrecognized network update command %u",
                     command);
        return FALSE;
    }
    if (name == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "can't update unrecognized section %u of network '%s'", section, def->name);
        return FALSE;
    }
    if (section == VB_NETWORK_SECTION_IP_DHCP_HOST)
        root = "host";
    else if (section == VB_NETWORK_SECTION_IP_DHCP_RANGE)
        root = "range";
    if (root == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "can't update '%s' section of network '%s'", name, def->name);
        return FALSE;
    }
    if ((ip = vb_net_update_ip(def, parent_index, name, error)) == NULL)
        return FALSE;
    if ((doc = vb_xml_parse(xml, -1, "network", root, error)) == NULL)
        return FALSE;
    if (section == VB_NETWORK_SECTION_IP_DHCP_HOST)
        return vb_net_update_host(def, ip, command, xmlDocGetRootElement(doc), error);
    return vb_net_update_range(def, ip, command, xmlDocGetRootElement(doc), error);
}
