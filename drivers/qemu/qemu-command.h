/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "domain-conf.h"

G_BEGIN_DECLS

/* qemu's command line from a domain definition, and the QMP arguments of the same
 * devices for hotplug. no shell is involved anywhere: every element is one argv entry.
 *
 * the rule for values: options that have a QMP twin (-blockdev, -netdev, -device) are
 * written as JSON, the exact object blockdev-add / netdev_add / device_add take, so
 * nothing needs escaping there; options that only exist as key=value lists (-name,
 * -machine, -chardev, -vnc, -mon, -m, -sandbox...) get every ',' in a value doubled.
 * options that take a raw value (-kernel, -initrd, -append, -bios, -uuid, -k,
 * -incoming) are passed verbatim. control characters (a newline...) and invalid UTF-8
 * are rejected in every value with VB_ERROR_CONFIG_UNSUPPORTED naming the element. */

typedef struct {
    /* the QMP unix socket qemu listens on (absolute, shorter than sun_path):
     * -chardev socket,id=monitor,path=...,server=on,wait=off -mon chardev=monitor */
    const char *monitor_path;
    /* NULL, or -incoming's argument ("defer", "fd:N", "exec:..."). prefer "defer" or
     * "fd:N": qemu hands an exec: URI to /bin/sh */
    const char *incoming;
    /* qemu supports -sandbox: on,obsolete=deny,elevateprivileges=deny,spawn=deny,
     * resourcecontrol=deny */
    gboolean sandbox;
    /* with @sandbox: spawn=allow instead of deny, for a process that will be saved or
     * migrated through an exec: URI (qemu forks /bin/sh for it). an exec: @incoming
     * implies it */
    gboolean sandbox_allow_spawn;
    /* type='kvm' without it: VB_ERROR_CONFIG_UNSUPPORTED "KVM is not available" */
    gboolean kvm_available;
    /* the machine when <type machine=...> is absent; NULL: "pc" */
    const char *default_machine;
    /* one open tap fd per network/bridge/ethernet NIC, in NIC order, inherited by qemu
     * under these numbers; exactly as many as there are such NICs */
    const int *tap_fds;
    guint n_tap_fds;
    /* the port (>= 5900) chosen for an autoport VNC display, or -1: qemu then takes the
     * first free display from :0 (to=...), query-vnc tells which */
    int vnc_port;
} VbQemuBuildParams;

/* params with no monitor path, no incoming, no sandbox, no KVM, no fds and vnc_port -1 */
void vb_qemu_build_params_init(VbQemuBuildParams *params);

/* the NULL-terminated argv (element 0 is @emulator, or def->emulator when NULL).
 * errors: VB_ERROR_CONFIG_UNSUPPORTED for anything the definition asks that cannot
 * be (safely) expressed, VB_ERROR_INVALID_ARG / VB_ERROR_INTERNAL for bad @params */
GPtrArray *vb_qemu_build_argv(const char *emulator, const VbDomainDef *def,
                              const VbQemuBuildParams *params, GError **error);

/* the environment for the process: @base_env (NULL: none) plus DISPLAY and XAUTHORITY
 * from an SDL <graphics>, which needs an X server to draw on */
char **vb_qemu_build_env(const VbDomainDef *def, const char *const *base_env, GError **error);

/* one line for logs and DomainXMLToNative: each element shell-quoted when it needs it */
char *vb_qemu_argv_to_string(GPtrArray *argv);

/* ',' doubled, for a value in a key=value,key=value option */
char *vb_qemu_opt_escape(const char *value);

/* ids. they depend only on the device itself (and, for a NIC without a MAC, its index),
 * so they stay valid while other devices come and go:
 *   disk: format node "drive-<dst>" over storage node "file-<dst>", device "disk-<dst>"
 *   NIC: netdev "hostnet-<mac hex>", device "net-<mac hex>" (set_link takes the latter)
 *   serial port N: chardev "charserialN", device "serialN"; a virtio console N:
 *   chardev "charconsoleN", device "consoleN"; balloon "balloon0" */
#define VB_QEMU_MONITOR_CHARDEV_ID "monitor"
#define VB_QEMU_BALLOON_ID         "balloon0"
#define VB_QEMU_BALLOON_QOM_PATH   "/machine/peripheral/balloon0"
#define VB_QEMU_USB_CONTROLLER_ID  "usb"
#define VB_QEMU_SCSI_CONTROLLER_ID "scsi0"

