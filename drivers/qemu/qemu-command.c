/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <gio/gio.h>
#include <string.h>
#include <sys/un.h>

#include "qemu-command-priv.h"

/* an autoport display without a chosen port: qemu tries :0 up to this display */
#define VB_QEMU_VNC_AUTO_LAST_DISPLAY 100

typedef struct {
    const VbDomainDef *def;
    const VbQemuBuildParams *params;
    GPtrArray *argv;
    const char *machine;
    VbQemuMachineKind kind;
} VbQemuBuild;

/* values */

gboolean
vb_qemu_check_text(const char *value, const char *what, GError **error)
{
    if (!g_utf8_validate(value, -1, NULL)) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "%s is not valid UTF-8", what);
        return FALSE;
    }
    for (const char *p = value; *p != '\0'; p++) {
        if ((guchar)*p < 0x20 || *p == 0x7f) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "%s contains a newline or another control character", what);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vb_qemu_check_path(const char *value, const char *what, GError **error)
{
    if (!vb_qemu_check_text(value, what, error))
        return FALSE;
    if (!g_path_is_absolute(value)) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "%s '%s' is not an absolute path", what,
                     value);
        return FALSE;
    }
    return TRUE;
}

/* letters, digits and @extra, starting with a letter or digit */
gboolean
vb_qemu_is_word(const char *value, const char *extra)
{
    if (value == NULL || !g_ascii_isalnum(*value))
        return FALSE;
    for (const char *p = value; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && strchr(extra, *p) == NULL)
            return FALSE;
    }
    return TRUE;
}

char *
vb_qemu_opt_escape(const char *value)
{
    GString *out = g_string_sized_new(strlen(value) + 8);

    for (const char *p = value; *p != '\0'; p++) {
        if (*p == ',')
            g_string_append_c(out, ',');
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

/* argv */

static void
vb_qemu_add(VbQemuBuild *b, const char *arg)
{
    g_ptr_array_add(b->argv, g_strdup(arg));
}

static void
vb_qemu_add2(VbQemuBuild *b, const char *opt, const char *value)
{
    vb_qemu_add(b, opt);
    vb_qemu_add(b, value);
}

static void
vb_qemu_add_take(VbQemuBuild *b, const char *opt, char *value)
{
    vb_qemu_add(b, opt);
    g_ptr_array_add(b->argv, value);
}

static void
vb_qemu_add_json(VbQemuBuild *b, const char *opt, JsonNode *node)
{
    g_autoptr(JsonNode) owned = node;

    vb_qemu_add_take(b, opt, vb_qemu_json_to_string(owned));
}

static void
vb_qemu_add_device(VbQemuBuild *b, JsonObject *obj)
{
    vb_qemu_add_json(b, "-device", vb_qemu_node(obj));
}

static gboolean
vb_qemu_needs_quoting(const char *arg)
{
    if (*arg == '\0')
        return TRUE;
    for (const char *p = arg; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && strchr("_@%+=:,./-", *p) == NULL)
            return TRUE;
    }
    return FALSE;
}

char *
vb_qemu_argv_to_string(GPtrArray *argv)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < argv->len && argv->pdata[i] != NULL; i++) {
        const char *arg = argv->pdata[i];

        if (i > 0)
            g_string_append_c(out, ' ');
        if (vb_qemu_needs_quoting(arg)) {
            g_autofree char *quoted = g_shell_quote(arg);

            g_string_append(out, quoted);
        } else {
            g_string_append(out, arg);
        }
    }
    return g_string_free(out, FALSE);
}

/* machines */

const char *
vb_qemu_machine_name(const VbDomainDef *def, const char *default_machine)
{
    if (def->os_machine != NULL)
        return def->os_machine;
    return default_machine != NULL ? default_machine : "pc";
}

VbQemuMachineKind
vb_qemu_machine_kind(const char *machine)
{
    if (strcmp(machine, "q35") == 0 || g_str_has_prefix(machine, "pc-q35-"))
        return VB_QEMU_MACHINE_Q35;
    if (strcmp(machine, "pc") == 0 || g_str_has_prefix(machine, "pc-"))
        return VB_QEMU_MACHINE_PC;
    return VB_QEMU_MACHINE_OTHER;
}

