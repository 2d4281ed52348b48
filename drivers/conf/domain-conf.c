/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"
#define VB_DOMAIN_CONF_INTERNAL

#include "domain-conf.h"

#include <libxml/tree.h>
#include <string.h>

#include "domain-conf-priv.h"
#include "schema.h"
#include "xml-util.h"

/* enum <-> string tables; NULL entries are values with no spelling (defaults) */

int
vb_domain_enum_lookup(const char *const *names, guint n, const char *str)
{
    if (str == NULL)
        return -1;
    for (guint i = 0; i < n; i++) {
        if (names[i] != NULL && strcmp(names[i], str) == 0)
            return (int)i;
    }
    return -1;
}

#define VB_DOMAIN_ENUM_IMPL(prefix, type, last, ...)                                               \
    static const char *const prefix##_names[] = {__VA_ARGS__};                                     \
    G_STATIC_ASSERT(G_N_ELEMENTS(prefix##_names) == (last));                                       \
    const char *prefix##_to_string(type value)                                                     \
    {                                                                                              \
        return (guint)value < (guint)(last) ? prefix##_names[value] : NULL;                        \
    }                                                                                              \
    int prefix##_from_string(const char *str)                                                      \
    {                                                                                              \
        return vb_domain_enum_lookup(prefix##_names, (last), str);                                 \
    }

VB_DOMAIN_ENUM_IMPL(vb_domain_virt_type, VbDomainVirtType, VB_DOMAIN_VIRT_LAST, "test", "qemu",
                    "kvm", "xen")
VB_DOMAIN_ENUM_IMPL(vb_domain_os_type, VbDomainOsType, VB_DOMAIN_OS_LAST, "hvm", "linux", "xen",
                    "exe")
VB_DOMAIN_ENUM_IMPL(vb_domain_boot_dev, VbDomainBootDev, VB_DOMAIN_BOOT_LAST, "hd", "cdrom", "fd",
                    "network")
VB_DOMAIN_ENUM_IMPL(vb_domain_lifecycle, VbDomainLifecycleAction, VB_DOMAIN_LIFECYCLE_LAST,
                    "destroy", "restart", "preserve", "rename-restart", "coredump-destroy",
                    "coredump-restart")
VB_DOMAIN_ENUM_IMPL(vb_domain_feature, VbDomainFeature, VB_DOMAIN_FEATURE_LAST, "pae", "acpi",
                    "apic", "hap", "viridian", "privnet", "pvspinlock", "pmu", "vmport", "smm",
                    "vmcoreinfo")
VB_DOMAIN_ENUM_IMPL(vb_domain_clock_offset, VbDomainClockOffset, VB_DOMAIN_CLOCK_LAST, "utc",
                    "localtime")
VB_DOMAIN_ENUM_IMPL(vb_domain_vcpu_placement, VbDomainVcpuPlacement, VB_DOMAIN_VCPU_PLACEMENT_LAST,
                    NULL, "static", "auto")
VB_DOMAIN_ENUM_IMPL(vb_domain_disk_type, VbDomainDiskType, VB_DOMAIN_DISK_TYPE_LAST, "file",
                    "block")
VB_DOMAIN_ENUM_IMPL(vb_domain_disk_device, VbDomainDiskDevice, VB_DOMAIN_DISK_DEVICE_LAST, "disk",
                    "cdrom", "floppy")
VB_DOMAIN_ENUM_IMPL(vb_domain_disk_bus, VbDomainDiskBus, VB_DOMAIN_DISK_BUS_LAST, "ide", "scsi",
                    "virtio", "xen", "usb", "sata", "fdc")
VB_DOMAIN_ENUM_IMPL(vb_domain_disk_cache, VbDomainDiskCache, VB_DOMAIN_DISK_CACHE_LAST, NULL,
                    "none", "writethrough", "writeback", "directsync", "unsafe")
VB_DOMAIN_ENUM_IMPL(vb_domain_net_type, VbDomainNetType, VB_DOMAIN_NET_LAST, "user", "network",
                    "bridge", "ethernet", "mcast", "server", "client")
VB_DOMAIN_ENUM_IMPL(vb_domain_net_link, VbDomainNetLinkState, VB_DOMAIN_NET_LINK_LAST, NULL, "up",
                    "down")
VB_DOMAIN_ENUM_IMPL(vb_domain_chr_type, VbDomainChrType, VB_DOMAIN_CHR_LAST, "pty", "vc", "null",
                    "stdio", "file", "dev", "pipe")
VB_DOMAIN_ENUM_IMPL(vb_domain_graphics_type, VbDomainGraphicsType, VB_DOMAIN_GRAPHICS_LAST, "vnc",
                    "sdl")
VB_DOMAIN_ENUM_IMPL(vb_domain_input_type, VbDomainInputType, VB_DOMAIN_INPUT_LAST, "mouse",
                    "tablet", "keyboard")
VB_DOMAIN_ENUM_IMPL(vb_domain_input_bus, VbDomainInputBus, VB_DOMAIN_INPUT_BUS_LAST, NULL, "ps2",
                    "usb", "xen", "virtio")
VB_DOMAIN_ENUM_IMPL(vb_domain_memballoon_model, VbDomainMemballoonModel, VB_DOMAIN_MEMBALLOON_LAST,
                    "virtio", "xen", "none")
VB_DOMAIN_ENUM_IMPL(vb_domain_device_kind, VbDomainDeviceKind, VB_DOMAIN_DEVICE_LAST, "disk",
                    "interface", "input", "graphics", "serial", "console")

/* features that take state='on|off' */
static const guint vb_domain_state_features = VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_HAP) |
                                              VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_PVSPINLOCK) |
                                              VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_PMU) |
                                              VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_VMPORT) |
                                              VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_SMM) |
                                              VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_VMCOREINFO);

/* memory units, case-insensitive as libvirt: b/bytes, k/KiB (1024), KB (1000), ... */
guint64
vb_domain_memory_unit_scale(const char *unit)
{
    static const char prefixes[] = "kmgtpe";
    const char *found;
    guint64 base, scale = 1;

    if (unit == NULL || *unit == '\0')
        return 1024;
    if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "bytes") == 0)
        return 1;
    found = strchr(prefixes, g_ascii_tolower(unit[0]));
    if (found == NULL)
        return 0;
    if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (g_ascii_strcasecmp(unit + 1, "B") == 0)
        base = 1000;
    else
        return 0;
    for (long i = 0; i <= found - prefixes; i++)
        scale *= base;
    return scale;
}

/* shared parse helpers */

gboolean
vb_domain_text_is_blank(const xmlChar *text)
{
    for (const xmlChar *p = text; p != NULL && *p != '\0'; p++) {
        if (!g_ascii_isspace(*p))
            return FALSE;
    }
    return TRUE;
}

static gboolean
vb_domain_xml_no_children(const xmlNode *node, GError **error)
{
    for (const xmlNode *n = node->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return vb_xml_unexpected(error, n);
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
            !vb_domain_text_is_blank(n->content))
            return vb_xml_invalid(error, node, NULL, (const char *)n->content);
    }
    return TRUE;
}

gboolean
vb_domain_xml_empty(const xmlNode *node, const char *const *allowed, GError **error)
{
    return vb_xml_check_attrs(node, allowed, error) && vb_domain_xml_no_children(node, error);
}

