/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "ids.h"
#include "vb-error.h"

G_BEGIN_DECLS

/* the C model of libvirt-style domain XML shared by every driver. drivers read and
 * write the fields directly; libxml2 stays inside drivers/conf. every pointer in these
 * structs is owned by the struct that holds it. */

/* GetXMLDesc flags, same bits as libvirt's virDomainXMLFlags */
#define VB_DOMAIN_XML_SECURE     1 /* include secrets such as the VNC passwd */
#define VB_DOMAIN_XML_INACTIVE   2 /* no id, no runtime-only data (pty paths, autoport ports) */
#define VB_DOMAIN_XML_UPDATE_CPU 4 /* accepted, nothing to update in this model */
#define VB_DOMAIN_XML_MIGRATABLE 8 /* no id */

/* parse flags */
#define VB_DOMAIN_PARSE_VALIDATE 1 /* validate against the domain RelaxNG schema first */
#define VB_DOMAIN_PARSE_INACTIVE 2 /* drop runtime-only data: id, pty paths, autoport ports */

#define VB_DOMAIN_VCPUS_MAX 4096  /* <vcpu> upper bound */
#define VB_CPUSET_MAX       16384 /* highest host cpu number + 1 in a cpuset */
#define VB_DOMAIN_BOOT_MAX  4     /* <boot dev> entries in <os> */

/* enum <-> string helpers: every enum below has
 *   const char *vb_<enum>_to_string(value)   (NULL for an out-of-range value)
 *   int vb_<enum>_from_string(const char *)  (-1 when unknown) */
#define VB_DOMAIN_DECLARE_ENUM_STRINGS(prefix, type)                                               \
    const char *prefix##_to_string(type value);                                                    \
    int prefix##_from_string(const char *str)

typedef enum {
    VB_DOMAIN_VIRT_TEST,
    VB_DOMAIN_VIRT_QEMU,
    VB_DOMAIN_VIRT_KVM,
    VB_DOMAIN_VIRT_XEN,
    VB_DOMAIN_VIRT_LAST,
} VbDomainVirtType; /* <domain type=...> */
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_virt_type, VbDomainVirtType);

typedef enum {
    VB_DOMAIN_OS_HVM,
    VB_DOMAIN_OS_LINUX, /* xen paravirt, old spelling */
    VB_DOMAIN_OS_XEN,   /* xen paravirt */
    VB_DOMAIN_OS_EXE,   /* test driver containers */
    VB_DOMAIN_OS_LAST,
} VbDomainOsType; /* <os><type> */
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_os_type, VbDomainOsType);

typedef enum {
    VB_DOMAIN_BOOT_HD,
    VB_DOMAIN_BOOT_CDROM,
    VB_DOMAIN_BOOT_FD,
    VB_DOMAIN_BOOT_NETWORK,
    VB_DOMAIN_BOOT_LAST,
} VbDomainBootDev; /* <boot dev=...> */
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_boot_dev, VbDomainBootDev);

typedef enum {
    VB_DOMAIN_LIFECYCLE_DESTROY,
    VB_DOMAIN_LIFECYCLE_RESTART,
    VB_DOMAIN_LIFECYCLE_PRESERVE,
    VB_DOMAIN_LIFECYCLE_RENAME_RESTART,
    VB_DOMAIN_LIFECYCLE_COREDUMP_DESTROY, /* on_crash only */
    VB_DOMAIN_LIFECYCLE_COREDUMP_RESTART, /* on_crash only */
    VB_DOMAIN_LIFECYCLE_LAST,
} VbDomainLifecycleAction;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_lifecycle, VbDomainLifecycleAction);

/* <features>: a fixed known list; def->features has bit (1u << feature) set for each
 * enabled one. features that take state='on|off' may instead be in features_off. */
