/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "network-conf.h"

#include <string.h>

#include "network-conf-priv.h"
#include "schema.h"
#include "vb-error.h"
#include "xml-util.h"

#define VB_IFNAME_MAX 15 /* IFNAMSIZ - 1 */

static const char *const vb_forward_modes[] = {
    [VB_NETWORK_FORWARD_NONE] = "none",       [VB_NETWORK_FORWARD_NAT] = "nat",
    [VB_NETWORK_FORWARD_ROUTE] = "route",     [VB_NETWORK_FORWARD_OPEN] = "open",
    [VB_NETWORK_FORWARD_BRIDGE] = "bridge",   [VB_NETWORK_FORWARD_PRIVATE] = "private",
    [VB_NETWORK_FORWARD_VEPA] = "vepa",       [VB_NETWORK_FORWARD_PASSTHROUGH] = "passthrough",
    [VB_NETWORK_FORWARD_HOSTDEV] = "hostdev",
};

static const char *const vb_sections[] = {
    [VB_NETWORK_SECTION_NONE] = "none",
    [VB_NETWORK_SECTION_BRIDGE] = "bridge",
    [VB_NETWORK_SECTION_DOMAIN] = "domain",
    [VB_NETWORK_SECTION_IP] = "ip",
    [VB_NETWORK_SECTION_IP_DHCP_HOST] = "ip-dhcp-host",
    [VB_NETWORK_SECTION_IP_DHCP_RANGE] = "ip-dhcp-range",
    [VB_NETWORK_SECTION_FORWARD] = "forward",
    [VB_NETWORK_SECTION_FORWARD_INTERFACE] = "forward-interface",
    [VB_NETWORK_SECTION_FORWARD_PF] = "forward-pf",
    [VB_NETWORK_SECTION_PORTGROUP] = "portgroup",
    [VB_NETWORK_SECTION_DNS_HOST] = "dns-host",
    [VB_NETWORK_SECTION_DNS_TXT] = "dns-txt",
    [VB_NETWORK_SECTION_DNS_SRV] = "dns-srv",
};

const char *
vb_network_forward_mode_to_string(VbNetworkForwardMode mode)
{
    if ((guint)mode >= G_N_ELEMENTS(vb_forward_modes))
        return NULL;
    return vb_forward_modes[mode];
}

const char *
vb_network_section_to_string(guint section)
{
    if (section == VB_NETWORK_SECTION_NONE || section >= G_N_ELEMENTS(vb_sections))
        return NULL;
    return vb_sections[section];
}

/* bridges, nat, route and open run the network on a bridge of their own that the host
 * manages (addresses, dhcp, stp); the others hand guests to existing devices */
static gboolean
vb_net_mode_is_virtual(VbNetworkForwardMode mode)
{
    return mode == VB_NETWORK_FORWARD_NONE || mode == VB_NETWORK_FORWARD_NAT ||
           mode == VB_NETWORK_FORWARD_ROUTE || mode == VB_NETWORK_FORWARD_OPEN;
}

/* ---- memory ---- */

void
vb_net_host_free(VbNetworkDhcpHost *host)
{
    if (host == NULL)
        return;
    g_free(host->mac);
    g_free(host->name);
    g_free(host->ip);
    g_free(host);
}

void
vb_net_range_free(VbNetworkDhcpRange *range)
{
    if (range == NULL)
        return;
    g_free(range->start);
    g_free(range->end);
    g_free(range);
}

static void
vb_net_ip_free(VbNetworkIp *ip)
{
    if (ip == NULL)
        return;
    g_free(ip->address);
    g_free(ip->tftp_root);
    g_ptr_array_unref(ip->ranges);
    g_ptr_array_unref(ip->hosts);
    g_free(ip->bootp_file);
    g_free(ip->bootp_server);
    g_free(ip);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbNetworkIp, vb_net_ip_free)

static VbNetworkIp *
vb_net_ip_new(void)
{
    VbNetworkIp *ip = g_new0(VbNetworkIp, 1);

    ip->family = G_SOCKET_FAMILY_IPV4;
    ip->ranges = g_ptr_array_new_with_free_func((GDestroyNotify)vb_net_range_free);
    ip->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)vb_net_host_free);
    return ip;
}

static VbNetworkDef *
vb_net_def_new(void)
{
    VbNetworkDef *def = g_new0(VbNetworkDef, 1);

    def->stp = TRUE;
    def->forward_ifaces = g_ptr_array_new_with_free_func(g_free);
    def->ips = g_ptr_array_new_with_free_func((GDestroyNotify)vb_net_ip_free);
    return def;
}

void
vb_network_def_free(VbNetworkDef *def)
{
    if (def == NULL)
        return;
    g_free(def->name);
    g_free(def->forward_dev);
    g_ptr_array_unref(def->forward_ifaces);
    g_free(def->nat_addr_start);
    g_free(def->nat_addr_end);
    g_free(def->bridge);
    g_free(def->mac);
    g_free(def->domain);
    g_ptr_array_unref(def->ips);
    g_free(def);
}

static VbNetworkDhcpHost *
vb_net_host_copy(const VbNetworkDhcpHost *host)
{
    VbNetworkDhcpHost *copy = g_new0(VbNetworkDhcpHost, 1);

    copy->mac = g_strdup(host->mac);
    copy->name = g_strdup(host->name);
    copy->ip = g_strdup(host->ip);
    return copy;
}

static VbNetworkDhcpRange *
vb_net_range_copy(const VbNetworkDhcpRange *range)
{
    VbNetworkDhcpRange *copy = g_new0(VbNetworkDhcpRange, 1);

    copy->start = g_strdup(range->start);
    copy->end = g_strdup(range->end);
    return copy;
}

static VbNetworkIp *
vb_net_ip_copy(const VbNetworkIp *ip)
{
    VbNetworkIp *copy = vb_net_ip_new();

    copy->family = ip->family;
    copy->address = g_strdup(ip->address);
    copy->prefix = ip->prefix;
    copy->use_netmask = ip->use_netmask;
    copy->tftp_root = g_strdup(ip->tftp_root);
    copy->dhcp = ip->dhcp;
    for (guint i = 0; i < ip->ranges->len; i++)
        g_ptr_array_add(copy->ranges, vb_net_range_copy(g_ptr_array_index(ip->ranges, i)));
    for (guint i = 0; i < ip->hosts->len; i++)
        g_ptr_array_add(copy->hosts, vb_net_host_copy(g_ptr_array_index(ip->hosts, i)));
    copy->bootp_file = g_strdup(ip->bootp_file);
    copy->bootp_server = g_strdup(ip->bootp_server);
    return copy;
}

