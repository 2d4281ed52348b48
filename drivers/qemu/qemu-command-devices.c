/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <gio/gio.h>
#include <string.h>

#include "qemu-command-priv.h"

/* the JSON objects of devices: the command line writes them after -blockdev, -netdev
 * and -device, hotplug sends the same ones to blockdev-add, netdev_add, device_add */

/* node names are at most 31 bytes in qemu: "drive-" leaves 25 for the target */
#define VB_QEMU_DST_MAX 25

JsonNode *
vb_qemu_node(JsonObject *obj)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    return node;
}

char *
vb_qemu_json_to_string(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

void
vb_qemu_node_unref(gpointer node)
{
    json_node_unref(node);
}

JsonObject *
vb_qemu_device_new(const char *driver, const char *id)
{
    JsonObject *obj = json_object_new();

    json_object_set_string_member(obj, "driver", driver);
    if (id != NULL)
        json_object_set_string_member(obj, "id", id);
    return obj;
}

/* disks */

static gboolean
vb_qemu_disk_check_dst(const VbDomainDiskDef *disk, GError **error)
{
    if (disk->dst == NULL || !vb_qemu_is_word(disk->dst, "")) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "a disk target must be made of letters and digits");
        return FALSE;
    }
    if (strlen(disk->dst) > VB_QEMU_DST_MAX) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "disk target '%s' is longer than %d characters", disk->dst, VB_QEMU_DST_MAX);
        return FALSE;
    }
    return TRUE;
}

char *
vb_qemu_disk_node_name(const VbDomainDiskDef *disk)
{
    return g_strdup_printf("drive-%s", disk->dst);
}

char *
vb_qemu_disk_storage_node_name(const VbDomainDiskDef *disk)
{
    return g_strdup_printf("file-%s", disk->dst);
}

char *
vb_qemu_disk_device_id(const VbDomainDiskDef *disk)
{
    return g_strdup_printf("disk-%s", disk->dst);
}

/* "hda" 0, "hdz" 25, "hdaa" 26...; -1 when @dst has no such suffix */
static int
vb_qemu_disk_index(const char *dst)
{
    static const char *const prefixes[] = {"xvd", "hd", "sd", "vd", "fd"};
    const char *p = NULL;
    int index = -1;

    for (guint i = 0; i < G_N_ELEMENTS(prefixes) && p == NULL; i++) {
        if (g_str_has_prefix(dst, prefixes[i]))
            p = dst + strlen(prefixes[i]);
    }
    if (p == NULL || *p == '\0')
        return -1;
    for (; *p != '\0'; p++) {
        if (*p < 'a' || *p > 'z' || index > 100000)
            return -1;
        index = (index + 1) * 26 + (*p - 'a');
    }
    return index;
}

static const char *
vb_qemu_disk_bus_name(const VbDomainDiskDef *disk)
{
    const char *name = vb_domain_disk_bus_to_string(disk->bus);

    return name != NULL ? name : "?";
}

static gboolean
vb_qemu_disk_unit(const VbDomainDiskDef *disk, int max, const char *machine, int *index,
                  GError **error)
{
    *index = vb_qemu_disk_index(disk->dst);
    if (*index < 0) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "cannot derive a unit on bus '%s' from disk target '%s'",
                     vb_qemu_disk_bus_name(disk), disk->dst);
        return FALSE;
    }
    if (*index >= max) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "disk '%s' is beyond the %d units of bus '%s' on machine '%s'", disk->dst, max,
                     vb_qemu_disk_bus_name(disk), machine);
        return FALSE;
    }
    return TRUE;
}

gboolean
vb_qemu_need_pc(VbQemuMachineKind kind, const char *what, const char *machine, GError **error)
{
    if (vb_qemu_has_pc_devices(kind))
        return TRUE;
    vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "%s needs a pc or q35 machine, not '%s'", what,
                 machine);
    return FALSE;
}

/* sets the address members of @dev and *@key, a name of the slot for conflicts (NULL
 * when qemu places the device itself) */