gboolean
vb_domain_xml_leaf(const xmlNode *node, char **out, GError **error)
{
    g_autofree char *text = NULL;

    if (!vb_xml_check_attrs(node, NULL, error))
        return FALSE;
    for (const xmlNode *n = node->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return vb_xml_unexpected(error, n);
    }
    text = vb_xml_content(node);
    g_free(*out);
    *out = (text != NULL && *text != '\0') ? g_steal_pointer(&text) : NULL;
    return TRUE;
}

gboolean
vb_domain_xml_enum_attr(const xmlNode *node, const char *attr, int (*from_string)(const char *),
                        int *out, GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);
    int parsed;

    if (value == NULL)
        return TRUE;
    parsed = from_string(value);
    if (parsed < 0)
        return vb_xml_invalid(error, node, attr, value);
    *out = parsed;
    return TRUE;
}

gboolean
vb_domain_xml_yesno_attr(const xmlNode *node, const char *attr, gboolean *out, GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);

    if (value == NULL)
        return TRUE;
    if (strcmp(value, "yes") == 0)
        *out = TRUE;
    else if (strcmp(value, "no") == 0)
        *out = FALSE;
    else
        return vb_xml_invalid(error, node, attr, value);
    return TRUE;
}

gboolean
vb_domain_xml_string_attr(const xmlNode *node, const char *attr, char **out, GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);

    if (value == NULL)
        return TRUE;
    if (*value == '\0')
        return vb_xml_invalid(error, node, attr, value);
    g_free(*out);
    *out = g_steal_pointer(&value);
    return TRUE;
}

gboolean
vb_domain_token_ok(const char *value)
{
    if (value == NULL || *value == '\0' || *value == '.' || strlen(value) > 256)
        return FALSE;
    for (const char *p = value; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && strchr("-_.:", *p) == NULL)
            return FALSE;
    }
    return TRUE;
}

gboolean
vb_domain_xml_token_attr(const xmlNode *node, const char *attr, char **out, GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);

    if (value == NULL)
        return TRUE;
    if (!vb_domain_token_ok(value))
        return vb_xml_invalid(error, node, attr, value);
    g_free(*out);
    *out = g_steal_pointer(&value);
    return TRUE;
}

gboolean
vb_domain_xml_uint_attr(const xmlNode *node, const char *attr, guint min, guint max,
                        gboolean *present, guint *out, GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);
    guint parsed;

    if (present != NULL)
        *present = value != NULL;
    if (value == NULL)
        return TRUE;
    if (!vb_parse_uint(value, &parsed) || parsed < min || parsed > max)
        return vb_xml_invalid(error, node, attr, value);
    *out = parsed;
    return TRUE;
}

/* the whole text of a number element, surrounding whitespace allowed */
static gboolean
vb_domain_xml_number(const xmlNode *node, const char *const *attrs, guint64 min, guint64 max,
                     guint64 *out, GError **error)
{
    g_autofree char *text = NULL;
    guint64 value;

    if (!vb_xml_check_attrs(node, attrs, error))
        return FALSE;
    for (const xmlNode *n = node->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return vb_xml_unexpected(error, n);
    }
    text = vb_xml_content(node);
    g_strstrip(text);
    if (!vb_parse_uint64(text, 10, &value) || value < min || value > max)
        return vb_xml_invalid(error, node, NULL, text);
    *out = value;
    return TRUE;
}

/* <memory unit='...'>N</memory> to KiB, rounding bytes up; overflow of 64-bit bytes
 * is an invalid value */
static gboolean
vb_domain_parse_memory(const xmlNode *node, const char *const *attrs, guint64 *kib, GError **error)
{
    g_autofree char *unit = vb_xml_prop(node, "unit");
    guint64 scale = vb_domain_memory_unit_scale(unit);
    guint64 value, bytes;

    if (!vb_domain_xml_number(node, attrs, 0, G_MAXUINT64, &value, error))
        return FALSE;
    if (scale == 0 || (unit != NULL && *unit == '\0'))
        return vb_xml_invalid(error, node, "unit", unit);
    if (value > G_MAXUINT64 / scale) {
        g_autofree char *text =
            g_strdup_printf("%" G_GUINT64_FORMAT " %s", value, unit != NULL ? unit : "KiB");

        return vb_xml_invalid(error, node, NULL, text);
    }
    bytes = value * scale;
    *kib = bytes / 1024 + (bytes % 1024 != 0 ? 1 : 0);
    /* the canonical form says KiB: it must still fit in 64-bit bytes when read back */
    if (*kib > G_MAXUINT64 / 1024) {
        g_autofree char *text =
            g_strdup_printf("%" G_GUINT64_FORMAT " %s", value, unit != NULL ? unit : "KiB");

        return vb_xml_invalid(error, node, NULL, text);
    }
    if (*kib == 0)
        return vb_xml_invalid(error, node, NULL, "0");
    return TRUE;
}

/* the domain */

static void
vb_domain_vcpupin_free(gpointer data)
{
    VbDomainVcpuPin *pin = data;

    vb_cpuset_free(pin->cpuset);
    g_free(pin);
}

void
vb_domain_memballoon_def_free(VbDomainMemballoonDef *balloon)
{
    g_free(balloon);
}

VbDomainDef *
vb_domain_def_new(void)
{
    VbDomainDef *def = g_new0(VbDomainDef, 1);

    def->id = -1;
    def->vcpupins = g_ptr_array_new_with_free_func(vb_domain_vcpupin_free);
    def->on_poweroff = VB_DOMAIN_LIFECYCLE_DESTROY;
    def->on_reboot = VB_DOMAIN_LIFECYCLE_RESTART;
    def->on_crash = VB_DOMAIN_LIFECYCLE_DESTROY;
    def->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_disk_def_free);
    def->nets = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_net_def_free);
    def->serials = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_chr_def_free);
    def->consoles = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_chr_def_free);
    def->inputs = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_input_def_free);
    def->graphics = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_graphics_def_free);
    return def;
}

void
vb_domain_def_free(VbDomainDef *def)
{
    if (def == NULL)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->metadata);
    vb_cpuset_free(def->vcpu_cpuset);
    g_ptr_array_unref(def->vcpupins);
    g_free(def->bootloader);
    g_free(def->bootloader_args);
    g_free(def->os_arch);
    g_free(def->os_machine);
    g_free(def->os_loader);
    g_free(def->os_kernel);
    g_free(def->os_initrd);
    g_free(def->os_cmdline);
    g_free(def->os_root);
    g_free(def->emulator);
    g_ptr_array_unref(def->disks);
    g_ptr_array_unref(def->nets);
    g_ptr_array_unref(def->serials);
    g_ptr_array_unref(def->consoles);
    g_ptr_array_unref(def->inputs);
    g_ptr_array_unref(def->graphics);
    vb_domain_memballoon_def_free(def->memballoon);
    g_free(def);
}

