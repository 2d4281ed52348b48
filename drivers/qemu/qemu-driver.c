/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/kvm.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "capabilities-conf.h"
#include "config.h"
#include "qemu-command.h"
#include "qemu-driver.h"
#include "qemu-host.h"
#include "xml-util.h"

/* qemu:///session and qemu:///system: where state lives, what is found again at open,
 * and the connection-wide reads.
 *
 * session: definitions in $XDG_CONFIG_HOME/virtbus/qemu/<name>.xml, autostart links
 * in .../autostart/<name>, status files and monitor sockets in
 * $XDG_RUNTIME_DIR/virtbus/qemu, logs in $XDG_CACHE_HOME/virtbus/qemu/log, managed
 * save images in $XDG_DATA_HOME/virtbus/qemu/save. system: the same under
 * SYSCONFDIR/virtbus/qemu, /run/virtbus/qemu, LOCALSTATEDIR/log/virtbus/qemu and
 * LOCALSTATEDIR/lib/virtbus/qemu/save; qemu runs as the user named by "user=" in
 * group [qemu] of SYSCONFDIR/virtbus/qemu.conf, by default virtbus-qemu when that user
 * exists, else nobody. */

#define VB_QEMU_URI_SESSION "qemu:///session"
#define VB_QEMU_URI_SYSTEM  "qemu:///system"
#define VB_QEMU_CONF_GROUP  "qemu"
#define VB_QEMU_SUN_PATH    ((gsize)sizeof(((struct sockaddr_un *)NULL)->sun_path))

/* ---- the connection object ---- */

VbQemuConn *
vb_qemu_conn_ref(VbQemuConn *qc)
{
    g_atomic_int_inc(&qc->ref);
    return qc;
}

void
vb_qemu_conn_unref(VbQemuConn *qc)
{
    if (qc == NULL || !g_atomic_int_dec_and_test(&qc->ref))
        return;
    /* a private socket directory goes once the sockets in it are gone */
    if (qc->socket_dir != NULL && g_strcmp0(qc->socket_dir, qc->run_dir) != 0)
        g_rmdir(qc->socket_dir);
    g_free(qc->config_dir);
    g_free(qc->autostart_dir);
    g_free(qc->run_dir);
    g_free(qc->log_dir);
    g_free(qc->save_dir);
    g_free(qc->socket_dir);
    g_free(qc->user);
    g_clear_pointer(&qc->defining, g_hash_table_unref);
    g_free(qc);
}

static char *
vb_qemu_name_path(const char *dir, const char *name, const char *suffix)
{
    g_autofree char *file = g_strconcat(name, suffix, NULL);

    return g_build_filename(dir, file, NULL);
}

char *
vb_qemu_config_path(VbQemuConn *qc, const char *name)
{
    return vb_qemu_name_path(qc->config_dir, name, ".xml");
}

char *
vb_qemu_autostart_path(VbQemuConn *qc, const char *name)
{
    return vb_qemu_name_path(qc->autostart_dir, name, "");
}

char *
vb_qemu_status_path(VbQemuConn *qc, const char *name)
{
    return vb_qemu_name_path(qc->run_dir, name, ".status");
}

char *
vb_qemu_log_path(VbQemuConn *qc, const char *name)
{
    return vb_qemu_name_path(qc->log_dir, name, ".log");
}

char *
vb_qemu_managed_path(VbQemuConn *qc, const char *name)
{
    return vb_qemu_name_path(qc->save_dir, name, ".save");
}

char *
vb_qemu_socket_path(VbQemuConn *qc, const VbDomainObj *obj)
{
    return vb_qemu_name_path(qc->socket_dir, obj->uuid_str, ".qmp");
}

static const char *
vb_qemu_host_arch(void)
{
    static char arch[64];

    if (arch[0] == '\0') {
        struct utsname u;

        g_strlcpy(arch, uname(&u) == 0 ? u.machine : "x86_64", sizeof(arch));
    }
    return arch;
}

char *
vb_qemu_def_emulator(const VbDomainDef *def, GError **error)
{
    const char *arch = def->os_arch != NULL ? def->os_arch : vb_qemu_host_arch();
    char *emulator;

    if (def->emulator != NULL)
        return g_strdup(def->emulator);
    emulator = vb_qemu_find_binary_for_arch(arch);
    if (emulator == NULL)
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "no QEMU emulator found for arch '%s'",
                     arch);
    return emulator;
}

