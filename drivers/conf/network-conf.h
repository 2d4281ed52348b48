/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <glib.h>

#include "ids.h"

G_BEGIN_DECLS

/* vb_network_def_format() flags: libvirt's VIR_NETWORK_XML_INACTIVE. the model holds
 * no live-only data, so the output is the same either way */
#define VB_NETWORK_XML_INACTIVE 1

/* vb_network_def_parse() flags: validate against data/schemas/network.rng first */
#define VB_NETWORK_PARSE_VALIDATE 1

/* libvirt's virNetworkUpdateCommand */
typedef enum {
    VB_NETWORK_UPDATE_COMMAND_NONE = 0,
    VB_NETWORK_UPDATE_COMMAND_MODIFY = 1,
    VB_NETWORK_UPDATE_COMMAND_DELETE = 2,
    VB_NETWORK_UPDATE_COMMAND_ADD_LAST = 3,
    VB_NETWORK_UPDATE_COMMAND_ADD_FIRST = 4,
} VbNetworkUpdateCommand;

/* libvirt's virNetworkUpdateSection */
typedef enum {
    VB_NETWORK_SECTION_NONE = 0,
    VB_NETWORK_SECTION_BRIDGE = 1,
    VB_NETWORK_SECTION_DOMAIN = 2,
    VB_NETWORK_SECTION_IP = 3,
    VB_NETWORK_SECTION_IP_DHCP_HOST = 4,
    VB_NETWORK_SECTION_IP_DHCP_RANGE = 5,
    VB_NETWORK_SECTION_FORWARD = 6,
    VB_NETWORK_SECTION_FORWARD_INTERFACE = 7,
    VB_NETWORK_SECTION_FORWARD_PF = 8,
    VB_NETWORK_SECTION_PORTGROUP = 9,
    VB_NETWORK_SECTION_DNS_HOST = 10,
    VB_NETWORK_SECTION_DNS_TXT = 11,
    VB_NETWORK_SECTION_DNS_SRV = 12,
} VbNetworkSection;

/* <forward mode='...'>; NONE (no <forward> element) is an isolated network */
typedef enum {
    VB_NETWORK_FORWARD_NONE = 0,
    VB_NETWORK_FORWARD_NAT,
    VB_NETWORK_FORWARD_ROUTE,
    VB_NETWORK_FORWARD_OPEN,
    VB_NETWORK_FORWARD_BRIDGE,
    VB_NETWORK_FORWARD_PRIVATE,
    VB_NETWORK_FORWARD_VEPA,
    VB_NETWORK_FORWARD_PASSTHROUGH,
    VB_NETWORK_FORWARD_HOSTDEV,
} VbNetworkForwardMode;

/* an optional yes/no attribute */
typedef enum {
    VB_NETWORK_BOOL_ABSENT = 0,
    VB_NETWORK_BOOL_YES,
    VB_NETWORK_BOOL_NO,
} VbNetworkBool;

/* <host mac='' name='' ip=''/> inside <dhcp>. strings are canonical: mac lowercase
 * colon-separated, ip as g_inet_address_to_string() prints it; any may be NULL but
 * not all (IPv4: mac or name, and ip; IPv6: name and ip, no mac) */
typedef struct {
    char *mac;
    char *name;
    char *ip;
} VbNetworkDhcpHost;

/* <range start='' end=''/>: canonical addresses, start <= end, both in the subnet */
typedef struct {
    char *start;
    char *end;
} VbNetworkDhcpRange;

/* <ip family='' address='' netmask=''|prefix=''>.
 * canonical rule for the mask: IPv6 always prints prefix=; IPv4 prints netmask= when
 * the input gave netmask= or neither (the classful default then made explicit), and
 * prefix= when the input gave prefix=. */
