/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include <glib/gstdio.h>
#include <libxml/tree.h>
#include <sys/stat.h>

#include "capabilities-conf.h"
#include "config.h"
#include "test-driver.h"
#include "xml-util.h"

#define VB_TEST_URI_PREFIX  "test://"
#define VB_TEST_URI_DEFAULT "test:///default"
/* libvirt's test driver answers 2 for the hypervisor version */
#define VB_TEST_HV_VERSION 2
/* the host "booted" a day before the connection opened, for node cpu stats */
#define VB_TEST_UPTIME_NS      (G_GUINT64_CONSTANT(86400) * 1000000000)
#define VB_TEST_NODE_VALUE_MAX 1024

const guint8 vb_test_mac_prefix[3] = {0x52, 0x54, 0x00};

/* test:///default is a built-in host file */
static const char vb_test_default_host[] =
    "<node>\n"
    "  <vm state='running' persistent='yes' autostart='no'>\n"
    "    <domain type='test'>\n"
    "      <name>test</name>\n"
    "      <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "      <memory>8388608</memory>\n"
    "      <currentMemory>2097152</currentMemory>\n"
    "      <vcpu>2</vcpu>\n"
    "      <os>\n"
    "        <type>hvm</type>\n"
    "      </os>\n"
    "      <devices>\n"
    "        <disk type='file' device='disk'>\n"
    "          <source file='/guest/diskimage1'/>\n"
    "          <target dev='vda' bus='virtio'/>\n"
    "        </disk>\n"
    "        <interface type='network'>\n"
    "          <mac address='aa:bb:cc:dd:ee:ff'/>\n"
    "          <source network='default'/>\n"
    "        </interface>\n"
    "        <memballoon model='virtio'/>\n"
    "      </devices>\n"
    "    </domain>\n"
    "  </vm>\n"
    "  <net active='yes' persistent='yes' autostart='no'>\n"
    "    <network>\n"
    "      <name>default</name>\n"
    "      <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>\n"
    "      <forward mode='nat'/>\n"
    "      <bridge name='virbr0'/>\n"
    "      <ip address='192.168.122.1' netmask='255.255.255.0'>\n"
    "        <dhcp>\n"
    "          <range start='192.168.122.2' end='192.168.122.254'/>\n"
    "        </dhcp>\n"
    "      </ip>\n"
    "    </network>\n"
    "  </net>\n"
    "</node>\n";

/* libvirt's test driver host */
static const VbNodeInfo vb_test_default_node = {
    .model = (char *)"i686",
    .memory_kib = 3 * 1024 * 1024,
    .cpus = 16,
    .mhz = 1400,
    .nodes = 2,
    .sockets = 2,
    .cores = 2,
    .threads = 2,
};

static const char *const vb_test_cpu_models[] = {
    "486",
    "pentium",
    "pentium2",
    "pentium3",
    "pentiumpro",
    "coreduo",
    "n270",
    "core2duo",
    "qemu32",
    "kvm32",
    "cpu64-rhel5",
    "cpu64-rhel6",
    "qemu64",
    "kvm64",
    "Conroe",
    "Penryn",
    "Nehalem",
    "Westmere",
    "SandyBridge",
    "IvyBridge",
    "Haswell",
    "Broadwell",
    "Skylake-Client",
    "Skylake-Server",
    "Cascadelake-Server",
    "Icelake-Server",
    "athlon",
    "phenom",
    "Opteron_G1",
    "Opteron_G2",
    "Opteron_G3",
    "Opteron_G4",
    "Opteron_G5",
    "EPYC",
    NULL,
};

VbTestConn *
vb_test_conn_ref(VbTestConn *tc)
{
    g_atomic_int_inc(&tc->ref);
    return tc;
}

static void
vb_test_remove_dir(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *file = g_build_filename(path, name, NULL);

        g_unlink(file);
    }
    g_rmdir(path);
}

void
vb_test_conn_unref(VbTestConn *tc)
{
    if (tc == NULL || !g_atomic_int_dec_and_test(&tc->ref))
        return;
    /* the last job is done: nothing writes into the directory any more */
    if (tc->managed_dir != NULL)
        vb_test_remove_dir(tc->managed_dir);
    g_free(tc->managed_dir);
    g_free(tc->host_file);
    g_free(tc->node.model);
    g_free(tc);
}

