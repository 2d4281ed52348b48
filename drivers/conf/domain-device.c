/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"
#define VB_DOMAIN_CONF_INTERNAL

#include "domain-conf.h"

#include <gio/gio.h>
#include <libxml/tree.h>
#include <string.h>

#include "xml-util.h"

/* free and copy */

void
vb_domain_disk_def_free(VbDomainDiskDef *disk)
{
    if (disk == NULL)
        return;
    g_free(disk->driver_name);
    g_free(disk->driver_type);
    g_free(disk->src);
    g_free(disk->dst);
    g_free(disk);
}

VbDomainDiskDef *
vb_domain_disk_def_copy(const VbDomainDiskDef *disk)
{
    VbDomainDiskDef *copy = g_memdup2(disk, sizeof(*disk));

    copy->driver_name = g_strdup(disk->driver_name);
    copy->driver_type = g_strdup(disk->driver_type);
    copy->src = g_strdup(disk->src);
    copy->dst = g_strdup(disk->dst);
    return copy;
}

void
vb_domain_net_def_free(VbDomainNetDef *net)
{
    if (net == NULL)
        return;
    g_free(net->source_network);
    g_free(net->source_bridge);
    g_free(net->source_address);
    g_free(net->target_dev);
    g_free(net->script_path);
    g_free(net->model_type);
    g_free(net);
}

VbDomainNetDef *
vb_domain_net_def_copy(const VbDomainNetDef *net)
{
    VbDomainNetDef *copy = g_memdup2(net, sizeof(*net));

    copy->source_network = g_strdup(net->source_network);
    copy->source_bridge = g_strdup(net->source_bridge);
    copy->source_address = g_strdup(net->source_address);
    copy->target_dev = g_strdup(net->target_dev);
    copy->script_path = g_strdup(net->script_path);
    copy->model_type = g_strdup(net->model_type);
    return copy;
}

void
vb_domain_chr_def_free(VbDomainChrDef *chr)
{
    if (chr == NULL)
        return;
    g_free(chr->source_path);
    g_free(chr->target_type);
    g_free(chr);
}

VbDomainChrDef *
vb_domain_chr_def_copy(const VbDomainChrDef *chr)
{
    VbDomainChrDef *copy = g_memdup2(chr, sizeof(*chr));

    copy->source_path = g_strdup(chr->source_path);
    copy->target_type = g_strdup(chr->target_type);
    return copy;
}

void
vb_domain_graphics_def_free(VbDomainGraphicsDef *graphics)
{
    if (graphics == NULL)
        return;
    g_free(graphics->listen);
    g_free(graphics->keymap);
    g_free(graphics->passwd);
    g_free(graphics->display);
    g_free(graphics->xauth);
    g_free(graphics);
}

VbDomainGraphicsDef *
vb_domain_graphics_def_copy(const VbDomainGraphicsDef *graphics)
{
    VbDomainGraphicsDef *copy = g_memdup2(graphics, sizeof(*graphics));

    copy->listen = g_strdup(graphics->listen);
    copy->keymap = g_strdup(graphics->keymap);
    copy->passwd = g_strdup(graphics->passwd);
    copy->display = g_strdup(graphics->display);
    copy->xauth = g_strdup(graphics->xauth);
    return copy;
}

void
vb_domain_input_def_free(VbDomainInputDef *input)
{
    g_free(input);
}

VbDomainInputDef *
vb_domain_input_def_copy(const VbDomainInputDef *input)
{
    return g_memdup2(input, sizeof(*input));
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainMemballoonDef, vb_domain_memballoon_def_free)

/* disks */

static gboolean
vb_domain_disk_parse_driver(VbDomainDiskDef *disk, const xmlNode *node, GError **error)
{
    static const char *const attrs[] = {"name", "type", "cache", NULL};
    int cache = VB_DOMAIN_DISK_CACHE_DEFAULT;

    if (!vb_domain_xml_empty(node, attrs, error) ||
        !vb_domain_xml_token_attr(node, "name", &disk->driver_name, error) ||
        !vb_domain_xml_token_attr(node, "type", &disk->driver_type, error) ||
        !vb_domain_xml_enum_attr(node, "cache", vb_domain_disk_cache_from_string, &cache, error))
        return FALSE;
    disk->driver_cache = cache;
    return TRUE;
}

static gboolean
vb_domain_disk_name_ok(const char *dst)
{
    if (dst == NULL || *dst == '\0' || strlen(dst) > 32)
        return FALSE;
    for (const char *p = dst; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p))
            return FALSE;
    }
    return TRUE;
}

static gboolean
vb_domain_disk_parse_target(VbDomainDiskDef *disk, const xmlNode *node, gboolean *has_bus,
                            GError **error)
{
    static const char *const attrs[] = {"dev", "bus", NULL};
    int bus = -1;

    if (!vb_domain_xml_empty(node, attrs, error))
        return FALSE;
    disk->dst = vb_xml_prop(node, "dev");
    if (disk->dst == NULL)
        return vb_xml_missing(error, node, "'dev' attribute");
    if (!vb_domain_disk_name_ok(disk->dst))
        return vb_xml_invalid(error, node, "dev", disk->dst);
    if (!vb_domain_xml_enum_attr(node, "bus", vb_domain_disk_bus_from_string, &bus, error))
        return FALSE;
    *has_bus = bus >= 0;
    if (bus >= 0)
        disk->bus = bus;
    return TRUE;
}

static gboolean
vb_domain_disk_default_bus(VbDomainDiskDef *disk, const xmlNode *node, GError **error)
{
    static const struct {
        const char *prefix;
        VbDomainDiskBus bus;
    } prefixes[] = {
        {"hd", VB_DOMAIN_DISK_BUS_IDE},    {"sd", VB_DOMAIN_DISK_BUS_SCSI},
        {"vd", VB_DOMAIN_DISK_BUS_VIRTIO}, {"xvd", VB_DOMAIN_DISK_BUS_XEN},
        {"fd", VB_DOMAIN_DISK_BUS_FDC},
    };

    if (disk->device == VB_DOMAIN_DISK_DEVICE_FLOPPY) {
        disk->bus = VB_DOMAIN_DISK_BUS_FDC;
        return TRUE;
    }
    for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        if (g_str_has_prefix(disk->dst, prefixes[i].prefix)) {
            disk->bus = prefixes[i].bus;
            return TRUE;
        }
    }
    vb_error_set(error, VB_ERROR_XML, "cannot infer default bus for target '%s'", disk->dst);
    return FALSE;
}