static guint
vb_qemu_env_ms(const char *name, guint fallback)
{
    const char *value = g_getenv(name);
    guint ms;

    return value != NULL && vb_parse_uint(value, &ms) && ms > 0 ? ms : fallback;
}

/* ---- open ---- */

/* virConnectOpen's driver choice; at once */
static gboolean
vb_qemu_probe(const char *uri)
{
    return g_strcmp0(uri, VB_QEMU_URI_SESSION) == 0 || g_strcmp0(uri, VB_QEMU_URI_SYSTEM) == 0;
}

/* the user qemu runs as under qemu:///system */
static gboolean
vb_qemu_load_user(VbQemuConn *qc, GError **error)
{
    g_autofree char *conf = g_build_filename(VB_SYSCONFDIR, "virtbus", "qemu.conf", NULL);
    g_autoptr(GKeyFile) keys = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_autofree char *user = NULL;
    struct passwd *pw;

    if (g_key_file_load_from_file(keys, conf, G_KEY_FILE_NONE, &local)) {
        user = g_key_file_get_string(keys, VB_QEMU_CONF_GROUP, "user", NULL);
    } else if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot read '%s': %s", conf,
                     local->message);
        return FALSE;
    }
    if (user == NULL)
        user = g_strdup(getpwnam("virtbus-qemu") != NULL ? "virtbus-qemu" : "nobody");
    pw = getpwnam(user);
    if (pw == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "user '%s' (from %s) does not exist", user,
                     conf);
        return FALSE;
    }
    qc->uid = pw->pw_uid;
    qc->gid = pw->pw_gid;
    /* a service that is no root cannot hand qemu to anyone */
    if (geteuid() == 0)
        qc->user = g_steal_pointer(&user);
    return TRUE;
}

static gboolean
vb_qemu_open_dirs(VbQemuConn *qc, GError **error)
{

    if (qc->privileged) {
        qc->config_dir = g_build_filename(VB_SYSCONFDIR, "virtbus", "qemu", NULL);
        qc->run_dir = g_build_filename(VB_RUNSTATEDIR, "virtbus", "qemu", NULL);
        qc->log_dir = g_build_filename(VB_LOCALSTATEDIR, "log", "virtbus", "qemu", NULL);
        qc->save_dir = g_build_filename(VB_LOCALSTATEDIR, "lib", "virtbus", "qemu", "save", NULL);
    } else {
        qc->config_dir = g_build_filename(g_get_user_config_dir(), "virtbus", "qemu", NULL);
        qc->run_dir = g_build_filename(g_get_user_runtime_dir(), "virtbus", "qemu", NULL);
        qc->log_dir = g_build_filename(g_get_user_cache_dir(), "virtbus", "qemu", "log", NULL);
        qc->save_dir = g_build_filename(g_get_user_data_dir(), "virtbus", "qemu", "save", NULL);
    }
    qc->autostart_dir = g_build_filename(qc->config_dir, "autostart", NULL);
    if (!vb_qemu_make_dir(qc->config_dir, 0700, error) ||
        !vb_qemu_make_dir(qc->autostart_dir, 0700, error) ||
        !vb_qemu_make_dir(qc->run_dir, 0700, error) ||
        !vb_qemu_make_dir(qc->log_dir, 0700, error) || !vb_qemu_make_dir(qc->save_dir, 0700, error))
        return FALSE;
    /* "<dir>/<uuid>.qmp" must fit in sun_path; else a short private directory */
    if (strlen(qc->run_dir) + 1 + VB_UUID_STRING_LEN - 1 + strlen(".qmp") < VB_QEMU_SUN_PATH) {
        qc->socket_dir = g_strdup(qc->run_dir);
        return TRUE;
    }
    qc->socket_dir = g_dir_make_tmp("vbqmp-XXXXXX", NULL);
    if (qc->socket_dir == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "'%s' is too long for monitor sockets and no private directory could be "
                     "made",
                     qc->run_dir);
        return FALSE;
    }
    return TRUE;
}