typedef enum {
    VB_DOMAIN_FEATURE_PAE,
    VB_DOMAIN_FEATURE_ACPI,
    VB_DOMAIN_FEATURE_APIC,
    VB_DOMAIN_FEATURE_HAP, /* state */
    VB_DOMAIN_FEATURE_VIRIDIAN,
    VB_DOMAIN_FEATURE_PRIVNET,
    VB_DOMAIN_FEATURE_PVSPINLOCK, /* state */
    VB_DOMAIN_FEATURE_PMU,        /* state */
    VB_DOMAIN_FEATURE_VMPORT,     /* state */
    VB_DOMAIN_FEATURE_SMM,        /* state */
    VB_DOMAIN_FEATURE_VMCOREINFO, /* state */
    VB_DOMAIN_FEATURE_LAST,
} VbDomainFeature;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_feature, VbDomainFeature);
#define VB_DOMAIN_FEATURE_BIT(f) (1u << (f))

typedef enum {
    VB_DOMAIN_CLOCK_UTC,
    VB_DOMAIN_CLOCK_LOCALTIME,
    VB_DOMAIN_CLOCK_LAST,
} VbDomainClockOffset;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_clock_offset, VbDomainClockOffset);

typedef enum {
    VB_DOMAIN_VCPU_PLACEMENT_DEFAULT, /* attribute absent, not formatted */
    VB_DOMAIN_VCPU_PLACEMENT_STATIC,
    VB_DOMAIN_VCPU_PLACEMENT_AUTO,
    VB_DOMAIN_VCPU_PLACEMENT_LAST,
} VbDomainVcpuPlacement;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_vcpu_placement, VbDomainVcpuPlacement);

typedef enum {
    VB_DOMAIN_DISK_TYPE_FILE,
    VB_DOMAIN_DISK_TYPE_BLOCK,
    VB_DOMAIN_DISK_TYPE_LAST,
} VbDomainDiskType;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_disk_type, VbDomainDiskType);

typedef enum {
    VB_DOMAIN_DISK_DEVICE_DISK,
    VB_DOMAIN_DISK_DEVICE_CDROM,
    VB_DOMAIN_DISK_DEVICE_FLOPPY,
    VB_DOMAIN_DISK_DEVICE_LAST,
} VbDomainDiskDevice;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_disk_device, VbDomainDiskDevice);

typedef enum {
    VB_DOMAIN_DISK_BUS_IDE,
    VB_DOMAIN_DISK_BUS_SCSI,
    VB_DOMAIN_DISK_BUS_VIRTIO,
    VB_DOMAIN_DISK_BUS_XEN,
    VB_DOMAIN_DISK_BUS_USB,
    VB_DOMAIN_DISK_BUS_SATA,
    VB_DOMAIN_DISK_BUS_FDC,
    VB_DOMAIN_DISK_BUS_LAST,
} VbDomainDiskBus;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_disk_bus, VbDomainDiskBus);

typedef enum {
    VB_DOMAIN_DISK_CACHE_DEFAULT, /* attribute absent */
    VB_DOMAIN_DISK_CACHE_NONE,
    VB_DOMAIN_DISK_CACHE_WRITETHROUGH,
    VB_DOMAIN_DISK_CACHE_WRITEBACK,
    VB_DOMAIN_DISK_CACHE_DIRECTSYNC,
    VB_DOMAIN_DISK_CACHE_UNSAFE,
    VB_DOMAIN_DISK_CACHE_LAST,
} VbDomainDiskCache;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_disk_cache, VbDomainDiskCache);

typedef struct {
    VbDomainDiskType type;
    VbDomainDiskDevice device;
    char *driver_name; /* <driver name=...>, NULL when absent */
    char *driver_type; /* <driver type=...> (raw, qcow2...), NULL when absent */
    VbDomainDiskCache driver_cache;
    char *src;           /* <source file=...> or <source dev=...>; NULL: no media */
    char *dst;           /* <target dev=...>, always set */
    VbDomainDiskBus bus; /* <target bus=...>, defaulted from the dev prefix */
    gboolean readonly;
    gboolean shareable;
} VbDomainDiskDef;

typedef enum {
    VB_DOMAIN_NET_USER,
    VB_DOMAIN_NET_NETWORK,
    VB_DOMAIN_NET_BRIDGE,
    VB_DOMAIN_NET_ETHERNET,
    VB_DOMAIN_NET_MCAST,
    VB_DOMAIN_NET_SERVER,
    VB_DOMAIN_NET_CLIENT,
    VB_DOMAIN_NET_LAST,
} VbDomainNetType;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_net_type, VbDomainNetType);