VbNetworkDef *
vb_network_def_copy(const VbNetworkDef *def)
{
    VbNetworkDef *copy;

    g_return_val_if_fail(def != NULL, NULL);
    copy = vb_net_def_new();
    copy->name = g_strdup(def->name);
    memcpy(copy->uuid, def->uuid, VB_UUID_LEN);
    copy->ipv6 = def->ipv6;
    copy->forward_mode = def->forward_mode;
    copy->forward_dev = g_strdup(def->forward_dev);
    for (guint i = 0; i < def->forward_ifaces->len; i++)
        g_ptr_array_add(copy->forward_ifaces, g_strdup(g_ptr_array_index(def->forward_ifaces, i)));
    copy->nat_addr_start = g_strdup(def->nat_addr_start);
    copy->nat_addr_end = g_strdup(def->nat_addr_end);
    copy->nat_port_start = def->nat_port_start;
    copy->nat_port_end = def->nat_port_end;
    copy->bridge = g_strdup(def->bridge);
    copy->stp = def->stp;
    copy->delay = def->delay;
    copy->mtu = def->mtu;
    copy->mac = g_strdup(def->mac);
    copy->domain = g_strdup(def->domain);
    copy->domain_local_only = def->domain_local_only;
    for (guint i = 0; i < def->ips->len; i++)
        g_ptr_array_add(copy->ips, vb_net_ip_copy(g_ptr_array_index(def->ips, i)));
    return copy;
}

/* ---- addresses ---- */

/* a strict address: no scope id, no surrounding space, of @family unless it is
 * G_SOCKET_FAMILY_INVALID */
static GInetAddress *
vb_net_inet_parse(const char *text, GSocketFamily family)
{
    GInetAddress *addr;

    if (text == NULL || *text == '\0' || strchr(text, '%') != NULL || g_ascii_isspace(text[0]) ||
        g_ascii_isspace(text[strlen(text) - 1]))
        return NULL;
    addr = g_inet_address_new_from_string(text);
    if (addr == NULL)
        return NULL;
    if (family != G_SOCKET_FAMILY_INVALID && g_inet_address_get_family(addr) != family) {
        g_object_unref(addr);
        return NULL;
    }
    return addr;
}

static int
vb_net_inet_cmp(GInetAddress *a, GInetAddress *b)
{
    gsize size = g_inet_address_get_native_size(a);

    g_return_val_if_fail(size == g_inet_address_get_native_size(b), 0);
    return memcmp(g_inet_address_to_bytes(a), g_inet_address_to_bytes(b), size);
}

/* @addr with every bit past @prefix cleared */
static GInetAddress *
vb_net_inet_mask(GInetAddress *addr, guint prefix)
{
    guint8 bytes[16] = {0};
    gsize size = g_inet_address_get_native_size(addr);

    memcpy(bytes, g_inet_address_to_bytes(addr), size);
    for (gsize i = 0; i < size; i++) {
        guint bits = prefix > i * 8 ? MIN(prefix - i * 8, 8u) : 0;

        bytes[i] &= (guint8)(0xff00 >> bits);
    }
    return g_inet_address_new_from_bytes(bytes, g_inet_address_get_family(addr));
}

static gboolean
vb_net_inet_same_subnet(GInetAddress *a, GInetAddress *b, guint prefix)
{
    g_autoptr(GInetAddress) ma = NULL;
    g_autoptr(GInetAddress) mb = NULL;

    if (g_inet_address_get_family(a) != g_inet_address_get_family(b))
        return FALSE;
    ma = vb_net_inet_mask(a, prefix);
    mb = vb_net_inet_mask(b, prefix);
    return g_inet_address_equal(ma, mb);
}

/* the prefix length of a contiguous IPv4 netmask, or -1 */
static int
vb_net_netmask_prefix(GInetAddress *mask)
{
    const guint8 *bytes = g_inet_address_to_bytes(mask);
    guint32 value =
        (guint32)bytes[0] << 24 | (guint32)bytes[1] << 16 | (guint32)bytes[2] << 8 | bytes[3];
    int prefix = 0;

    while (prefix < 32 && (value & (0x80000000u >> prefix)) != 0)
        prefix++;
    if (prefix < 32 && (value & (0xffffffffu >> prefix)) != 0)
        return -1;
    return prefix;
}

static char *
vb_net_prefix_netmask(guint prefix)
{
    guint32 value = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);

    return g_strdup_printf("%u.%u.%u.%u", value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff,
                           value & 0xff);
}

/* "192.168.122.0/24" for messages */
static char *
vb_net_ip_subnet_string(const VbNetworkIp *ip)
{
    g_autoptr(GInetAddress) addr = vb_net_inet_parse(ip->address, ip->family);
    g_autoptr(GInetAddress) net = NULL;
    g_autofree char *text = NULL;

    if (addr == NULL)
        return g_strdup_printf("%s/%u", ip->address, ip->prefix);
    net = vb_net_inet_mask(addr, ip->prefix);
    text = g_inet_address_to_string(net);
    return g_strdup_printf("%s/%u", text, ip->prefix);
}

static gboolean
vb_net_ip_contains(const VbNetworkIp *ip, GInetAddress *addr)
{
    g_autoptr(GInetAddress) own = vb_net_inet_parse(ip->address, ip->family);

    return own != NULL && vb_net_inet_same_subnet(own, addr, ip->prefix);
}

/* ---- small checks ---- */

/* a name that ends up on a command line or in a dnsmasq config: printable ASCII
 * without space, quotes, commas or slashes */
static gboolean
vb_net_word_ok(const char *text, gsize max)
{
    gsize len = text != NULL ? strlen(text) : 0;

    if (len == 0 || len > max)
        return FALSE;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p <= ' ' || *p >= 0x7f || strchr("/,'\"\\=#;", *p) != NULL)
            return FALSE;
    }
    return TRUE;
}

static gboolean
vb_net_ifname_ok(const char *name)
{
    return vb_net_word_ok(name, VB_IFNAME_MAX) && strcmp(name, ".") != 0 &&
           strcmp(name, "..") != 0 && strchr(name, ':') == NULL;
}

/* host and domain names: letters, digits, '-', '_' and '.' */
static gboolean
vb_net_hostname_ok(const char *name)
{
    if (name == NULL || *name == '\0' || strlen(name) > 253)
        return FALSE;
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && strchr("-_.", *p) == NULL)
            return FALSE;
    }
    return TRUE;
}

/* a path or file name: any UTF-8 without control characters */
static gboolean
vb_net_text_ok(const char *text)
{
    if (text == NULL || *text == '\0' || !g_utf8_validate(text, -1, NULL))
        return FALSE;
    for (const char *p = text; *p != '\0'; p++) {
        if ((guchar)*p < ' ' || *p == 0x7f)
            return FALSE;
    }
    return TRUE;
}