static void
vb_qemu_load_definition(VbConn *conn, const char *file)
{
    VbQemuConn *qc = vb_qemu_conn(conn);
    g_autofree char *name = g_strndup(file, strlen(file) - strlen(".xml"));
    g_autofree char *path = g_build_filename(qc->config_dir, file, NULL);
    g_autofree char *autostart = NULL;
    g_autofree char *managed = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainObj) obj = NULL;

    if (vb_name_check(name, "domain", VB_ERROR_INVALID_ARG, &error))
        def = vb_domain_def_parse_file(path, VB_DOMAIN_PARSE_INACTIVE, &error);
    if (def != NULL && g_strcmp0(def->name, name) != 0)
        vb_error_set(&error, VB_ERROR_XML, "the domain is named '%s', not '%s'", def->name, name);
    if (error == NULL)
        vb_qemu_check_def(def, &error);
    if (error != NULL) {
        g_warning("ignoring '%s': %s", path, error->message);
        return;
    }
    vb_domain_def_fill_macs(def, vb_qemu_mac_prefix);
    obj = vb_qemu_domain_obj_new(g_steal_pointer(&def), TRUE);
    autostart = vb_qemu_autostart_path(qc, name);
    managed = vb_qemu_managed_path(qc, name);
    obj->autostart = g_file_test(autostart, G_FILE_TEST_EXISTS);
    obj->managed_save = g_file_test(managed, G_FILE_TEST_IS_REGULAR);
    if (!vb_domain_list_add(conn->domains, obj, &error))
        g_warning("ignoring '%s': %s", path, error->message);
}

/* a running domain a previous service left behind: found again, or found gone */
static void
vb_qemu_load_status(VbConn *conn, const char *file)
{
    VbQemuConn *qc = vb_qemu_conn(conn);
    g_autofree char *path = g_build_filename(qc->run_dir, file, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VbQemuStatus) status = vb_qemu_status_load(path, &error);
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainObj) fresh = NULL;
    VbDomainObj *obj = NULL;
    VbQemuDomain *dom;
    int id;

    if (status != NULL)
        def = vb_domain_def_parse(status->xml, -1, 0, &error);
    if (def != NULL)
        obj = vb_domain_list_find_uuid(conn->domains, def->uuid);
    if (obj != NULL &&
        (g_strcmp0(vb_domain_obj_name(obj), def->name) != 0 || vb_domain_obj_is_active(obj)))
        vb_error_set(&error, VB_ERROR_INTERNAL, "it does not match domain '%s'",
                     vb_domain_obj_name(obj));
    if (def != NULL && obj == NULL && error == NULL) {
        fresh = vb_qemu_domain_obj_new(vb_domain_def_copy(def), FALSE);
        if (vb_domain_list_add(conn->domains, fresh, &error))
            obj = fresh;
    }
    if (error != NULL) {
        g_warning("ignoring status file '%s': %s", path, error->message);
        vb_qemu_remove_file(path, NULL);
        return;
    }
    dom = vb_qemu_dom(obj);
    if (obj->live != NULL && obj->live != obj->config)
        vb_domain_def_free(obj->live);
    obj->live = g_steal_pointer(&def);
    id = status->id;
    if (vb_domain_list_find_id(conn->domains, id) != NULL)
        id = vb_domain_list_next_id(conn->domains);
    obj->live->id = id;
    vb_domain_list_set_id(conn->domains, obj, id);
    vb_domain_obj_set_state(obj, status->state > 0 ? status->state : VB_DOMAIN_RUNNING,
                            status->reason);
    dom->ran = status->ran;
    dom->owners = g_steal_pointer(&status->owners);
    vb_qemu_domain_reconnect(conn, obj, status->pid, status->start_time, status->monitor_path);
}

static void
vb_qemu_load_dir(VbConn *conn, const char *dir, const char *suffix,
                 void (*load)(VbConn *conn, const char *file))
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        if (name[0] != '.' && g_str_has_suffix(name, suffix) && strlen(name) > strlen(suffix))
            g_ptr_array_add(files, g_strdup(name));
    }
    /* a stable order: ids given at reconnect do not depend on the directory */
    g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < files->len; i++)
        load(conn, g_ptr_array_index(files, i));
}

static void
vb_qemu_autostart_done(gpointer result, const GError *error, gpointer user_data)
{
    g_autoptr(VbDomainObj) obj = user_data;

    if (error != NULL)
        g_warning("cannot autostart domain '%s': %s", vb_domain_obj_name(obj), error->message);
}