typedef enum {
    VB_DOMAIN_NET_LINK_DEFAULT, /* no <link>, which means up */
    VB_DOMAIN_NET_LINK_UP,
    VB_DOMAIN_NET_LINK_DOWN,
    VB_DOMAIN_NET_LINK_LAST,
} VbDomainNetLinkState;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_net_link, VbDomainNetLinkState);

typedef struct {
    VbDomainNetType type;
    guint8 mac[VB_MAC_LEN];
    gboolean has_mac;     /* FALSE until vb_domain_def_fill_macs() gives it one */
    char *source_network; /* NETWORK: <source network=...> (older name=...) */
    char *source_bridge;  /* BRIDGE: <source bridge=...> (older dev=...) */
    char *source_address; /* MCAST/SERVER/CLIENT: <source address=...>; SERVER may omit */
    guint source_port;    /* MCAST/SERVER/CLIENT: <source port=...>, 1..65535 */
    char *target_dev;     /* <target dev=...>, host side interface name */
    char *script_path;    /* <script path=...> */
    char *model_type;     /* <model type=...> */
    VbDomainNetLinkState link_state;
} VbDomainNetDef;

typedef enum {
    VB_DOMAIN_CHR_PTY,
    VB_DOMAIN_CHR_VC,
    VB_DOMAIN_CHR_NULL,
    VB_DOMAIN_CHR_STDIO,
    VB_DOMAIN_CHR_FILE,
    VB_DOMAIN_CHR_DEV,
    VB_DOMAIN_CHR_PIPE,
    VB_DOMAIN_CHR_LAST,
} VbDomainChrType;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_chr_type, VbDomainChrType);

/* target_port of a lone <serial>/<console> device without one: attach picks a free port */
#define VB_DOMAIN_CHR_PORT_AUTO G_MAXUINT

/* a <serial> or a <console> (which list it is in says which) */
typedef struct {
    VbDomainChrType type; /* default pty */
    char *source_path;    /* <source path=...>; for pty the runtime tty (legacy tty=...) */
    guint target_port;    /* <target port=...>, 0..65535, default the lowest free one */
    char *target_type;    /* <target type=...>, NULL when absent; checked against a list */
} VbDomainChrDef;

typedef enum {
    VB_DOMAIN_GRAPHICS_VNC,
    VB_DOMAIN_GRAPHICS_SDL,
    VB_DOMAIN_GRAPHICS_LAST,
} VbDomainGraphicsType;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_graphics_type, VbDomainGraphicsType);

typedef struct {
    VbDomainGraphicsType type;
    /* VNC */
    int port;          /* -1: not chosen yet (autoport); else 0..65535 */
    gboolean autoport; /* a driver picks the port at start */
    char *listen;      /* listen='...' or <listen type='address' address='...'/> */
    char *keymap;
    char *passwd; /* formatted with VB_DOMAIN_XML_SECURE only */
    /* SDL */
    char *display;
    char *xauth;
    gboolean fullscreen;
} VbDomainGraphicsDef;

typedef enum {
    VB_DOMAIN_INPUT_MOUSE,
    VB_DOMAIN_INPUT_TABLET,
    VB_DOMAIN_INPUT_KEYBOARD,
    VB_DOMAIN_INPUT_LAST,
} VbDomainInputType;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_input_type, VbDomainInputType);

typedef enum {
    VB_DOMAIN_INPUT_BUS_DEFAULT, /* only in a lone device: attach picks ps2/usb/xen */
    VB_DOMAIN_INPUT_BUS_PS2,
    VB_DOMAIN_INPUT_BUS_USB,
    VB_DOMAIN_INPUT_BUS_XEN,
    VB_DOMAIN_INPUT_BUS_VIRTIO,
    VB_DOMAIN_INPUT_BUS_LAST,
} VbDomainInputBus;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_input_bus, VbDomainInputBus);

typedef struct {
    VbDomainInputType type;
    VbDomainInputBus bus;
} VbDomainInputDef;

typedef enum {
    VB_DOMAIN_MEMBALLOON_VIRTIO,
    VB_DOMAIN_MEMBALLOON_XEN,
    VB_DOMAIN_MEMBALLOON_NONE,
    VB_DOMAIN_MEMBALLOON_LAST,
} VbDomainMemballoonModel;
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_memballoon_model, VbDomainMemballoonModel);