VbDomainDef *
vb_domain_def_copy(const VbDomainDef *def)
{
    VbDomainDef *copy = vb_domain_def_new();
    GPtrArray *pins = copy->vcpupins, *disks = copy->disks, *nets = copy->nets;
    GPtrArray *serials = copy->serials, *consoles = copy->consoles, *inputs = copy->inputs;
    GPtrArray *graphics = copy->graphics;

    /* scalars in one go, then every owned pointer replaced by its own copy */
    *copy = *def;
    copy->name = g_strdup(def->name);
    copy->title = g_strdup(def->title);
    copy->description = g_strdup(def->description);
    copy->metadata = g_strdup(def->metadata);
    copy->vcpu_cpuset = vb_cpuset_copy(def->vcpu_cpuset);
    copy->vcpupins = pins;
    for (guint i = 0; i < def->vcpupins->len; i++) {
        const VbDomainVcpuPin *pin = g_ptr_array_index(def->vcpupins, i);
        VbDomainVcpuPin *pin_copy = g_new0(VbDomainVcpuPin, 1);

        pin_copy->vcpu = pin->vcpu;
        pin_copy->cpuset = vb_cpuset_copy(pin->cpuset);
        g_ptr_array_add(pins, pin_copy);
    }
    copy->bootloader = g_strdup(def->bootloader);
    copy->bootloader_args = g_strdup(def->bootloader_args);
    copy->os_arch = g_strdup(def->os_arch);
    copy->os_machine = g_strdup(def->os_machine);
    copy->os_loader = g_strdup(def->os_loader);
    copy->os_kernel = g_strdup(def->os_kernel);
    copy->os_initrd = g_strdup(def->os_initrd);
    copy->os_cmdline = g_strdup(def->os_cmdline);
    copy->os_root = g_strdup(def->os_root);
    copy->emulator = g_strdup(def->emulator);
    copy->disks = disks;
    for (guint i = 0; i < def->disks->len; i++)
        g_ptr_array_add(disks, vb_domain_disk_def_copy(g_ptr_array_index(def->disks, i)));
    copy->nets = nets;
    for (guint i = 0; i < def->nets->len; i++)
        g_ptr_array_add(nets, vb_domain_net_def_copy(g_ptr_array_index(def->nets, i)));
    copy->serials = serials;
    for (guint i = 0; i < def->serials->len; i++)
        g_ptr_array_add(serials, vb_domain_chr_def_copy(g_ptr_array_index(def->serials, i)));
    copy->consoles = consoles;
    for (guint i = 0; i < def->consoles->len; i++)
        g_ptr_array_add(consoles, vb_domain_chr_def_copy(g_ptr_array_index(def->consoles, i)));
    copy->inputs = inputs;
    for (guint i = 0; i < def->inputs->len; i++)
        g_ptr_array_add(inputs, vb_domain_input_def_copy(g_ptr_array_index(def->inputs, i)));
    copy->graphics = graphics;
    for (guint i = 0; i < def->graphics->len; i++)
        g_ptr_array_add(graphics, vb_domain_graphics_def_copy(g_ptr_array_index(def->graphics, i)));
    copy->memballoon =
        def->memballoon != NULL ? g_memdup2(def->memballoon, sizeof(VbDomainMemballoonDef)) : NULL;
    return copy;
}

gboolean
vb_domain_def_has_feature(const VbDomainDef *def, VbDomainFeature feature)
{
    return (guint)feature < VB_DOMAIN_FEATURE_LAST &&
           (def->features & VB_DOMAIN_FEATURE_BIT(feature)) != 0;
}

int
vb_domain_def_find_disk(const VbDomainDef *def, const char *dst)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const VbDomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (g_strcmp0(disk->dst, dst) == 0)
            return (int)i;
    }
    return -1;
}

int
vb_domain_def_find_net(const VbDomainDef *def, const guint8 mac[VB_MAC_LEN])
{
    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (net->has_mac && memcmp(net->mac, mac, VB_MAC_LEN) == 0)
            return (int)i;
    }
    return -1;
}

static gint
vb_domain_vcpupin_compare(gconstpointer a, gconstpointer b)
{
    const VbDomainVcpuPin *pa = *(VbDomainVcpuPin *const *)a;
    const VbDomainVcpuPin *pb = *(VbDomainVcpuPin *const *)b;

    return pa->vcpu < pb->vcpu ? -1 : pa->vcpu > pb->vcpu ? 1 : 0;
}

void
vb_domain_def_set_vcpupin(VbDomainDef *def, guint vcpu, VbCpuSet *cpuset)
{
    VbDomainVcpuPin *pin;

    for (guint i = 0; i < def->vcpupins->len; i++) {
        pin = g_ptr_array_index(def->vcpupins, i);
        if (pin->vcpu != vcpu)
            continue;
        if (cpuset == NULL) {
            g_ptr_array_remove_index(def->vcpupins, i);
        } else {
            vb_cpuset_free(pin->cpuset);
            pin->cpuset = cpuset;
        }
        return;
    }
    if (cpuset == NULL)
        return;
    pin = g_new0(VbDomainVcpuPin, 1);
    pin->vcpu = vcpu;
    pin->cpuset = cpuset;
    g_ptr_array_add(def->vcpupins, pin);
    g_ptr_array_sort(def->vcpupins, vb_domain_vcpupin_compare);
}

static gboolean
vb_domain_mac_in_use(const VbDomainDef *def, const guint8 mac[VB_MAC_LEN])
{
    return def != NULL && vb_domain_def_find_net(def, mac) >= 0;
}

void
vb_domain_device_def_fill_mac(VbDomainDeviceDef *dev, const VbDomainDef *def,
                              const guint8 prefix[3])
{
    if (dev->kind != VB_DOMAIN_DEVICE_NET || dev->net == NULL || dev->net->has_mac)
        return;
    do {
        vb_mac_generate(prefix, dev->net->mac);
    } while (vb_domain_mac_in_use(def, dev->net->mac));
    dev->net->has_mac = TRUE;
    g_clear_pointer(&dev->alias, g_free);
}

static gint64 *
vb_domain_mac_key(const guint8 mac[VB_MAC_LEN])
{
    gint64 *key = g_new(gint64, 1);

    *key = 0;
    for (guint i = 0; i < VB_MAC_LEN; i++)
        *key = *key << 8 | mac[i];
    return key;
}

void
vb_domain_def_fill_macs(VbDomainDef *def, const guint8 prefix[3])
{
    /* a set, not a scan per NIC: a hostile document may hold thousands of them */
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);

    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (net->has_mac)
            g_hash_table_add(used, vb_domain_mac_key(net->mac));
    }
    for (guint i = 0; i < def->nets->len; i++) {
        VbDomainNetDef *net = g_ptr_array_index(def->nets, i);
        gint64 *key;

        if (net->has_mac)
            continue;
        for (;;) {
            vb_mac_generate(prefix, net->mac);
            key = vb_domain_mac_key(net->mac);
            if (!g_hash_table_contains(used, key))
                break;
            g_free(key);
        }
        g_hash_table_add(used, key);
        net->has_mac = TRUE;
    }
}

VbDomainInputBus
vb_domain_input_default_bus(const VbDomainDef *def, VbDomainInputType type)
{
    if (type == VB_DOMAIN_INPUT_TABLET)
        return VB_DOMAIN_INPUT_BUS_USB;
    if (def != NULL && (def->os_type == VB_DOMAIN_OS_LINUX || def->os_type == VB_DOMAIN_OS_XEN))
        return VB_DOMAIN_INPUT_BUS_XEN;
    return VB_DOMAIN_INPUT_BUS_PS2;
}

guint
vb_domain_chr_free_port(GPtrArray *chrs)
{
    for (guint port = 0;; port++) {
        gboolean used = FALSE;

        for (guint i = 0; i < chrs->len && !used; i++) {
            const VbDomainChrDef *chr = g_ptr_array_index(chrs, i);

            used = chr->target_port == port;
        }
        if (!used)
            return port;
    }
}