static gboolean
vb_qemu_autostart(gpointer data)
{
    VbConn *conn = data;
    VbQemuConn *qc = vb_qemu_conn(conn);
    g_autoptr(GPtrArray) all = vb_domain_list_all(conn->domains);

    g_clear_pointer(&qc->autostart_idle, g_source_unref);
    for (guint i = 0; i < all->len; i++) {
        VbDomainObj *obj = g_ptr_array_index(all, i);

        if (obj->autostart && vb_domain_obj_is_persistent(obj) && !vb_domain_obj_is_active(obj))
            vb_qemu_domain_create(conn, obj, 0, vb_qemu_autostart_done, vb_domain_obj_ref(obj));
    }
    return G_SOURCE_REMOVE;
}

/* virConnectOpen for qemu:///session and qemu:///system; reads the definitions and
 * status files at once, reconnects and autostarts on the main loop afterwards */
static gboolean
vb_qemu_open(VbConn *conn, GError **error)
{
    VbQemuConn *qc = g_new0(VbQemuConn, 1);

    qc->ref = 1;
    qc->conn = conn;
    qc->privileged = g_str_equal(conn->uri, VB_QEMU_URI_SYSTEM);
    qc->defining = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    qc->job_timeout_ms = vb_qemu_env_ms(VB_QEMU_JOB_TIMEOUT_ENV, VB_QEMU_DEFAULT_JOB_MS);
    qc->monitor_timeout_ms =
        vb_qemu_env_ms(VB_QEMU_MONITOR_TIMEOUT_ENV, VB_QEMU_MONITOR_DEFAULT_TIMEOUT_MS);
    qc->kill_grace_ms = vb_qemu_env_ms(VB_QEMU_KILL_GRACE_ENV, VB_QEMU_DEFAULT_KILL_MS);
    conn->priv = qc;
    if ((qc->privileged && !vb_qemu_load_user(qc, error)) || !vb_qemu_open_dirs(qc, error)) {
        g_prefix_error(error, "cannot open %s: ", conn->uri);
        conn->priv = NULL;
        qc->conn = NULL;
        vb_qemu_conn_unref(qc);
        return FALSE;
    }
    vb_qemu_load_dir(conn, qc->config_dir, ".xml", vb_qemu_load_definition);
    vb_qemu_load_dir(conn, qc->run_dir, ".status", vb_qemu_load_status);
    qc->autostart_idle = g_idle_source_new();
    g_source_set_callback(qc->autostart_idle, vb_qemu_autostart, conn, NULL);
    g_source_attach(qc->autostart_idle, NULL);
    return TRUE;
}

/* virConnectClose; at once. running guests keep running: their processes are only
 * no longer watched, and a later open finds them again by their status files */
static void
vb_qemu_close(VbConn *conn)
{
    VbQemuConn *qc = vb_qemu_conn(conn);
    g_autoptr(GPtrArray) all = vb_domain_list_all(conn->domains);

    if (qc->autostart_idle != NULL) {
        g_source_destroy(qc->autostart_idle);
        g_clear_pointer(&qc->autostart_idle, g_source_unref);
    }
    qc->conn = NULL;
    for (guint i = 0; i < all->len; i++)
        vb_qemu_domain_detach(conn, g_ptr_array_index(all, i));
    conn->priv = NULL;
    vb_qemu_conn_unref(qc);
}

/* ---- connection reads, answered at once (the first capability probe of a binary
 * runs it, a tenth of a second) ---- */

/* virConnectGetHostname; at once */
static char *
vb_qemu_get_hostname(VbConn *conn, GError **error)
{
    return g_strdup(g_get_host_name());
}

static VbQemuCaps *
vb_qemu_caps_for(const char *emulator, const char *arch, GError **error)
{
    g_autofree char *binary = NULL;

    if (emulator != NULL && *emulator != '\0')
        return vb_qemu_caps_get(emulator, error);
    binary =
        vb_qemu_find_binary_for_arch(arch != NULL && *arch != '\0' ? arch : vb_qemu_host_arch());
    if (binary == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "unable to find any emulator to serve '%s' "
                     "architecture",
                     arch != NULL && *arch != '\0' ? arch : vb_qemu_host_arch());
        return NULL;
    }
    return vb_qemu_caps_get(binary, error);
}

/* virConnectGetVersion: qemu's; at once (the first call probes the binary) */
static guint64
vb_qemu_get_version(VbConn *conn)
{
    g_autoptr(VbQemuCaps) caps = vb_qemu_caps_for(NULL, NULL, NULL);

    return caps != NULL ? caps->version : 0;
}