char *
vb_test_managed_save_path(VbTestConn *tc, const VbDomainObj *obj)
{
    g_autofree char *name = g_strdup_printf("%s.save", obj->uuid_str);

    return g_build_filename(tc->managed_dir, name, NULL);
}

/* ---- the host file ---- */

/* a copy of @node as a document of its own, its namespaces declared in it */
static char *
vb_test_node_to_xml(xmlNode *node)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *copy = xmlDocCopyNode(node, doc, 1);
    xmlChar *buf = NULL;
    int len = 0;
    char *xml;

    if (copy == NULL)
        return NULL;
    xmlDocSetRootElement(doc, copy);
    xmlReconciliateNs(doc, copy);
    xmlDocDumpMemory(doc, &buf, &len);
    if (buf == NULL)
        return NULL;
    xml = g_strndup((const char *)buf, len);
    xmlFree(buf);
    return xml;
}

static gboolean
vb_test_yes_no(const xmlNode *node, const char *attr, gboolean fallback, gboolean *out,
               GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);

    if (value == NULL)
        *out = fallback;
    else if (g_str_equal(value, "yes"))
        *out = TRUE;
    else if (g_str_equal(value, "no"))
        *out = FALSE;
    else
        return vb_xml_invalid(error, node, attr, value);
    return TRUE;
}

/* the one element child of a <vm> or <net>, named @name */
static xmlNode *
vb_test_only_child(const xmlNode *parent, const char *name, GError **error)
{
    xmlNode *child = vb_xml_first_element(parent);

    if (child == NULL) {
        vb_xml_missing(error, parent, name);
        return NULL;
    }
    if (!vb_xml_is(child, name)) {
        vb_xml_unexpected(error, child);
        return NULL;
    }
    if (vb_xml_next_element(child) != NULL) {
        vb_xml_unexpected(error, vb_xml_next_element(child));
        return NULL;
    }
    return child;
}

static gboolean
vb_test_load_vm(VbConn *conn, xmlNode *node, GError **error)
{
    static const char *const attrs[] = {"state", "persistent", "autostart", NULL};
    g_autofree char *state = vb_xml_prop(node, "state");
    gboolean persistent, autostart;
    xmlNode *child;
    g_autofree char *xml = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainObj) obj = NULL;

    if (!vb_xml_check_attrs(node, attrs, error) ||
        !vb_test_yes_no(node, "persistent", TRUE, &persistent, error) ||
        !vb_test_yes_no(node, "autostart", FALSE, &autostart, error))
        return FALSE;
    if (state == NULL)
        state = g_strdup("running");
    if (!g_str_equal(state, "running") && !g_str_equal(state, "paused") &&
        !g_str_equal(state, "shutoff"))
        return vb_xml_invalid(error, node, "state", state);
    if (!persistent && (autostart || g_str_equal(state, "shutoff"))) {
        vb_error_set(error, VB_ERROR_XML,
                     "a transient domain must be running or paused and cannot autostart");
        return FALSE;
    }
    child = vb_test_only_child(node, "domain", error);
    if (child == NULL)
        return FALSE;
    xml = vb_test_node_to_xml(child);
    if (xml == NULL) {
        vb_error_set(error, VB_ERROR_INTERNAL, "cannot serialize the domain element");
        return FALSE;
    }
    def = vb_domain_def_parse(xml, -1, VB_DOMAIN_PARSE_INACTIVE, error);
    if (def == NULL || !vb_test_check_def(def, error))
        return FALSE;
    vb_domain_def_fill_macs(def, vb_test_mac_prefix);
    obj = vb_test_domain_obj_new(g_steal_pointer(&def), persistent);
    obj->autostart = autostart;
    if (!vb_domain_list_add(conn->domains, obj, error))
        return FALSE;
    if (!g_str_equal(state, "shutoff"))
        vb_test_domain_start(conn, obj, NULL, VB_RUNNING_BOOTED);
    if (g_str_equal(state, "paused"))
        vb_test_domain_pause(obj, VB_PAUSED_USER);
    return TRUE;
}