VbDomainDiskDef *
vb_domain_disk_def_parse_node(const xmlNode *node, guint flags, GError **error)
{
    static const char *const attrs[] = {"type", "device", NULL};
    static const char *const file_attrs[] = {"file", NULL};
    static const char *const block_attrs[] = {"dev", NULL};
    g_autoptr(VbDomainDiskDef) disk = g_new0(VbDomainDiskDef, 1);
    gboolean has_driver = FALSE, has_source = FALSE, has_target = FALSE, has_bus = FALSE;
    int type = VB_DOMAIN_DISK_TYPE_FILE, device = VB_DOMAIN_DISK_DEVICE_DISK;

    if (!vb_xml_check_attrs(node, attrs, error) ||
        !vb_domain_xml_enum_attr(node, "type", vb_domain_disk_type_from_string, &type, error) ||
        !vb_domain_xml_enum_attr(node, "device", vb_domain_disk_device_from_string, &device, error))
        return NULL;
    disk->type = type;
    disk->device = device;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (vb_xml_is(n, "driver") && !has_driver) {
            ok = vb_domain_disk_parse_driver(disk, n, error);
            has_driver = TRUE;
        } else if (vb_xml_is(n, "source") && !has_source) {
            gboolean file = disk->type == VB_DOMAIN_DISK_TYPE_FILE;

            ok = vb_domain_xml_empty(n, file ? file_attrs : block_attrs, error) &&
                 vb_domain_xml_string_attr(n, file ? "file" : "dev", &disk->src, error);
            has_source = TRUE;
        } else if (vb_xml_is(n, "target") && !has_target) {
            ok = vb_domain_disk_parse_target(disk, n, &has_bus, error);
            has_target = TRUE;
        } else if (vb_xml_is(n, "readonly") && !disk->readonly) {
            ok = vb_domain_xml_empty(n, NULL, error);
            disk->readonly = TRUE;
        } else if (vb_xml_is(n, "shareable") && !disk->shareable) {
            ok = vb_domain_xml_empty(n, NULL, error);
            disk->shareable = TRUE;
        } else {
            ok = vb_xml_unexpected(error, n);
        }
        if (!ok)
            return NULL;
    }
    if (!has_target) {
        vb_xml_missing(error, node, "<target> element");
        return NULL;
    }
    if (disk->src == NULL && disk->device == VB_DOMAIN_DISK_DEVICE_DISK) {
        vb_xml_missing(error, node, "<source> of the disk");
        return NULL;
    }
    if (!has_bus && !vb_domain_disk_default_bus(disk, node, error))
        return NULL;
    if ((disk->device == VB_DOMAIN_DISK_DEVICE_FLOPPY) != (disk->bus == VB_DOMAIN_DISK_BUS_FDC)) {
        vb_error_set(error, VB_ERROR_XML, "Invalid bus type '%s' for %s",
                     vb_domain_disk_bus_to_string(disk->bus),
                     disk->device == VB_DOMAIN_DISK_DEVICE_FLOPPY ? "floppy disk" : "disk");
        return NULL;
    }
    return g_steal_pointer(&disk);
}

void
vb_domain_disk_def_format_to(VbXmlWriter *w, const VbDomainDiskDef *disk, guint flags)
{
    gboolean file = disk->type == VB_DOMAIN_DISK_TYPE_FILE;

    vb_xml_open(w, "disk", "type", vb_domain_disk_type_to_string(disk->type), "device",
                vb_domain_disk_device_to_string(disk->device), NULL);
    if (disk->driver_name != NULL || disk->driver_type != NULL ||
        disk->driver_cache != VB_DOMAIN_DISK_CACHE_DEFAULT)
        vb_xml_empty(w, "driver", "name", disk->driver_name, "type", disk->driver_type, "cache",
                     vb_domain_disk_cache_to_string(disk->driver_cache), NULL);
    if (disk->src != NULL)
        vb_xml_empty(w, "source", file ? "file" : "dev", disk->src, NULL);
    vb_xml_empty(w, "target", "dev", disk->dst, "bus", vb_domain_disk_bus_to_string(disk->bus),
                 NULL);
    if (disk->readonly)
        vb_xml_empty(w, "readonly", NULL);
    if (disk->shareable)
        vb_xml_empty(w, "shareable", NULL);
    vb_xml_close(w, "disk");
}

/* network interfaces */

/* a host interface name: what fits IFNAMSIZ and can be a path component */
static gboolean
vb_domain_ifname_ok(const char *name)
{
    if (name == NULL || *name == '\0' || strlen(name) > 15 || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
        return FALSE;
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '/' || *p == ':' || g_ascii_isspace(*p) || !g_ascii_isgraph(*p))
            return FALSE;
    }
    return TRUE;
}

static gboolean
vb_domain_net_parse_mac(VbDomainNetDef *net, const xmlNode *node, GError **error)
{
    static const char *const attrs[] = {"address", NULL};
    g_autofree char *address = vb_xml_prop(node, "address");

    if (!vb_domain_xml_empty(node, attrs, error))
        return FALSE;
    if (address == NULL)
        return vb_xml_missing(error, node, "'address' attribute");
    if (!vb_mac_parse(address, net->mac))
        return vb_xml_invalid(error, node, "address", address);
    if (vb_mac_is_multicast(net->mac)) {
        g_autofree char *path = vb_xml_node_path(node, "address");

        vb_error_set(error, VB_ERROR_XML,
                     "expected unicast mac address, found multicast '%s' in '%s'", address, path);
        return FALSE;
    }
    net->has_mac = TRUE;
    return TRUE;
}

static gboolean
vb_domain_net_parse_source(VbDomainNetDef *net, const xmlNode *node, GError **error)
{
    static const char *const network_attrs[] = {"network", "name", NULL};
    static const char *const bridge_attrs[] = {"bridge", "dev", NULL};
    static const char *const socket_attrs[] = {"address", "port", NULL};
    gboolean has_port = FALSE;

    switch (net->type) {
    case VB_DOMAIN_NET_NETWORK:
        /* name= is the 2007 spelling of network= */
        if (!vb_domain_xml_empty(node, network_attrs, error) ||
            !vb_domain_xml_string_attr(node, "name", &net->source_network, error) ||
            !vb_domain_xml_string_attr(node, "network", &net->source_network, error))
            return FALSE;
        break;
    case VB_DOMAIN_NET_BRIDGE:
        /* the seed pages write dev= for the bridge */
        if (!vb_domain_xml_empty(node, bridge_attrs, error) ||
            !vb_domain_xml_string_attr(node, "dev", &net->source_bridge, error) ||
            !vb_domain_xml_string_attr(node, "bridge", &net->source_bridge, error))
            return FALSE;
        if (!vb_domain_ifname_ok(net->source_bridge))
            return vb_xml_invalid(error, node,
                                  xmlHasProp(node, (const xmlChar *)"bridge") ? "bridge" : "dev",
                                  net->source_bridge);
        break;
    case VB_DOMAIN_NET_MCAST:
    case VB_DOMAIN_NET_SERVER:
    case VB_DOMAIN_NET_CLIENT:
        if (!vb_domain_xml_empty(node, socket_attrs, error) ||
            !vb_domain_xml_string_attr(node, "address", &net->source_address, error) ||
            !vb_domain_xml_uint_attr(node, "port", 1, 65535, &has_port, &net->source_port, error))
            return FALSE;
        if (net->source_address != NULL) {
            g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(net->source_address);

            if (inet == NULL ||
                (net->type == VB_DOMAIN_NET_MCAST && !g_inet_address_get_is_multicast(inet)))
                return vb_xml_invalid(error, node, "address", net->source_address);
        } else if (net->type != VB_DOMAIN_NET_SERVER) {
            return vb_xml_missing(error, node, "'address' attribute");
        }
        if (!has_port)
            return vb_xml_missing(error, node, "'port' attribute");
        break;
    default:
        return vb_xml_unexpected(error, node);
    }
    return TRUE;
}