/* virConnectGetCapabilities; at once (a first probe of each binary runs it) */
static char *
vb_qemu_get_capabilities(VbConn *conn, GError **error)
{
    g_autoptr(GPtrArray) binaries = vb_qemu_find_binaries();
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref);
    g_autoptr(VbCaps) caps = NULL;

    for (guint i = 0; binaries != NULL && i < binaries->len; i++) {
        g_autoptr(GError) local = NULL;
        VbQemuCaps *one = vb_qemu_caps_get(g_ptr_array_index(binaries, i), &local);

        if (one != NULL)
            g_ptr_array_add(all, one);
        else
            g_debug("%s", local->message);
    }
    caps = vb_qemu_caps_build(all, error);
    return caps != NULL ? vb_caps_format(caps) : NULL;
}

/* virConnectGetDomainCapabilities; at once (a first probe runs the binary) */
static char *
vb_qemu_get_domain_capabilities(VbConn *conn, const char *emulator, const char *arch,
                                const char *machine, const char *virttype, guint flags,
                                GError **error)
{
    static const char *const buses[] = {"ide", "scsi", "virtio", "usb", "sata", "fdc"};
    g_autoptr(VbQemuCaps) caps = NULL;
    const VbQemuMachine *m;
    const char *type = virttype != NULL && *virttype != '\0' ? virttype : "qemu";
    g_autofree char *max = NULL;
    VbXmlWriter w;

    if (!vb_error_check_flags(flags, 0, "virConnectGetDomainCapabilities", error))
        return NULL;
    if (!g_str_equal(type, "qemu") && !g_str_equal(type, "kvm")) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unknown virttype: %s", type);
        return NULL;
    }
    caps = vb_qemu_caps_for(emulator, arch, error);
    if (caps == NULL)
        return NULL;
    if (arch != NULL && *arch != '\0' && !g_str_equal(arch, caps->arch)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "architecture from emulator '%s' doesn't match given architecture '%s'",
                     caps->arch, arch);
        return NULL;
    }
    if (g_str_equal(type, "kvm") && !caps->kvm) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "KVM is not supported by '%s' on this host", caps->binary);
        return NULL;
    }
    m = machine != NULL && *machine != '\0' ? vb_qemu_caps_find_machine(caps, machine)
                                            : vb_qemu_caps_default_machine(caps);
    if (m == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "the machine '%s' is not supported by emulator "
                     "'%s'",
                     machine != NULL ? machine : "", caps->binary);
        return NULL;
    }
    max = g_strdup_printf("%u", m->max_cpus > 0 ? m->max_cpus : 1);
    vb_xml_writer_init(&w);
    vb_xml_open(&w, "domainCapabilities", NULL);
    vb_xml_text(&w, "path", caps->binary, NULL);
    vb_xml_text(&w, "domain", type, NULL);
    vb_xml_text(&w, "machine", m->name, NULL);
    vb_xml_text(&w, "arch", caps->arch, NULL);
    vb_xml_empty(&w, "vcpu", "max", max, NULL);
    vb_xml_open(&w, "os", "supported", "yes", NULL);
    vb_xml_empty(&w, "loader", "supported", "no", NULL);
    vb_xml_close(&w, "os");
    vb_xml_open(&w, "devices", NULL);
    vb_xml_open(&w, "disk", "supported", "yes", NULL);
    vb_xml_open(&w, "enum", "name", "diskDevice", NULL);
    for (int i = 0; i < VB_DOMAIN_DISK_DEVICE_LAST; i++)
        vb_xml_text(&w, "value", vb_domain_disk_device_to_string(i), NULL);
    vb_xml_close(&w, "enum");
    vb_xml_open(&w, "enum", "name", "bus", NULL);
    for (guint i = 0; i < G_N_ELEMENTS(buses); i++)
        vb_xml_text(&w, "value", buses[i], NULL);
    vb_xml_close(&w, "enum");
    vb_xml_close(&w, "disk");
    vb_xml_open(&w, "graphics", "supported", "yes", NULL);
    vb_xml_open(&w, "enum", "name", "type", NULL);
    for (int i = 0; i < VB_DOMAIN_GRAPHICS_LAST; i++)
        vb_xml_text(&w, "value", vb_domain_graphics_type_to_string(i), NULL);
    vb_xml_close(&w, "enum");
    vb_xml_close(&w, "graphics");
    vb_xml_open(&w, "hostdev", "supported", "no", NULL);
    vb_xml_empty(&w, "enum", "name", "mode", NULL);
    vb_xml_close(&w, "hostdev");
    vb_xml_close(&w, "devices");
    vb_xml_close(&w, "domainCapabilities");
    return vb_xml_writer_finish(&w);
}