static gboolean
vb_qemu_disk_address(VbQemuMachineKind kind, const char *machine, const VbDomainDiskDef *disk,
                     JsonObject *dev, char **key, GError **error)
{
    g_autofree char *what =
        g_strdup_printf("disk '%s' on bus '%s'", disk->dst, vb_qemu_disk_bus_name(disk));
    g_autofree char *bus = NULL;
    int index = -1, unit = -1;

    *key = NULL;
    switch (disk->bus) {
    case VB_DOMAIN_DISK_BUS_VIRTIO:
        return TRUE;
    case VB_DOMAIN_DISK_BUS_USB:
        if (!vb_qemu_need_pc(kind, what, machine, error))
            return FALSE;
        json_object_set_string_member(dev, "bus", VB_QEMU_USB_CONTROLLER_ID ".0");
        return TRUE;
    case VB_DOMAIN_DISK_BUS_IDE:
        if (!vb_qemu_need_pc(kind, what, machine, error) ||
            !vb_qemu_disk_unit(disk, kind == VB_QEMU_MACHINE_PC ? 4 : 6, machine, &index, error))
            return FALSE;
        bus = g_strdup_printf("ide.%d", kind == VB_QEMU_MACHINE_PC ? index / 2 : index);
        unit = kind == VB_QEMU_MACHINE_PC ? index % 2 : 0;
        break;
    case VB_DOMAIN_DISK_BUS_SATA:
        if (!vb_qemu_need_pc(kind, what, machine, error) ||
            !vb_qemu_disk_unit(disk, 6, machine, &index, error))
            return FALSE;
        /* q35's own AHCI controller is "ide"; pc gets one called sata0 */
        bus = g_strdup_printf(kind == VB_QEMU_MACHINE_Q35 ? "ide.%d" : "sata0.%d", index);
        unit = 0;
        break;
    case VB_DOMAIN_DISK_BUS_SCSI:
        if (!vb_qemu_disk_unit(disk, 256, machine, &index, error))
            return FALSE;
        json_object_set_string_member(dev, "bus", VB_QEMU_SCSI_CONTROLLER_ID ".0");
        json_object_set_int_member(dev, "scsi-id", index);
        json_object_set_int_member(dev, "lun", 0);
        *key = g_strdup_printf("%s.0 scsi-id %d", VB_QEMU_SCSI_CONTROLLER_ID, index);
        return TRUE;
    case VB_DOMAIN_DISK_BUS_FDC:
        if (!vb_qemu_need_pc(kind, what, machine, error) ||
            !vb_qemu_disk_unit(disk, 2, machine, &index, error))
            return FALSE;
        json_object_set_int_member(dev, "unit", index);
        *key = g_strdup_printf("floppy unit %d", index);
        return TRUE;
    default:
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "disk bus '%s' is not supported by the QEMU driver (disk '%s')",
                     vb_qemu_disk_bus_name(disk), disk->dst);
        return FALSE;
    }
    json_object_set_string_member(dev, "bus", bus);
    json_object_set_int_member(dev, "unit", unit);
    *key = g_strdup_printf("%s unit %d", bus, unit);
    return TRUE;
}

static const char *
vb_qemu_disk_driver(const VbDomainDiskDef *disk, GError **error)
{
    gboolean cdrom = disk->device == VB_DOMAIN_DISK_DEVICE_CDROM;
    const char *driver = NULL;

    if ((disk->device == VB_DOMAIN_DISK_DEVICE_FLOPPY) != (disk->bus == VB_DOMAIN_DISK_BUS_FDC)) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "disk '%s': floppies and only floppies go on bus 'fdc'", disk->dst);
        return NULL;
    }
    switch (disk->bus) {
    case VB_DOMAIN_DISK_BUS_VIRTIO:
        driver = cdrom ? NULL : "virtio-blk-pci";
        break;
    case VB_DOMAIN_DISK_BUS_IDE:
    case VB_DOMAIN_DISK_BUS_SATA:
        if (!cdrom && disk->readonly) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "disk '%s': readonly IDE and SATA disks are not supported", disk->dst);
            return NULL;
        }
        driver = cdrom ? "ide-cd" : "ide-hd";
        break;
    case VB_DOMAIN_DISK_BUS_SCSI:
        driver = cdrom ? "scsi-cd" : "scsi-hd";
        break;
    case VB_DOMAIN_DISK_BUS_USB:
        driver = cdrom ? NULL : "usb-storage";
        break;
    case VB_DOMAIN_DISK_BUS_FDC:
        driver = "floppy";
        break;
    default:
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "disk bus '%s' is not supported by the QEMU driver (disk '%s')",
                     vb_qemu_disk_bus_name(disk), disk->dst);
        return NULL;
    }
    if (driver == NULL)
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "disk '%s': a cdrom cannot be on bus '%s'",
                     disk->dst, vb_qemu_disk_bus_name(disk));
    return driver;
}