static gboolean
vb_test_load_net(VbConn *conn, xmlNode *node, GError **error)
{
    static const char *const attrs[] = {"active", "persistent", "autostart", NULL};
    gboolean active, persistent, autostart;
    xmlNode *child;
    g_autofree char *xml = NULL;
    g_autoptr(VbNetworkDef) def = NULL;

    if (!vb_xml_check_attrs(node, attrs, error) ||
        !vb_test_yes_no(node, "active", TRUE, &active, error) ||
        !vb_test_yes_no(node, "persistent", TRUE, &persistent, error) ||
        !vb_test_yes_no(node, "autostart", FALSE, &autostart, error))
        return FALSE;
    if (!persistent && (autostart || !active)) {
        vb_error_set(error, VB_ERROR_XML,
                     "a transient network must be active and cannot autostart");
        return FALSE;
    }
    child = vb_test_only_child(node, "network", error);
    if (child == NULL)
        return FALSE;
    xml = vb_test_node_to_xml(child);
    if (xml == NULL) {
        vb_error_set(error, VB_ERROR_INTERNAL, "cannot serialize the network element");
        return FALSE;
    }
    def = vb_network_def_parse(xml, -1, 0, error);
    return def != NULL &&
           vb_test_network_add(conn, g_steal_pointer(&def), active, persistent, autostart, error);
}

static gboolean
vb_test_node_uint(const xmlNode *node, guint max, guint *out, GError **error)
{
    g_autofree char *text = vb_xml_content(node);
    guint value;

    if (text == NULL || !vb_parse_uint(g_strstrip(text), &value) || value == 0 || value > max)
        return vb_xml_invalid(error, node, NULL, text != NULL ? text : "");
    *out = value;
    return TRUE;
}

static gboolean
vb_test_load_cpu(VbTestConn *tc, const xmlNode *cpu, GError **error)
{
    VbNodeInfo *info = &tc->node;

    for (xmlNode *c = vb_xml_first_element(cpu); c != NULL; c = vb_xml_next_element(c)) {
        gboolean ok;

        if (vb_xml_is(c, "model")) {
            g_autofree char *model = vb_xml_content(c);

            g_strstrip(model);
            if (*model == '\0' || strlen(model) > 31)
                return vb_xml_invalid(error, c, NULL, model);
            g_free(info->model);
            info->model = g_steal_pointer(&model);
            continue;
        }
        if (vb_xml_is(c, "mhz"))
            ok = vb_test_node_uint(c, 1000000, &info->mhz, error);
        else if (vb_xml_is(c, "nodes"))
            ok = vb_test_node_uint(c, VB_TEST_NODE_VALUE_MAX, &info->nodes, error);
        else if (vb_xml_is(c, "sockets"))
            ok = vb_test_node_uint(c, VB_TEST_NODE_VALUE_MAX, &info->sockets, error);
        else if (vb_xml_is(c, "cores"))
            ok = vb_test_node_uint(c, VB_TEST_NODE_VALUE_MAX, &info->cores, error);
        else if (vb_xml_is(c, "threads"))
            ok = vb_test_node_uint(c, VB_TEST_NODE_VALUE_MAX, &info->threads, error);
        else
            ok = vb_xml_unexpected(error, c);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

static gboolean
vb_test_load_memory(VbTestConn *tc, const xmlNode *node, GError **error)
{
    g_autofree char *text = vb_xml_content(node);
    guint64 kib;

    /* at least a MiB, below 1 PiB */
    if (text == NULL || !vb_parse_uint64(g_strstrip(text), 10, &kib) || kib < 1024 ||
        kib >= (G_GUINT64_CONSTANT(1) << 40))
        return vb_xml_invalid(error, node, NULL, text != NULL ? text : "");
    tc->node.memory_kib = kib;
    return TRUE;
}

static gboolean
vb_test_load_host(VbConn *conn, const char *xml, gsize len, GError **error)
{
    VbTestConn *tc = vb_test_conn(conn);
    g_autoptr(xmlDoc) doc = vb_xml_parse(xml, len, "host", "node", error);
    xmlNode *root;
    guint64 cpus;

    if (doc == NULL)
        return FALSE;
    root = xmlDocGetRootElement(doc);
    if (root->properties != NULL)
        return vb_xml_unexpected(error, (xmlNode *)root->properties);
    for (xmlNode *c = vb_xml_first_element(root); c != NULL; c = vb_xml_next_element(c)) {
        gboolean ok;

        if (vb_xml_is(c, "cpu"))
            ok = vb_test_load_cpu(tc, c, error);
        else if (vb_xml_is(c, "memory"))
            ok = vb_test_load_memory(tc, c, error);
        else if (vb_xml_is(c, "vm"))
            ok = vb_test_load_vm(conn, c, error);
        else if (vb_xml_is(c, "net"))
            ok = vb_test_load_net(conn, c, error);
        else
            ok = vb_xml_unexpected(error, c);
        if (!ok) {
            g_prefix_error(error, "<%s> at line %ld: ", (const char *)c->name, xmlGetLineNo(c));
            return FALSE;
        }
    }
    cpus = (guint64)tc->node.nodes * tc->node.sockets * tc->node.cores * tc->node.threads;
    if (cpus > VB_CPUSET_MAX) {
        vb_error_set(error, VB_ERROR_XML,
                     "the host has %" G_GUINT64_FORMAT " cpus, more than the %d supported", cpus,
                     VB_CPUSET_MAX);
        return FALSE;
    }
    tc->node.cpus = cpus;
    return TRUE;
}

static gboolean
vb_test_read_host_file(VbConn *conn, const char *path, GError **error)
{
    GStatBuf st;
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;

    if (g_stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > VB_XML_MAX_SIZE) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "host file '%s' %s", path,
                     g_file_test(path, G_FILE_TEST_EXISTS) == FALSE ? "does not exist"
                     : !g_file_test(path, G_FILE_TEST_IS_REGULAR)   ? "is not a regular file"
                                                                    : "is too large");
        return FALSE;
    }
    if (!g_file_get_contents(path, &contents, &len, &local)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "cannot read host file '%s': %s", path,
                     local->message);
        return FALSE;
    }
    if (!vb_test_load_host(conn, contents, len, error)) {
        g_prefix_error(error, "host file '%s': ", path);
        return FALSE;
    }
    return TRUE;
}