/* stray text: the DOM keeps no columns, so the position of the Nth non-blank text run is
 * found again by scanning the raw document, which only happens on this error path */

static void
vb_domain_raw_position(const char *xml, gsize len, guint wanted, int *line, int *column)
{
    static const struct {
        const char *open, *close;
    } skips[] = {{"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<?", "?>"}, {"<", ">"}};
    const char *p = xml, *end = xml + len, *line_start = xml;
    guint seen = 0;

    *line = 1;
    *column = 0;
    while (p < end) {
        if (*p == '<') {
            for (guint i = 0; i < G_N_ELEMENTS(skips); i++) {
                gsize open = strlen(skips[i].open);
                char quote = 0;

                if ((gsize)(end - p) < open || memcmp(p, skips[i].open, open) != 0)
                    continue;
                /* tags may hold '>' inside quoted attribute values */
                for (p += open; p < end; p++) {
                    if (*p == '\n') {
                        (*line)++;
                        line_start = p + 1;
                    }
                    if (i == G_N_ELEMENTS(skips) - 1 && quote == 0 && (*p == '\'' || *p == '"'))
                        quote = *p;
                    else if (quote != 0 && *p == quote)
                        quote = 0;
                    else if (quote == 0 && (gsize)(end - p) >= strlen(skips[i].close) &&
                             memcmp(p, skips[i].close, strlen(skips[i].close)) == 0)
                        break;
                }
                if (p < end)
                    p += strlen(skips[i].close);
                break;
            }
            continue;
        }
        for (gboolean counted = FALSE; p < end && *p != '<'; p++) {
            if (*p == '\n') {
                (*line)++;
                line_start = p + 1;
            } else if (!counted && !g_ascii_isspace(*p)) {
                counted = TRUE;
                if (++seen == wanted) {
                    *column = (int)(p - line_start) + 1;
                    return;
                }
            }
        }
    }
}

typedef struct {
    const char *xml;
    gsize len;
    const char *what;
    guint count; /* non-blank text nodes met so far, in document order */
} VbDomainTextScan;

static gboolean
vb_domain_check_text_walk(VbDomainTextScan *scan, const xmlNode *node, gboolean free_text,
                          GError **error)
{
    gboolean has_element = FALSE;

    for (const xmlNode *n = node->children; n != NULL && !has_element; n = n->next)
        has_element = n->type == XML_ELEMENT_NODE;
    for (const xmlNode *n = node->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            /* metadata holds foreign documents, mixed content included */
            if (!vb_domain_check_text_walk(scan, n, free_text || vb_xml_is(n, "metadata"), error))
                return FALSE;
            continue;
        }
        if (n->type == XML_CDATA_SECTION_NODE && has_element && !free_text &&
            !vb_domain_text_is_blank(n->content)) {
            g_autofree char *path = vb_xml_node_path(node, NULL);

            vb_error_set(error, VB_ERROR_XML,
                         "(%s_definition): line %ld: unexpected CDATA section in '%s'", scan->what,
                         xmlGetLineNo(n), path);
            return FALSE;
        }
        if (n->type != XML_TEXT_NODE || vb_domain_text_is_blank(n->content))
            continue;
        scan->count++;
        if (!has_element || free_text)
            continue;
        {
            g_autofree char *text = g_strstrip(g_strndup((const char *)n->content, 40));
            g_autofree char *path = vb_xml_node_path(node, NULL);
            int line, column;

            vb_domain_raw_position(scan->xml, scan->len, scan->count, &line, &column);
            vb_error_set(error, VB_ERROR_XML,
                         "(%s_definition): line %d, column %d: unexpected text '%s' in '%s'",
                         scan->what, line, column, text, path);
            return FALSE;
        }
    }
    return TRUE;
}

/* text beside child elements is an error, not something to drop; @xml is the text @doc
 * was parsed from */
gboolean
vb_domain_xml_check_text(const xmlDoc *doc, const char *xml, gssize len, const char *what,
                         GError **error)
{
    VbDomainTextScan scan = {xml, len < 0 ? strlen(xml) : (gsize)len, what, 0};

    return vb_domain_check_text_walk(&scan, (const xmlNode *)doc, FALSE, error);
}

/* root parsing */

typedef struct {
    const char *name;
    guint seen;
} VbDomainOnce;

static gboolean
vb_domain_parse_vcpu(VbDomainDef *def, const xmlNode *node, GError **error)
{
    static const char *const attrs[] = {"current", "placement", "cpuset", NULL};
    g_autofree char *cpuset = vb_xml_prop(node, "cpuset");
    guint64 max;
    gboolean has_current = FALSE;
    int placement = VB_DOMAIN_VCPU_PLACEMENT_DEFAULT;

    if (!vb_domain_xml_number(node, attrs, 1, VB_DOMAIN_VCPUS_MAX, &max, error))
        return FALSE;
    def->vcpus_max = (guint)max;
    if (!vb_domain_xml_uint_attr(node, "current", 1, VB_DOMAIN_VCPUS_MAX, &has_current,
                                 &def->vcpus_current, error))
        return FALSE;
    if (!has_current) {
        def->vcpus_current = def->vcpus_max;
    } else if (def->vcpus_current > def->vcpus_max) {
        g_autofree char *path = vb_xml_node_path(node, "current");

        vb_error_set(error, VB_ERROR_XML,
                     "current vcpus count %u is larger than the maximum %u in '%s'",
                     def->vcpus_current, def->vcpus_max, path);
        return FALSE;
    }
    if (!vb_domain_xml_enum_attr(node, "placement", vb_domain_vcpu_placement_from_string,
                                 &placement, error))
        return FALSE;
    def->vcpu_placement = placement;
    if (cpuset != NULL && (def->vcpu_cpuset = vb_cpuset_parse(cpuset)) == NULL)
        return vb_xml_invalid(error, node, "cpuset", cpuset);
    return TRUE;
}