typedef struct {
    GSocketFamily family; /* G_SOCKET_FAMILY_IPV4 or G_SOCKET_FAMILY_IPV6 */
    char *address;        /* canonical text */
    guint prefix;         /* 0..32 or 0..128 */
    gboolean use_netmask; /* IPv4 only: print netmask= instead of prefix= */
    char *tftp_root;      /* <tftp root=''/>, IPv4 only, or NULL */
    gboolean dhcp;        /* a <dhcp> element is present (it may be empty) */
    GPtrArray *ranges;    /* VbNetworkDhcpRange*, in document order */
    GPtrArray *hosts;     /* VbNetworkDhcpHost*, in document order */
    char *bootp_file;     /* <dhcp><bootp file='' server=''/>, IPv4 only, or NULL */
    char *bootp_server;
} VbNetworkIp;

typedef struct _VbNetworkDef VbNetworkDef;
struct _VbNetworkDef {
    char *name;
    guint8 uuid[VB_UUID_LEN]; /* generated when the document has none */
    VbNetworkBool ipv6;       /* <network ipv6='yes|no'> */

    VbNetworkForwardMode forward_mode;
    char *forward_dev;         /* <forward dev=''> or NULL */
    GPtrArray *forward_ifaces; /* char*: <forward><interface dev=''/>... */
    char *nat_addr_start;      /* <forward mode='nat'><nat><address start='' end=''/> */
    char *nat_addr_end;
    guint nat_port_start; /* <nat><port start='' end=''/>; 0 when absent */
    guint nat_port_end;

    char *bridge;                    /* <bridge name=''> or NULL */
    gboolean stp;                    /* <bridge stp='on|off'>, TRUE by default */
    guint delay;                     /* <bridge delay=''> in seconds, 0 by default */
    guint mtu;                       /* <mtu size=''>, 0 when absent */
    char *mac;                       /* <mac address=''> of the bridge, canonical, or NULL */
    char *domain;                    /* <domain name=''> or NULL */
    VbNetworkBool domain_local_only; /* <domain localOnly='yes|no'> */

    GPtrArray *ips; /* VbNetworkIp*, in document order */
};

/* parses a <network> document. errors are VB_ERROR_XML (or
 * VB_ERROR_XML_INVALID_SCHEMA with VB_NETWORK_PARSE_VALIDATE), in libvirt's words */
VbNetworkDef *vb_network_def_parse(const char *xml, gssize len, guint parse_flags, GError **error);
/* the canonical document: fixed element order (name, uuid, forward, bridge, mtu, mac,
 * domain, ip...), two-space indentation; parse(format(def)) formats identically */
char *vb_network_def_format(const VbNetworkDef *def, guint xml_flags);
VbNetworkDef *vb_network_def_copy(const VbNetworkDef *def);
void vb_network_def_free(VbNetworkDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbNetworkDef, vb_network_def_free)

/* "nat", "route", ...; "none" for VB_NETWORK_FORWARD_NONE */
const char *vb_network_forward_mode_to_string(VbNetworkForwardMode mode);
/* "bridge", "ip-dhcp-host", ...; NULL for an unknown section */
const char *vb_network_section_to_string(guint section);

/* the <ip> that serves DHCP for IPv4: the first IPv4 one with a <dhcp>, or NULL */
VbNetworkIp *vb_network_def_get_dhcp_ip(const VbNetworkDef *def);

/* Network.Update (virNetworkUpdate) on the model: @command and @section as in
 * libvirt; @parent_index picks the <ip> element (-1: the first one with DHCP, else
 * the first IPv4 one); @xml is one <host> or <range> element. supports the
 * ip-dhcp-host and ip-dhcp-range sections; on error @def is unchanged.
 * errors: VB_ERROR_INVALID_ARG (bad command), VB_ERROR_OPERATION_UNSUPPORTED (other
 * sections, modifying a range), VB_ERROR_OPERATION_INVALID (duplicate on add, missing
 * on modify/delete, no such <ip>), VB_ERROR_XML (bad element) */
gboolean vb_network_def_update(VbNetworkDef *def, guint command, guint section, int parent_index,
                               const char *xml, GError **error);

G_END_DECLS