VbDomainNetDef *
vb_domain_net_def_parse_node(const xmlNode *node, guint flags, GError **error)
{
    static const char *const attrs[] = {"type", NULL};
    static const char *const target_attrs[] = {"dev", NULL};
    static const char *const script_attrs[] = {"path", NULL};
    static const char *const model_attrs[] = {"type", NULL};
    static const char *const link_attrs[] = {"state", NULL};
    g_autoptr(VbDomainNetDef) net = g_new0(VbDomainNetDef, 1);
    g_autofree char *type = vb_xml_prop(node, "type");
    gboolean has_mac = FALSE, has_source = FALSE, has_link = FALSE;
    int value;

    if (!vb_xml_check_attrs(node, attrs, error))
        return NULL;
    if (type == NULL) {
        vb_xml_missing(error, node, "interface 'type' attribute");
        return NULL;
    }
    if ((value = vb_domain_net_type_from_string(type)) < 0) {
        vb_xml_invalid(error, node, "type", type);
        return NULL;
    }
    net->type = value;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (vb_xml_is(n, "mac") && !has_mac) {
            ok = vb_domain_net_parse_mac(net, n, error);
            has_mac = TRUE;
        } else if (vb_xml_is(n, "source") && !has_source) {
            ok = vb_domain_net_parse_source(net, n, error);
            has_source = TRUE;
        } else if (vb_xml_is(n, "target") && net->target_dev == NULL) {
            ok = vb_domain_xml_empty(n, target_attrs, error) &&
                 vb_domain_xml_string_attr(n, "dev", &net->target_dev, error);
            if (ok && net->target_dev == NULL)
                ok = vb_xml_missing(error, n, "'dev' attribute");
            if (ok && !vb_domain_ifname_ok(net->target_dev))
                ok = vb_xml_invalid(error, n, "dev", net->target_dev);
        } else if (vb_xml_is(n, "script") && net->script_path == NULL) {
            ok = vb_domain_xml_empty(n, script_attrs, error) &&
                 vb_domain_xml_string_attr(n, "path", &net->script_path, error);
            if (ok && net->script_path == NULL)
                ok = vb_xml_missing(error, n, "'path' attribute");
        } else if (vb_xml_is(n, "model") && net->model_type == NULL) {
            ok = vb_domain_xml_empty(n, model_attrs, error) &&
                 vb_domain_xml_token_attr(n, "type", &net->model_type, error);
            if (ok && net->model_type == NULL)
                ok = vb_xml_missing(error, n, "'type' attribute");
        } else if (vb_xml_is(n, "link") && !has_link) {
            int state = -1;

            ok = vb_domain_xml_empty(n, link_attrs, error) &&
                 vb_domain_xml_enum_attr(n, "state", vb_domain_net_link_from_string, &state, error);
            if (ok && state < 0)
                ok = vb_xml_missing(error, n, "'state' attribute");
            if (ok)
                net->link_state = state;
            has_link = TRUE;
        } else {
            ok = vb_xml_unexpected(error, n);
        }
        if (!ok)
            return NULL;
    }
    if (!has_source && net->type != VB_DOMAIN_NET_USER && net->type != VB_DOMAIN_NET_ETHERNET) {
        vb_xml_missing(error, node, "<source> element");
        return NULL;
    }
    if ((net->type == VB_DOMAIN_NET_NETWORK && net->source_network == NULL) ||
        (net->type == VB_DOMAIN_NET_BRIDGE && net->source_bridge == NULL)) {
        vb_xml_missing(error, vb_xml_child(node, "source"),
                       net->type == VB_DOMAIN_NET_NETWORK ? "'network' attribute"
                                                          : "'bridge' attribute");
        return NULL;
    }
    return g_steal_pointer(&net);
}

void
vb_domain_net_def_format_to(VbXmlWriter *w, const VbDomainNetDef *net, guint flags)
{
    char mac[VB_MAC_STRING_LEN];
    char port[16];

    if (!net->has_mac && net->script_path == NULL && net->target_dev == NULL &&
        net->model_type == NULL && net->link_state == VB_DOMAIN_NET_LINK_DEFAULT &&
        (net->type == VB_DOMAIN_NET_USER || net->type == VB_DOMAIN_NET_ETHERNET)) {
        vb_xml_empty(w, "interface", "type", vb_domain_net_type_to_string(net->type), NULL);
        return;
    }
    vb_xml_open(w, "interface", "type", vb_domain_net_type_to_string(net->type), NULL);
    if (net->has_mac) {
        vb_mac_format(net->mac, mac);
        vb_xml_empty(w, "mac", "address", mac, NULL);
    }
    switch (net->type) {
    case VB_DOMAIN_NET_NETWORK:
        vb_xml_empty(w, "source", "network", net->source_network, NULL);
        break;
    case VB_DOMAIN_NET_BRIDGE:
        vb_xml_empty(w, "source", "bridge", net->source_bridge, NULL);
        break;
    case VB_DOMAIN_NET_MCAST:
    case VB_DOMAIN_NET_SERVER:
    case VB_DOMAIN_NET_CLIENT:
        g_snprintf(port, sizeof(port), "%u", net->source_port);
        vb_xml_empty(w, "source", "address", net->source_address, "port", port, NULL);
        break;
    default:
        break;
    }
    if (net->script_path != NULL)
        vb_xml_empty(w, "script", "path", net->script_path, NULL);
    if (net->target_dev != NULL)
        vb_xml_empty(w, "target", "dev", net->target_dev, NULL);
    if (net->model_type != NULL)
        vb_xml_empty(w, "model", "type", net->model_type, NULL);
    if (net->link_state != VB_DOMAIN_NET_LINK_DEFAULT)
        vb_xml_empty(w, "link", "state", vb_domain_net_link_to_string(net->link_state), NULL);
    vb_xml_close(w, "interface");
}