/* text other than white space in an element that holds none, as the seed pages'
 * "..." lines */
static gboolean
vb_net_check_no_text(const xmlNode *node, GError **error)
{
    for (const xmlNode *n = node->children; n != NULL; n = n->next) {
        const char *text = (const char *)n->content;
        long line;

        if ((n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE) || text == NULL)
            continue;
        /* libxml2 numbers a text node by the line where its text ends */
        line = xmlGetLineNo(n);
        for (const char *p = text; *p != '\0'; p++)
            line -= *p == '\n';
        line = MAX(line, n->prev != NULL ? xmlGetLineNo(n->prev) : xmlGetLineNo(node));
        for (; *text != '\0' && g_ascii_isspace(*text); text++) {
            if (*text == '\n')
                line++;
        }
        if (*text != '\0') {
            g_autofree char *path = vb_xml_node_path(node, NULL);
            g_autofree char *shown = g_strndup(text, strcspn(text, "\n"));

            vb_error_set(error, VB_ERROR_XML, "unexpected text '%s' at line %ld in '%s'",
                         g_strchomp(shown), line, path);
            return FALSE;
        }
    }
    return TRUE;
}

/* attributes in @attrs, no stray text and, for a leaf, no child elements */
static gboolean
vb_net_check_node(const xmlNode *node, const char *const *attrs, gboolean leaf, GError **error)
{
    xmlNode *child;

    if (!vb_xml_check_attrs(node, attrs, error) || !vb_net_check_no_text(node, error))
        return FALSE;
    if (leaf && (child = vb_xml_first_element(node)) != NULL)
        return vb_xml_unexpected(error, child);
    return TRUE;
}

/* an element whose content is text: no attributes, no child elements */
static gboolean
vb_net_check_text_node(const xmlNode *node, GError **error)
{
    xmlNode *child;

    if (!vb_xml_check_attrs(node, NULL, error))
        return FALSE;
    if ((child = vb_xml_first_element(node)) != NULL)
        return vb_xml_unexpected(error, child);
    return TRUE;
}

/* the value of attribute @attr, which must be present */
static char *
vb_net_required_prop(const xmlNode *node, const char *attr, GError **error)
{
    char *value = vb_xml_prop(node, attr);

    if (value == NULL) {
        g_autofree char *what = g_strdup_printf("attribute '%s'", attr);

        vb_xml_missing(error, node, what);
    }
    return value;
}

/* yes/no (or on/off with @onoff) into @out; absent keeps @out */
static gboolean
vb_net_parse_bool(const xmlNode *node, const char *attr, gboolean onoff, VbNetworkBool *out,
                  GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);

    if (value == NULL)
        return TRUE;
    if (g_strcmp0(value, onoff ? "on" : "yes") == 0)
        *out = VB_NETWORK_BOOL_YES;
    else if (g_strcmp0(value, onoff ? "off" : "no") == 0)
        *out = VB_NETWORK_BOOL_NO;
    else
        return vb_xml_invalid(error, node, attr, value);
    return TRUE;
}

/* an element that may appear once: a second one is an error */
static gboolean
vb_net_once(const xmlNode *node, gboolean *seen, GError **error)
{
    if (*seen)
        return vb_xml_unexpected(error, node);
    *seen = TRUE;
    return TRUE;
}

/* ---- dhcp ---- */

char *
vb_net_host_string(const VbNetworkDhcpHost *host)
{
    VbXmlWriter w;
    g_autofree char *text = NULL;

    vb_xml_writer_init(&w);
    vb_xml_empty(&w, "host", "mac", host->mac, "name", host->name, "ip", host->ip, NULL);
    text = vb_xml_writer_finish(&w);
    return g_strdup(g_strchomp(text));
}

/* two entries that dnsmasq could not tell apart */
gboolean
vb_net_host_conflicts(const VbNetworkIp *ip, const VbNetworkDhcpHost *a, const VbNetworkDhcpHost *b)
{
    if (a->mac != NULL && b->mac != NULL && g_ascii_strcasecmp(a->mac, b->mac) == 0)
        return TRUE;
    if (a->ip != NULL && b->ip != NULL && g_strcmp0(a->ip, b->ip) == 0)
        return TRUE;
    /* IPv6 hosts are known by name only */
    return ip->family == G_SOCKET_FAMILY_IPV6 && a->name != NULL && b->name != NULL &&
           g_strcmp0(a->name, b->name) == 0;
}

/* <host>; @partial (Update's delete) lets any subset of attributes through */
VbNetworkDhcpHost *
vb_net_parse_host(const xmlNode *node, const VbNetworkIp *ip, const char *netname, gboolean partial,
                  GError **error)
{
    static const char *const attrs[] = {"mac", "name", "ip", NULL};
    g_autoptr(VbNetworkDhcpHost) host = g_new0(VbNetworkDhcpHost, 1);
    g_autofree char *mac = NULL;
    g_autofree char *ip_text = NULL;

    if (!vb_net_check_node(node, attrs, TRUE, error))
        return NULL;
    mac = vb_xml_prop(node, "mac");
    host->name = vb_xml_prop(node, "name");
    ip_text = vb_xml_prop(node, "ip");

    if (mac != NULL) {
        guint8 bytes[VB_MAC_LEN];
        char canon[VB_MAC_STRING_LEN];

        if (ip->family == G_SOCKET_FAMILY_IPV6) {
            vb_error_set(error, VB_ERROR_XML,
                         "Invalid to specify MAC address '%s' in network '%s' IPv6 static host "
                         "definition",
                         mac, netname);
            return NULL;
        }
        if (!vb_mac_parse(mac, bytes)) {
            vb_xml_invalid(error, node, "mac", mac);
            return NULL;
        }
        if (vb_mac_is_multicast(bytes)) {
            vb_error_set(error, VB_ERROR_XML,
                         "expected unicast mac address, found multicast '%s' in network '%s'", mac,
                         netname);
            return NULL;
        }
        vb_mac_format(bytes, canon);
        host->mac = g_strdup(canon);
    }
    if (host->name != NULL &&
        (!vb_net_hostname_ok(host->name) || !g_ascii_isalpha(host->name[0]))) {
        vb_error_set(error, VB_ERROR_XML, "Cannot use host name '%s' in network '%s'", host->name,
                     netname);
        return NULL;
    }
    if (ip_text != NULL) {
        g_autoptr(GInetAddress) addr = vb_net_inet_parse(ip_text, G_SOCKET_FAMILY_INVALID);

        if (addr == NULL) {
            vb_xml_invalid(error, node, "ip", ip_text);
            return NULL;
        }
        if (g_inet_address_get_family(addr) != ip->family) {
            vb_error_set(error, VB_ERROR_XML,
                         "dhcp host ip '%s' is not of the family of address '%s' in network "
                         "'%s'",
                         ip_text, ip->address, netname);
            return NULL;
        }
        if (!vb_net_ip_contains(ip, addr)) {
            g_autofree char *subnet = vb_net_ip_subnet_string(ip);

            vb_error_set(error, VB_ERROR_XML,
                         "dhcp host ip '%s' is not within network %s of network '%s'", ip_text,
                         subnet, netname);
            return NULL;
        }
        host->ip = g_inet_address_to_string(addr);
    }

    if (partial) {
        if (host->mac == NULL && host->name == NULL && host->ip == NULL) {
            vb_error_set(error, VB_ERROR_XML,
                         "dhcp host entry in network '%s' needs mac, name or ip", netname);
            return NULL;
        }
    } else if (ip->family == G_SOCKET_FAMILY_IPV6) {
        if (host->name == NULL || host->ip == NULL) {
            vb_error_set(error, VB_ERROR_XML,
                         "Static host definition in IPv6 network '%s' must have name and ip "
                         "attributes",
                         netname);
            return NULL;
        }
    } else {
        if (host->mac == NULL && host->name == NULL) {
            vb_error_set(error, VB_ERROR_XML,
                         "Static host definition in IPv4 network '%s' must have mac or name "
                         "attribute",
                         netname);
            return NULL;
        }
        if (host->ip == NULL) {
            vb_error_set(error, VB_ERROR_XML,
                         "Missing IP address in static host definition for network '%s'", netname);
            return NULL;
        }
    }
    return g_steal_pointer(&host);
}