/* cache='...' as the blockdev cache flags and the device's write cache */
static const struct {
    gboolean direct;
    gboolean no_flush;
    gboolean writeback;
} vb_qemu_cache_modes[VB_DOMAIN_DISK_CACHE_LAST] = {
    [VB_DOMAIN_DISK_CACHE_NONE] = {TRUE, FALSE, TRUE},
    [VB_DOMAIN_DISK_CACHE_WRITETHROUGH] = {FALSE, FALSE, FALSE},
    [VB_DOMAIN_DISK_CACHE_WRITEBACK] = {FALSE, FALSE, TRUE},
    [VB_DOMAIN_DISK_CACHE_DIRECTSYNC] = {TRUE, FALSE, FALSE},
    [VB_DOMAIN_DISK_CACHE_UNSAFE] = {FALSE, TRUE, TRUE},
};

static gboolean
vb_qemu_disk_has_cache(const VbDomainDiskDef *disk)
{
    return disk->driver_cache > VB_DOMAIN_DISK_CACHE_DEFAULT &&
           disk->driver_cache < VB_DOMAIN_DISK_CACHE_LAST;
}

JsonObject *
vb_qemu_disk_device(VbQemuMachineKind kind, const char *machine, const VbDomainDiskDef *disk,
                    char **key, GError **error)
{
    g_autoptr(JsonObject) dev = NULL;
    g_autofree char *id = NULL;
    const char *driver;

    if (!vb_qemu_disk_check_dst(disk, error) || (driver = vb_qemu_disk_driver(disk, error)) == NULL)
        return NULL;
    dev = vb_qemu_device_new(driver, NULL);
    if (!vb_qemu_disk_address(kind, machine, disk, dev, key, error))
        return NULL;
    if (disk->src != NULL) {
        g_autofree char *node = vb_qemu_disk_node_name(disk);

        json_object_set_string_member(dev, "drive", node);
    }
    id = vb_qemu_disk_device_id(disk);
    json_object_set_string_member(dev, "id", id);
    if (disk->shareable)
        json_object_set_boolean_member(dev, "share-rw", TRUE);
    if (vb_qemu_disk_has_cache(disk))
        json_object_set_string_member(
            dev, "write-cache", vb_qemu_cache_modes[disk->driver_cache].writeback ? "on" : "off");
    return g_steal_pointer(&dev);
}

static const char *
vb_qemu_disk_format(const VbDomainDiskDef *disk, GError **error)
{
    static const char *const formats[] = {
        "raw", "qcow2", "qcow",  "qed",   "vmdk", "vdi",
        "vpc", "vhdx",  "bochs", "cloop", "dmg",  "parallels",
    };
    const char *type = disk->driver_type;

    if (disk->driver_name != NULL && strcmp(disk->driver_name, "qemu") != 0) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "disk '%s': driver name '%s' is not supported by the QEMU driver", disk->dst,
                     disk->driver_name);
        return NULL;
    }
    /* no probing: a guest could write a qcow2 header into a raw image */
    if (type == NULL || strcmp(type, "iso") == 0)
        return "raw";
    for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
        if (strcmp(type, formats[i]) == 0)
            return formats[i];
    }
    vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "disk '%s': format '%s' is not supported",
                 disk->dst, type);
    return NULL;
}