/* serials and consoles */

static const char *const vb_domain_serial_targets[] = {
    "isa-serial",    "usb-serial",  "pci-serial", "spapr-vio-serial",
    "system-serial", "sclp-serial", NULL,
};
static const char *const vb_domain_console_targets[] = {
    "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm", NULL,
};

static gboolean
vb_domain_chr_has_path(VbDomainChrType type)
{
    return type == VB_DOMAIN_CHR_PTY || type == VB_DOMAIN_CHR_FILE || type == VB_DOMAIN_CHR_DEV ||
           type == VB_DOMAIN_CHR_PIPE;
}

VbDomainChrDef *
vb_domain_chr_def_parse_node(const xmlNode *node, gboolean console, guint flags, GError **error)
{
    static const char *const attrs[] = {"type", "tty", NULL};
    static const char *const source_attrs[] = {"path", NULL};
    static const char *const target_attrs[] = {"type", "port", NULL};
    g_autoptr(VbDomainChrDef) chr = g_new0(VbDomainChrDef, 1);
    g_autofree char *tty = NULL;
    gboolean has_source = FALSE, has_target = FALSE;
    int type = VB_DOMAIN_CHR_PTY;

    chr->target_port = VB_DOMAIN_CHR_PORT_AUTO;
    if (!vb_xml_check_attrs(node, attrs, error) ||
        !vb_domain_xml_enum_attr(node, "type", vb_domain_chr_type_from_string, &type, error))
        return NULL;
    chr->type = type;
    /* tty= is where a running pty is, as libvirt has always printed it */
    if (!vb_domain_xml_string_attr(node, "tty", &tty, error))
        return NULL;
    if (tty != NULL && chr->type != VB_DOMAIN_CHR_PTY) {
        vb_xml_invalid(error, node, "tty", tty);
        return NULL;
    }
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (vb_xml_is(n, "source") && !has_source && vb_domain_chr_has_path(chr->type)) {
            ok = vb_domain_xml_empty(n, source_attrs, error) &&
                 vb_domain_xml_string_attr(n, "path", &chr->source_path, error);
            has_source = TRUE;
        } else if (vb_xml_is(n, "target") && !has_target) {
            const char *const *targets =
                console ? vb_domain_console_targets : vb_domain_serial_targets;

            ok = vb_domain_xml_empty(n, target_attrs, error) &&
                 vb_domain_xml_string_attr(n, "type", &chr->target_type, error) &&
                 vb_domain_xml_uint_attr(n, "port", 0, 65535, NULL, &chr->target_port, error);
            if (ok && chr->target_type != NULL && !g_strv_contains(targets, chr->target_type))
                ok = vb_xml_invalid(error, n, "type", chr->target_type);
            has_target = TRUE;
        } else {
            ok = vb_xml_unexpected(error, n);
        }
        if (!ok)
            return NULL;
    }
    if (chr->source_path == NULL)
        chr->source_path = g_steal_pointer(&tty);
    if (chr->source_path == NULL && chr->type != VB_DOMAIN_CHR_PTY &&
        vb_domain_chr_has_path(chr->type)) {
        vb_xml_missing(error, node, "<source path> of the character device");
        return NULL;
    }
    if (chr->type == VB_DOMAIN_CHR_PTY && (flags & VB_DOMAIN_PARSE_INACTIVE) != 0)
        g_clear_pointer(&chr->source_path, g_free);
    return g_steal_pointer(&chr);
}

void
vb_domain_chr_def_format_to(VbXmlWriter *w, const VbDomainChrDef *chr, gboolean console,
                            guint flags)
{
    const char *name = console ? "console" : "serial";
    const char *path = chr->source_path;
    char port[16];

    if (chr->type == VB_DOMAIN_CHR_PTY && (flags & VB_DOMAIN_XML_INACTIVE) != 0)
        path = NULL;
    g_snprintf(port, sizeof(port), "%u", chr->target_port);
    vb_xml_open(w, name, "type", vb_domain_chr_type_to_string(chr->type), "tty",
                chr->type == VB_DOMAIN_CHR_PTY ? path : NULL, NULL);
    if (path != NULL)
        vb_xml_empty(w, "source", "path", path, NULL);
    vb_xml_empty(w, "target", "type", chr->target_type, "port",
                 chr->target_port != VB_DOMAIN_CHR_PORT_AUTO ? port : NULL, NULL);
    vb_xml_close(w, name);
}

/* inputs */

VbDomainInputDef *
vb_domain_input_def_parse_node(const xmlNode *node, guint flags, GError **error)
{
    static const char *const attrs[] = {"type", "bus", NULL};
    g_autoptr(VbDomainInputDef) input = g_new0(VbDomainInputDef, 1);
    int type = -1, bus = VB_DOMAIN_INPUT_BUS_DEFAULT;

    if (!vb_domain_xml_empty(node, attrs, error) ||
        !vb_domain_xml_enum_attr(node, "type", vb_domain_input_type_from_string, &type, error) ||
        !vb_domain_xml_enum_attr(node, "bus", vb_domain_input_bus_from_string, &bus, error))
        return NULL;
    if (type < 0) {
        vb_xml_missing(error, node, "input 'type' attribute");
        return NULL;
    }
    if (type == VB_DOMAIN_INPUT_TABLET && bus == VB_DOMAIN_INPUT_BUS_PS2) {
        vb_error_set(error, VB_ERROR_XML, "ps2 bus does not support tablet input device");
        return NULL;
    }
    input->type = type;
    input->bus = bus;
    return g_steal_pointer(&input);
}

void
vb_domain_input_def_format_to(VbXmlWriter *w, const VbDomainInputDef *input, guint flags)
{
    vb_xml_empty(w, "input", "type", vb_domain_input_type_to_string(input->type), "bus",
                 vb_domain_input_bus_to_string(input->bus), NULL);
}

/* graphics */