gboolean
vb_qemu_has_pc_devices(VbQemuMachineKind kind)
{
    return kind == VB_QEMU_MACHINE_PC || kind == VB_QEMU_MACHINE_Q35;
}

static gboolean
vb_qemu_check_machine(const char *machine, GError **error)
{
    if (!vb_qemu_check_text(machine, "the machine type", error))
        return FALSE;
    if (!vb_qemu_is_word(machine, "._-") || strlen(machine) > 64) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "machine type '%s' is not valid", machine);
        return FALSE;
    }
    return TRUE;
}

/* disks and NICs: the objects come from qemu-command-devices.c */

static gboolean
vb_qemu_build_disks(VbQemuBuild *b, GError **error)
{
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < b->def->disks->len; i++) {
        const VbDomainDiskDef *disk = b->def->disks->pdata[i];
        g_autoptr(GPtrArray) nodes = NULL;
        JsonObject *dev;
        char *key = NULL;

        if ((dev = vb_qemu_disk_device(b->kind, b->machine, disk, &key, error)) == NULL)
            return FALSE;
        if (!vb_qemu_disk_conflict(used, key, disk->dst, error) ||
            (nodes = vb_qemu_disk_blockdev_args(disk, error)) == NULL) {
            json_object_unref(dev);
            return FALSE;
        }
        for (guint j = 0; j < nodes->len; j++)
            vb_qemu_add_json(b, "-blockdev", json_node_ref(nodes->pdata[j]));
        vb_qemu_add_device(b, dev);
    }
    return TRUE;
}

static gboolean
vb_qemu_build_nets(VbQemuBuild *b, GError **error)
{
    guint taps = 0, next_tap = 0;

    for (guint i = 0; i < b->def->nets->len; i++)
        taps += vb_qemu_net_uses_tap(b->def->nets->pdata[i]) ? 1 : 0;
    if (taps != b->params->n_tap_fds || (taps > 0 && b->params->tap_fds == NULL)) {
        vb_error_set(error, VB_ERROR_INTERNAL,
                     "%u tap file descriptors given for %u interfaces that need one",
                     b->params->n_tap_fds, taps);
        return FALSE;
    }
    for (guint i = 0; i < b->def->nets->len; i++) {
        const VbDomainNetDef *net = b->def->nets->pdata[i];
        g_autofree char *fd = NULL;
        JsonNode *netdev;
        JsonObject *dev;

        if (vb_qemu_net_uses_tap(net)) {
            int value = b->params->tap_fds[next_tap++];

            if (value < 0) {
                vb_error_set(error, VB_ERROR_INTERNAL, "invalid tap file descriptor %d", value);
                return FALSE;
            }
            fd = g_strdup_printf("%d", value);
        }
        if ((netdev = vb_qemu_netdev_args(net, i, fd, error)) == NULL)
            return FALSE;
        if ((dev = vb_qemu_net_device(b->kind, net, i, error)) == NULL) {
            json_node_unref(netdev);
            return FALSE;
        }
        vb_qemu_add_json(b, "-netdev", netdev);
        vb_qemu_add_device(b, dev);
    }
    return TRUE;
}

/* serials and consoles */

static gboolean
vb_qemu_console_is_serial(const VbDomainChrDef *chr)
{
    return chr->target_type == NULL || strcmp(chr->target_type, "serial") == 0;
}

static const VbDomainChrDef *
vb_qemu_find_serial(const VbDomainDef *def, guint port)
{
    for (guint i = 0; i < def->serials->len; i++) {
        const VbDomainChrDef *chr = def->serials->pdata[i];

        if (chr->target_port == port)
            return chr;
    }
    return NULL;
}

char *
vb_qemu_chr_chardev_id(const VbDomainDef *def, gboolean console, guint index)
{
    GPtrArray *chrs = console ? def->consoles : def->serials;
    const VbDomainChrDef *chr;

    if (index >= chrs->len)
        return NULL;
    chr = chrs->pdata[index];
    if (console && !vb_qemu_console_is_serial(chr))
        return g_strdup_printf("charconsole%u", chr->target_port);
    return g_strdup_printf("charserial%u", chr->target_port);
}