static void
vb_qemu_blockdev_common(JsonObject *obj, const VbDomainDiskDef *disk, gboolean readonly)
{
    if (readonly)
        json_object_set_boolean_member(obj, "read-only", TRUE);
    if (vb_qemu_disk_has_cache(disk)) {
        JsonObject *cache = json_object_new();

        json_object_set_boolean_member(cache, "direct",
                                       vb_qemu_cache_modes[disk->driver_cache].direct);
        json_object_set_boolean_member(cache, "no-flush",
                                       vb_qemu_cache_modes[disk->driver_cache].no_flush);
        json_object_set_object_member(obj, "cache", cache);
    }
}

GPtrArray *
vb_qemu_disk_blockdev_args(const VbDomainDiskDef *disk, GError **error)
{
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(vb_qemu_node_unref);
    g_autofree char *what = NULL;
    g_autofree char *storage_name = NULL;
    g_autofree char *format_name = NULL;
    gboolean readonly = disk->readonly || disk->device == VB_DOMAIN_DISK_DEVICE_CDROM;
    JsonObject *storage, *format;
    const char *storage_driver, *format_driver;

    if (!vb_qemu_disk_check_dst(disk, error))
        return NULL;
    if (disk->src == NULL) {
        if (disk->device == VB_DOMAIN_DISK_DEVICE_DISK) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "disk '%s' has no source", disk->dst);
            return NULL;
        }
        return g_steal_pointer(&nodes);
    }
    what = g_strdup_printf("the source of disk '%s'", disk->dst);
    if (!vb_qemu_check_path(disk->src, what, error) ||
        (format_driver = vb_qemu_disk_format(disk, error)) == NULL)
        return NULL;
    switch (disk->type) {
    case VB_DOMAIN_DISK_TYPE_FILE:
        storage_driver = "file";
        break;
    case VB_DOMAIN_DISK_TYPE_BLOCK:
        storage_driver = disk->device == VB_DOMAIN_DISK_DEVICE_CDROM ? "host_cdrom" : "host_device";
        break;
    default:
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "disk '%s': unknown disk type", disk->dst);
        return NULL;
    }
    storage_name = vb_qemu_disk_storage_node_name(disk);
    format_name = vb_qemu_disk_node_name(disk);

    /* "filename" of the file drivers is a plain path: no protocol prefix is parsed */
    storage = json_object_new();
    json_object_set_string_member(storage, "driver", storage_driver);
    json_object_set_string_member(storage, "filename", disk->src);
    json_object_set_string_member(storage, "node-name", storage_name);
    vb_qemu_blockdev_common(storage, disk, readonly);
    g_ptr_array_add(nodes, vb_qemu_node(storage));

    format = json_object_new();
    json_object_set_string_member(format, "driver", format_driver);
    json_object_set_string_member(format, "node-name", format_name);
    json_object_set_string_member(format, "file", storage_name);
    vb_qemu_blockdev_common(format, disk, readonly);
    g_ptr_array_add(nodes, vb_qemu_node(format));
    return g_steal_pointer(&nodes);
}

gboolean
vb_qemu_def_has_bus(const VbDomainDef *def, VbDomainDiskBus bus)
{
    for (guint i = 0; i < def->disks->len; i++) {
        if (((const VbDomainDiskDef *)def->disks->pdata[i])->bus == bus)
            return TRUE;
    }
    return FALSE;
}

gboolean
vb_qemu_disk_conflict(GHashTable *used, char *key, const char *dst, GError **error)
{
    const char *other;

    if (key == NULL)
        return TRUE;
    if ((other = g_hash_table_lookup(used, key)) != NULL) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "disks '%s' and '%s' have the same address (%s)", other, dst, key);
        g_free(key);
        return FALSE;
    }
    g_hash_table_insert(used, key, (gpointer)dst);
    return TRUE;
}

char *
vb_qemu_hotplug_port_id(guint n)
{
    return g_strdup_printf("hotplug-port%u", n);
}