static void
vb_qemu_sysinfo_entries(VbXmlWriter *w, const char *section, const char *const *files,
                        const char *const *names)
{
    gboolean opened = FALSE;

    for (guint i = 0; files[i] != NULL; i++) {
        g_autofree char *path = g_build_filename("/sys/class/dmi/id", files[i], NULL);
        g_autofree char *value = NULL;

        if (!g_file_get_contents(path, &value, NULL, NULL))
            continue;
        g_strstrip(value);
        if (*value == '\0' || !g_utf8_validate(value, -1, NULL))
            continue;
        if (!opened)
            vb_xml_open(w, section, NULL);
        opened = TRUE;
        vb_xml_text(w, "entry", value, "name", names[i], NULL);
    }
    if (opened)
        vb_xml_close(w, section);
}

/* virConnectGetSysinfo: the host's SMBIOS tables as sysfs shows them; at once */
static char *
vb_qemu_get_sysinfo(VbConn *conn, guint flags, GError **error)
{
    static const char *const bios_files[] = {"bios_vendor", "bios_version", "bios_date",
                                             "bios_release", NULL};
    static const char *const bios_names[] = {"vendor", "version", "date", "release"};
    static const char *const sys_files[] = {
        "sys_vendor",   "product_name", "product_version", "product_serial",
        "product_uuid", "product_sku",  "product_family",  NULL};
    static const char *const sys_names[] = {"manufacturer", "product", "version", "serial",
                                            "uuid",         "sku",     "family"};
    static const char *const board_files[] = {"board_vendor", "board_name",      "board_version",
                                              "board_serial", "board_asset_tag", NULL};
    static const char *const board_names[] = {"manufacturer", "product", "version", "serial",
                                              "asset"};
    static const char *const chassis_files[] = {"chassis_vendor", "chassis_version",
                                                "chassis_serial", "chassis_asset_tag", NULL};
    static const char *const chassis_names[] = {"manufacturer", "version", "serial", "asset"};
    VbXmlWriter w;

    if (!vb_error_check_flags(flags, 0, "virConnectGetSysinfo", error))
        return NULL;
    vb_xml_writer_init(&w);
    vb_xml_open(&w, "sysinfo", "type", "smbios", NULL);
    vb_qemu_sysinfo_entries(&w, "bios", bios_files, bios_names);
    vb_qemu_sysinfo_entries(&w, "system", sys_files, sys_names);
    vb_qemu_sysinfo_entries(&w, "baseBoard", board_files, board_names);
    vb_qemu_sysinfo_entries(&w, "chassis", chassis_files, chassis_names);
    vb_xml_close(&w, "sysinfo");
    return vb_xml_writer_finish(&w);
}

/* virConnectGetCPUModelNames; at once (a first probe runs the binary) */
static GStrv
vb_qemu_get_cpu_model_names(VbConn *conn, const char *arch, guint flags, GError **error)
{
    g_autoptr(VbQemuCaps) caps = NULL;
    g_autofree char *binary = NULL;

    if (!vb_error_check_flags(flags, 0, "virConnectGetCPUModelNames", error))
        return NULL;
    if (arch != NULL && *arch != '\0')
        binary = vb_qemu_find_binary_for_arch(arch);
    if (binary == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "cannot find architecture %s",
                     arch != NULL ? arch : "");
        return NULL;
    }
    caps = vb_qemu_caps_get(binary, error);
    if (caps == NULL)
        return NULL;
    return caps->cpu_models != NULL ? g_strdupv(caps->cpu_models) : g_new0(char *, 1);
}

/* virConnectGetMaxVcpus: 16 for TCG as libvirt says, KVM's own limit; at once */
static guint
vb_qemu_get_max_vcpus(VbConn *conn, const char *type, GError **error)
{
    int fd, max;

    if (type == NULL || g_ascii_strcasecmp(type, "qemu") == 0 ||
        g_ascii_strcasecmp(type, "tcg") == 0)
        return VB_QEMU_TCG_MAX_VCPUS;
    if (g_ascii_strcasecmp(type, "kvm") != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unknown type '%s'", type);
        return 0;
    }
    fd = open("/dev/kvm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "KVM is not available: cannot open "
                     "/dev/kvm: %s",
                     g_strerror(errno));
        return 0;
    }
    max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (max <= 0)
        max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    close(fd);
    return max > 0 ? (guint)max : 4;
}