typedef struct {
    VbDomainMemballoonModel model;
    gboolean has_stats_period;
    guint stats_period; /* <stats period=...> seconds */
} VbDomainMemballoonDef;

/* a set of host cpus, as in cpuset='0-3,^2,5' */
typedef struct {
    guint nbits;    /* capacity in bits */
    guint64 *words; /* nbits / 64 rounded up */
} VbCpuSet;

typedef struct {
    guint vcpu;       /* < vcpus_max */
    VbCpuSet *cpuset; /* never NULL, never empty */
} VbDomainVcpuPin;

typedef struct _VbDomainDef VbDomainDef;
struct _VbDomainDef {
    VbDomainVirtType type;
    int id; /* -1 when absent (inactive) */
    char *name;
    guint8 uuid[VB_UUID_LEN]; /* generated when absent */
    char *title;              /* one line */
    char *description;
    char *metadata; /* the children of <metadata> as canonical XML, NULL: none */

    gboolean has_max_memory; /* <maxMemory> */
    guint64 max_memory_kib;
    guint max_memory_slots;
    guint64 memory_kib;  /* <memory> */
    guint64 current_kib; /* <currentMemory>, <= memory_kib, default memory_kib */

    guint vcpus_max;     /* <vcpu> */
    guint vcpus_current; /* <vcpu current=...>, 1 <= current <= max */
    VbDomainVcpuPlacement vcpu_placement;
    VbCpuSet *vcpu_cpuset; /* <vcpu cpuset=...>, NULL when absent */

    /* <cputune> */
    gboolean has_shares;
    guint64 shares;
    gboolean has_period;
    guint64 period; /* 1000..1000000 us */
    gboolean has_quota;
    gint64 quota;        /* -1 or 1000..17592186044415 us */
    GPtrArray *vcpupins; /* VbDomainVcpuPin, sorted by vcpu, unique */

    char *bootloader;
    char *bootloader_args;

    /* <os> */
    VbDomainOsType os_type;
    char *os_arch;    /* <type arch=...>, NULL when absent */
    char *os_machine; /* <type machine=...>, NULL when absent */
    char *os_loader;
    char *os_kernel;
    char *os_initrd;
    char *os_cmdline;
    char *os_root;
    VbDomainBootDev boot[VB_DOMAIN_BOOT_MAX]; /* in order; hvm without kernel gets hd */
    guint nboot;

    guint features;     /* VB_DOMAIN_FEATURE_BIT()s present and on */
    guint features_off; /* VB_DOMAIN_FEATURE_BIT()s present with state='off' */

    VbDomainClockOffset clock_offset;

    VbDomainLifecycleAction on_poweroff; /* default destroy */
    VbDomainLifecycleAction on_reboot;   /* default restart */
    VbDomainLifecycleAction on_crash;    /* default destroy */

    /* <devices> */
    char *emulator;
    GPtrArray *disks;                  /* VbDomainDiskDef, targets unique */
    GPtrArray *nets;                   /* VbDomainNetDef */
    GPtrArray *serials;                /* VbDomainChrDef */
    GPtrArray *consoles;               /* VbDomainChrDef */
    GPtrArray *inputs;                 /* VbDomainInputDef */
    GPtrArray *graphics;               /* VbDomainGraphicsDef */
    VbDomainMemballoonDef *memballoon; /* NULL when absent */
};

/* an empty definition: arrays allocated, id -1, default lifecycle actions, no name */
VbDomainDef *vb_domain_def_new(void);
/* @len < 0: NUL-terminated. errors are VB_ERROR_XML (libvirt-like text, with line and
 * column for malformed documents) or VB_ERROR_XML_INVALID_SCHEMA with VALIDATE */
VbDomainDef *vb_domain_def_parse(const char *xml, gssize len, guint parse_flags, GError **error);
/* reads @path (VB_ERROR_SYSTEM when it cannot) and parses it */
VbDomainDef *vb_domain_def_parse_file(const char *path, guint parse_flags, GError **error);
/* canonical XML; parse(format(def)) formats to the same text */
char *vb_domain_def_format(const VbDomainDef *def, guint xml_flags);
/* deep copy, no format/parse round trip */
VbDomainDef *vb_domain_def_copy(const VbDomainDef *def);
void vb_domain_def_free(VbDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainDef, vb_domain_def_free)