guint
vb_qemu_hotplug_port_count(const VbDomainDef *def, const char *default_machine)
{
    return vb_qemu_machine_kind(vb_qemu_machine_name(def, default_machine)) == VB_QEMU_MACHINE_Q35
               ? VB_QEMU_HOTPLUG_PORTS
               : 0;
}

/* puts the hot-plugged PCI device @dev on @pci_bus: q35's root bus takes no hotplug,
 * only its spare root ports do, and pc hot-plugs through ACPI */
static gboolean
vb_qemu_hotplug_pci(const VbDomainDef *def, VbQemuMachineKind kind, const char *machine,
                    JsonObject *dev, const char *pci_bus, gboolean *pci_bus_used, GError **error)
{
    if (kind == VB_QEMU_MACHINE_Q35 && pci_bus == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "no free PCI hotplug port on machine '%s' (it has %d)", machine,
                     VB_QEMU_HOTPLUG_PORTS);
        return FALSE;
    }
    if (kind == VB_QEMU_MACHINE_PC && !vb_domain_def_has_feature(def, VB_DOMAIN_FEATURE_ACPI)) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "PCI hotplug on machine '%s' needs <acpi/>", machine);
        return FALSE;
    }
    if (pci_bus != NULL) {
        json_object_set_string_member(dev, "bus", pci_bus);
        if (pci_bus_used != NULL)
            *pci_bus_used = TRUE;
    }
    return TRUE;
}

GPtrArray *
vb_qemu_disk_hotplug_device_args(const VbDomainDef *def, const char *default_machine,
                                 const VbDomainDiskDef *disk, const char *pci_bus,
                                 gboolean *pci_bus_used, GError **error)
{
    const char *machine = vb_qemu_machine_name(def, default_machine);
    VbQemuMachineKind kind = vb_qemu_machine_kind(machine);
    g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func(vb_qemu_node_unref);
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    JsonObject *dev, *pci = NULL;
    char *key = NULL;

    if (pci_bus_used != NULL)
        *pci_bus_used = FALSE;
    if (disk->bus == VB_DOMAIN_DISK_BUS_IDE || disk->bus == VB_DOMAIN_DISK_BUS_SATA ||
        disk->bus == VB_DOMAIN_DISK_BUS_FDC) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "disk bus '%s' does not support hotplug (disk '%s')",
                     vb_qemu_disk_bus_name(disk), disk->dst);
        return NULL;
    }
    for (guint i = 0; i < def->disks->len; i++) {
        const VbDomainDiskDef *other = def->disks->pdata[i];
        g_autoptr(JsonObject) scratch = json_object_new();
        char *other_key = NULL;

        if (other != disk && vb_qemu_disk_address(kind, machine, other, scratch, &other_key, NULL))
            vb_qemu_disk_conflict(used, other_key, other->dst, NULL);
    }
    if ((dev = vb_qemu_disk_device(kind, machine, disk, &key, error)) == NULL)
        return NULL;
    if (!vb_qemu_disk_conflict(used, key, disk->dst, error)) {
        json_object_unref(dev);
        return NULL;
    }
    if (disk->bus == VB_DOMAIN_DISK_BUS_SCSI &&
        !vb_qemu_def_has_bus(def, VB_DOMAIN_DISK_BUS_SCSI)) {
        JsonObject *controller = vb_qemu_device_new("virtio-scsi-pci", VB_QEMU_SCSI_CONTROLLER_ID);

        g_ptr_array_add(devices, vb_qemu_node(controller));
        pci = controller;
    } else if (disk->bus == VB_DOMAIN_DISK_BUS_VIRTIO) {
        pci = dev;
    }
    g_ptr_array_add(devices, vb_qemu_node(dev));
    if (pci != NULL && !vb_qemu_hotplug_pci(def, kind, machine, pci, pci_bus, pci_bus_used, error))
        return NULL;
    return g_steal_pointer(&devices);
}

/* NICs */