/* ---- open and close ---- */

static gboolean
vb_test_probe(const char *uri)
{
    if (uri == NULL)
        return FALSE;
    if (g_str_equal(uri, VB_TEST_URI_DEFAULT))
        return TRUE;
    /* test:///ABSOLUTE/PATH: three slashes, then something */
    return g_str_has_prefix(uri, VB_TEST_URI_PREFIX "/") &&
           uri[strlen(VB_TEST_URI_PREFIX "/")] != '\0';
}

static gboolean
vb_test_open_state(VbConn *conn, GError **error)
{
    VbTestConn *tc = vb_test_conn(conn);
    const char *raw = conn->uri + strlen(VB_TEST_URI_PREFIX);
    g_autofree char *path = NULL;
    g_autoptr(GError) local = NULL;

    tc->managed_dir = g_dir_make_tmp("virtbus-test-XXXXXX", &local);
    if (tc->managed_dir == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "cannot create a directory for managed save images: %s", local->message);
        return FALSE;
    }
    if (g_str_equal(conn->uri, VB_TEST_URI_DEFAULT))
        return vb_test_load_host(conn, vb_test_default_host, sizeof(vb_test_default_host) - 1,
                                 error);
    if (strpbrk(raw, "?#") == NULL)
        path = g_uri_unescape_string(raw, NULL);
    if (path == NULL || !g_path_is_absolute(path)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid test driver URI '%s'", conn->uri);
        return FALSE;
    }
    tc->host_file = g_strdup(path);
    return vb_test_read_host_file(conn, path, error);
}

/* virConnectOpen for test:///default and test:///PATH; at once */
static gboolean
vb_test_open(VbConn *conn, GError **error)
{
    VbTestConn *tc = g_new0(VbTestConn, 1);

    tc->ref = 1;
    tc->conn = conn;
    tc->node = vb_test_default_node;
    tc->node.model = g_strdup(vb_test_default_node.model);
    tc->opened_us = g_get_monotonic_time();
    conn->priv = tc;
    if (!vb_test_open_state(conn, error)) {
        conn->priv = NULL;
        tc->conn = NULL;
        vb_test_conn_unref(tc);
        return FALSE;
    }
    return TRUE;
}