/* virNodeGetInfo; at once */
static gboolean
vb_qemu_node_get_info(VbConn *conn, VbNodeInfo *info, GError **error)
{
    return vb_qemu_host_node_info(info, error);
}

/* virNodeGetCPUMap; at once */
static GArray *
vb_qemu_node_get_cpu_map(VbConn *conn, guint flags, GError **error)
{
    if (!vb_error_check_flags(flags, 0, "virNodeGetCPUMap", error))
        return NULL;
    return vb_qemu_host_cpu_map(error);
}

static GVariant *
vb_qemu_host_stats_variant(const VbQemuHostStats *stats)
{
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{st}"));
    for (guint i = 0; i < stats->n; i++)
        g_variant_builder_add(&b, "{st}", stats->fields[i].name, stats->fields[i].value);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virNodeGetCPUStats; at once */
static GVariant *
vb_qemu_node_get_cpu_stats(VbConn *conn, int cpu, guint flags, GError **error)
{
    VbQemuHostStats stats = {0};

    if (!vb_error_check_flags(flags, 0, "virNodeGetCPUStats", error) ||
        !vb_qemu_host_cpu_stats(cpu, &stats, error))
        return NULL;
    return vb_qemu_host_stats_variant(&stats);
}

/* virNodeGetMemoryStats; at once */
static GVariant *
vb_qemu_node_get_memory_stats(VbConn *conn, int cell, guint flags, GError **error)
{
    VbQemuHostStats stats = {0};

    if (!vb_error_check_flags(flags, 0, "virNodeGetMemoryStats", error) ||
        !vb_qemu_host_memory_stats(cell, &stats, error))
        return NULL;
    return vb_qemu_host_stats_variant(&stats);
}

/* virNodeGetFreeMemory; at once */
static guint64
vb_qemu_node_get_free_memory(VbConn *conn, GError **error)
{
    return vb_qemu_host_free_memory(error);
}

/* virNodeGetSecurityModel: no security driver, as libvirt reports it; at once */
static gboolean
vb_qemu_node_get_security_model(VbConn *conn, char **model, char **doi, GError **error)
{
    *model = g_strdup("none");
    *doi = g_strdup("0");
    return TRUE;
}

/* virConnectDomainXMLToNative: the command line the driver would run; at once */
static char *
vb_qemu_domain_xml_to_native(VbConn *conn, const char *format, const char *xml, guint flags,
                             GError **error)
{
    VbQemuConn *qc = vb_qemu_conn(conn);
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainObj) scratch = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    g_autofree char *emulator = NULL;
    g_autofree char *socket = NULL;
    VbQemuBuildParams params;

    if (!vb_error_check_flags(flags, 0, "virConnectDomainXMLToNative", error))
        return NULL;
    if (g_strcmp0(format, "qemu-argv") != 0) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED, "unsupported config type %s",
                     format != NULL ? format : "");
        return NULL;
    }
    def = vb_qemu_parse(xml, FALSE, error);
    if (def == NULL || (emulator = vb_qemu_def_emulator(def, error)) == NULL)
        return NULL;
    scratch = vb_qemu_domain_obj_new(vb_domain_def_copy(def), FALSE);
    socket = vb_qemu_socket_path(qc, scratch);
    /* tap NICs get the descriptors a start would hand over */
    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);
        int fd = 3 + fds->len;

        if (net->type == VB_DOMAIN_NET_NETWORK || net->type == VB_DOMAIN_NET_BRIDGE ||
            net->type == VB_DOMAIN_NET_ETHERNET)
            g_array_append_val(fds, fd);
    }
    vb_qemu_build_params_init(&params);
    params.monitor_path = socket;
    params.kvm_available = TRUE;
    params.tap_fds = (const int *)fds->data;
    params.n_tap_fds = fds->len;
    argv = vb_qemu_build_argv(emulator, def, &params, error);
    return argv != NULL ? vb_qemu_argv_to_string(argv) : NULL;
}