static gboolean
vb_domain_graphics_parse_vnc(VbDomainGraphicsDef *graphics, const xmlNode *node, guint flags,
                             GError **error)
{
    static const char *const attrs[] = {"type",   "port",   "autoport", "listen",
                                        "keymap", "passwd", NULL};
    static const char *const listen_attrs[] = {"type", "address", NULL};
    g_autofree char *port = vb_xml_prop(node, "port");
    g_autofree char *autoport = vb_xml_prop(node, "autoport");
    gboolean has_listen = FALSE;

    if (!vb_xml_check_attrs(node, attrs, error) ||
        !vb_domain_xml_string_attr(node, "listen", &graphics->listen, error) ||
        !vb_domain_xml_token_attr(node, "keymap", &graphics->keymap, error))
        return FALSE;
    graphics->passwd = vb_xml_prop(node, "passwd");
    graphics->port = -1;
    if (port != NULL) {
        gint64 value;

        if (!vb_parse_int64(port, &value) || value < -1 || value > 65535)
            return vb_xml_invalid(error, node, "port", port);
        graphics->port = (int)value;
    }
    graphics->autoport = graphics->port == -1;
    if (!vb_domain_xml_yesno_attr(node, "autoport", &graphics->autoport, error))
        return FALSE;
    if (!graphics->autoport && graphics->port == -1)
        return vb_xml_invalid(error, node, "autoport", autoport);
    if (graphics->autoport && (flags & VB_DOMAIN_PARSE_INACTIVE) != 0)
        graphics->port = -1;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        g_autofree char *type = NULL;
        g_autofree char *address = NULL;

        if (!vb_xml_is(n, "listen") || has_listen)
            return vb_xml_unexpected(error, n);
        has_listen = TRUE;
        if (!vb_domain_xml_empty(n, listen_attrs, error) ||
            !vb_domain_xml_string_attr(n, "address", &address, error))
            return FALSE;
        type = vb_xml_prop(n, "type");
        if (g_strcmp0(type, "address") != 0)
            return vb_xml_invalid(error, n, "type", type);
        if (address == NULL)
            continue;
        if (graphics->listen != NULL && strcmp(graphics->listen, address) != 0) {
            vb_error_set(error, VB_ERROR_XML,
                         "graphics 'listen' attribute '%s' must match 'address' attribute of "
                         "first listen element (found '%s')",
                         graphics->listen, address);
            return FALSE;
        }
        g_free(graphics->listen);
        graphics->listen = g_steal_pointer(&address);
    }
    return TRUE;
}

VbDomainGraphicsDef *
vb_domain_graphics_def_parse_node(const xmlNode *node, guint flags, GError **error)
{
    static const char *const sdl_attrs[] = {"type", "display", "xauth", "fullscreen", NULL};
    g_autoptr(VbDomainGraphicsDef) graphics = g_new0(VbDomainGraphicsDef, 1);
    g_autofree char *type = vb_xml_prop(node, "type");
    int value;

    if (type == NULL) {
        vb_xml_missing(error, node, "graphics 'type' attribute");
        return NULL;
    }
    if ((value = vb_domain_graphics_type_from_string(type)) < 0) {
        vb_xml_invalid(error, node, "type", type);
        return NULL;
    }
    graphics->type = value;
    graphics->port = -1;
    if (graphics->type == VB_DOMAIN_GRAPHICS_VNC) {
        if (!vb_domain_graphics_parse_vnc(graphics, node, flags, error))
            return NULL;
    } else if (!vb_domain_xml_empty(node, sdl_attrs, error) ||
               !vb_domain_xml_string_attr(node, "display", &graphics->display, error) ||
               !vb_domain_xml_string_attr(node, "xauth", &graphics->xauth, error) ||
               !vb_domain_xml_yesno_attr(node, "fullscreen", &graphics->fullscreen, error)) {
        return NULL;
    }
    return g_steal_pointer(&graphics);
}

void
vb_domain_graphics_def_format_to(VbXmlWriter *w, const VbDomainGraphicsDef *graphics, guint flags)
{
    char port[16];

    if (graphics->type == VB_DOMAIN_GRAPHICS_SDL) {
        vb_xml_empty(w, "graphics", "type", "sdl", "display", graphics->display, "xauth",
                     graphics->xauth, "fullscreen", graphics->fullscreen ? "yes" : NULL, NULL);
        return;
    }
    if (graphics->autoport && (flags & VB_DOMAIN_XML_INACTIVE) != 0)
        g_strlcpy(port, "-1", sizeof(port));
    else
        g_snprintf(port, sizeof(port), "%d", graphics->port);
    if (graphics->listen == NULL) {
        vb_xml_empty(w, "graphics", "type", "vnc", "port", port, "autoport",
                     graphics->autoport ? "yes" : "no", "keymap", graphics->keymap, "passwd",
                     (flags & VB_DOMAIN_XML_SECURE) != 0 ? graphics->passwd : NULL, NULL);
        return;
    }
    vb_xml_open(w, "graphics", "type", "vnc", "port", port, "autoport",
                graphics->autoport ? "yes" : "no", "listen", graphics->listen, "keymap",
                graphics->keymap, "passwd",
                (flags & VB_DOMAIN_XML_SECURE) != 0 ? graphics->passwd : NULL, NULL);
    vb_xml_empty(w, "listen", "type", "address", "address", graphics->listen, NULL);
    vb_xml_close(w, "graphics");
}

/* memory balloon */

VbDomainMemballoonDef *
vb_domain_memballoon_def_parse_node(const xmlNode *node, guint flags, GError **error)
{
    static const char *const attrs[] = {"model", NULL};
    static const char *const stats_attrs[] = {"period", NULL};
    g_autoptr(VbDomainMemballoonDef) balloon = g_new0(VbDomainMemballoonDef, 1);
    int model = -1;

    if (!vb_xml_check_attrs(node, attrs, error) ||
        !vb_domain_xml_enum_attr(node, "model", vb_domain_memballoon_model_from_string, &model,
                                 error))
        return NULL;
    if (model < 0) {
        vb_xml_missing(error, node, "memballoon 'model' attribute");
        return NULL;
    }
    balloon->model = model;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean present = FALSE;

        if (!vb_xml_is(n, "stats") || balloon->has_stats_period) {
            vb_xml_unexpected(error, n);
            return NULL;
        }
        if (!vb_domain_xml_empty(n, stats_attrs, error) ||
            !vb_domain_xml_uint_attr(n, "period", 0, G_MAXINT, &present, &balloon->stats_period,
                                     error))
            return NULL;
        if (!present) {
            vb_xml_missing(error, n, "'period' attribute");
            return NULL;
        }
        balloon->has_stats_period = TRUE;
    }
    return g_steal_pointer(&balloon);
}

void
vb_domain_memballoon_def_format_to(VbXmlWriter *w, const VbDomainMemballoonDef *balloon,
                                   guint flags)
{
    const char *model = vb_domain_memballoon_model_to_string(balloon->model);
    char period[16];

    if (!balloon->has_stats_period) {
        vb_xml_empty(w, "memballoon", "model", model, NULL);
        return;
    }
    g_snprintf(period, sizeof(period), "%u", balloon->stats_period);
    vb_xml_open(w, "memballoon", "model", model, NULL);
    vb_xml_empty(w, "stats", "period", period, NULL);
    vb_xml_close(w, "memballoon");
}

/* lone devices */