/* virConnectClose; at once. jobs still on a worker finish with an error */
static void
vb_test_close(VbConn *conn)
{
    VbTestConn *tc = vb_test_conn(conn);

    conn->priv = NULL;
    tc->conn = NULL;
    vb_test_conn_unref(tc);
}

/* ---- connection reads, all answered at once ---- */

/* virConnectGetHostname */
static char *
vb_test_get_hostname(VbConn *conn, GError **error)
{
    return g_strdup(g_get_host_name());
}

/* virConnectGetVersion */
static guint64
vb_test_get_version(VbConn *conn)
{
    return VB_TEST_HV_VERSION;
}

/* virConnectGetCapabilities */
static char *
vb_test_get_capabilities(VbConn *conn, GError **error)
{
    const VbNodeInfo *node = &vb_test_conn(conn)->node;
    g_autoptr(VbCaps) caps = vb_caps_new("x86_64");
    static const struct {
        const char *arch;
        guint wordsize;
    } archs[] = {{"x86_64", 64}, {"i686", 32}};

    caps->host.sockets = node->sockets * node->nodes;
    caps->host.cores = node->cores;
    caps->host.threads = node->threads;
    for (guint i = 0; i < G_N_ELEMENTS(archs); i++) {
        VbCapsGuest *guest = vb_caps_add_guest(caps, "hvm", archs[i].arch, archs[i].wordsize,
                                               VB_TEST_EMULATOR, NULL);

        vb_caps_guest_add_domain(guest, "test", NULL);
        if (archs[i].wordsize == 32) {
            vb_caps_guest_add_feature(guest, "pae", VB_CAPS_UNSET, VB_CAPS_UNSET);
            vb_caps_guest_add_feature(guest, "nonpae", VB_CAPS_UNSET, VB_CAPS_UNSET);
        }
        vb_caps_guest_add_feature(guest, "acpi", VB_CAPS_ON, VB_CAPS_ON);
        vb_caps_guest_add_feature(guest, "apic", VB_CAPS_ON, VB_CAPS_OFF);
    }
    return vb_caps_format(caps);
}

/* virConnectGetDomainCapabilities */
static char *
vb_test_get_domain_capabilities(VbConn *conn, const char *emulator, const char *arch,
                                const char *machine, const char *virttype, guint flags,
                                GError **error)
{
    VbXmlWriter w;
    g_autofree char *max = g_strdup_printf("%d", VB_TEST_MAX_VCPUS);

    if (!vb_error_check_flags(flags, 0, "virConnectGetDomainCapabilities", error))
        return NULL;
    if (virttype != NULL && *virttype != '\0' && !g_str_equal(virttype, "test")) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unknown virttype: %s", virttype);
        return NULL;
    }
    if (arch != NULL && *arch != '\0' && !g_str_equal(arch, "x86_64") &&
        !g_str_equal(arch, "i686")) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unknown architecture: %s", arch);
        return NULL;
    }
    if (emulator != NULL && *emulator != '\0' && !g_str_equal(emulator, VB_TEST_EMULATOR)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "emulator '%s' is not supported", emulator);
        return NULL;
    }

    vb_xml_writer_init(&w);
    vb_xml_open(&w, "domainCapabilities", NULL);
    vb_xml_text(&w, "path", VB_TEST_EMULATOR, NULL);
    vb_xml_text(&w, "domain", "test", NULL);
    if (machine != NULL && *machine != '\0')
        vb_xml_text(&w, "machine", machine, NULL);
    vb_xml_text(&w, "arch", arch != NULL && *arch != '\0' ? arch : "x86_64", NULL);
    vb_xml_empty(&w, "vcpu", "max", max, NULL);
    vb_xml_empty(&w, "os", "supported", "yes", NULL);
    vb_xml_open(&w, "devices", NULL);
    vb_xml_open(&w, "disk", "supported", "yes", NULL);
    vb_xml_open(&w, "enum", "name", "diskDevice", NULL);
    for (int i = 0; i < VB_DOMAIN_DISK_DEVICE_LAST; i++)
        vb_xml_text(&w, "value", vb_domain_disk_device_to_string(i), NULL);
    vb_xml_close(&w, "enum");
    vb_xml_open(&w, "enum", "name", "bus", NULL);
    for (int i = 0; i < VB_DOMAIN_DISK_BUS_LAST; i++)
        vb_xml_text(&w, "value", vb_domain_disk_bus_to_string(i), NULL);
    vb_xml_close(&w, "enum");
    vb_xml_close(&w, "disk");
    vb_xml_open(&w, "graphics", "supported", "yes", NULL);
    vb_xml_open(&w, "enum", "name", "type", NULL);
    for (int i = 0; i < VB_DOMAIN_GRAPHICS_LAST; i++)
        vb_xml_text(&w, "value", vb_domain_graphics_type_to_string(i), NULL);
    vb_xml_close(&w, "enum");
    vb_xml_close(&w, "graphics");
    vb_xml_open(&w, "interface", "supported", "yes", NULL);
    vb_xml_open(&w, "enum", "name", "type", NULL);
    for (int i = 0; i < VB_DOMAIN_NET_LAST; i++)
        vb_xml_text(&w, "value", vb_domain_net_type_to_string(i), NULL);
    vb_xml_close(&w, "enum");
    vb_xml_close(&w, "interface");
    vb_xml_close(&w, "devices");
    vb_xml_close(&w, "domainCapabilities");
    return vb_xml_writer_finish(&w);
}

