/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "qemu-command.h"

G_BEGIN_DECLS

/* shared by qemu-command.c (the command line) and qemu-command-devices.c (the device
 * objects the command line and hotplug both use); not for other callers */

typedef enum {
    VB_QEMU_MACHINE_PC,  /* i440fx: two IDE buses of two units, a floppy controller */
    VB_QEMU_MACHINE_Q35, /* ich9: an AHCI controller "ide" of six ports */
    VB_QEMU_MACHINE_OTHER,
} VbQemuMachineKind;

/* values: VB_ERROR_CONFIG_UNSUPPORTED naming @what on control characters or invalid
 * UTF-8, and for a path that is not absolute */
gboolean vb_qemu_check_text(const char *value, const char *what, GError **error);
gboolean vb_qemu_check_path(const char *value, const char *what, GError **error);
/* letters, digits and @extra, starting with a letter or digit */
gboolean vb_qemu_is_word(const char *value, const char *extra);

const char *vb_qemu_machine_name(const VbDomainDef *def, const char *default_machine);
VbQemuMachineKind vb_qemu_machine_kind(const char *machine);
gboolean vb_qemu_has_pc_devices(VbQemuMachineKind kind);
/* "@what needs a pc or q35 machine" unless it is one */
gboolean vb_qemu_need_pc(VbQemuMachineKind kind, const char *what, const char *machine,
                         GError **error);

/* an object node taking over @obj */
JsonNode *vb_qemu_node(JsonObject *obj);
void vb_qemu_node_unref(gpointer node);
JsonObject *vb_qemu_device_new(const char *driver, const char *id);

/* the device object of @disk and the name of its slot in *@key (NULL when qemu places
 * it), for vb_qemu_disk_conflict() */
JsonObject *vb_qemu_disk_device(VbQemuMachineKind kind, const char *machine,
                                const VbDomainDiskDef *disk, char **key, GError **error);
/* records @key (taken over, may be NULL) for @dst in @used, failing when another disk
 * holds it */
gboolean vb_qemu_disk_conflict(GHashTable *used, char *key, const char *dst, GError **error);
gboolean vb_qemu_def_has_bus(const VbDomainDef *def, VbDomainDiskBus bus);

gboolean vb_qemu_net_uses_tap(const VbDomainNetDef *net);
JsonObject *vb_qemu_net_device(VbQemuMachineKind kind, const VbDomainNetDef *net, guint index,
                               GError **error);

/* *@out NULL for an implicit PS/2 device */
gboolean vb_qemu_input_device(VbQemuMachineKind kind, const char *machine, const VbDomainDef *def,
                              guint index, JsonObject **out, GError **error);

G_END_DECLS