void
vb_domain_device_def_free(VbDomainDeviceDef *dev)
{
    if (dev == NULL)
        return;
    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        vb_domain_disk_def_free(dev->disk);
        break;
    case VB_DOMAIN_DEVICE_NET:
        vb_domain_net_def_free(dev->net);
        break;
    case VB_DOMAIN_DEVICE_INPUT:
        vb_domain_input_def_free(dev->input);
        break;
    case VB_DOMAIN_DEVICE_GRAPHICS:
        vb_domain_graphics_def_free(dev->graphics);
        break;
    case VB_DOMAIN_DEVICE_SERIAL:
    case VB_DOMAIN_DEVICE_CONSOLE:
        vb_domain_chr_def_free(dev->chr);
        break;
    default:
        break;
    }
    g_free(dev->alias);
    g_free(dev);
}

VbDomainDeviceDef *
vb_domain_device_def_copy(const VbDomainDeviceDef *dev)
{
    VbDomainDeviceDef *copy = g_new0(VbDomainDeviceDef, 1);

    copy->kind = dev->kind;
    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        copy->disk = vb_domain_disk_def_copy(dev->disk);
        break;
    case VB_DOMAIN_DEVICE_NET:
        copy->net = vb_domain_net_def_copy(dev->net);
        break;
    case VB_DOMAIN_DEVICE_INPUT:
        copy->input = vb_domain_input_def_copy(dev->input);
        break;
    case VB_DOMAIN_DEVICE_GRAPHICS:
        copy->graphics = vb_domain_graphics_def_copy(dev->graphics);
        break;
    case VB_DOMAIN_DEVICE_SERIAL:
    case VB_DOMAIN_DEVICE_CONSOLE:
        copy->chr = vb_domain_chr_def_copy(dev->chr);
        break;
    default:
        break;
    }
    return copy;
}

static char *
vb_domain_device_make_alias(const VbDomainDeviceDef *dev)
{
    char mac[VB_MAC_STRING_LEN];

    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        return g_strdup(dev->disk->dst);
    case VB_DOMAIN_DEVICE_NET:
        if (!dev->net->has_mac)
            return g_strdup_printf("net-%s", vb_domain_net_type_to_string(dev->net->type));
        vb_mac_format(dev->net->mac, mac);
        return g_strdup(mac);
    case VB_DOMAIN_DEVICE_INPUT:
        return g_strdup_printf("%s-%s", vb_domain_input_type_to_string(dev->input->type),
                               dev->input->bus == VB_DOMAIN_INPUT_BUS_DEFAULT
                                   ? "default"
                                   : vb_domain_input_bus_to_string(dev->input->bus));
    case VB_DOMAIN_DEVICE_GRAPHICS:
        return g_strdup(vb_domain_graphics_type_to_string(dev->graphics->type));
    case VB_DOMAIN_DEVICE_SERIAL:
    case VB_DOMAIN_DEVICE_CONSOLE:
        if (dev->chr->target_port == VB_DOMAIN_CHR_PORT_AUTO)
            return g_strdup(vb_domain_device_kind_to_string(dev->kind));
        return g_strdup_printf("%s%u", vb_domain_device_kind_to_string(dev->kind),
                               dev->chr->target_port);
    default:
        return g_strdup("");
    }
}

const char *
vb_domain_device_def_alias(const VbDomainDeviceDef *dev)
{
    VbDomainDeviceDef *mutable_dev = (VbDomainDeviceDef *)dev;

    /* computed on demand: the device may have been completed after parsing */
    g_free(mutable_dev->alias);
    mutable_dev->alias = vb_domain_device_make_alias(dev);
    return dev->alias;
}

VbDomainDeviceDef *
vb_domain_device_def_parse(const char *xml, gssize len, GError **error)
{
    g_autoptr(xmlDoc) doc = vb_xml_parse(xml, len, "device", NULL, error);
    g_autoptr(VbDomainDeviceDef) dev = NULL;
    xmlNode *root;
    int kind;

    if (doc == NULL || !vb_domain_xml_check_text(doc, xml, len, "device", error))
        return NULL;
    root = xmlDocGetRootElement(doc);
    kind = root->ns == NULL ? vb_domain_device_kind_from_string((const char *)root->name) : -1;
    if (kind < 0) {
        vb_error_set(error, VB_ERROR_XML, "unknown device type '%s'", (const char *)root->name);
        return NULL;
    }
    dev = g_new0(VbDomainDeviceDef, 1);
    dev->kind = kind;
    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        dev->disk = vb_domain_disk_def_parse_node(root, 0, error);
        break;
    case VB_DOMAIN_DEVICE_NET:
        dev->net = vb_domain_net_def_parse_node(root, 0, error);
        break;
    case VB_DOMAIN_DEVICE_INPUT:
        dev->input = vb_domain_input_def_parse_node(root, 0, error);
        break;
    case VB_DOMAIN_DEVICE_GRAPHICS:
        dev->graphics = vb_domain_graphics_def_parse_node(root, 0, error);
        break;
    case VB_DOMAIN_DEVICE_SERIAL:
    case VB_DOMAIN_DEVICE_CONSOLE:
        dev->chr =
            vb_domain_chr_def_parse_node(root, dev->kind == VB_DOMAIN_DEVICE_CONSOLE, 0, error);
        break;
    default:
        break;
    }
    /* every kind's pointer shares the union, so one check covers them all */
    if (dev->disk == NULL)
        return NULL;
    return g_steal_pointer(&dev);
}

char *
vb_domain_device_def_format(const VbDomainDeviceDef *dev, guint xml_flags)
{
    VbXmlWriter w;

    vb_xml_writer_init(&w);
    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        vb_domain_disk_def_format_to(&w, dev->disk, xml_flags);
        break;
    case VB_DOMAIN_DEVICE_NET:
        vb_domain_net_def_format_to(&w, dev->net, xml_flags);
        break;
    case VB_DOMAIN_DEVICE_INPUT:
        vb_domain_input_def_format_to(&w, dev->input, xml_flags);
        break;
    case VB_DOMAIN_DEVICE_GRAPHICS:
        vb_domain_graphics_def_format_to(&w, dev->graphics, xml_flags);
        break;
    case VB_DOMAIN_DEVICE_SERIAL:
    case VB_DOMAIN_DEVICE_CONSOLE:
        vb_domain_chr_def_format_to(&w, dev->chr, dev->kind == VB_DOMAIN_DEVICE_CONSOLE, xml_flags);
        break;
    default:
        break;
    }
    return vb_xml_writer_finish(&w);
}

/* attach, detach, update */

static GPtrArray *
vb_domain_device_list(const VbDomainDef *def, VbDomainDeviceKind kind)
{
    switch (kind) {
    case VB_DOMAIN_DEVICE_DISK:
        return def->disks;
    case VB_DOMAIN_DEVICE_NET:
        return def->nets;
    case VB_DOMAIN_DEVICE_INPUT:
        return def->inputs;
    case VB_DOMAIN_DEVICE_GRAPHICS:
        return def->graphics;
    case VB_DOMAIN_DEVICE_SERIAL:
        return def->serials;
    case VB_DOMAIN_DEVICE_CONSOLE:
        return def->consoles;
    default:
        return NULL;
    }
}

