/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "ids.h"

G_BEGIN_DECLS

/* an optional on/off (default=) or yes/no (toggle=) attribute of a guest feature */
typedef enum {
    VB_CAPS_UNSET = 0,
    VB_CAPS_ON,  /* default='on' or toggle='yes' */
    VB_CAPS_OFF, /* default='off' or toggle='no' */
} VbCapsFlag;

/* <machine canonical='' maxCpus=''>name</machine> */
typedef struct {
    char *name;
    char *canonical; /* or NULL */
    guint max_cpus;  /* 0 when absent */
} VbCapsMachine;

/* <domain type=''> with its own emulator and machines when they differ from the arch's */
typedef struct {
    char *type;          /* "xen", "kvm", "qemu", "test"... */
    char *emulator;      /* or NULL */
    GPtrArray *machines; /* VbCapsMachine* */
} VbCapsDomain;

/* a guest feature element: <pae/>, <acpi default='on' toggle='yes'/> */
typedef struct {
    char *name;
    VbCapsFlag default_on;
    VbCapsFlag toggle;
} VbCapsFeature;

typedef struct {
    char *os_type;       /* "hvm", "xen", "linux", "exe" */
    char *arch;          /* <arch name=''> */
    guint wordsize;      /* 16, 32 or 64 */
    char *emulator;      /* or NULL */
    char *loader;        /* or NULL */
    GPtrArray *machines; /* VbCapsMachine* */
    GPtrArray *domains;  /* VbCapsDomain* */
    GPtrArray *features; /* VbCapsFeature* */
} VbCapsGuest;

/* <secmodel><model/><doi/></secmodel> */
typedef struct {
    char *model;
    char *doi; /* or NULL */
} VbCapsSecModel;

typedef struct {
    gboolean has_uuid;
    guint8 uuid[VB_UUID_LEN];
    char *cpu_arch;   /* required */
    char *cpu_model;  /* or NULL */
    char *cpu_vendor; /* or NULL */
    guint sockets;    /* <topology>; all 0 when absent, else sockets, cores and */
    guint dies;       /* threads are > 0 and dies is 0 (absent) or > 0 */
    guint cores;
    guint threads;
    GPtrArray *cpu_features;   /* char*: <feature name=''/> */
    gboolean migration;        /* a <migration_features> element */
    gboolean migration_live;   /* <live/> in it */
    GPtrArray *uri_transports; /* char*: <uri_transports><uri_transport>... */
    GPtrArray *secmodels;      /* VbCapsSecModel* */
} VbCapsHost;

typedef struct {
    VbCapsHost host;
    GPtrArray *guests; /* VbCapsGuest* */
} VbCaps;

/* an empty document for a host of @host_arch */
VbCaps *vb_caps_new(const char *host_arch);
void vb_caps_free(VbCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbCaps, vb_caps_free)

void vb_caps_host_add_cpu_feature(VbCaps *caps, const char *name);
void vb_caps_host_add_secmodel(VbCaps *caps, const char *model, const char *doi);

/* a new guest, owned by @caps; @emulator and @loader may be NULL */
VbCapsGuest *vb_caps_add_guest(VbCaps *caps, const char *os_type, const char *arch, guint wordsize,
                               const char *emulator, const char *loader);
/* @canonical may be NULL, @max_cpus 0 */
VbCapsMachine *vb_caps_guest_add_machine(VbCapsGuest *guest, const char *name,
                                         const char *canonical, guint max_cpus);
/* @emulator may be NULL (the arch's is used) */
VbCapsDomain *vb_caps_guest_add_domain(VbCapsGuest *guest, const char *type, const char *emulator);
VbCapsMachine *vb_caps_domain_add_machine(VbCapsDomain *domain, const char *name,
                                          const char *canonical, guint max_cpus);
VbCapsFeature *vb_caps_guest_add_feature(VbCapsGuest *guest, const char *name,
                                         VbCapsFlag default_on, VbCapsFlag toggle);

/* the guest for @os_type and @arch, or NULL */
VbCapsGuest *vb_caps_find_guest(const VbCaps *caps, const char *os_type, const char *arch);

/* the canonical document: host (uuid, cpu, migration_features, secmodel) then guests
 * (os_type, arch: wordsize, emulator, loader, machines, domains; features) */
char *vb_caps_format(const VbCaps *caps);
/* parses a <capabilities> document with vb_xml_parse's limits; unknown elements and
 * attributes, stray text and bad values are VB_ERROR_XML with where they are */
VbCaps *vb_caps_parse(const char *xml, gssize len, GError **error);

G_END_DECLS