/* virConnectGetSysinfo */
static char *
vb_test_get_sysinfo(VbConn *conn, guint flags, GError **error)
{
    const VbNodeInfo *node = &vb_test_conn(conn)->node;
    g_autofree char *speed = g_strdup_printf("%u MHz", node->mhz);
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT " KiB", node->memory_kib);
    VbXmlWriter w;

    if (!vb_error_check_flags(flags, 0, "virConnectGetSysinfo", error))
        return NULL;
    vb_xml_writer_init(&w);
    vb_xml_open(&w, "sysinfo", "type", "smbios", NULL);
    vb_xml_open(&w, "bios", NULL);
    vb_xml_text(&w, "entry", "virtbus", "name", "vendor", NULL);
    vb_xml_text(&w, "entry", "Test Driver", "name", "version", NULL);
    vb_xml_text(&w, "entry", "01/22/2007", "name", "date", NULL);
    vb_xml_close(&w, "bios");
    vb_xml_open(&w, "system", NULL);
    vb_xml_text(&w, "entry", "virtbus", "name", "manufacturer", NULL);
    vb_xml_text(&w, "entry", "Test Host", "name", "product", NULL);
    vb_xml_text(&w, "entry", PACKAGE_VERSION, "name", "version", NULL);
    vb_xml_text(&w, "entry", "123456", "name", "serial", NULL);
    vb_xml_text(&w, "entry", "11111111-2222-3333-4444-555555555555", "name", "uuid", NULL);
    vb_xml_close(&w, "system");
    vb_xml_open(&w, "processor", NULL);
    vb_xml_text(&w, "entry", node->model, "name", "version", NULL);
    vb_xml_text(&w, "entry", speed, "name", "max_speed", NULL);
    vb_xml_close(&w, "processor");
    vb_xml_open(&w, "memory_device", NULL);
    vb_xml_text(&w, "entry", size, "name", "size", NULL);
    vb_xml_close(&w, "memory_device");
    vb_xml_close(&w, "sysinfo");
    return vb_xml_writer_finish(&w);
}

/* virConnectGetCPUModelNames */
static GStrv
vb_test_get_cpu_model_names(VbConn *conn, const char *arch, guint flags, GError **error)
{
    if (!vb_error_check_flags(flags, 0, "virConnectGetCPUModelNames", error))
        return NULL;
    if (arch == NULL || (!g_str_equal(arch, "x86_64") && !g_str_equal(arch, "i686"))) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "cannot find architecture %s",
                     arch != NULL ? arch : "");
        return NULL;
    }
    return g_strdupv((char **)vb_test_cpu_models);
}

/* virConnectGetMaxVcpus */
static guint
vb_test_get_max_vcpus(VbConn *conn, const char *type, GError **error)
{
    return VB_TEST_MAX_VCPUS;
}

/* virNodeGetInfo */
static gboolean
vb_test_node_get_info(VbConn *conn, VbNodeInfo *info, GError **error)
{
    *info = vb_test_conn(conn)->node;
    info->model = g_strdup(info->model);
    return TRUE;
}