char *vb_qemu_disk_node_name(const VbDomainDiskDef *disk);
char *vb_qemu_disk_storage_node_name(const VbDomainDiskDef *disk);
char *vb_qemu_disk_device_id(const VbDomainDiskDef *disk);
char *vb_qemu_net_device_id(const VbDomainNetDef *net, guint index);
char *vb_qemu_netdev_id(const VbDomainNetDef *net, guint index);
/* the chardev (query-chardev "label") behind def->serials[@index] or, with @console,
 * def->consoles[@index]: a serial-type console shares its serial's chardev */
char *vb_qemu_chr_chardev_id(const VbDomainDef *def, gboolean console, guint index);
/* "input-<type>-<bus>", with "-N" for the Nth further input of the same type and bus */
char *vb_qemu_input_device_id(const VbDomainDef *def, guint index);

/* QMP arguments for hotplug, as JSON object nodes for vb_qemu_monitor_command(); each
 * is the same object the command line uses for that device. @default_machine as in
 * VbQemuBuildParams.
 *
 * PCI devices (virtio disks and inputs, the scsi controller, every NIC) need a PCI bus
 * that takes hotplug. on q35 that is one of the VB_QEMU_HOTPLUG_PORTS spare
 * pcie-root-ports the command line adds ("hotplug-port0"...): pass a free one in
 * @pci_bus (NULL when none is left: VB_ERROR_OPERATION_FAILED); *@pci_bus_used says
 * whether the device took it (a port holds one device until device_del). on pc pass
 * NULL; its bus hot-plugs only with <acpi/> (else VB_ERROR_OPERATION_UNSUPPORTED). */
#define VB_QEMU_HOTPLUG_PORTS 4
char *vb_qemu_hotplug_port_id(guint n);
/* VB_QEMU_HOTPLUG_PORTS on q35, 0 on other machines */
guint vb_qemu_hotplug_port_count(const VbDomainDef *def, const char *default_machine);

/* blockdev-add arguments, storage node first, then the format node; an empty array for
 * a cdrom or floppy without media. unplug: blockdev-del the format node, then storage */
GPtrArray *vb_qemu_disk_blockdev_args(const VbDomainDiskDef *disk, GError **error);
/* device_add arguments for @disk joining the running @def (which does not hold it
 * yet): the virtio-scsi controller first when @def has no scsi disk (a "Duplicate ID
 * 'scsi0'" error for it only means an earlier one is still there), then the disk.
 * ide, sata and fdc disks: VB_ERROR_OPERATION_UNSUPPORTED */
GPtrArray *vb_qemu_disk_hotplug_device_args(const VbDomainDef *def, const char *default_machine,
                                            const VbDomainDiskDef *disk, const char *pci_bus,
                                            gboolean *pci_bus_used, GError **error);
/* netdev_add arguments; @fd is the descriptor: a number on the command line, the name
 * given to getfd over QMP; required for network/bridge/ethernet, ignored otherwise */
JsonNode *vb_qemu_netdev_args(const VbDomainNetDef *net, guint index, const char *fd,
                              GError **error);
/* device_add arguments of the NIC at @index in @def's NIC list (after attach) */
JsonNode *vb_qemu_net_device_args(const VbDomainDef *def, const char *default_machine,
                                  const VbDomainNetDef *net, guint index, const char *pci_bus,
                                  gboolean *pci_bus_used, GError **error);
/* device_add arguments of def->inputs[@index]; NULL without error for an implicit
 * PS/2 device (nothing to add) */
JsonNode *vb_qemu_input_device_args(const VbDomainDef *def, const char *default_machine,
                                    guint index, const char *pci_bus, gboolean *pci_bus_used,
                                    GError **error);
/* {"id": id} for device_del and netdev_del; {"node-name": name} for blockdev-del */
JsonNode *vb_qemu_device_del_args(const char *id);
JsonNode *vb_qemu_netdev_del_args(const char *id);
JsonNode *vb_qemu_blockdev_del_args(const char *node_name);

/* compact JSON text of @node */
char *vb_qemu_json_to_string(JsonNode *node);

G_END_DECLS