static char *
vb_qemu_chardev_arg(const VbDomainChrDef *chr, const char *id, const char *what, GError **error)
{
    g_autofree char *path_what = g_strdup_printf("the source path of %s", what);
    g_autofree char *path = NULL;
    const char *backend;

    switch (chr->type) {
    case VB_DOMAIN_CHR_PTY:
        return g_strdup_printf("pty,id=%s", id);
    case VB_DOMAIN_CHR_VC:
        return g_strdup_printf("vc,id=%s", id);
    case VB_DOMAIN_CHR_NULL:
        return g_strdup_printf("null,id=%s", id);
    case VB_DOMAIN_CHR_FILE:
        backend = "file";
        break;
    case VB_DOMAIN_CHR_DEV:
        backend = "serial";
        break;
    case VB_DOMAIN_CHR_PIPE:
        backend = "pipe";
        break;
    default:
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "%s: character device type '%s' is not supported by the QEMU driver", what,
                     vb_domain_chr_type_to_string(chr->type) != NULL
                         ? vb_domain_chr_type_to_string(chr->type)
                         : "?");
        return NULL;
    }
    if (chr->source_path == NULL) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "%s has no source path", what);
        return NULL;
    }
    if (!vb_qemu_check_path(chr->source_path, path_what, error))
        return NULL;
    path = vb_qemu_opt_escape(chr->source_path);
    return g_strdup_printf("%s,id=%s,path=%s", backend, id, path);
}

/* a serial device on port @chr->target_port, as -chardev + -device */
static gboolean
vb_qemu_build_serial(VbQemuBuild *b, const VbDomainChrDef *chr, const char *target_type,
                     const char *what, GError **error)
{
    g_autofree char *chardev_id = g_strdup_printf("charserial%u", chr->target_port);
    g_autofree char *id = g_strdup_printf("serial%u", chr->target_port);
    g_autofree char *chardev = NULL;
    JsonObject *dev;

    if (target_type == NULL || strcmp(target_type, "isa-serial") == 0) {
        if (chr->target_port > 3) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "%s: port %u is out of range for isa-serial (0 to 3)", what,
                         chr->target_port);
            return FALSE;
        }
        dev = vb_qemu_device_new("isa-serial", id);
        json_object_set_int_member(dev, "index", chr->target_port);
    } else if (strcmp(target_type, "usb-serial") == 0) {
        if (!vb_qemu_need_pc(b->kind, what, b->machine, error))
            return FALSE;
        dev = vb_qemu_device_new("usb-serial", id);
        json_object_set_string_member(dev, "bus", VB_QEMU_USB_CONTROLLER_ID ".0");
    } else if (strcmp(target_type, "pci-serial") == 0) {
        dev = vb_qemu_device_new("pci-serial", id);
    } else {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "%s: target type '%s' is not supported by the QEMU driver", what, target_type);
        return FALSE;
    }
    json_object_set_string_member(dev, "chardev", chardev_id);
    if ((chardev = vb_qemu_chardev_arg(chr, chardev_id, what, error)) == NULL) {
        json_object_unref(dev);
        return FALSE;
    }
    vb_qemu_add_take(b, "-chardev", g_steal_pointer(&chardev));
    vb_qemu_add_device(b, dev);
    return TRUE;
}