VbNetworkDhcpRange *
vb_net_parse_range(const xmlNode *node, const VbNetworkIp *ip, const char *netname, GError **error)
{
    static const char *const attrs[] = {"start", "end", NULL};
    g_autoptr(VbNetworkDhcpRange) range = g_new0(VbNetworkDhcpRange, 1);
    g_autofree char *start_text = NULL;
    g_autofree char *end_text = NULL;
    g_autoptr(GInetAddress) start = NULL;
    g_autoptr(GInetAddress) end = NULL;

    if (!vb_net_check_node(node, attrs, TRUE, error))
        return NULL;
    if ((start_text = vb_net_required_prop(node, "start", error)) == NULL ||
        (end_text = vb_net_required_prop(node, "end", error)) == NULL)
        return NULL;
    if ((start = vb_net_inet_parse(start_text, G_SOCKET_FAMILY_INVALID)) == NULL) {
        vb_xml_invalid(error, node, "start", start_text);
        return NULL;
    }
    if ((end = vb_net_inet_parse(end_text, G_SOCKET_FAMILY_INVALID)) == NULL) {
        vb_xml_invalid(error, node, "end", end_text);
        return NULL;
    }
    if (g_inet_address_get_family(start) != ip->family ||
        g_inet_address_get_family(end) != ip->family) {
        vb_error_set(error, VB_ERROR_XML,
                     "dhcp range '%s' - '%s' is not of the family of address '%s' in network "
                     "'%s'",
                     start_text, end_text, ip->address, netname);
        return NULL;
    }
    if (vb_net_inet_cmp(start, end) > 0) {
        vb_error_set(error, VB_ERROR_XML,
                     "Invalid dhcp range '%s' to '%s' in network '%s': start is after end",
                     start_text, end_text, netname);
        return NULL;
    }
    if (!vb_net_ip_contains(ip, start) || !vb_net_ip_contains(ip, end)) {
        g_autofree char *subnet = vb_net_ip_subnet_string(ip);

        vb_error_set(error, VB_ERROR_XML,
                     "dhcp range '%s' - '%s' is not entirely within network %s of network '%s'",
                     start_text, end_text, subnet, netname);
        return NULL;
    }
    range->start = g_inet_address_to_string(start);
    range->end = g_inet_address_to_string(end);
    return g_steal_pointer(&range);
}

static gboolean
vb_net_parse_dhcp(const xmlNode *node, VbNetworkIp *ip, const char *netname, GError **error)
{
    g_autoptr(GHashTable) macs = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) ips = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) ranges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gboolean seen_bootp = FALSE;

    if (!vb_net_check_node(node, NULL, FALSE, error))
        return FALSE;
    ip->dhcp = TRUE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns == NULL && vb_xml_is(n, "range")) {
            VbNetworkDhcpRange *range = vb_net_parse_range(n, ip, netname, error);
            char *key;

            if (range == NULL)
                return FALSE;
            g_ptr_array_add(ip->ranges, range);
            key = g_strdup_printf("%s-%s", range->start, range->end);
            if (!g_hash_table_add(ranges, key)) {
                vb_error_set(error, VB_ERROR_XML,
                             "duplicate dhcp range '%s' - '%s' in network '%s'", range->start,
                             range->end, netname);
                return FALSE;
            }
        } else if (n->ns == NULL && vb_xml_is(n, "host")) {
            VbNetworkDhcpHost *host = vb_net_parse_host(n, ip, netname, FALSE, error);

            if (host == NULL)
                return FALSE;
            g_ptr_array_add(ip->hosts, host);
            if (host->mac != NULL && !g_hash_table_add(macs, host->mac)) {
                vb_error_set(error, VB_ERROR_XML, "duplicate dhcp host mac '%s' in network '%s'",
                             host->mac, netname);
                return FALSE;
            }
            if (host->ip != NULL && !g_hash_table_add(ips, host->ip)) {
                vb_error_set(error, VB_ERROR_XML, "duplicate dhcp host ip '%s' in network '%s'",
                             host->ip, netname);
                return FALSE;
            }
            if (ip->family == G_SOCKET_FAMILY_IPV6 && !g_hash_table_add(names, host->name)) {
                vb_error_set(error, VB_ERROR_XML, "duplicate dhcp host name '%s' in network '%s'",
                             host->name, netname);
                return FALSE;
            }
        } else if (n->ns == NULL && vb_xml_is(n, "bootp")) {
            static const char *const attrs[] = {"file", "server", NULL};

            if (!vb_net_once(n, &seen_bootp, error) || !vb_net_check_node(n, attrs, TRUE, error))
                return FALSE;
            if (ip->family != G_SOCKET_FAMILY_IPV4) {
                vb_error_set(error, VB_ERROR_XML,
                             "Unsupported <bootp> element in an IPv6 element in network '%s'",
                             netname);
                return FALSE;
            }
            if ((ip->bootp_file = vb_net_required_prop(n, "file", error)) == NULL)
                return FALSE;
            if (!vb_net_text_ok(ip->bootp_file))
                return vb_xml_invalid(error, n, "file", ip->bootp_file);
            ip->bootp_server = vb_xml_prop(n, "server");
            if (ip->bootp_server != NULL && !vb_net_hostname_ok(ip->bootp_server))
                return vb_xml_invalid(error, n, "server", ip->bootp_server);
        } else {
            return vb_xml_unexpected(error, n);
        }
    }
    return TRUE;
}