const VbDriver vb_qemu_driver = {
    .name = "QEMU",
    .mac_prefix = vb_qemu_mac_prefix,

    .probe = vb_qemu_probe,
    .open = vb_qemu_open,
    .close = vb_qemu_close,

    .get_hostname = vb_qemu_get_hostname,
    .get_version = vb_qemu_get_version,
    .get_capabilities = vb_qemu_get_capabilities,
    .get_domain_capabilities = vb_qemu_get_domain_capabilities,
    .get_sysinfo = vb_qemu_get_sysinfo,
    .get_cpu_model_names = vb_qemu_get_cpu_model_names,
    .get_max_vcpus = vb_qemu_get_max_vcpus,
    .node_get_info = vb_qemu_node_get_info,
    .node_get_cpu_map = vb_qemu_node_get_cpu_map,
    .node_get_cpu_stats = vb_qemu_node_get_cpu_stats,
    .node_get_memory_stats = vb_qemu_node_get_memory_stats,
    .node_get_free_memory = vb_qemu_node_get_free_memory,
    .node_get_security_model = vb_qemu_node_get_security_model,
    /* a command line is not turned back into XML */
    .domain_xml_from_native = NULL,
    .domain_xml_to_native = vb_qemu_domain_xml_to_native,
    .save_image_get_xml = vb_qemu_save_image_get_xml,
    .save_image_define_xml = vb_qemu_save_image_define_xml,

    .domain_define_xml = vb_qemu_domain_define_xml,
    .domain_create_xml = vb_qemu_domain_create_xml,
    .domain_restore = vb_qemu_domain_restore,

    .domain_get_cpu_time = vb_qemu_domain_get_cpu_time,
    /* needs a guest agent */
    .domain_get_hostname = NULL,
    .domain_get_control_info = vb_qemu_domain_get_control_info,
    .domain_get_vcpu_info = vb_qemu_domain_get_vcpu_info,
    .domain_get_scheduler_params = vb_qemu_domain_get_scheduler_params,
    .domain_get_scheduler_type = vb_qemu_domain_get_scheduler_type,

    .domain_create = vb_qemu_domain_create,
    .domain_shutdown = vb_qemu_domain_shutdown,
    .domain_reboot = vb_qemu_domain_reboot,
    .domain_reset = vb_qemu_domain_reset,
    .domain_destroy = vb_qemu_domain_destroy,
    .domain_suspend = vb_qemu_domain_suspend,
    .domain_resume = vb_qemu_domain_resume,
    .domain_save = vb_qemu_domain_save,
    .domain_managed_save = vb_qemu_domain_managed_save,
    .domain_managed_save_remove = vb_qemu_domain_managed_save_remove,
    .domain_core_dump = vb_qemu_domain_core_dump,
    .domain_undefine = vb_qemu_domain_undefine,
    .domain_set_autostart = vb_qemu_domain_set_autostart,
    .domain_set_memory = vb_qemu_domain_set_memory,
    .domain_set_max_memory = vb_qemu_domain_set_max_memory,
    .domain_set_vcpus = vb_qemu_domain_set_vcpus,
    .domain_pin_vcpu = vb_qemu_domain_pin_vcpu,
    .domain_set_scheduler_params = vb_qemu_domain_set_scheduler_params,
    .domain_attach_device = vb_qemu_domain_attach_device,
    .domain_detach_device = vb_qemu_domain_detach_device,
    .domain_update_device = vb_qemu_domain_update_device,
    .domain_set_metadata = vb_qemu_domain_set_metadata,
    .domain_rename = vb_qemu_domain_rename,
    .domain_inject_nmi = vb_qemu_domain_inject_nmi,
    .domain_send_key = vb_qemu_domain_send_key,
    .domain_get_stats = vb_qemu_domain_get_stats,
    .domain_memory_stats = vb_qemu_domain_memory_stats,
    .domain_block_stats = vb_qemu_domain_block_stats,
    .domain_interface_stats = vb_qemu_domain_interface_stats,
    .domain_interface_addresses = vb_qemu_domain_interface_addresses,
    /* needs a second host */
    .domain_migrate = NULL,

    /* virtual networks belong to the network driver, which is not there yet */
    .network_define_xml = NULL,
    .network_create_xml = NULL,
    .network_create = NULL,
    .network_destroy = NULL,
    .network_undefine = NULL,
    .network_set_autostart = NULL,
    .network_update = NULL,
    .network_get_dhcp_leases = NULL,
};