static gboolean
vb_qemu_build_chrs(VbQemuBuild *b, GError **error)
{
    const VbDomainDef *def = b->def;

    for (guint i = 0; i < def->serials->len; i++) {
        const VbDomainChrDef *chr = def->serials->pdata[i];
        g_autofree char *what = g_strdup_printf("serial %u", chr->target_port);

        if (vb_qemu_find_serial(def, chr->target_port) != chr) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "two serials use port %u",
                         chr->target_port);
            return FALSE;
        }
        if (!vb_qemu_build_serial(b, chr, chr->target_type, what, error))
            return FALSE;
    }
    for (guint i = 0; i < def->consoles->len; i++) {
        const VbDomainChrDef *chr = def->consoles->pdata[i];
        g_autofree char *what = g_strdup_printf("console %u", chr->target_port);
        g_autofree char *chardev_id = NULL;
        g_autofree char *id = NULL;
        g_autofree char *chardev = NULL;
        gboolean seen = FALSE;
        JsonObject *dev;

        for (guint j = 0; j < i; j++) {
            const VbDomainChrDef *other = def->consoles->pdata[j];

            seen |= other->target_port == chr->target_port &&
                    vb_qemu_console_is_serial(other) == vb_qemu_console_is_serial(chr);
        }
        if (seen) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "two consoles use port %u",
                         chr->target_port);
            return FALSE;
        }
        if (vb_qemu_console_is_serial(chr)) {
            /* the console of a serial port is that serial; a lone one becomes it */
            if (vb_qemu_find_serial(def, chr->target_port) == NULL &&
                !vb_qemu_build_serial(b, chr, NULL, what, error))
                return FALSE;
            continue;
        }
        if (strcmp(chr->target_type, "virtio") != 0) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "%s: target type '%s' is not supported by the QEMU driver", what,
                         chr->target_type);
            return FALSE;
        }
        chardev_id = vb_qemu_chr_chardev_id(def, TRUE, i);
        id = g_strdup_printf("console%u", chr->target_port);
        if ((chardev = vb_qemu_chardev_arg(chr, chardev_id, what, error)) == NULL)
            return FALSE;
        vb_qemu_add_take(b, "-chardev", g_steal_pointer(&chardev));
        dev = vb_qemu_device_new("virtconsole", id);
        json_object_set_string_member(dev, "chardev", chardev_id);
        vb_qemu_add_device(b, dev);
    }
    return TRUE;
}

/* graphics */

static char *
vb_qemu_vnc_arg(VbQemuBuild *b, const VbDomainGraphicsDef *graphics, GError **error)
{
    const char *listen = graphics->listen != NULL ? graphics->listen : "127.0.0.1";
    g_autofree char *host = NULL;
    g_autofree char *escaped = NULL;
    GString *arg;
    int port = graphics->autoport ? b->params->vnc_port : graphics->port;

    if (!vb_qemu_check_text(listen, "the VNC listen address", error))
        return NULL;
    if (g_hostname_is_ip_address(listen) && strchr(listen, ':') != NULL) {
        host = g_strdup_printf("[%s]", listen);
    } else if (g_hostname_is_ip_address(listen) || vb_qemu_is_word(listen, ".-")) {
        host = g_strdup(listen);
    } else {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "VNC listen address '%s' is not an IP address or a host name", listen);
        return NULL;
    }
    if (port != -1 && (port < 5900 || port > 65535)) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "VNC port %d is outside 5900 to 65535",
                     port);
        return NULL;
    }
    escaped = vb_qemu_opt_escape(host);
    arg = g_string_new(escaped);
    if (port == -1)
        g_string_append_printf(arg, ":0,to=%d", VB_QEMU_VNC_AUTO_LAST_DISPLAY);
    else
        g_string_append_printf(arg, ":%d", port - 5900);
    /* the password itself goes over QMP: an argv is readable by every local user */
    if (graphics->passwd != NULL)
        g_string_append(arg, ",password=on");
    return g_string_free(arg, FALSE);
}