/* index of the device of @def that @dev designates, -1 with an error when none (or
 * when it is ambiguous) */
static int
vb_domain_device_find(const VbDomainDef *def, const VbDomainDeviceDef *dev, GError **error)
{
    GPtrArray *list = vb_domain_device_list(def, dev->kind);
    char mac[VB_MAC_STRING_LEN];
    int found = -1;
    guint matches = 0;

    if (list == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED, "unknown device kind %d", dev->kind);
        return -1;
    }
    for (guint i = 0; i < list->len; i++) {
        gconstpointer item = g_ptr_array_index(list, i);
        gboolean match = FALSE;

        switch (dev->kind) {
        case VB_DOMAIN_DEVICE_DISK:
            match = strcmp(((const VbDomainDiskDef *)item)->dst, dev->disk->dst) == 0;
            break;
        case VB_DOMAIN_DEVICE_NET: {
            const VbDomainNetDef *net = item;

            if (dev->net->has_mac)
                match = net->has_mac && memcmp(net->mac, dev->net->mac, VB_MAC_LEN) == 0;
            else
                match = net->type == dev->net->type;
            break;
        }
        case VB_DOMAIN_DEVICE_INPUT: {
            const VbDomainInputDef *input = item;
            VbDomainInputBus bus = dev->input->bus;

            if (bus == VB_DOMAIN_INPUT_BUS_DEFAULT)
                bus = vb_domain_input_default_bus(def, dev->input->type);
            match = input->type == dev->input->type && input->bus == bus;
            break;
        }
        case VB_DOMAIN_DEVICE_GRAPHICS:
            match = ((const VbDomainGraphicsDef *)item)->type == dev->graphics->type;
            break;
        case VB_DOMAIN_DEVICE_SERIAL:
        case VB_DOMAIN_DEVICE_CONSOLE:
            match = dev->chr->target_port == VB_DOMAIN_CHR_PORT_AUTO ||
                    ((const VbDomainChrDef *)item)->target_port == dev->chr->target_port;
            break;
        default:
            break;
        }
        if (match) {
            if (found < 0)
                found = (int)i;
            matches++;
        }
    }
    if (matches == 1)
        return found;

    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "no device matching disk target '%s'",
                     dev->disk->dst);
        break;
    case VB_DOMAIN_DEVICE_NET:
        if (dev->net->has_mac) {
            vb_mac_format(dev->net->mac, mac);
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "no device matching MAC address '%s'",
                         mac);
        } else {
            vb_error_set(
                error, VB_ERROR_OPERATION_FAILED, "%s device matching interface type '%s'%s",
                matches == 0 ? "no" : "more than one", vb_domain_net_type_to_string(dev->net->type),
                matches == 0 ? "" : ": give its MAC address");
        }
        break;
    case VB_DOMAIN_DEVICE_INPUT:
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "no device matching input type '%s'",
                     vb_domain_input_type_to_string(dev->input->type));
        break;
    case VB_DOMAIN_DEVICE_GRAPHICS:
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "no device matching graphics type '%s'",
                     vb_domain_graphics_type_to_string(dev->graphics->type));
        break;
    default:
        if (dev->chr->target_port == VB_DOMAIN_CHR_PORT_AUTO)
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "%s device matching %s%s",
                         matches == 0 ? "no" : "more than one",
                         vb_domain_device_kind_to_string(dev->kind),
                         matches == 0 ? "" : ": give its target port");
        else
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "no device matching %s port %u",
                         vb_domain_device_kind_to_string(dev->kind), dev->chr->target_port);
        break;
    }
    return -1;
}

VbDomainDeviceDef *
vb_domain_def_find_device(const VbDomainDef *def, const VbDomainDeviceDef *dev, GError **error)
{
    int index = vb_domain_device_find(def, dev, error);
    VbDomainDeviceDef tmp = {0};

    if (index < 0)
        return NULL;
    tmp.kind = dev->kind;
    tmp.disk = g_ptr_array_index(vb_domain_device_list(def, dev->kind), index);
    return vb_domain_device_def_copy(&tmp);
}

gboolean
vb_domain_def_detach_device(VbDomainDef *def, const VbDomainDeviceDef *dev, GError **error)
{
    int index = vb_domain_device_find(def, dev, error);

    if (index < 0)
        return FALSE;
    g_ptr_array_remove_index(vb_domain_device_list(def, dev->kind), (guint)index);
    return TRUE;
}

/* "already exists" for a device that would clash with one of @def */
static gboolean
vb_domain_device_check_unique(const VbDomainDef *def, const VbDomainDeviceDef *dev, GError **error)
{
    GPtrArray *list = vb_domain_device_list(def, dev->kind);
    char mac[VB_MAC_STRING_LEN];

    for (guint i = 0; i < list->len; i++) {
        gconstpointer item = g_ptr_array_index(list, i);

        switch (dev->kind) {
        case VB_DOMAIN_DEVICE_DISK:
            if (strcmp(((const VbDomainDiskDef *)item)->dst, dev->disk->dst) == 0) {
                vb_error_set(error, VB_ERROR_OPERATION_FAILED, "target %s already exists",
                             dev->disk->dst);
                return FALSE;
            }
            break;
        case VB_DOMAIN_DEVICE_NET: {
            const VbDomainNetDef *net = item;

            if (net->has_mac && memcmp(net->mac, dev->net->mac, VB_MAC_LEN) == 0) {
                vb_mac_format(dev->net->mac, mac);
                vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                             "interface with MAC address %s already exists", mac);
                return FALSE;
            }
            break;
        }
        case VB_DOMAIN_DEVICE_INPUT: {
            const VbDomainInputDef *input = item;

            if (input->type == dev->input->type && input->bus == dev->input->bus) {
                vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                             "input device %s on bus %s already exists",
                             vb_domain_input_type_to_string(input->type),
                             vb_domain_input_bus_to_string(input->bus));
                return FALSE;
            }
            break;
        }
        case VB_DOMAIN_DEVICE_GRAPHICS:
            if (((const VbDomainGraphicsDef *)item)->type == dev->graphics->type) {
                vb_error_set(error, VB_ERROR_OPERATION_FAILED, "graphics device %s already exists",
                             vb_domain_graphics_type_to_string(dev->graphics->type));
                return FALSE;
            }
            break;
        case VB_DOMAIN_DEVICE_SERIAL:
        case VB_DOMAIN_DEVICE_CONSOLE:
            if (((const VbDomainChrDef *)item)->target_port == dev->chr->target_port) {
                vb_error_set(error, VB_ERROR_OPERATION_FAILED, "%s port %u already exists",
                             vb_domain_device_kind_to_string(dev->kind), dev->chr->target_port);
                return FALSE;
            }
            break;
        default:
            break;
        }
    }
    return TRUE;
}