/* gives every NIC without a MAC one made of @prefix and three random bytes, distinct
 * from the other NICs' */
void vb_domain_def_fill_macs(VbDomainDef *def, const guint8 prefix[3]);

gboolean vb_domain_def_has_feature(const VbDomainDef *def, VbDomainFeature feature);
/* index in def->disks of the disk with target @dst, or -1 */
int vb_domain_def_find_disk(const VbDomainDef *def, const char *dst);
/* index in def->nets of the NIC with @mac, or -1 */
int vb_domain_def_find_net(const VbDomainDef *def, const guint8 mac[VB_MAC_LEN]);
/* replaces the pinning of @vcpu with @cpuset (owned), or removes it when NULL */
void vb_domain_def_set_vcpupin(VbDomainDef *def, guint vcpu, VbCpuSet *cpuset);

/* devices, for AttachDevice/DetachDevice/UpdateDevice */
typedef enum {
    VB_DOMAIN_DEVICE_DISK,
    VB_DOMAIN_DEVICE_NET,
    VB_DOMAIN_DEVICE_INPUT,
    VB_DOMAIN_DEVICE_GRAPHICS,
    VB_DOMAIN_DEVICE_SERIAL,
    VB_DOMAIN_DEVICE_CONSOLE,
    VB_DOMAIN_DEVICE_LAST,
} VbDomainDeviceKind;
/* the element names: disk, interface, input, graphics, serial, console */
VB_DOMAIN_DECLARE_ENUM_STRINGS(vb_domain_device_kind, VbDomainDeviceKind);

typedef struct _VbDomainDeviceDef VbDomainDeviceDef;
struct _VbDomainDeviceDef {
    VbDomainDeviceKind kind;
    union {
        VbDomainDiskDef *disk;
        VbDomainNetDef *net;
        VbDomainInputDef *input;
        VbDomainGraphicsDef *graphics;
        VbDomainChrDef *chr; /* SERIAL and CONSOLE */
    };
    /* private: cache behind vb_domain_device_def_alias() */
    char *alias;
};

/* one <disk>, <interface>, <input>, <graphics>, <serial> or <console> element; a NIC
 * without <mac> keeps has_mac FALSE (see vb_domain_device_def_fill_mac) */
VbDomainDeviceDef *vb_domain_device_def_parse(const char *xml, gssize len, GError **error);
char *vb_domain_device_def_format(const VbDomainDeviceDef *dev, guint xml_flags);
VbDomainDeviceDef *vb_domain_device_def_copy(const VbDomainDeviceDef *dev);
void vb_domain_device_def_free(VbDomainDeviceDef *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainDeviceDef, vb_domain_device_def_free)
/* gives a NIC device without a MAC one (no-op for other kinds or when it has one),
 * distinct from the NICs of @def when @def is not NULL */
void vb_domain_device_def_fill_mac(VbDomainDeviceDef *dev, const VbDomainDef *def,
                                   const guint8 prefix[3]);
/* fills what depends on the domain @dev goes into, as attach does: a MAC (prefix
 * 52:54:00, call vb_domain_device_def_fill_mac() first for another), the input bus, a
 * free serial/console port; the alias is final after this */
void vb_domain_device_def_set_defaults(VbDomainDeviceDef *dev, const VbDomainDef *def);
/* a stable name for DeviceAdded/DeviceRemoved: the disk target ("vda"), the NIC MAC
 * ("52:54:00:..."), "vnc"/"sdl" for graphics, "tablet-usb" for inputs, "serial0",
 * "console0". valid while @dev lives and is not modified */
const char *vb_domain_device_def_alias(const VbDomainDeviceDef *dev);

/* owns @dev on success (call set_defaults and take the alias before when you need it);
 * rejects duplicates ("operation failed: target vda already exists"); fills defaults
 * with vb_domain_device_def_set_defaults() first */