static gboolean
vb_domain_parse_cputune(VbDomainDef *def, const xmlNode *node, GError **error)
{
    g_autoptr(VbCpuSet) pinned = vb_cpuset_new(VB_DOMAIN_VCPUS_MAX);

    if (!vb_xml_check_attrs(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        if (vb_xml_is(n, "shares") && !def->has_shares) {
            if (!vb_domain_xml_number(n, NULL, 0, G_MAXUINT64, &def->shares, error))
                return FALSE;
            def->has_shares = TRUE;
        } else if (vb_xml_is(n, "period") && !def->has_period) {
            if (!vb_domain_xml_number(n, NULL, 1000, 1000000, &def->period, error))
                return FALSE;
            def->has_period = TRUE;
        } else if (vb_xml_is(n, "quota") && !def->has_quota) {
            g_autofree char *text = NULL;

            if (!vb_domain_xml_leaf(n, &text, error))
                return FALSE;
            if (text != NULL)
                g_strstrip(text);
            if (!vb_parse_int64(text, &def->quota) ||
                (def->quota != -1 &&
                 (def->quota < 1000 || def->quota > G_GINT64_CONSTANT(17592186044415))))
                return vb_xml_invalid(error, n, NULL, text);
            def->has_quota = TRUE;
        } else if (vb_xml_is(n, "vcpupin")) {
            static const char *const attrs[] = {"vcpu", "cpuset", NULL};
            g_autofree char *cpuset = vb_xml_prop(n, "cpuset");
            g_autoptr(VbCpuSet) set = NULL;
            gboolean has_vcpu = FALSE;
            guint vcpu = 0;
            VbDomainVcpuPin *pin;

            if (!vb_domain_xml_empty(n, attrs, error) ||
                !vb_domain_xml_uint_attr(n, "vcpu", 0, VB_DOMAIN_VCPUS_MAX - 1, &has_vcpu, &vcpu,
                                         error))
                return FALSE;
            if (!has_vcpu)
                return vb_xml_missing(error, n, "'vcpu' attribute");
            if (cpuset == NULL)
                return vb_xml_missing(error, n, "'cpuset' attribute");
            if ((set = vb_cpuset_parse(cpuset)) == NULL)
                return vb_xml_invalid(error, n, "cpuset", cpuset);
            if (vb_cpuset_is_set(pinned, vcpu)) {
                g_autofree char *text = g_strdup_printf("%u", vcpu);

                return vb_xml_invalid(error, n, "vcpu", text);
            }
            vb_cpuset_set(pinned, vcpu);
            pin = g_new0(VbDomainVcpuPin, 1);
            pin->vcpu = vcpu;
            pin->cpuset = g_steal_pointer(&set);
            g_ptr_array_add(def->vcpupins, pin);
        } else {
            return vb_xml_unexpected(error, n);
        }
    }
    g_ptr_array_sort(def->vcpupins, vb_domain_vcpupin_compare);
    return TRUE;
}

static gboolean
vb_domain_parse_os(VbDomainDef *def, const xmlNode *node, GError **error)
{
    /* libvirt's architecture names */
    static const char *const arches[] = {
        "aarch64", "alpha",    "armv6l",      "armv7b",   "armv7l",     "cris",         "i686",
        "ia64",    "lm32",     "loongarch64", "m68k",     "microblaze", "microblazeel", "mips",
        "mips64",  "mips64el", "mipsel",      "openrisc", "parisc",     "parisc64",     "ppc",
        "ppc64",   "ppc64le",  "ppcemb",      "ppcle",    "riscv32",    "riscv64",      "s390",
        "s390x",   "sh4",      "sh4eb",       "sparc",    "sparc64",    "unicore32",    "x86_64",
        "xtensa",  "xtensaeb", NULL,
    };
    gboolean has_type = FALSE;
    VbDomainOnce once[] = {
        {"loader", 0}, {"kernel", 0}, {"initrd", 0}, {"cmdline", 0}, {"root", 0}};
    char **fields[] = {&def->os_loader, &def->os_kernel, &def->os_initrd, &def->os_cmdline,
                       &def->os_root};

    if (!vb_xml_check_attrs(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean handled = FALSE;

        if (vb_xml_is(n, "type") && !has_type) {
            static const char *const attrs[] = {"arch", "machine", NULL};
            g_autofree char *text = NULL;
            int type;

            if (!vb_xml_check_attrs(n, attrs, error) ||
                !vb_domain_xml_string_attr(n, "arch", &def->os_arch, error) ||
                !vb_domain_xml_token_attr(n, "machine", &def->os_machine, error))
                return FALSE;
            if (def->os_arch != NULL && !g_strv_contains(arches, def->os_arch))
                return vb_xml_invalid(error, n, "arch", def->os_arch);
            if (vb_xml_first_element(n) != NULL)
                return vb_xml_unexpected(error, vb_xml_first_element(n));
            text = vb_xml_content(n);
            g_strstrip(text);
            if ((type = vb_domain_os_type_from_string(text)) < 0)
                return vb_xml_invalid(error, n, NULL, text);
            def->os_type = type;
            has_type = TRUE;
            continue;
        }
        if (vb_xml_is(n, "boot")) {
            static const char *const attrs[] = {"dev", NULL};
            int dev = -1;

            if (!vb_domain_xml_empty(n, attrs, error) ||
                !vb_domain_xml_enum_attr(n, "dev", vb_domain_boot_dev_from_string, &dev, error))
                return FALSE;
            if (dev < 0)
                return vb_xml_missing(error, n, "'dev' attribute");
            for (guint i = 0; i < def->nboot; i++) {
                if (def->boot[i] == (VbDomainBootDev)dev)
                    return vb_xml_invalid(error, n, "dev", vb_domain_boot_dev_to_string(dev));
            }
            if (def->nboot >= VB_DOMAIN_BOOT_MAX)
                return vb_xml_unexpected(error, n);
            def->boot[def->nboot++] = dev;
            continue;
        }
        for (guint i = 0; i < G_N_ELEMENTS(once); i++) {
            if (!vb_xml_is(n, once[i].name) || once[i].seen++ > 0)
                continue;
            if (!vb_domain_xml_leaf(n, fields[i], error))
                return FALSE;
            handled = TRUE;
            break;
        }
        if (!handled)
            return vb_xml_unexpected(error, n);
    }
    if (!has_type)
        return vb_xml_missing(error, node, "os <type>");
    return TRUE;
}

static gboolean
vb_domain_parse_features(VbDomainDef *def, const xmlNode *node, GError **error)
{
    if (!vb_xml_check_attrs(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        static const char *const state_attrs[] = {"state", NULL};
        int feature = vb_domain_feature_from_string((const char *)n->name);
        guint bit;
        gboolean on = TRUE;

        if (feature < 0 || n->ns != NULL)
            return vb_xml_unexpected(error, n);
        bit = VB_DOMAIN_FEATURE_BIT(feature);
        if (((def->features | def->features_off) & bit) != 0)
            return vb_xml_unexpected(error, n);
        if (!vb_domain_xml_empty(n, (vb_domain_state_features & bit) != 0 ? state_attrs : NULL,
                                 error))
            return FALSE;
        if ((vb_domain_state_features & bit) != 0) {
            g_autofree char *state = vb_xml_prop(n, "state");

            if (state != NULL && strcmp(state, "off") == 0)
                on = FALSE;
            else if (state != NULL && strcmp(state, "on") != 0)
                return vb_xml_invalid(error, n, "state", state);
        }
        if (on)
            def->features |= bit;
        else
            def->features_off |= bit;
    }
    return TRUE;
}

static gboolean
vb_domain_parse_clock(VbDomainDef *def, const xmlNode *node, GError **error)
{
    static const char *const attrs[] = {"offset", "sync", NULL};
    int offset = VB_DOMAIN_CLOCK_UTC;
    int sync = -1;

    if (!vb_domain_xml_empty(node, attrs, error))
        return FALSE;
    /* sync= is the 2007 spelling of offset= */
    if (!vb_domain_xml_enum_attr(node, "sync", vb_domain_clock_offset_from_string, &sync, error))
        return FALSE;
    if (sync >= 0)
        offset = sync;
    if (!vb_domain_xml_enum_attr(node, "offset", vb_domain_clock_offset_from_string, &offset,
                                 error))
        return FALSE;
    if (sync >= 0 && offset != sync) {
        g_autofree char *value = vb_xml_prop(node, "sync");

        return vb_xml_invalid(error, node, "sync", value);
    }
    def->clock_offset = offset;
    return TRUE;
}

static gboolean
vb_domain_parse_lifecycle(const xmlNode *node, gboolean crash, VbDomainLifecycleAction *out,
                          GError **error)
{
    g_autofree char *text = NULL;
    int action;

    if (!vb_domain_xml_leaf(node, &text, error))
        return FALSE;
    if (text != NULL)
        g_strstrip(text);
    action = vb_domain_lifecycle_from_string(text);
    if (action < 0 || (!crash && action >= VB_DOMAIN_LIFECYCLE_COREDUMP_DESTROY))
        return vb_xml_invalid(error, node, NULL, text);
    *out = action;
    return TRUE;
}

static gboolean
vb_domain_parse_devices(VbDomainDef *def, const xmlNode *node, guint flags, GError **error)
{
    if (!vb_xml_check_attrs(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gpointer dev = NULL;
        GPtrArray *list = NULL;

        if (vb_xml_is(n, "emulator") && def->emulator == NULL) {
            if (!vb_domain_xml_leaf(n, &def->emulator, error))
                return FALSE;
            if (def->emulator == NULL)
                return vb_xml_invalid(error, n, NULL, "");
            continue;
        }
        if (vb_xml_is(n, "memballoon") && def->memballoon == NULL) {
            if ((def->memballoon = vb_domain_memballoon_def_parse_node(n, flags, error)) == NULL)
                return FALSE;
            continue;
        }
        if (vb_xml_is(n, "disk")) {
            dev = vb_domain_disk_def_parse_node(n, flags, error);
            list = def->disks;
        } else if (vb_xml_is(n, "interface")) {
            dev = vb_domain_net_def_parse_node(n, flags, error);
            list = def->nets;
        } else if (vb_xml_is(n, "serial")) {
            dev = vb_domain_chr_def_parse_node(n, FALSE, flags, error);
            list = def->serials;
        } else if (vb_xml_is(n, "console")) {
            dev = vb_domain_chr_def_parse_node(n, TRUE, flags, error);
            list = def->consoles;
        } else if (vb_xml_is(n, "input")) {
            dev = vb_domain_input_def_parse_node(n, flags, error);
            list = def->inputs;
        } else if (vb_xml_is(n, "graphics")) {
            dev = vb_domain_graphics_def_parse_node(n, flags, error);
            list = def->graphics;
        } else {
            return vb_xml_unexpected(error, n);
        }
        if (dev == NULL)
            return FALSE;
        g_ptr_array_add(list, dev);
    }
    return TRUE;
}

static gboolean
vb_domain_chr_ports(GPtrArray *chrs, const char *what, GError **error)
{
    g_autofree guint8 *used = NULL;
    guint next = 0;

    if (chrs->len == 0)
        return TRUE;
    /* one bit per possible port: a hostile document may hold thousands of devices */
    used = g_new0(guint8, 65536 / 8);
    for (guint i = 0; i < chrs->len; i++) {
        const VbDomainChrDef *chr = g_ptr_array_index(chrs, i);
        guint port = chr->target_port;

        if (port == VB_DOMAIN_CHR_PORT_AUTO)
            continue;
        if ((used[port / 8] & (1u << (port % 8))) != 0) {
            vb_error_set(error, VB_ERROR_XML, "%s port %u is used twice", what, port);
            return FALSE;
        }
        used[port / 8] |= (guint8)(1u << (port % 8));
    }
    for (guint i = 0; i < chrs->len; i++) {
        VbDomainChrDef *chr = g_ptr_array_index(chrs, i);

        if (chr->target_port != VB_DOMAIN_CHR_PORT_AUTO)
            continue;
        while (next <= 65535 && (used[next / 8] & (1u << (next % 8))) != 0)
            next++;
        if (next > 65535) {
            vb_error_set(error, VB_ERROR_XML, "too many %s devices", what);
            return FALSE;
        }
        chr->target_port = next;
        used[next / 8] |= (guint8)(1u << (next % 8));
    }
    return TRUE;
}

/* checks and defaults that need the whole document */
static gboolean
vb_domain_post_parse(VbDomainDef *def, const xmlNode *root, gboolean has_current, gboolean has_uuid,
                     GError **error)
{
    if (!has_uuid)
        vb_uuid_generate(def->uuid);
    if (!has_current) {
        def->current_kib = def->memory_kib;
    } else if (def->current_kib > def->memory_kib) {
        vb_error_set(error, VB_ERROR_XML,
                     "current memory %" G_GUINT64_FORMAT " KiB in './currentMemory[1]' is larger "
                     "than memory %" G_GUINT64_FORMAT " KiB in './memory[1]'",
                     def->current_kib, def->memory_kib);
        return FALSE;
    }
    if (def->has_max_memory && def->max_memory_kib < def->memory_kib) {
        vb_error_set(error, VB_ERROR_XML,
                     "maximum memory %" G_GUINT64_FORMAT " KiB in './maxMemory[1]' is smaller "
                     "than memory %" G_GUINT64_FORMAT " KiB in './memory[1]'",
                     def->max_memory_kib, def->memory_kib);
        return FALSE;
    }
    for (guint i = 0; i < def->vcpupins->len; i++) {
        const VbDomainVcpuPin *pin = g_ptr_array_index(def->vcpupins, i);

        if (pin->vcpu >= def->vcpus_max) {
            vb_error_set(error, VB_ERROR_XML,
                         "vcpupin for vcpu %u in './cputune[1]' is beyond the %u vcpus of the "
                         "domain",
                         pin->vcpu, def->vcpus_max);
            return FALSE;
        }
    }
    if (def->os_type == VB_DOMAIN_OS_HVM && def->nboot == 0 && def->os_kernel == NULL)
        def->boot[def->nboot++] = VB_DOMAIN_BOOT_HD;
    if (def->disks->len > 1) {
        g_autoptr(GHashTable) targets = g_hash_table_new(g_str_hash, g_str_equal);

        for (guint i = 0; i < def->disks->len; i++) {
            const VbDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
            const VbDomainDiskDef *other = g_hash_table_lookup(targets, disk->dst);

            if (other != NULL) {
                vb_error_set(error, VB_ERROR_XML,
                             "target '%s' duplicated for disk sources '%s' and '%s'", disk->dst,
                             other->src != NULL ? other->src : "",
                             disk->src != NULL ? disk->src : "");
                return FALSE;
            }
            g_hash_table_insert(targets, disk->dst, (gpointer)disk);
        }
    }
    for (guint i = 0; i < def->inputs->len; i++) {
        VbDomainInputDef *input = g_ptr_array_index(def->inputs, i);

        if (input->bus == VB_DOMAIN_INPUT_BUS_DEFAULT)
            input->bus = vb_domain_input_default_bus(def, input->type);
    }
    return vb_domain_chr_ports(def->serials, "serial", error) &&
           vb_domain_chr_ports(def->consoles, "console", error);
}

static gboolean
vb_domain_parse_root(VbDomainDef *def, const xmlNode *root, guint flags, GError **error)
{
    static const char *const root_attrs[] = {"type", "id", NULL};
    static const char *const memory_attrs[] = {"unit", NULL};
    static const char *const max_memory_attrs[] = {"unit", "slots", NULL};
    g_autofree char *type = vb_xml_prop(root, "type");
    g_autofree char *id = vb_xml_prop(root, "id");
    gboolean has_memory = FALSE, has_current = FALSE, has_uuid = FALSE, has_vcpu = FALSE;
    gboolean has_os = FALSE, has_features = FALSE, has_clock = FALSE, has_devices = FALSE;
    gboolean has_poweroff = FALSE, has_reboot = FALSE, has_crash = FALSE, has_cputune = FALSE;
    gboolean has_metadata = FALSE;
    int virt;

    if (!vb_xml_check_attrs(root, root_attrs, error))
        return FALSE;
    if (type == NULL)
        return vb_xml_missing(error, root, "domain type attribute");
    if ((virt = vb_domain_virt_type_from_string(type)) < 0)
        return vb_xml_invalid(error, root, "type", type);
    def->type = virt;
    if (id != NULL) {
        gint64 value;

        if (!vb_parse_int64(id, &value) || value < -1 || value > G_MAXINT)
            return vb_xml_invalid(error, root, "id", id);
        def->id = (flags & VB_DOMAIN_PARSE_INACTIVE) != 0 ? -1 : (int)value;
    }

    for (xmlNode *n = vb_xml_first_element(root); n != NULL; n = vb_xml_next_element(n)) {
        const char *name = (const char *)n->name;
        gboolean ok;

        if (n->ns != NULL) {
            ok = vb_xml_unexpected(error, n);
        } else if (strcmp(name, "name") == 0 && def->name == NULL) {
            ok = vb_domain_xml_leaf(n, &def->name, error) &&
                 vb_name_check(def->name != NULL ? def->name : "", "domain", VB_ERROR_XML, error);
        } else if (strcmp(name, "uuid") == 0 && !has_uuid) {
            g_autofree char *text = NULL;

            ok = vb_domain_xml_leaf(n, &text, error);
            if (ok && !vb_uuid_parse(text, def->uuid))
                ok = vb_xml_invalid(error, n, NULL, text);
            has_uuid = TRUE;
        } else if (strcmp(name, "title") == 0 && def->title == NULL) {
            ok = vb_domain_xml_leaf(n, &def->title, error);
            if (ok && def->title != NULL && strpbrk(def->title, "\r\n") != NULL) {
                vb_error_set(error, VB_ERROR_XML, "title can't contain newlines");
                ok = FALSE;
            }
        } else if (strcmp(name, "description") == 0 && def->description == NULL) {
            ok = vb_domain_xml_leaf(n, &def->description, error);
        } else if (strcmp(name, "metadata") == 0 && !has_metadata) {
            ok = vb_xml_check_attrs(n, NULL, error) &&
                 vb_metadata_serialize(n, &def->metadata, error);
            has_metadata = TRUE;
        } else if (strcmp(name, "maxMemory") == 0 && !def->has_max_memory) {
            gboolean has_slots = FALSE;

            ok = vb_domain_parse_memory(n, max_memory_attrs, &def->max_memory_kib, error) &&
                 vb_domain_xml_uint_attr(n, "slots", 1, 255, &has_slots, &def->max_memory_slots,
                                         error);
            if (ok && !has_slots)
                ok = vb_xml_missing(error, n, "'slots' attribute");
            def->has_max_memory = TRUE;
        } else if (strcmp(name, "memory") == 0 && !has_memory) {
            ok = vb_domain_parse_memory(n, memory_attrs, &def->memory_kib, error);
            has_memory = TRUE;
        } else if (strcmp(name, "currentMemory") == 0 && !has_current) {
            ok = vb_domain_parse_memory(n, memory_attrs, &def->current_kib, error);
            has_current = TRUE;
        } else if (strcmp(name, "vcpu") == 0 && !has_vcpu) {
            ok = vb_domain_parse_vcpu(def, n, error);
            has_vcpu = TRUE;
        } else if (strcmp(name, "cputune") == 0 && !has_cputune) {
            ok = vb_domain_parse_cputune(def, n, error);
            has_cputune = TRUE;
        } else if (strcmp(name, "bootloader") == 0 && def->bootloader == NULL) {
            ok = vb_domain_xml_leaf(n, &def->bootloader, error);
        } else if (strcmp(name, "bootloader_args") == 0 && def->bootloader_args == NULL) {
            ok = vb_domain_xml_leaf(n, &def->bootloader_args, error);
        } else if (strcmp(name, "os") == 0 && !has_os) {
            ok = vb_domain_parse_os(def, n, error);
            has_os = TRUE;
        } else if (strcmp(name, "features") == 0 && !has_features) {
            ok = vb_domain_parse_features(def, n, error);
            has_features = TRUE;
        } else if (strcmp(name, "clock") == 0 && !has_clock) {
            ok = vb_domain_parse_clock(def, n, error);
            has_clock = TRUE;
        } else if (strcmp(name, "on_poweroff") == 0 && !has_poweroff) {
            ok = vb_domain_parse_lifecycle(n, FALSE, &def->on_poweroff, error);
            has_poweroff = TRUE;
        } else if (strcmp(name, "on_reboot") == 0 && !has_reboot) {
            ok = vb_domain_parse_lifecycle(n, FALSE, &def->on_reboot, error);
            has_reboot = TRUE;
        } else if (strcmp(name, "on_crash") == 0 && !has_crash) {
            ok = vb_domain_parse_lifecycle(n, TRUE, &def->on_crash, error);
            has_crash = TRUE;
        } else if (strcmp(name, "devices") == 0 && !has_devices) {
            ok = vb_domain_parse_devices(def, n, flags, error);
            has_devices = TRUE;
        } else {
            ok = vb_xml_unexpected(error, n);
        }
        if (!ok)
            return FALSE;
    }

    if (def->name == NULL)
        return vb_xml_missing(error, root, "name");
    if (!has_memory)
        return vb_xml_missing(error, root, "memory");
    if (!has_vcpu)
        def->vcpus_max = def->vcpus_current = 1;
    if (!has_os)
        return vb_xml_missing(error, root, "os");
    return vb_domain_post_parse(def, root, has_current, has_uuid, error);
}

VbDomainDef *
vb_domain_def_parse(const char *xml, gssize len, guint parse_flags, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VbDomainDef) def = NULL;

    if (!vb_error_check_flags(parse_flags, VB_DOMAIN_PARSE_VALIDATE | VB_DOMAIN_PARSE_INACTIVE,
                              "vb_domain_def_parse", error))
        return NULL;
    doc = vb_xml_parse(xml, len, "domain", "domain", error);
    if (doc == NULL)
        return NULL;
    if ((parse_flags & VB_DOMAIN_PARSE_VALIDATE) != 0 && !vb_schema_validate(doc, "domain", error))
        return NULL;
    if (!vb_domain_xml_check_text(doc, xml, len, "domain", error))
        return NULL;
    def = vb_domain_def_new();
    if (!vb_domain_parse_root(def, xmlDocGetRootElement(doc), parse_flags, error))
        return NULL;
    return g_steal_pointer(&def);
}

VbDomainDef *
vb_domain_def_parse_file(const char *path, guint parse_flags, GError **error)
{
    g_autofree char *contents = NULL;
    g_autoptr(GError) local = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &contents, &len, &local)) {
        vb_error_set(error, VB_ERROR_SYSTEM, "cannot read '%s': %s", path, local->message);
        return NULL;
    }
    return vb_domain_def_parse(contents, (gssize)len, parse_flags, error);
}

/* formatting */

static void
vb_domain_format_memory(VbXmlWriter *w, const char *name, guint64 kib, const char *slots)
{
    char text[32];

    g_snprintf(text, sizeof(text), "%" G_GUINT64_FORMAT, kib);
    vb_xml_text(w, name, text, "slots", slots, "unit", "KiB", NULL);
}

static void
vb_domain_format_cputune(VbXmlWriter *w, const VbDomainDef *def)
{
    char text[32];

    if (!def->has_shares && !def->has_period && !def->has_quota && def->vcpupins->len == 0)
        return;
    vb_xml_open(w, "cputune", NULL);
    if (def->has_shares) {
        g_snprintf(text, sizeof(text), "%" G_GUINT64_FORMAT, def->shares);
        vb_xml_text(w, "shares", text, NULL);
    }
    if (def->has_period) {
        g_snprintf(text, sizeof(text), "%" G_GUINT64_FORMAT, def->period);
        vb_xml_text(w, "period", text, NULL);
    }
    if (def->has_quota) {
        g_snprintf(text, sizeof(text), "%" G_GINT64_FORMAT, def->quota);
        vb_xml_text(w, "quota", text, NULL);
    }
    for (guint i = 0; i < def->vcpupins->len; i++) {
        const VbDomainVcpuPin *pin = g_ptr_array_index(def->vcpupins, i);
        g_autofree char *cpuset = vb_cpuset_format(pin->cpuset);

        g_snprintf(text, sizeof(text), "%u", pin->vcpu);
        vb_xml_empty(w, "vcpupin", "vcpu", text, "cpuset", cpuset, NULL);
    }
    vb_xml_close(w, "cputune");
}

static void
vb_domain_format_os(VbXmlWriter *w, const VbDomainDef *def)
{
    vb_xml_open(w, "os", NULL);
    vb_xml_text(w, "type", vb_domain_os_type_to_string(def->os_type), "arch", def->os_arch,
                "machine", def->os_machine, NULL);
    vb_xml_text(w, "loader", def->os_loader, NULL);
    vb_xml_text(w, "kernel", def->os_kernel, NULL);
    vb_xml_text(w, "initrd", def->os_initrd, NULL);
    vb_xml_text(w, "cmdline", def->os_cmdline, NULL);
    vb_xml_text(w, "root", def->os_root, NULL);
    for (guint i = 0; i < def->nboot; i++)
        vb_xml_empty(w, "boot", "dev", vb_domain_boot_dev_to_string(def->boot[i]), NULL);
    vb_xml_close(w, "os");
}

static void
vb_domain_format_features(VbXmlWriter *w, const VbDomainDef *def)
{
    if ((def->features | def->features_off) == 0)
        return;
    vb_xml_open(w, "features", NULL);
    for (guint f = 0; f < VB_DOMAIN_FEATURE_LAST; f++) {
        guint bit = VB_DOMAIN_FEATURE_BIT(f);

        if ((def->features & bit) != 0)
            vb_xml_empty(w, vb_domain_feature_to_string(f), NULL);
        else if ((def->features_off & bit) != 0 && (vb_domain_state_features & bit) != 0)
            vb_xml_empty(w, vb_domain_feature_to_string(f), "state", "off", NULL);
    }
    vb_xml_close(w, "features");
}

static void
vb_domain_format_devices(VbXmlWriter *w, const VbDomainDef *def, guint flags)
{
    if (def->emulator == NULL && def->disks->len == 0 && def->nets->len == 0 &&
        def->serials->len == 0 && def->consoles->len == 0 && def->inputs->len == 0 &&
        def->graphics->len == 0 && def->memballoon == NULL) {
        vb_xml_empty(w, "devices", NULL);
        return;
    }
    vb_xml_open(w, "devices", NULL);
    vb_xml_text(w, "emulator", def->emulator, NULL);
    for (guint i = 0; i < def->disks->len; i++)
        vb_domain_disk_def_format_to(w, g_ptr_array_index(def->disks, i), flags);
    for (guint i = 0; i < def->nets->len; i++)
        vb_domain_net_def_format_to(w, g_ptr_array_index(def->nets, i), flags);
    for (guint i = 0; i < def->serials->len; i++)
        vb_domain_chr_def_format_to(w, g_ptr_array_index(def->serials, i), FALSE, flags);
    for (guint i = 0; i < def->consoles->len; i++)
        vb_domain_chr_def_format_to(w, g_ptr_array_index(def->consoles, i), TRUE, flags);
    for (guint i = 0; i < def->inputs->len; i++)
        vb_domain_input_def_format_to(w, g_ptr_array_index(def->inputs, i), flags);
    for (guint i = 0; i < def->graphics->len; i++)
        vb_domain_graphics_def_format_to(w, g_ptr_array_index(def->graphics, i), flags);
    if (def->memballoon != NULL)
        vb_domain_memballoon_def_format_to(w, def->memballoon, flags);
    vb_xml_close(w, "devices");
}

char *
vb_domain_def_format(const VbDomainDef *def, guint xml_flags)
{
    VbXmlWriter w;
    char uuid[VB_UUID_STRING_LEN];
    char text[32];
    char id[16];
    gboolean show_id =
        def->id >= 0 && (xml_flags & (VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_MIGRATABLE)) == 0;

    vb_xml_writer_init(&w);
    g_snprintf(id, sizeof(id), "%d", def->id);
    vb_xml_open(&w, "domain", "type", vb_domain_virt_type_to_string(def->type), "id",
                show_id ? id : NULL, NULL);
    vb_xml_text(&w, "name", def->name, NULL);
    vb_uuid_format(def->uuid, uuid);
    vb_xml_text(&w, "uuid", uuid, NULL);
    vb_xml_text(&w, "title", def->title, NULL);
    vb_xml_text(&w, "description", def->description, NULL);
    if (def->metadata != NULL) {
        vb_xml_open(&w, "metadata", NULL);
        vb_xml_raw(&w, def->metadata);
        vb_xml_close(&w, "metadata");
    }
    if (def->has_max_memory) {
        g_snprintf(text, sizeof(text), "%u", def->max_memory_slots);
        vb_domain_format_memory(&w, "maxMemory", def->max_memory_kib, text);
    }
    vb_domain_format_memory(&w, "memory", def->memory_kib, NULL);
    vb_domain_format_memory(&w, "currentMemory", def->current_kib, NULL);
    {
        g_autofree char *cpuset =
            def->vcpu_cpuset != NULL ? vb_cpuset_format(def->vcpu_cpuset) : NULL;
        char current[16];

        g_snprintf(text, sizeof(text), "%u", def->vcpus_max);
        g_snprintf(current, sizeof(current), "%u", def->vcpus_current);
        vb_xml_text(&w, "vcpu", text, "placement",
                    vb_domain_vcpu_placement_to_string(def->vcpu_placement), "cpuset", cpuset,
                    "current", def->vcpus_current < def->vcpus_max ? current : NULL, NULL);
    }
    vb_domain_format_cputune(&w, def);
    vb_xml_text(&w, "bootloader", def->bootloader, NULL);
    vb_xml_text(&w, "bootloader_args", def->bootloader_args, NULL);
    vb_domain_format_os(&w, def);
    vb_domain_format_features(&w, def);
    vb_xml_empty(&w, "clock", "offset", vb_domain_clock_offset_to_string(def->clock_offset), NULL);
    vb_xml_text(&w, "on_poweroff", vb_domain_lifecycle_to_string(def->on_poweroff), NULL);
    vb_xml_text(&w, "on_reboot", vb_domain_lifecycle_to_string(def->on_reboot), NULL);
    vb_xml_text(&w, "on_crash", vb_domain_lifecycle_to_string(def->on_crash), NULL);
    vb_domain_format_devices(&w, def, xml_flags);
    vb_xml_close(&w, "domain");
    return vb_xml_writer_finish(&w);
}