void
vb_domain_device_def_set_defaults(VbDomainDeviceDef *dev, const VbDomainDef *def)
{
    static const guint8 default_prefix[3] = {0x52, 0x54, 0x00};
    GPtrArray *list = vb_domain_device_list(def, dev->kind);

    if (list == NULL || dev->disk == NULL)
        return;
    if (dev->kind == VB_DOMAIN_DEVICE_NET)
        vb_domain_device_def_fill_mac(dev, def, default_prefix);
    if (dev->kind == VB_DOMAIN_DEVICE_INPUT && dev->input->bus == VB_DOMAIN_INPUT_BUS_DEFAULT)
        dev->input->bus = vb_domain_input_default_bus(def, dev->input->type);
    if ((dev->kind == VB_DOMAIN_DEVICE_SERIAL || dev->kind == VB_DOMAIN_DEVICE_CONSOLE) &&
        dev->chr->target_port == VB_DOMAIN_CHR_PORT_AUTO)
        dev->chr->target_port = vb_domain_chr_free_port(list);
}

gboolean
vb_domain_def_attach_device(VbDomainDef *def, VbDomainDeviceDef *dev, GError **error)
{
    GPtrArray *list = vb_domain_device_list(def, dev->kind);

    if (list == NULL || dev->disk == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED, "cannot attach an empty device");
        return FALSE;
    }
    /* defaults that depend on the domain, before the clash check that uses them */
    vb_domain_device_def_set_defaults(dev, def);
    if (dev->chr != NULL &&
        (dev->kind == VB_DOMAIN_DEVICE_SERIAL || dev->kind == VB_DOMAIN_DEVICE_CONSOLE) &&
        dev->chr->target_port > 65535) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "no free %s port",
                     vb_domain_device_kind_to_string(dev->kind));
        return FALSE;
    }
    if (!vb_domain_device_check_unique(def, dev, error))
        return FALSE;
    g_ptr_array_add(list, dev->disk);
    dev->disk = NULL;
    g_free(dev->alias);
    g_free(dev);
    return TRUE;
}

static gboolean
vb_domain_update_refuse(GError **error, const char *field, const char *what, const char *which)
{
    vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED, "cannot modify field '%s' of %s '%s'",
                 field, what, which);
    return FALSE;
}

static gboolean
vb_domain_update_disk(VbDomainDiskDef *disk, const VbDomainDiskDef *change, GError **error)
{
    const char *dst = disk->dst;

    if (disk->device != change->device)
        return vb_domain_update_refuse(error, "device", "disk", dst);
    if (disk->bus != change->bus)
        return vb_domain_update_refuse(error, "target bus", "disk", dst);
    if (disk->readonly != change->readonly)
        return vb_domain_update_refuse(error, "readonly", "disk", dst);
    if (disk->shareable != change->shareable)
        return vb_domain_update_refuse(error, "shareable", "disk", dst);
    if (g_strcmp0(disk->driver_name, change->driver_name) != 0 ||
        g_strcmp0(disk->driver_type, change->driver_type) != 0 ||
        disk->driver_cache != change->driver_cache)
        return vb_domain_update_refuse(error, "driver", "disk", dst);
    if ((g_strcmp0(disk->src, change->src) != 0 || disk->type != change->type) &&
        disk->device == VB_DOMAIN_DISK_DEVICE_DISK)
        return vb_domain_update_refuse(error, "source", "disk", dst);
    disk->type = change->type;
    g_free(disk->src);
    disk->src = g_strdup(change->src);
    return TRUE;
}

static gboolean
vb_domain_update_net(VbDomainNetDef *net, const VbDomainNetDef *change, GError **error)
{
    char mac[VB_MAC_STRING_LEN];

    vb_mac_format(net->mac, mac);
    if (net->type != change->type)
        return vb_domain_update_refuse(error, "type", "interface", mac);
    if (change->target_dev != NULL && g_strcmp0(net->target_dev, change->target_dev) != 0)
        return vb_domain_update_refuse(error, "target dev", "interface", mac);
    g_free(net->source_network);
    net->source_network = g_strdup(change->source_network);
    g_free(net->source_bridge);
    net->source_bridge = g_strdup(change->source_bridge);
    g_free(net->source_address);
    net->source_address = g_strdup(change->source_address);
    net->source_port = change->source_port;
    g_free(net->script_path);
    net->script_path = g_strdup(change->script_path);
    g_free(net->model_type);
    net->model_type = g_strdup(change->model_type);
    net->link_state = change->link_state;
    return TRUE;
}

static gboolean
vb_domain_update_graphics(VbDomainGraphicsDef *graphics, const VbDomainGraphicsDef *change,
                          GError **error)
{
    const char *type = vb_domain_graphics_type_to_string(graphics->type);

    if (graphics->autoport != change->autoport ||
        (!change->autoport && graphics->port != change->port))
        return vb_domain_update_refuse(error, "port", "graphics", type);
    if (g_strcmp0(graphics->listen, change->listen) != 0)
        return vb_domain_update_refuse(error, "listen", "graphics", type);
    if (g_strcmp0(graphics->display, change->display) != 0 ||
        g_strcmp0(graphics->xauth, change->xauth) != 0 ||
        graphics->fullscreen != change->fullscreen)
        return vb_domain_update_refuse(error, "display", "graphics", type);
    g_free(graphics->passwd);
    graphics->passwd = g_strdup(change->passwd);
    g_free(graphics->keymap);
    graphics->keymap = g_strdup(change->keymap);
    return TRUE;
}

gboolean
vb_domain_def_update_device(VbDomainDef *def, const VbDomainDeviceDef *dev, GError **error)
{
    int index;
    gpointer item;

    if (dev->kind != VB_DOMAIN_DEVICE_DISK && dev->kind != VB_DOMAIN_DEVICE_NET &&
        dev->kind != VB_DOMAIN_DEVICE_GRAPHICS) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED, "device type '%s' cannot be updated",
                     vb_domain_device_kind_to_string(dev->kind));
        return FALSE;
    }
    if ((index = vb_domain_device_find(def, dev, error)) < 0)
        return FALSE;
    item = g_ptr_array_index(vb_domain_device_list(def, dev->kind), index);
    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        return vb_domain_update_disk(item, dev->disk, error);
    case VB_DOMAIN_DEVICE_NET:
        return vb_domain_update_net(item, dev->net, error);
    default:
        return vb_domain_update_graphics(item, dev->graphics, error);
    }
}