static gboolean
vb_qemu_build_graphics(VbQemuBuild *b, GError **error)
{
    const VbDomainGraphicsDef *vnc = NULL, *sdl = NULL;

    for (guint i = 0; i < b->def->graphics->len; i++) {
        const VbDomainGraphicsDef *graphics = b->def->graphics->pdata[i];
        const VbDomainGraphicsDef **slot = graphics->type == VB_DOMAIN_GRAPHICS_VNC ? &vnc : &sdl;

        if (*slot != NULL) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "only one %s display is supported",
                         graphics->type == VB_DOMAIN_GRAPHICS_VNC ? "VNC" : "SDL");
            return FALSE;
        }
        *slot = graphics;
    }
    if (vnc != NULL) {
        char *arg = vb_qemu_vnc_arg(b, vnc, error);

        if (arg == NULL)
            return FALSE;
        vb_qemu_add_take(b, "-vnc", arg);
        if (vnc->keymap != NULL) {
            if (!vb_qemu_check_text(vnc->keymap, "the VNC keymap", error))
                return FALSE;
            /* a keymap is a file name in qemu's data dir: no '/', '.' or ',' */
            if (!vb_qemu_is_word(vnc->keymap, "-_")) {
                vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "VNC keymap '%s' is not valid",
                             vnc->keymap);
                return FALSE;
            }
            vb_qemu_add2(b, "-k", vnc->keymap);
        }
    }
    if (sdl != NULL) {
        vb_qemu_add2(b, "-display", "sdl");
        if (sdl->fullscreen)
            vb_qemu_add(b, "-full-screen");
    } else {
        vb_qemu_add2(b, "-display", "none");
    }
    if ((vnc != NULL || sdl != NULL) && vb_qemu_has_pc_devices(b->kind))
        vb_qemu_add_device(b, vb_qemu_device_new("VGA", "video0"));
    return TRUE;
}

char **
vb_qemu_build_env(const VbDomainDef *def, const char *const *base_env, GError **error)
{
    g_auto(GStrv) env = base_env != NULL ? g_strdupv((char **)base_env) : g_new0(char *, 1);

    for (guint i = 0; i < def->graphics->len; i++) {
        const VbDomainGraphicsDef *graphics = def->graphics->pdata[i];

        if (graphics->type != VB_DOMAIN_GRAPHICS_SDL)
            continue;
        if (graphics->display != NULL) {
            if (!vb_qemu_check_text(graphics->display, "the SDL display", error))
                return NULL;
            env = g_environ_setenv(env, "DISPLAY", graphics->display, TRUE);
        }
        if (graphics->xauth != NULL) {
            if (!vb_qemu_check_path(graphics->xauth, "the SDL xauth file", error))
                return NULL;
            env = g_environ_setenv(env, "XAUTHORITY", graphics->xauth, TRUE);
        }
    }
    return g_steal_pointer(&env);
}

/* the machine, memory, cpus, firmware and boot */

static gboolean
vb_qemu_feature_state(const VbDomainDef *def, VbDomainFeature feature, const char **state)
{
    *state = NULL;
    if ((def->features & VB_DOMAIN_FEATURE_BIT(feature)) != 0)
        *state = "on";
    else if ((def->features_off & VB_DOMAIN_FEATURE_BIT(feature)) != 0)
        *state = "off";
    return *state != NULL;
}

static gboolean
vb_qemu_build_machine(VbQemuBuild *b, GError **error)
{
    const VbDomainDef *def = b->def;
    g_autofree char *type = NULL;
    GString *arg;
    const char *accel;

    switch (def->type) {
    case VB_DOMAIN_VIRT_QEMU:
        accel = "tcg";
        break;
    case VB_DOMAIN_VIRT_KVM:
        if (!b->params->kvm_available) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "KVM is not available");
            return FALSE;
        }
        accel = "kvm";
        break;
    default:
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "domain type '%s' is not supported by the QEMU driver",
                     vb_domain_virt_type_to_string(def->type) != NULL
                         ? vb_domain_virt_type_to_string(def->type)
                         : "?");
        return FALSE;
    }
    if (!vb_qemu_check_machine(b->machine, error))
        return FALSE;
    type = vb_qemu_opt_escape(b->machine);
    arg = g_string_new(NULL);
    g_string_append_printf(arg, "type=%s,accel=%s", type, accel);
    if (vb_qemu_has_pc_devices(b->kind)) {
        static const struct {
            VbDomainFeature feature;
            const char *prop;
        } props[] = {{VB_DOMAIN_FEATURE_SMM, "smm"}, {VB_DOMAIN_FEATURE_VMPORT, "vmport"}};

        /* like libvirt: a guest gets ACPI only when <features> asks for it */
        if (!vb_domain_def_has_feature(def, VB_DOMAIN_FEATURE_ACPI))
            g_string_append(arg, ",acpi=off");
        for (guint i = 0; i < G_N_ELEMENTS(props); i++) {
            const char *state;

            if (vb_qemu_feature_state(def, props[i].feature, &state))
                g_string_append_printf(arg, ",%s=%s", props[i].prop, state);
        }
    } else {
        const char *state;

        if (vb_qemu_feature_state(def, VB_DOMAIN_FEATURE_SMM, &state) ||
            vb_qemu_feature_state(def, VB_DOMAIN_FEATURE_VMPORT, &state)) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "features smm and vmport need a pc or q35 machine, not '%s'", b->machine);
            g_string_free(arg, TRUE);
            return FALSE;
        }
    }
    vb_qemu_add_take(b, "-machine", g_string_free(arg, FALSE));
    return TRUE;
}