gboolean
vb_qemu_net_uses_tap(const VbDomainNetDef *net)
{
    return net->type == VB_DOMAIN_NET_NETWORK || net->type == VB_DOMAIN_NET_BRIDGE ||
           net->type == VB_DOMAIN_NET_ETHERNET;
}

static char *
vb_qemu_net_name(const VbDomainNetDef *net, guint index, const char *prefix)
{
    if (!net->has_mac)
        return g_strdup_printf("%s%u", prefix, index);
    return g_strdup_printf("%s-%02x%02x%02x%02x%02x%02x", prefix, net->mac[0], net->mac[1],
                           net->mac[2], net->mac[3], net->mac[4], net->mac[5]);
}

char *
vb_qemu_net_device_id(const VbDomainNetDef *net, guint index)
{
    return vb_qemu_net_name(net, index, "net");
}

char *
vb_qemu_netdev_id(const VbDomainNetDef *net, guint index)
{
    return vb_qemu_net_name(net, index, "hostnet");
}

static const char *
vb_qemu_net_type_name(const VbDomainNetDef *net)
{
    const char *name = vb_domain_net_type_to_string(net->type);

    return name != NULL ? name : "?";
}

/* "ADDR:PORT" of a socket backend; qemu parses it as IPv4 or a host name */
static char *
vb_qemu_net_socket_address(const VbDomainNetDef *net, guint index, GError **error)
{
    const char *type = vb_qemu_net_type_name(net);
    const char *address = net->source_address;
    g_autofree char *what = g_strdup_printf("the source address of interface %u", index);

    if (address == NULL) {
        if (net->type != VB_DOMAIN_NET_SERVER) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "interface %u of type '%s' needs a source address", index, type);
            return NULL;
        }
        address = "";
    } else if (!vb_qemu_check_text(address, what, error)) {
        return NULL;
    } else if (g_hostname_is_ip_address(address) && strchr(address, ':') != NULL) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "interface %u of type '%s': IPv6 source addresses are not supported", index,
                     type);
        return NULL;
    } else if (!vb_qemu_is_word(address, ".-")) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "interface %u: source address '%s' is not an IPv4 address or a host name",
                     index, address);
        return NULL;
    }
    if (net->type == VB_DOMAIN_NET_MCAST) {
        g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address);

        if (inet == NULL || !g_inet_address_get_is_multicast(inet)) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "interface %u: source address '%s' is not an IPv4 multicast address",
                         index, address);
            return NULL;
        }
    }
    if (net->source_port < 1 || net->source_port > 65535) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "interface %u of type '%s' needs a source port from 1 to 65535", index, type);
        return NULL;
    }
    return g_strdup_printf("%s:%u", address, net->source_port);
}

JsonNode *
vb_qemu_netdev_args(const VbDomainNetDef *net, guint index, const char *fd, GError **error)
{
    g_autoptr(JsonObject) obj = json_object_new();
    g_autofree char *id = vb_qemu_netdev_id(net, index);
    g_autofree char *address = NULL;
    const char *key = NULL;

    switch (net->type) {
    case VB_DOMAIN_NET_USER:
        json_object_set_string_member(obj, "type", "user");
        json_object_set_string_member(obj, "id", id);
        break;
    case VB_DOMAIN_NET_NETWORK:
    case VB_DOMAIN_NET_BRIDGE:
    case VB_DOMAIN_NET_ETHERNET:
        if (fd == NULL) {
            vb_error_set(error, VB_ERROR_INTERNAL, "no tap file descriptor for interface %u",
                         index);
            return NULL;
        }
        if (!vb_qemu_check_text(fd, "a tap file descriptor name", error))
            return NULL;
        json_object_set_string_member(obj, "type", "tap");
        json_object_set_string_member(obj, "id", id);
        json_object_set_string_member(obj, "fd", fd);
        break;
    case VB_DOMAIN_NET_MCAST:
        key = "mcast";
        break;
    case VB_DOMAIN_NET_SERVER:
        key = "listen";
        break;
    case VB_DOMAIN_NET_CLIENT:
        key = "connect";
        break;
    default:
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "interface type '%s' is not supported by the QEMU driver",
                     vb_qemu_net_type_name(net));
        return NULL;
    }
    if (key != NULL) {
        if ((address = vb_qemu_net_socket_address(net, index, error)) == NULL)
            return NULL;
        json_object_set_string_member(obj, "type", "socket");
        json_object_set_string_member(obj, "id", id);
        json_object_set_string_member(obj, key, address);
    }
    return vb_qemu_node(g_steal_pointer(&obj));
}