gboolean vb_domain_def_attach_device(VbDomainDef *def, VbDomainDeviceDef *dev, GError **error);
/* removes the matching device: disk by target, NIC by MAC (or the only NIC of that type
 * when @dev has none), graphics by type, input by type and bus, serial/console by port.
 * none: VB_ERROR_OPERATION_FAILED "no device matching ..." */
gboolean vb_domain_def_detach_device(VbDomainDef *def, const VbDomainDeviceDef *dev,
                                     GError **error);
/* finds the device as detach does and changes what may change: disk media (source,
 * type) of a cdrom/floppy, NIC link state, model and source, graphics passwd and keymap.
 * anything else differing: VB_ERROR_OPERATION_UNSUPPORTED */
gboolean vb_domain_def_update_device(VbDomainDef *def, const VbDomainDeviceDef *dev,
                                     GError **error);
/* the device of @def that detach would remove, as a new VbDomainDeviceDef (a copy), or
 * NULL with the same error; drivers use it to report what was detached */
VbDomainDeviceDef *vb_domain_def_find_device(const VbDomainDef *def, const VbDomainDeviceDef *dev,
                                             GError **error);

/* metadata, for Get/SetMetadata */
typedef enum {
    VB_DOMAIN_METADATA_DESCRIPTION = 0,
    VB_DOMAIN_METADATA_TITLE = 1,
    VB_DOMAIN_METADATA_ELEMENT = 2, /* a namespaced child of <metadata> */
} VbDomainMetadataType;

/* ELEMENT: the child element in namespace @uri as XML, taken out of that namespace as
 * libvirt returns it. absent: VB_ERROR_NO_METADATA
 * "metadata not found: Requested metadata element is not present" */
char *vb_domain_def_get_metadata(const VbDomainDef *def, int type, const char *uri, GError **error);
/* @metadata "" or NULL removes. ELEMENT: @metadata is one element, put in namespace
 * @uri with prefix @key, replacing the child already in @uri */
gboolean vb_domain_def_set_metadata(VbDomainDef *def, int type, const char *metadata,
                                    const char *key, const char *uri, GError **error);

/* devices on their own */
VbDomainDiskDef *vb_domain_disk_def_copy(const VbDomainDiskDef *disk);
void vb_domain_disk_def_free(VbDomainDiskDef *disk);
VbDomainNetDef *vb_domain_net_def_copy(const VbDomainNetDef *net);
void vb_domain_net_def_free(VbDomainNetDef *net);
VbDomainChrDef *vb_domain_chr_def_copy(const VbDomainChrDef *chr);
void vb_domain_chr_def_free(VbDomainChrDef *chr);
VbDomainGraphicsDef *vb_domain_graphics_def_copy(const VbDomainGraphicsDef *graphics);
void vb_domain_graphics_def_free(VbDomainGraphicsDef *graphics);
VbDomainInputDef *vb_domain_input_def_copy(const VbDomainInputDef *input);
void vb_domain_input_def_free(VbDomainInputDef *input);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainDiskDef, vb_domain_disk_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainNetDef, vb_domain_net_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainChrDef, vb_domain_chr_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainGraphicsDef, vb_domain_graphics_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainInputDef, vb_domain_input_def_free)

/* cpusets: "0-3,^2,5" syntax, cpus below VB_CPUSET_MAX */
VbCpuSet *vb_cpuset_new(guint nbits);
VbCpuSet *vb_cpuset_copy(const VbCpuSet *set);
void vb_cpuset_free(VbCpuSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbCpuSet, vb_cpuset_free)
/* NULL on bad syntax, a cpu >= VB_CPUSET_MAX, or an empty result */
VbCpuSet *vb_cpuset_parse(const char *str);
/* canonical "0-1,3,5" */
char *vb_cpuset_format(const VbCpuSet *set);
gboolean vb_cpuset_is_set(const VbCpuSet *set, guint cpu);
/* grows the set as needed; cpu must be < VB_CPUSET_MAX */
void vb_cpuset_set(VbCpuSet *set, guint cpu);
void vb_cpuset_clear(VbCpuSet *set, guint cpu);
guint vb_cpuset_count(const VbCpuSet *set);
/* the lowest cpu > @after that is set (@after -1 for the first), or -1 */
int vb_cpuset_next(const VbCpuSet *set, int after);
gboolean vb_cpuset_equal(const VbCpuSet *a, const VbCpuSet *b);