static gboolean
vb_qemu_build_resources(VbQemuBuild *b, GError **error)
{
    const VbDomainDef *def = b->def;
    g_autofree char *memory = NULL;

    if (def->memory_kib == 0 || def->vcpus_max == 0 || def->vcpus_current == 0 ||
        def->vcpus_current > def->vcpus_max) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "the domain needs memory and between 1 and <vcpu> current vcpus");
        return FALSE;
    }
    memory = g_strdup_printf("size=%" G_GUINT64_FORMAT "k", def->memory_kib);
    if (def->has_max_memory) {
        if (def->max_memory_kib < def->memory_kib ||
            (def->max_memory_kib > def->memory_kib && def->max_memory_slots == 0)) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "<maxMemory> must be at least <memory> and have slots to grow");
            return FALSE;
        }
        vb_qemu_add_take(b, "-m",
                         g_strdup_printf("%s,slots=%u,maxmem=%" G_GUINT64_FORMAT "k", memory,
                                         def->max_memory_slots, def->max_memory_kib));
    } else {
        vb_qemu_add2(b, "-m", memory);
    }
    vb_qemu_add_take(b, "-smp",
                     g_strdup_printf("%u,maxcpus=%u", def->vcpus_current, def->vcpus_max));
    return TRUE;
}

static gboolean
vb_qemu_build_os(VbQemuBuild *b, GError **error)
{
    const VbDomainDef *def = b->def;
    static const char boot_letters[VB_DOMAIN_BOOT_LAST] = {
        [VB_DOMAIN_BOOT_HD] = 'c',
        [VB_DOMAIN_BOOT_CDROM] = 'd',
        [VB_DOMAIN_BOOT_FD] = 'a',
        [VB_DOMAIN_BOOT_NETWORK] = 'n',
    };

    if (def->os_type != VB_DOMAIN_OS_HVM) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "os type '%s' is not supported by the QEMU driver",
                     vb_domain_os_type_to_string(def->os_type) != NULL
                         ? vb_domain_os_type_to_string(def->os_type)
                         : "?");
        return FALSE;
    }
    if (def->bootloader != NULL) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "<bootloader> is not supported by the QEMU driver");
        return FALSE;
    }
    if (def->os_kernel == NULL && (def->os_initrd != NULL || def->os_cmdline != NULL)) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "<%s> needs <kernel>",
                     def->os_initrd != NULL ? "initrd" : "cmdline");
        return FALSE;
    }
    if (def->os_kernel == NULL && def->nboot > 0) {
        char order[VB_DOMAIN_BOOT_MAX + 1] = {0};

        for (guint i = 0; i < def->nboot && i < VB_DOMAIN_BOOT_MAX; i++) {
            if (def->boot[i] >= VB_DOMAIN_BOOT_LAST) {
                vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "unknown boot device");
                return FALSE;
            }
            order[i] = boot_letters[def->boot[i]];
        }
        vb_qemu_add_take(b, "-boot", g_strdup_printf("order=%s", order));
    }
    /* these take the whole argument as the value: nothing to escape */
    if (def->os_loader != NULL) {
        if (!vb_qemu_check_path(def->os_loader, "<loader>", error))
            return FALSE;
        vb_qemu_add2(b, "-bios", def->os_loader);
    }
    if (def->os_kernel != NULL) {
        if (!vb_qemu_check_path(def->os_kernel, "<kernel>", error))
            return FALSE;
        vb_qemu_add2(b, "-kernel", def->os_kernel);
    }
    if (def->os_initrd != NULL) {
        if (!vb_qemu_check_path(def->os_initrd, "<initrd>", error))
            return FALSE;
        vb_qemu_add2(b, "-initrd", def->os_initrd);
    }
    if (def->os_cmdline != NULL) {
        if (!vb_qemu_check_text(def->os_cmdline, "<cmdline>", error))
            return FALSE;
        vb_qemu_add2(b, "-append", def->os_cmdline);
    }
    return TRUE;
}