static const char *
vb_qemu_nic_model(VbQemuMachineKind kind, const VbDomainNetDef *net, guint index, GError **error)
{
    static const char *const models[] = {
        "virtio-net-pci", "e1000",  "e1000e",  "rtl8139",  "ne2k_pci",
        "pcnet",          "i82551", "i82557b", "i82559er", "vmxnet3",
    };

    if (net->model_type == NULL) {
        /* what qemu itself would pick for the machine */
        if (kind == VB_QEMU_MACHINE_PC)
            return "e1000";
        return kind == VB_QEMU_MACHINE_Q35 ? "e1000e" : "virtio-net-pci";
    }
    if (strcmp(net->model_type, "virtio") == 0)
        return "virtio-net-pci";
    for (guint i = 0; i < G_N_ELEMENTS(models); i++) {
        if (strcmp(net->model_type, models[i]) == 0)
            return models[i];
    }
    if (vb_qemu_check_text(net->model_type, "a NIC model", error))
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "interface %u: model '%s' is not supported by the QEMU driver", index,
                     net->model_type);
    return NULL;
}

JsonObject *
vb_qemu_net_device(VbQemuMachineKind kind, const VbDomainNetDef *net, guint index, GError **error)
{
    g_autofree char *netdev = vb_qemu_netdev_id(net, index);
    g_autofree char *id = vb_qemu_net_device_id(net, index);
    const char *model = vb_qemu_nic_model(kind, net, index, error);
    JsonObject *dev;

    if (model == NULL)
        return NULL;
    dev = vb_qemu_device_new(model, NULL);
    json_object_set_string_member(dev, "netdev", netdev);
    json_object_set_string_member(dev, "id", id);
    if (net->has_mac) {
        char mac[VB_MAC_STRING_LEN];

        vb_mac_format(net->mac, mac);
        json_object_set_string_member(dev, "mac", mac);
    }
    return dev;
}

JsonNode *
vb_qemu_net_device_args(const VbDomainDef *def, const char *default_machine,
                        const VbDomainNetDef *net, guint index, const char *pci_bus,
                        gboolean *pci_bus_used, GError **error)
{
    const char *machine = vb_qemu_machine_name(def, default_machine);
    VbQemuMachineKind kind = vb_qemu_machine_kind(machine);
    g_autoptr(JsonObject) dev = NULL;

    if (pci_bus_used != NULL)
        *pci_bus_used = FALSE;
    /* every NIC model on the list is a PCI device */
    if ((dev = vb_qemu_net_device(kind, net, index, error)) == NULL ||
        !vb_qemu_hotplug_pci(def, kind, machine, dev, pci_bus, pci_bus_used, error))
        return NULL;
    return vb_qemu_node(g_steal_pointer(&dev));
}

/* inputs */

char *
vb_qemu_input_device_id(const VbDomainDef *def, guint index)
{
    const VbDomainInputDef *input;
    const char *type, *bus;
    guint before = 0;

    if (index >= def->inputs->len)
        return NULL;
    input = def->inputs->pdata[index];
    for (guint i = 0; i < index; i++) {
        const VbDomainInputDef *other = def->inputs->pdata[i];

        before += other->type == input->type && other->bus == input->bus ? 1 : 0;
    }
    type = vb_domain_input_type_to_string(input->type);
    bus = vb_domain_input_bus_to_string(input->bus);
    if (before == 0)
        return g_strdup_printf("input-%s-%s", type != NULL ? type : "?", bus != NULL ? bus : "?");
    return g_strdup_printf("input-%s-%s-%u", type != NULL ? type : "?", bus != NULL ? bus : "?",
                           before);
}