/* ---- ip ---- */

static VbNetworkIp *
vb_net_parse_ip(const xmlNode *node, const char *netname, GError **error)
{
    static const char *const attrs[] = {"family", "address", "netmask", "prefix", NULL};
    g_autoptr(VbNetworkIp) ip = vb_net_ip_new();
    g_autofree char *family = NULL;
    g_autofree char *address = NULL;
    g_autofree char *netmask = NULL;
    g_autofree char *prefix = NULL;
    g_autoptr(GInetAddress) addr = NULL;
    gboolean seen_dhcp = FALSE;
    gboolean seen_tftp = FALSE;

    if (!vb_net_check_node(node, attrs, FALSE, error))
        return NULL;
    family = vb_xml_prop(node, "family");
    netmask = vb_xml_prop(node, "netmask");
    prefix = vb_xml_prop(node, "prefix");
    if (family != NULL && g_strcmp0(family, "ipv4") != 0 && g_strcmp0(family, "ipv6") != 0) {
        vb_xml_invalid(error, node, "family", family);
        return NULL;
    }
    if ((address = vb_net_required_prop(node, "address", error)) == NULL)
        return NULL;
    if ((addr = vb_net_inet_parse(address, G_SOCKET_FAMILY_INVALID)) == NULL) {
        vb_xml_invalid(error, node, "address", address);
        return NULL;
    }
    ip->family = g_inet_address_get_family(addr);
    if (family != NULL &&
        (g_strcmp0(family, "ipv6") == 0) != (ip->family == G_SOCKET_FAMILY_IPV6)) {
        vb_error_set(error, VB_ERROR_XML,
                     "Family '%s' specified for non-%s address '%s' in network '%s'", family,
                     g_strcmp0(family, "ipv6") == 0 ? "IPv6" : "IPv4", address, netname);
        return NULL;
    }
    ip->address = g_inet_address_to_string(addr);

    if (netmask != NULL && prefix != NULL) {
        vb_error_set(error, VB_ERROR_XML,
                     "Network '%s' IP address cannot have both a prefix and a netmask", netname);
        return NULL;
    }
    if (netmask != NULL) {
        g_autoptr(GInetAddress) mask = NULL;
        int len;

        if (ip->family == G_SOCKET_FAMILY_IPV6) {
            vb_error_set(error, VB_ERROR_XML,
                         "netmask not supported for address '%s' in network '%s' (IPv6)", address,
                         netname);
            return NULL;
        }
        mask = vb_net_inet_parse(netmask, G_SOCKET_FAMILY_IPV4);
        if (mask == NULL || (len = vb_net_netmask_prefix(mask)) < 0) {
            vb_xml_invalid(error, node, "netmask", netmask);
            return NULL;
        }
        ip->prefix = (guint)len;
        ip->use_netmask = TRUE;
    } else if (prefix != NULL) {
        guint max = ip->family == G_SOCKET_FAMILY_IPV6 ? 128 : 32;

        if (!vb_parse_uint(prefix, &ip->prefix) || ip->prefix > max) {
            vb_xml_invalid(error, node, "prefix", prefix);
            return NULL;
        }
    } else if (ip->family == G_SOCKET_FAMILY_IPV6) {
        ip->prefix = 64;
    } else {
        /* the classful default, as libvirt infers it */
        guint8 first = g_inet_address_to_bytes(addr)[0];

        if (first >= 224) {
            vb_error_set(error, VB_ERROR_XML,
                         "cannot infer a netmask for address '%s' in network '%s': give "
                         "netmask or prefix",
                         address, netname);
            return NULL;
        }
        ip->prefix = first < 128 ? 8 : first < 192 ? 16 : 24;
        ip->use_netmask = TRUE;
    }

    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns == NULL && vb_xml_is(n, "dhcp")) {
            if (!vb_net_once(n, &seen_dhcp, error) || !vb_net_parse_dhcp(n, ip, netname, error))
                return NULL;
        } else if (n->ns == NULL && vb_xml_is(n, "tftp")) {
            static const char *const tftp_attrs[] = {"root", NULL};

            if (!vb_net_once(n, &seen_tftp, error) ||
                !vb_net_check_node(n, tftp_attrs, TRUE, error))
                return NULL;
            if (ip->family != G_SOCKET_FAMILY_IPV4) {
                vb_error_set(error, VB_ERROR_XML,
                             "Unsupported <tftp> element in an IPv6 element in network '%s'",
                             netname);
                return NULL;
            }
            if ((ip->tftp_root = vb_net_required_prop(n, "root", error)) == NULL)
                return NULL;
            if (!vb_net_text_ok(ip->tftp_root)) {
                vb_xml_invalid(error, n, "root", ip->tftp_root);
                return NULL;
            }
        } else {
            vb_xml_unexpected(error, n);
            return NULL;
        }
    }
    return g_steal_pointer(&ip);
}

/* ---- forward, bridge and the rest ---- */