/* controllers the devices hang on, before the devices */
static void
vb_qemu_build_controllers(VbQemuBuild *b)
{
    const VbDomainDef *def = b->def;
    gboolean virtio_serial = FALSE;

    /* like libvirt's default controller: USB devices can be hot-plugged */
    if (vb_qemu_has_pc_devices(b->kind))
        vb_qemu_add_device(b, vb_qemu_device_new("qemu-xhci", VB_QEMU_USB_CONTROLLER_ID));
    if (vb_qemu_def_has_bus(def, VB_DOMAIN_DISK_BUS_SCSI))
        vb_qemu_add_device(b, vb_qemu_device_new("virtio-scsi-pci", VB_QEMU_SCSI_CONTROLLER_ID));
    if (b->kind == VB_QEMU_MACHINE_PC && vb_qemu_def_has_bus(def, VB_DOMAIN_DISK_BUS_SATA))
        vb_qemu_add_device(b, vb_qemu_device_new("ich9-ahci", "sata0"));
    if (b->kind == VB_QEMU_MACHINE_Q35 && vb_qemu_def_has_bus(def, VB_DOMAIN_DISK_BUS_FDC))
        vb_qemu_add_device(b, vb_qemu_device_new("isa-fdc", "fdc0"));
    for (guint i = 0; i < def->consoles->len; i++)
        virtio_serial |= !vb_qemu_console_is_serial(def->consoles->pdata[i]);
    if (virtio_serial)
        vb_qemu_add_device(b, vb_qemu_device_new("virtio-serial-pci", "virtio-serial0"));
}

static gboolean
vb_qemu_build_misc_devices(VbQemuBuild *b, GError **error)
{
    const VbDomainDef *def = b->def;

    for (guint i = 0; i < def->inputs->len; i++) {
        JsonObject *dev = NULL;

        if (!vb_qemu_input_device(b->kind, b->machine, def, i, &dev, error))
            return FALSE;
        if (dev != NULL)
            vb_qemu_add_device(b, dev);
    }
    if (!vb_qemu_build_graphics(b, error))
        return FALSE;
    if (def->memballoon != NULL) {
        switch (def->memballoon->model) {
        case VB_DOMAIN_MEMBALLOON_VIRTIO:
            vb_qemu_add_device(b, vb_qemu_device_new("virtio-balloon-pci", VB_QEMU_BALLOON_ID));
            break;
        case VB_DOMAIN_MEMBALLOON_NONE:
            break;
        default:
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "memballoon model '%s' is not supported by the QEMU driver",
                         vb_domain_memballoon_model_to_string(def->memballoon->model) != NULL
                             ? vb_domain_memballoon_model_to_string(def->memballoon->model)
                             : "?");
            return FALSE;
        }
    }
    if (vb_domain_def_has_feature(def, VB_DOMAIN_FEATURE_VMCOREINFO))
        vb_qemu_add_device(b, vb_qemu_device_new("vmcoreinfo", "vmcoreinfo0"));
    /* q35's root bus takes no hotplug: spare root ports do, last so that they do not
     * move the other devices' slots */
    for (guint i = 0; b->kind == VB_QEMU_MACHINE_Q35 && i < VB_QEMU_HOTPLUG_PORTS; i++) {
        g_autofree char *id = vb_qemu_hotplug_port_id(i);
        JsonObject *port = vb_qemu_device_new("pcie-root-port", id);

        json_object_set_int_member(port, "chassis", i + 1);
        vb_qemu_add_device(b, port);
    }
    return TRUE;
}