gboolean
vb_qemu_input_device(VbQemuMachineKind kind, const char *machine, const VbDomainDef *def,
                     guint index, JsonObject **out, GError **error)
{
    static const char *const usb[] = {"usb-mouse", "usb-tablet", "usb-kbd"};
    static const char *const virtio[] = {"virtio-mouse-pci", "virtio-tablet-pci",
                                         "virtio-keyboard-pci"};
    const VbDomainInputDef *input = def->inputs->pdata[index];
    const char *type = vb_domain_input_type_to_string(input->type);
    const char *bus_name = vb_domain_input_bus_to_string(input->bus);
    g_autofree char *what = NULL;
    g_autofree char *id = NULL;
    VbDomainInputBus bus = input->bus;
    const char *driver;

    *out = NULL;
    if (type == NULL) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "unknown input type");
        return FALSE;
    }
    what = g_strdup_printf("input '%s' on bus '%s'", type, bus_name != NULL ? bus_name : "?");
    if (bus == VB_DOMAIN_INPUT_BUS_DEFAULT)
        bus = input->type == VB_DOMAIN_INPUT_TABLET ? VB_DOMAIN_INPUT_BUS_USB
                                                    : VB_DOMAIN_INPUT_BUS_PS2;
    switch (bus) {
    case VB_DOMAIN_INPUT_BUS_PS2:
        if (input->type == VB_DOMAIN_INPUT_TABLET) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "a PS/2 tablet is not supported");
            return FALSE;
        }
        /* the machine's own i8042 */
        return vb_qemu_need_pc(kind, what, machine, error);
    case VB_DOMAIN_INPUT_BUS_USB:
        if (!vb_qemu_need_pc(kind, what, machine, error))
            return FALSE;
        driver = usb[input->type];
        break;
    case VB_DOMAIN_INPUT_BUS_VIRTIO:
        driver = virtio[input->type];
        break;
    default:
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "%s: the bus is not supported by the QEMU driver", what);
        return FALSE;
    }
    id = vb_qemu_input_device_id(def, index);
    *out = vb_qemu_device_new(driver, id);
    if (bus == VB_DOMAIN_INPUT_BUS_USB)
        json_object_set_string_member(*out, "bus", VB_QEMU_USB_CONTROLLER_ID ".0");
    return TRUE;
}

JsonNode *
vb_qemu_input_device_args(const VbDomainDef *def, const char *default_machine, guint index,
                          const char *pci_bus, gboolean *pci_bus_used, GError **error)
{
    const char *machine = vb_qemu_machine_name(def, default_machine);
    VbQemuMachineKind kind = vb_qemu_machine_kind(machine);
    g_autoptr(JsonObject) dev = NULL;

    if (pci_bus_used != NULL)
        *pci_bus_used = FALSE;
    if (index >= def->inputs->len) {
        vb_error_set(error, VB_ERROR_INTERNAL, "no input %u", index);
        return NULL;
    }
    if (!vb_qemu_input_device(kind, machine, def, index, &dev, error) || dev == NULL)
        return NULL;
    if (((const VbDomainInputDef *)def->inputs->pdata[index])->bus == VB_DOMAIN_INPUT_BUS_VIRTIO &&
        !vb_qemu_hotplug_pci(def, kind, machine, dev, pci_bus, pci_bus_used, error))
        return NULL;
    return vb_qemu_node(g_steal_pointer(&dev));
}

/* removal */

static JsonNode *
vb_qemu_one_member(const char *key, const char *value)
{
    JsonObject *obj = json_object_new();

    json_object_set_string_member(obj, key, value);
    return vb_qemu_node(obj);
}

JsonNode *
vb_qemu_device_del_args(const char *id)
{
    return vb_qemu_one_member("id", id);
}

JsonNode *
vb_qemu_netdev_del_args(const char *id)
{
    return vb_qemu_one_member("id", id);
}

JsonNode *
vb_qemu_blockdev_del_args(const char *node_name)
{
    return vb_qemu_one_member("node-name", node_name);
}