/* memory sizes: "KiB" etc. to a multiplier of bytes; 0 when unknown. lets drivers
 * accept the same units as the XML */
guint64 vb_domain_memory_unit_scale(const char *unit);

/* private to drivers/conf: shared by domain-conf.c and domain-device.c */
#ifdef VB_DOMAIN_CONF_INTERNAL
#include <libxml/tree.h>

#include "xml-util.h"

int vb_domain_enum_lookup(const char *const *names, guint n, const char *str);
void vb_domain_memballoon_def_free(VbDomainMemballoonDef *balloon);

/* an element with only the @allowed attributes, no child elements and no text */
gboolean vb_domain_xml_empty(const xmlNode *node, const char *const *allowed, GError **error);
/* no child elements, no attributes: its text (NULL when empty) into @out */
gboolean vb_domain_xml_leaf(const xmlNode *node, char **out, GError **error);
/* absent: @out untouched; unknown: invalid value */
gboolean vb_domain_xml_enum_attr(const xmlNode *node, const char *attr,
                                 int (*from_string)(const char *), int *out, GError **error);
gboolean vb_domain_xml_yesno_attr(const xmlNode *node, const char *attr, gboolean *out,
                                  GError **error);
/* absent: @out untouched; empty: invalid value */
gboolean vb_domain_xml_string_attr(const xmlNode *node, const char *attr, char **out,
                                   GError **error);
/* like vb_domain_xml_string_attr, and the value must be a token (letters, digits, -_.:,
 * not starting with '.') */
gboolean vb_domain_xml_token_attr(const xmlNode *node, const char *attr, char **out,
                                  GError **error);
/* absent: @present FALSE; outside min..max: invalid value */
gboolean vb_domain_xml_uint_attr(const xmlNode *node, const char *attr, guint min, guint max,
                                 gboolean *present, guint *out, GError **error);
gboolean vb_domain_token_ok(const char *value);
/* fails on non-blank text beside child elements (outside <metadata>), naming the line
 * and column found in @xml, the text @doc was parsed from */
gboolean vb_domain_xml_check_text(const xmlDoc *doc, const char *xml, gssize len, const char *what,
                                  GError **error);

VbDomainDiskDef *vb_domain_disk_def_parse_node(const xmlNode *node, guint flags, GError **error);
VbDomainNetDef *vb_domain_net_def_parse_node(const xmlNode *node, guint flags, GError **error);
VbDomainChrDef *vb_domain_chr_def_parse_node(const xmlNode *node, gboolean console, guint flags,
                                             GError **error);
VbDomainInputDef *vb_domain_input_def_parse_node(const xmlNode *node, guint flags, GError **error);
VbDomainGraphicsDef *vb_domain_graphics_def_parse_node(const xmlNode *node, guint flags,
                                                       GError **error);
VbDomainMemballoonDef *vb_domain_memballoon_def_parse_node(const xmlNode *node, guint flags,
                                                           GError **error);

void vb_domain_disk_def_format_to(VbXmlWriter *w, const VbDomainDiskDef *disk, guint flags);
void vb_domain_net_def_format_to(VbXmlWriter *w, const VbDomainNetDef *net, guint flags);
void vb_domain_chr_def_format_to(VbXmlWriter *w, const VbDomainChrDef *chr, gboolean console,
                                 guint flags);
void vb_domain_input_def_format_to(VbXmlWriter *w, const VbDomainInputDef *input, guint flags);
void vb_domain_graphics_def_format_to(VbXmlWriter *w, const VbDomainGraphicsDef *graphics,
                                      guint flags);
void vb_domain_memballoon_def_format_to(VbXmlWriter *w, const VbDomainMemballoonDef *balloon,
                                        guint flags);

/* defaults that depend on the whole domain */
VbDomainInputBus vb_domain_input_default_bus(const VbDomainDef *def, VbDomainInputType type);
guint vb_domain_chr_free_port(GPtrArray *chrs);
#endif /* VB_DOMAIN_CONF_INTERNAL */

G_END_DECLS