static gboolean
vb_qemu_build_head(VbQemuBuild *b, GError **error)
{
    const VbQemuBuildParams *params = b->params;
    g_autofree char *name = NULL;
    g_autofree char *monitor = NULL;
    char uuid[VB_UUID_STRING_LEN];

    if (b->def->name == NULL) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "the domain has no name");
        return FALSE;
    }
    if (!vb_qemu_check_text(b->def->name, "the domain name", error))
        return FALSE;
    if (params->monitor_path == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "no QMP socket path");
        return FALSE;
    }
    if (!vb_qemu_check_path(params->monitor_path, "the QMP socket path", error))
        return FALSE;
    if (strlen(params->monitor_path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
        vb_error_set(error, VB_ERROR_INTERNAL, "QMP socket path '%s' is too long",
                     params->monitor_path);
        return FALSE;
    }
    name = vb_qemu_opt_escape(b->def->name);
    vb_qemu_add_take(b, "-name", g_strdup_printf("guest=%s,debug-threads=on", name));
    vb_uuid_format(b->def->uuid, uuid);
    vb_qemu_add2(b, "-uuid", uuid);
    /* paused until the driver sends cont; a guest poweroff leaves the process to it */
    vb_qemu_add(b, "-S");
    vb_qemu_add(b, "-no-user-config");
    vb_qemu_add(b, "-nodefaults");
    vb_qemu_add(b, "-no-shutdown");
    vb_qemu_add2(b, "-msg", "timestamp=on");
    if (params->sandbox) {
        gboolean spawn = params->sandbox_allow_spawn ||
                         (params->incoming != NULL && g_str_has_prefix(params->incoming, "exec:"));

        vb_qemu_add_take(b, "-sandbox",
                         g_strdup_printf("on,obsolete=deny,elevateprivileges=deny,spawn=%s,"
                                         "resourcecontrol=deny",
                                         spawn ? "allow" : "deny"));
    }
    monitor = vb_qemu_opt_escape(params->monitor_path);
    vb_qemu_add_take(b, "-chardev",
                     g_strdup_printf("socket,id=%s,path=%s,server=on,wait=off",
                                     VB_QEMU_MONITOR_CHARDEV_ID, monitor));
    vb_qemu_add2(b, "-mon", "chardev=" VB_QEMU_MONITOR_CHARDEV_ID ",mode=control");
    return TRUE;
}

void
vb_qemu_build_params_init(VbQemuBuildParams *params)
{
    memset(params, 0, sizeof(*params));
    params->vnc_port = -1;
}

GPtrArray *
vb_qemu_build_argv(const char *emulator, const VbDomainDef *def, const VbQemuBuildParams *params,
                   GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    VbQemuBuild b = {.def = def, .params = params, .argv = argv};

    if (emulator == NULL)
        emulator = def->emulator;
    if (emulator == NULL) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "no emulator for the domain");
        return NULL;
    }
    if (!vb_qemu_check_text(emulator, "the emulator", error))
        return NULL;
    b.machine = vb_qemu_machine_name(def, params->default_machine);
    b.kind = vb_qemu_machine_kind(b.machine);
    vb_qemu_add(&b, emulator);
    if (!vb_qemu_build_head(&b, error) || !vb_qemu_build_machine(&b, error) ||
        !vb_qemu_build_resources(&b, error))
        return NULL;
    vb_qemu_add2(&b, "-rtc",
                 def->clock_offset == VB_DOMAIN_CLOCK_LOCALTIME ? "base=localtime" : "base=utc");
    if (!vb_qemu_build_os(&b, error))
        return NULL;
    vb_qemu_build_controllers(&b);
    if (!vb_qemu_build_disks(&b, error) || !vb_qemu_build_nets(&b, error) ||
        !vb_qemu_build_chrs(&b, error) || !vb_qemu_build_misc_devices(&b, error))
        return NULL;
    if (params->incoming != NULL) {
        if (!vb_qemu_check_text(params->incoming, "the incoming migration URI", error))
            return NULL;
        vb_qemu_add2(&b, "-incoming", params->incoming);
    }
    g_ptr_array_add(argv, NULL);
    return g_steal_pointer(&argv);
}