/* virNodeGetCPUMap */
static GArray *
vb_test_node_get_cpu_map(VbConn *conn, guint flags, GError **error)
{
    guint cpus = vb_test_conn(conn)->node.cpus;
    GArray *map;

    if (!vb_error_check_flags(flags, 0, "virNodeGetCPUMap", error))
        return NULL;
    map = g_array_sized_new(FALSE, FALSE, sizeof(gboolean), cpus);
    for (guint i = 0; i < cpus; i++) {
        gboolean online = TRUE;

        g_array_append_val(map, online);
    }
    return map;
}

/* virNodeGetCPUStats: time since the host "booted", mostly idle */
static GVariant *
vb_test_node_get_cpu_stats(VbConn *conn, int cpu, guint flags, GError **error)
{
    VbTestConn *tc = vb_test_conn(conn);
    guint64 ns = VB_TEST_UPTIME_NS + (guint64)(g_get_monotonic_time() - tc->opened_us) * 1000;
    guint n = 1;
    GVariantBuilder b;

    if (!vb_error_check_flags(flags, 0, "virNodeGetCPUStats", error))
        return NULL;
    if (cpu < -1 || cpu >= (int)tc->node.cpus) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "Invalid cpuNum in virNodeGetCPUStats");
        return NULL;
    }
    if (cpu == -1)
        n = tc->node.cpus;
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{st}"));
    g_variant_builder_add(&b, "{st}", "kernel", ns / 20 * n);
    g_variant_builder_add(&b, "{st}", "user", ns / 10 * n);
    g_variant_builder_add(&b, "{st}", "idle", (ns - ns / 20 - ns / 10 - ns / 100) * n);
    g_variant_builder_add(&b, "{st}", "iowait", ns / 100 * n);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

typedef struct {
    guint64 total, free, buffers, cached;
} VbTestNodeMemory;

/* KiB of @cell (-1: all): running guests' balloons count as used */
static void
vb_test_node_memory(VbConn *conn, int cell, VbTestNodeMemory *mem)
{
    const VbNodeInfo *node = &vb_test_conn(conn)->node;
    g_autoptr(GPtrArray) all = vb_domain_list_all(conn->domains);
    guint64 used = 0;
    guint64 reserved;

    for (guint i = 0; i < all->len; i++) {
        const VbDomainObj *obj = g_ptr_array_index(all, i);

        if (vb_domain_obj_is_active(obj))
            used += obj->live->current_kib;
    }
    mem->total = node->memory_kib;
    mem->buffers = mem->total / 50;
    mem->cached = mem->total / 10;
    reserved = used + mem->buffers + mem->cached;
    mem->free = reserved < mem->total ? mem->total - reserved : 0;
    if (cell >= 0) {
        mem->total /= node->nodes;
        mem->free /= node->nodes;
        mem->buffers /= node->nodes;
        mem->cached /= node->nodes;
    }
}

/* virNodeGetMemoryStats */
static GVariant *
vb_test_node_get_memory_stats(VbConn *conn, int cell, guint flags, GError **error)
{
    guint nodes = vb_test_conn(conn)->node.nodes;
    VbTestNodeMemory mem;
    GVariantBuilder b;

    if (!vb_error_check_flags(flags, 0, "virNodeGetMemoryStats", error))
        return NULL;
    if (cell < -1 || cell >= (int)nodes) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "cellNum in virNodeGetMemoryStats must be less than %u", nodes);
        return NULL;
    }
    vb_test_node_memory(conn, cell, &mem);
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{st}"));
    g_variant_builder_add(&b, "{st}", "total", mem.total);
    g_variant_builder_add(&b, "{st}", "free", mem.free);
    g_variant_builder_add(&b, "{st}", "buffers", mem.buffers);
    g_variant_builder_add(&b, "{st}", "cached", mem.cached);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virNodeGetFreeMemory: bytes */
static guint64
vb_test_node_get_free_memory(VbConn *conn, GError **error)
{
    VbTestNodeMemory mem;

    vb_test_node_memory(conn, -1, &mem);
    return mem.free * 1024;
}

/* virNodeGetSecurityModel: the test host has none */
static gboolean
vb_test_node_get_security_model(VbConn *conn, char **model, char **doi, GError **error)
{
    *model = g_strdup("");
    *doi = g_strdup("");
    return TRUE;
}