static gboolean
vb_net_parse_nat(const xmlNode *node, VbNetworkDef *def, GError **error)
{
    static const char *const range_attrs[] = {"start", "end", NULL};
    gboolean seen_address = FALSE;
    gboolean seen_port = FALSE;

    if (!vb_net_check_node(node, NULL, FALSE, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        g_autofree char *start = NULL;
        g_autofree char *end = NULL;

        if (n->ns != NULL || (!vb_xml_is(n, "address") && !vb_xml_is(n, "port")))
            return vb_xml_unexpected(error, n);
        if (!vb_net_once(n, vb_xml_is(n, "address") ? &seen_address : &seen_port, error) ||
            !vb_net_check_node(n, range_attrs, TRUE, error))
            return FALSE;
        if ((start = vb_net_required_prop(n, "start", error)) == NULL ||
            (end = vb_net_required_prop(n, "end", error)) == NULL)
            return FALSE;
        if (vb_xml_is(n, "address")) {
            g_autoptr(GInetAddress) a = vb_net_inet_parse(start, G_SOCKET_FAMILY_IPV4);
            g_autoptr(GInetAddress) b = vb_net_inet_parse(end, G_SOCKET_FAMILY_IPV4);

            if (a == NULL)
                return vb_xml_invalid(error, n, "start", start);
            if (b == NULL)
                return vb_xml_invalid(error, n, "end", end);
            if (vb_net_inet_cmp(a, b) > 0) {
                vb_error_set(error, VB_ERROR_XML,
                             "nat address range '%s' - '%s' in network '%s' ends before it "
                             "starts",
                             start, end, def->name);
                return FALSE;
            }
            def->nat_addr_start = g_inet_address_to_string(a);
            def->nat_addr_end = g_inet_address_to_string(b);
        } else {
            if (!vb_parse_uint(start, &def->nat_port_start) || def->nat_port_start == 0 ||
                def->nat_port_start > 65535)
                return vb_xml_invalid(error, n, "start", start);
            if (!vb_parse_uint(end, &def->nat_port_end) || def->nat_port_end == 0 ||
                def->nat_port_end > 65535 || def->nat_port_end < def->nat_port_start)
                return vb_xml_invalid(error, n, "end", end);
        }
    }
    return TRUE;
}

static gboolean
vb_net_parse_forward(const xmlNode *node, VbNetworkDef *def, GError **error)
{
    static const char *const attrs[] = {"mode", "dev", NULL};
    g_autofree char *mode = NULL;
    g_autoptr(GHashTable) devs = g_hash_table_new(g_str_hash, g_str_equal);
    gboolean seen_nat = FALSE;

    if (!vb_net_check_node(node, attrs, FALSE, error))
        return FALSE;
    mode = vb_xml_prop(node, "mode");
    def->forward_mode = VB_NETWORK_FORWARD_NAT;
    if (mode != NULL) {
        guint i;

        for (i = 0; i < G_N_ELEMENTS(vb_forward_modes); i++) {
            if (g_strcmp0(mode, vb_forward_modes[i]) == 0)
                break;
        }
        if (i == G_N_ELEMENTS(vb_forward_modes))
            return vb_xml_invalid(error, node, "mode", mode);
        def->forward_mode = (VbNetworkForwardMode)i;
    }
    if (def->forward_mode == VB_NETWORK_FORWARD_HOSTDEV) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "forward mode 'hostdev' is not supported (network '%s')", def->name);
        return FALSE;
    }
    def->forward_dev = vb_xml_prop(node, "dev");
    if (def->forward_dev != NULL && !vb_net_ifname_ok(def->forward_dev))
        return vb_xml_invalid(error, node, "dev", def->forward_dev);

    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns == NULL && vb_xml_is(n, "interface")) {
            static const char *const iface_attrs[] = {"dev", NULL};
            char *dev;

            if (!vb_net_check_node(n, iface_attrs, TRUE, error))
                return FALSE;
            if ((dev = vb_net_required_prop(n, "dev", error)) == NULL)
                return FALSE;
            g_ptr_array_add(def->forward_ifaces, dev);
            if (!vb_net_ifname_ok(dev))
                return vb_xml_invalid(error, n, "dev", dev);
            if (!g_hash_table_add(devs, dev)) {
                vb_error_set(error, VB_ERROR_XML,
                             "forward interface '%s' is listed twice in network '%s'", dev,
                             def->name);
                return FALSE;
            }
        } else if (n->ns == NULL && vb_xml_is(n, "nat")) {
            if (def->forward_mode != VB_NETWORK_FORWARD_NAT) {
                vb_error_set(error, VB_ERROR_XML,
                             "The <nat> element can only be used when <forward> 'mode' is "
                             "'nat' in network '%s'",
                             def->name);
                return FALSE;
            }
            if (!vb_net_once(n, &seen_nat, error) || !vb_net_parse_nat(n, def, error))
                return FALSE;
        } else {
            return vb_xml_unexpected(error, n);
        }
    }

    if (def->forward_dev != NULL && def->forward_ifaces->len > 0 &&
        g_strcmp0(def->forward_dev, g_ptr_array_index(def->forward_ifaces, 0)) != 0) {
        vb_error_set(error, VB_ERROR_XML,
                     "forward dev '%s' must match first interface element dev '%s' in network "
                     "'%s'",
                     def->forward_dev, (const char *)g_ptr_array_index(def->forward_ifaces, 0),
                     def->name);
        return FALSE;
    }
    if (def->forward_mode == VB_NETWORK_FORWARD_NONE &&
        (def->forward_dev != NULL || def->forward_ifaces->len > 0)) {
        vb_error_set(error, VB_ERROR_XML,
                     "forward dev not allowed for network '%s' with forward mode='none'",
                     def->name);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vb_net_parse_bridge(const xmlNode *node, VbNetworkDef *def, gboolean *stp_delay_given,
                    GError **error)
{
    static const char *const attrs[] = {"name", "stp", "delay", NULL};
    g_autofree char *delay = NULL;
    VbNetworkBool stp = VB_NETWORK_BOOL_ABSENT;

    if (!vb_net_check_node(node, attrs, TRUE, error))
        return FALSE;
    def->bridge = vb_xml_prop(node, "name");
    /* a '%d' in the name is a template the driver fills in, as libvirt's */
    if (def->bridge != NULL && !vb_net_ifname_ok(def->bridge))
        return vb_xml_invalid(error, node, "name", def->bridge);
    if (!vb_net_parse_bool(node, "stp", TRUE, &stp, error))
        return FALSE;
    def->stp = stp != VB_NETWORK_BOOL_NO;
    delay = vb_xml_prop(node, "delay");
    if (delay != NULL && (!vb_parse_uint(delay, &def->delay) || def->delay > 3600))
        return vb_xml_invalid(error, node, "delay", delay);
    *stp_delay_given = stp != VB_NETWORK_BOOL_ABSENT || delay != NULL;
    return TRUE;
}

static gboolean
vb_net_parse_name(const xmlNode *root, VbNetworkDef *def, GError **error)
{
    xmlNode *node = NULL;

    for (xmlNode *n = vb_xml_first_element(root); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns != NULL || !vb_xml_is(n, "name"))
            continue;
        if (node != NULL)
            return vb_xml_unexpected(error, n);
        node = n;
    }
    if (node == NULL) {
        vb_error_set(error, VB_ERROR_XML, "missing <name> element in the network document");
        return FALSE;
    }
    if (!vb_net_check_text_node(node, error))
        return FALSE;
    def->name = vb_xml_content(node);
    return vb_name_check(def->name, "network", VB_ERROR_XML, error);
}

/* rules across elements, checked once the whole document is in */
static gboolean
vb_net_check_def(const VbNetworkDef *def, gboolean stp_delay_given, GError **error)
{
    const char *mode = vb_network_forward_mode_to_string(def->forward_mode);
    gboolean has_dev = def->forward_dev != NULL || def->forward_ifaces->len > 0;
    guint dhcp4 = 0;
    guint dhcp6 = 0;

    if (vb_net_mode_is_virtual(def->forward_mode)) {
        if (def->forward_ifaces->len > 1 ||
            (def->forward_mode == VB_NETWORK_FORWARD_OPEN && has_dev)) {
            vb_error_set(error, VB_ERROR_XML,
                         "%s forward dev not allowed for network '%s' with forward mode='%s'",
                         def->forward_mode == VB_NETWORK_FORWARD_OPEN ? "a" : "more than one",
                         def->name, mode);
            return FALSE;
        }
    } else {
        if (def->ips->len > 0 || def->domain != NULL || def->mac != NULL) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "Unsupported <%s> element in network %s with forward mode='%s'",
                         def->ips->len > 0     ? "ip"
                         : def->domain != NULL ? "domain"
                                               : "mac",
                         def->name, mode);
            return FALSE;
        }
        if (stp_delay_given) {
            vb_error_set(error, VB_ERROR_XML,
                         "bridge delay/stp options only allowed in route, nat, open and "
                         "isolated mode, not in %s (network '%s')",
                         mode, def->name);
            return FALSE;
        }
        if (def->forward_mode == VB_NETWORK_FORWARD_BRIDGE) {
            if (def->bridge != NULL && has_dev) {
                vb_error_set(error, VB_ERROR_XML,
                             "A network with forward mode='bridge' can specify a bridge name "
                             "or a forward dev, but not both (network '%s')",
                             def->name);
                return FALSE;
            }
            if (def->bridge == NULL && !has_dev) {
                vb_error_set(error, VB_ERROR_XML,
                             "A network with forward mode='bridge' needs a bridge name or a "
                             "forward dev (network '%s')",
                             def->name);
                return FALSE;
            }
        } else {
            if (def->bridge != NULL) {
                vb_error_set(error, VB_ERROR_XML,
                             "bridge name not allowed in %s mode (network '%s')", mode, def->name);
                return FALSE;
            }
            if (!has_dev) {
                vb_error_set(error, VB_ERROR_XML,
                             "A network with forward mode='%s' needs a forward dev or "
                             "interface (network '%s')",
                             mode, def->name);
                return FALSE;
            }
        }
    }

    for (guint i = 0; i < def->ips->len; i++) {
        const VbNetworkIp *ip = g_ptr_array_index(def->ips, i);

        if (!ip->dhcp)
            continue;
        if (ip->family == G_SOCKET_FAMILY_IPV4)
            dhcp4++;
        else
            dhcp6++;
    }
    if (dhcp4 > 1 || dhcp6 > 1) {
        const char *family = dhcp4 > 1 ? "IPv4" : "IPv6";

        vb_error_set(error, VB_ERROR_XML,
                     "Multiple %s dhcp sections found -- dhcp is supported only for a single "
                     "%s address on each network (network '%s')",
                     family, family, def->name);
        return FALSE;
    }
    return TRUE;
}

static VbNetworkDef *
vb_net_parse_root(const xmlNode *root, GError **error)
{
    static const char *const attrs[] = {"ipv6", NULL};
    g_autoptr(VbNetworkDef) def = vb_net_def_new();
    gboolean seen_uuid = FALSE, seen_forward = FALSE, seen_bridge = FALSE, seen_mtu = FALSE;
    gboolean seen_mac = FALSE, seen_domain = FALSE;
    gboolean stp_delay_given = FALSE;

    if (!vb_xml_check_attrs(root, attrs, error) || !vb_net_check_no_text(root, error) ||
        !vb_net_parse_bool(root, "ipv6", FALSE, &def->ipv6, error) ||
        !vb_net_parse_name(root, def, error))
        return NULL;

    for (xmlNode *n = vb_xml_first_element(root); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns != NULL) {
            vb_xml_unexpected(error, n);
            return NULL;
        }
        if (vb_xml_is(n, "name")) {
            continue;
        } else if (vb_xml_is(n, "uuid")) {
            g_autofree char *text = NULL;

            if (!vb_net_once(n, &seen_uuid, error) || !vb_net_check_text_node(n, error))
                return NULL;
            text = vb_xml_content(n);
            if (!vb_uuid_parse(text, def->uuid)) {
                vb_xml_invalid(error, n, NULL, text);
                return NULL;
            }
        } else if (vb_xml_is(n, "forward")) {
            if (!vb_net_once(n, &seen_forward, error) || !vb_net_parse_forward(n, def, error))
                return NULL;
        } else if (vb_xml_is(n, "bridge")) {
            if (!vb_net_once(n, &seen_bridge, error) ||
                !vb_net_parse_bridge(n, def, &stp_delay_given, error))
                return NULL;
        } else if (vb_xml_is(n, "mtu")) {
            static const char *const mtu_attrs[] = {"size", NULL};
            g_autofree char *size = NULL;

            if (!vb_net_once(n, &seen_mtu, error) ||
                !vb_net_check_node(n, mtu_attrs, TRUE, error) ||
                (size = vb_net_required_prop(n, "size", error)) == NULL)
                return NULL;
            if (!vb_parse_uint(size, &def->mtu) || def->mtu < 68 || def->mtu > 65535) {
                vb_xml_invalid(error, n, "size", size);
                return NULL;
            }
        } else if (vb_xml_is(n, "mac")) {
            static const char *const mac_attrs[] = {"address", NULL};
            g_autofree char *text = NULL;
            guint8 mac[VB_MAC_LEN];
            char canon[VB_MAC_STRING_LEN];

            if (!vb_net_once(n, &seen_mac, error) ||
                !vb_net_check_node(n, mac_attrs, TRUE, error) ||
                (text = vb_net_required_prop(n, "address", error)) == NULL)
                return NULL;
            if (!vb_mac_parse(text, mac)) {
                vb_xml_invalid(error, n, "address", text);
                return NULL;
            }
            if (vb_mac_is_multicast(mac)) {
                vb_error_set(error, VB_ERROR_XML,
                             "Invalid multicast bridge mac address '%s' in network '%s'", text,
                             def->name);
                return NULL;
            }
            vb_mac_format(mac, canon);
            def->mac = g_strdup(canon);
        } else if (vb_xml_is(n, "domain")) {
            static const char *const domain_attrs[] = {"name", "localOnly", NULL};

            if (!vb_net_once(n, &seen_domain, error) ||
                !vb_net_check_node(n, domain_attrs, TRUE, error) ||
                (def->domain = vb_net_required_prop(n, "name", error)) == NULL ||
                !vb_net_parse_bool(n, "localOnly", FALSE, &def->domain_local_only, error))
                return NULL;
            if (!vb_net_hostname_ok(def->domain)) {
                vb_xml_invalid(error, n, "name", def->domain);
                return NULL;
            }
        } else if (vb_xml_is(n, "ip")) {
            VbNetworkIp *ip = vb_net_parse_ip(n, def->name, error);

            if (ip == NULL)
                return NULL;
            g_ptr_array_add(def->ips, ip);
        } else {
            vb_xml_unexpected(error, n);
            return NULL;
        }
    }

    if (!seen_uuid)
        vb_uuid_generate(def->uuid);
    if (!vb_net_check_def(def, stp_delay_given, error))
        return NULL;
    return g_steal_pointer(&def);
}