const VbDriver vb_test_driver = {
    .name = "Test",
    .mac_prefix = vb_test_mac_prefix,

    .probe = vb_test_probe,
    .open = vb_test_open,
    .close = vb_test_close,

    .get_hostname = vb_test_get_hostname,
    .get_version = vb_test_get_version,
    .get_capabilities = vb_test_get_capabilities,
    .get_domain_capabilities = vb_test_get_domain_capabilities,
    .get_sysinfo = vb_test_get_sysinfo,
    .get_cpu_model_names = vb_test_get_cpu_model_names,
    .get_max_vcpus = vb_test_get_max_vcpus,
    .node_get_info = vb_test_node_get_info,
    .node_get_cpu_map = vb_test_node_get_cpu_map,
    .node_get_cpu_stats = vb_test_node_get_cpu_stats,
    .node_get_memory_stats = vb_test_node_get_memory_stats,
    .node_get_free_memory = vb_test_node_get_free_memory,
    .node_get_security_model = vb_test_node_get_security_model,
    /* native formats belong to the Xen and QEMU drivers */
    .domain_xml_from_native = NULL,
    .domain_xml_to_native = NULL,
    .save_image_get_xml = vb_test_save_image_get_xml,
    .save_image_define_xml = vb_test_save_image_define_xml,

    .domain_define_xml = vb_test_domain_define_xml,
    .domain_create_xml = vb_test_domain_create_xml,
    .domain_restore = vb_test_domain_restore,

    .domain_get_cpu_time = vb_test_domain_get_cpu_time,
    .domain_get_hostname = vb_test_domain_get_hostname,
    .domain_get_control_info = vb_test_domain_get_control_info,
    .domain_get_vcpu_info = vb_test_domain_get_vcpu_info,
    .domain_get_scheduler_params = vb_test_domain_get_scheduler_params,
    .domain_get_scheduler_type = vb_test_domain_get_scheduler_type,

    .domain_create = vb_test_domain_create,
    .domain_shutdown = vb_test_domain_shutdown,
    .domain_reboot = vb_test_domain_reboot,
    .domain_reset = vb_test_domain_reset,
    .domain_destroy = vb_test_domain_destroy,
    .domain_suspend = vb_test_domain_suspend,
    .domain_resume = vb_test_domain_resume,
    .domain_save = vb_test_domain_save,
    .domain_managed_save = vb_test_domain_managed_save,
    .domain_managed_save_remove = vb_test_domain_managed_save_remove,
    .domain_core_dump = vb_test_domain_core_dump,
    .domain_undefine = vb_test_domain_undefine,
    .domain_set_autostart = vb_test_domain_set_autostart,
    .domain_set_memory = vb_test_domain_set_memory,
    .domain_set_max_memory = vb_test_domain_set_max_memory,
    .domain_set_vcpus = vb_test_domain_set_vcpus,
    .domain_pin_vcpu = vb_test_domain_pin_vcpu,
    .domain_set_scheduler_params = vb_test_domain_set_scheduler_params,
    .domain_attach_device = vb_test_domain_attach_device,
    .domain_detach_device = vb_test_domain_detach_device,
    .domain_update_device = vb_test_domain_update_device,
    .domain_set_metadata = vb_test_domain_set_metadata,
    .domain_rename = vb_test_domain_rename,
    .domain_inject_nmi = vb_test_domain_inject_nmi,
    .domain_send_key = vb_test_domain_send_key,
    .domain_get_stats = vb_test_domain_get_stats,
    .domain_memory_stats = vb_test_domain_memory_stats,
    .domain_block_stats = vb_test_domain_block_stats,
    .domain_interface_stats = vb_test_domain_interface_stats,
    .domain_interface_addresses = vb_test_domain_interface_addresses,
    /* migration needs a second host: not supported */
    .domain_migrate = NULL,

    .network_define_xml = vb_test_network_define_xml,
    .network_create_xml = vb_test_network_create_xml,
    .network_create = vb_test_network_create,
    .network_destroy = vb_test_network_destroy,
    .network_undefine = vb_test_network_undefine,
    .network_set_autostart = vb_test_network_set_autostart,
    .network_update = vb_test_network_update,
    .network_get_dhcp_leases = vb_test_network_get_dhcp_leases,
};