VbNetworkDef *
vb_network_def_parse(const char *xml, gssize len, guint parse_flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;

    if ((parse_flags & ~(guint)VB_NETWORK_PARSE_VALIDATE) != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
                     parse_flags & ~(guint)VB_NETWORK_PARSE_VALIDATE, G_STRFUNC);
        return NULL;
    }
    doc = vb_xml_parse(xml, len, "network", "network", error);
    if (doc == NULL)
        return NULL;
    if ((parse_flags & VB_NETWORK_PARSE_VALIDATE) != 0 &&
        !vb_schema_validate(doc, "network", error))
        return NULL;
    return vb_net_parse_root(xmlDocGetRootElement(doc), error);
}

/* ---- format ---- */

static const char *
vb_net_bool_string(VbNetworkBool value)
{
    return value == VB_NETWORK_BOOL_YES ? "yes" : value == VB_NETWORK_BOOL_NO ? "no" : NULL;
}

static void
vb_net_format_forward(VbXmlWriter *w, const VbNetworkDef *def)
{
    const char *mode = vb_network_forward_mode_to_string(def->forward_mode);
    gboolean nat = def->nat_addr_start != NULL || def->nat_port_start != 0;

    if (def->forward_mode == VB_NETWORK_FORWARD_NONE)
        return;
    if (!nat && def->forward_ifaces->len == 0) {
        vb_xml_empty(w, "forward", "mode", mode, "dev", def->forward_dev, NULL);
        return;
    }
    vb_xml_open(w, "forward", "mode", mode, "dev", def->forward_dev, NULL);
    if (nat) {
        vb_xml_open(w, "nat", NULL);
        if (def->nat_addr_start != NULL)
            vb_xml_empty(w, "address", "start", def->nat_addr_start, "end", def->nat_addr_end,
                         NULL);
        if (def->nat_port_start != 0) {
            g_autofree char *start = g_strdup_printf("%u", def->nat_port_start);
            g_autofree char *end = g_strdup_printf("%u", def->nat_port_end);

            vb_xml_empty(w, "port", "start", start, "end", end, NULL);
        }
        vb_xml_close(w, "nat");
    }
    for (guint i = 0; i < def->forward_ifaces->len; i++)
        vb_xml_empty(w, "interface", "dev", (const char *)g_ptr_array_index(def->forward_ifaces, i),
                     NULL);
    vb_xml_close(w, "forward");
}

static void
vb_net_format_ip(VbXmlWriter *w, const VbNetworkIp *ip)
{
    gboolean v6 = ip->family == G_SOCKET_FAMILY_IPV6;
    g_autofree char *netmask = NULL;
    g_autofree char *prefix = NULL;
    gboolean children = ip->tftp_root != NULL || ip->dhcp;

    if (!v6 && ip->use_netmask)
        netmask = vb_net_prefix_netmask(ip->prefix);
    else
        prefix = g_strdup_printf("%u", ip->prefix);
    if (!children) {
        vb_xml_empty(w, "ip", "family", v6 ? "ipv6" : NULL, "address", ip->address, "netmask",
                     netmask, "prefix", prefix, NULL);
        return;
    }
    vb_xml_open(w, "ip", "family", v6 ? "ipv6" : NULL, "address", ip->address, "netmask", netmask,
                "prefix", prefix, NULL);
    if (ip->tftp_root != NULL)
        vb_xml_empty(w, "tftp", "root", ip->tftp_root, NULL);
    if (ip->dhcp && ip->ranges->len == 0 && ip->hosts->len == 0 && ip->bootp_file == NULL) {
        vb_xml_empty(w, "dhcp", NULL);
    } else if (ip->dhcp) {
        vb_xml_open(w, "dhcp", NULL);
        for (guint i = 0; i < ip->ranges->len; i++) {
            const VbNetworkDhcpRange *range = g_ptr_array_index(ip->ranges, i);

            vb_xml_empty(w, "range", "start", range->start, "end", range->end, NULL);
        }
        for (guint i = 0; i < ip->hosts->len; i++) {
            const VbNetworkDhcpHost *host = g_ptr_array_index(ip->hosts, i);

            vb_xml_empty(w, "host", "mac", host->mac, "name", host->name, "ip", host->ip, NULL);
        }
        if (ip->bootp_file != NULL)
            vb_xml_empty(w, "bootp", "file", ip->bootp_file, "server", ip->bootp_server, NULL);
        vb_xml_close(w, "dhcp");
    }
    vb_xml_close(w, "ip");
}

char *
vb_network_def_format(const VbNetworkDef *def, guint xml_flags)
{
    VbXmlWriter w;
    char uuid[VB_UUID_STRING_LEN];

    g_return_val_if_fail(def != NULL, NULL);
    vb_xml_writer_init(&w);
    vb_xml_open(&w, "network", "ipv6", vb_net_bool_string(def->ipv6), NULL);
    vb_xml_text(&w, "name", def->name, NULL);
    vb_uuid_format(def->uuid, uuid);
    vb_xml_text(&w, "uuid", uuid, NULL);
    vb_net_format_forward(&w, def);
    if (vb_net_mode_is_virtual(def->forward_mode)) {
        if (def->bridge != NULL || !def->stp || def->delay != 0) {
            g_autofree char *delay = g_strdup_printf("%u", def->delay);

            vb_xml_empty(&w, "bridge", "name", def->bridge, "stp", def->stp ? "on" : "off", "delay",
                         delay, NULL);
        }
    } else if (def->bridge != NULL) {
        vb_xml_empty(&w, "bridge", "name", def->bridge, NULL);
    }
    if (def->mtu != 0) {
        g_autofree char *mtu = g_strdup_printf("%u", def->mtu);

        vb_xml_empty(&w, "mtu", "size", mtu, NULL);
    }
    if (def->mac != NULL)
        vb_xml_empty(&w, "mac", "address", def->mac, NULL);
    if (def->domain != NULL)
        vb_xml_empty(&w, "domain", "name", def->domain, "localOnly",
                     vb_net_bool_string(def->domain_local_only), NULL);
    for (guint i = 0; i < def->ips->len; i++)
        vb_net_format_ip(&w, g_ptr_array_index(def->ips, i));
    vb_xml_close(&w, "network");
    return vb_xml_writer_finish(&w);
}

/* ---- lookups ---- */

VbNetworkIp *
vb_network_def_get_dhcp_ip(const VbNetworkDef *def)
{
    for (guint i = 0; i < def->ips->len; i++) {
        VbNetworkIp *ip = g_ptr_array_index(def->ips, i);

        if (ip->family == G_SOCKET_FAMILY_IPV4 && ip->dhcp)
            return ip;
    }
    return NULL;
}
