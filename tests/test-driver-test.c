/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include <glib/gstdio.h>

#include "event-log.h"
#include "capabilities-conf.h"
#include "driver.h"
#include "test/test-driver.h"

/* the test driver in-process, no bus: operations run through the vtable, events are
 * recorded through a VbEventSink and asynchronous completions are awaited by
 * iterating the default main context. */

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define NET_UUID  "dd8fe884-6c02-601e-7551-cca97df1c5df"

#define FOO_XML                                                                                    \
    "<domain type='test'><name>foo</name>"                                                         \
    "<uuid>aaaaaaaa-bbbb-cccc-dddd-000000000001</uuid>"                                            \
    "<memory>1048576</memory><currentMemory>524288</currentMemory><vcpu>2</vcpu>"                  \
    "<os><type>hvm</type></os>"                                                                    \
    "<devices><disk type='file' device='disk'><source file='/images/foo.img'/>"                    \
    "<target dev='vda' bus='virtio'/></disk>"                                                      \
    "<interface type='network'><source network='default'/></interface></devices></domain>"

typedef struct {
    VbConn *conn;
    GString *events;
    char *tmpdir;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->conn = vb_conn_open("test:///default", &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->conn);
    f->events = g_string_new(NULL);
    f->tmpdir = g_dir_make_tmp("vb-test-driver-XXXXXX", &error);
    g_assert_no_error(error);
    event_log_attach(f->conn, f->events);
}

static void
remove_tree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *file = g_build_filename(path, name, NULL);

        g_unlink(file);
    }
    g_rmdir(path);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    vb_conn_close(f->conn);
    g_string_free(f->events, TRUE);
    remove_tree(f->tmpdir);
    g_free(f->tmpdir);
}

static void
expect_events(Fixture *f, const char *expected)
{
    g_assert_cmpstr(f->events->str, ==, expected);
    g_string_truncate(f->events, 0);
}

/* ---- waiting for completions ---- */

typedef struct {
    gboolean done;
    gpointer result;
    GError *error;
} Op;

static void
op_done(gpointer result, const GError *error, gpointer data)
{
    Op *op = data;

    g_assert_false(op->done);
    op->done = TRUE;
    op->result = result;
    op->error = error != NULL ? g_error_copy(error) : NULL;
    if (error != NULL)
        g_assert_null(result);
}

static void
op_wait(Op *op)
{
    while (!op->done)
        g_main_context_iteration(NULL, TRUE);
}

static void
op_reset(Op *op)
{
    g_clear_error(&op->error);
    memset(op, 0, sizeof(*op));
}

/* waits, checks success and hands back the result */
static gpointer
op_ok(Op *op)
{
    gpointer result;

    op_wait(op);
    g_assert_no_error(op->error);
    result = op->result;
    op_reset(op);
    return result;
}

/* waits and checks the failure's code and message */
static void
op_fails(Op *op, VbErrorCode code, const char *message)
{
    op_wait(op);
    g_assert_error(op->error, VB_ERROR, (gint)code);
    if (message != NULL && strstr(op->error->message, message) == NULL)
        g_error("'%s' does not contain '%s'", op->error->message, message);
    op_reset(op);
}

static const VbDriver *
drv(Fixture *f)
{
    return f->conn->driver;
}

static VbDomainObj *
find(Fixture *f, const char *name)
{
    return vb_domain_list_find_name(f->conn->domains, name);
}

static VbDomainObj *
define(Fixture *f, const char *xml)
{
    Op op = {0};
    VbDomainObj *obj;

    drv(f)->domain_define_xml(f->conn, xml, 0, op_done, &op);
    obj = op_ok(&op);
    /* the list keeps it alive */
    vb_domain_obj_unref(obj);
    return obj;
}

static void
define_foo(Fixture *f)
{
    define(f, FOO_XML);
    expect_events(f, "foo DEFINED/ADDED;");
}

static char *
tmp_path(Fixture *f, const char *name)
{
    return g_build_filename(f->tmpdir, name, NULL);
}

/* ---- tests ---- */

static void
test_probe(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbConn) conn = NULL;

    g_assert_true(vb_test_driver.probe("test:///default"));
    g_assert_true(vb_test_driver.probe("test:///tmp/host.xml"));
    g_assert_false(vb_test_driver.probe("test:///"));
    g_assert_false(vb_test_driver.probe("test://default"));
    g_assert_false(vb_test_driver.probe("qemu:///system"));
    g_assert_false(vb_test_driver.probe(NULL));
    g_assert_cmpstr(vb_test_driver.name, ==, "Test");
    g_assert_cmpmem(vb_test_driver.mac_prefix, 3, "\x52\x54\x00", 3);

    conn = vb_conn_open("test:///relative%00path.xml", &error);
    g_assert_null(conn);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
}

static void
test_default_state(Fixture *f, gconstpointer data)
{
    VbDomainObj *obj = find(f, "test");
    VbNetworkObj *net = vb_network_list_find_name(f->conn->networks, "default");
    VbDomainDef *def;
    VbDomainDiskDef *disk;
    VbDomainNetDef *nic;
    VbNetworkIp *ip;
    VbNetworkDhcpRange *range;
    char mac[VB_MAC_STRING_LEN];

    g_assert_cmpuint(vb_domain_list_count(f->conn->domains), ==, 1);
    g_assert_nonnull(obj);
    g_assert_true(vb_domain_list_find_id(f->conn->domains, 1) == obj);
    g_assert_true(vb_domain_list_find_uuid_str(f->conn->domains, TEST_UUID) == obj);
    g_assert_cmpint(obj->id, ==, 1);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    g_assert_cmpint(obj->reason, ==, VB_RUNNING_BOOTED);
    g_assert_true(vb_domain_obj_is_persistent(obj));
    g_assert_false(obj->autostart);
    def = vb_domain_obj_def(obj);
    g_assert_cmpint(def->type, ==, VB_DOMAIN_VIRT_TEST);
    g_assert_cmpuint(def->memory_kib, ==, 8388608);
    g_assert_cmpuint(def->current_kib, ==, 2097152);
    g_assert_cmpuint(def->vcpus_max, ==, 2);
    g_assert_cmpuint(def->vcpus_current, ==, 2);
    g_assert_cmpint(def->os_type, ==, VB_DOMAIN_OS_HVM);
    g_assert_cmpuint(def->disks->len, ==, 1);
    disk = g_ptr_array_index(def->disks, 0);
    g_assert_cmpstr(disk->dst, ==, "vda");
    g_assert_cmpint(disk->bus, ==, VB_DOMAIN_DISK_BUS_VIRTIO);
    g_assert_cmpint(disk->type, ==, VB_DOMAIN_DISK_TYPE_FILE);
    g_assert_cmpuint(def->nets->len, ==, 1);
    nic = g_ptr_array_index(def->nets, 0);
    g_assert_cmpint(nic->type, ==, VB_DOMAIN_NET_NETWORK);
    g_assert_cmpstr(nic->source_network, ==, "default");
    vb_mac_format(nic->mac, mac);
    g_assert_cmpstr(mac, ==, "aa:bb:cc:dd:ee:ff");
    g_assert_nonnull(def->memballoon);
    g_assert_cmpint(def->memballoon->model, ==, VB_DOMAIN_MEMBALLOON_VIRTIO);
    /* the persistent definition is apart from the live one */
    g_assert_true(obj->config != obj->live);
    g_assert_cmpint(obj->config->id, ==, -1);

    g_assert_cmpuint(vb_network_list_count(f->conn->networks), ==, 1);
    g_assert_nonnull(net);
    g_assert_cmpstr(net->uuid_str, ==, NET_UUID);
    g_assert_true(vb_network_obj_is_active(net));
    g_assert_true(vb_network_obj_is_persistent(net));
    g_assert_cmpstr(vb_network_obj_def(net)->bridge, ==, "virbr0");
    g_assert_cmpint(vb_network_obj_def(net)->forward_mode, ==, VB_NETWORK_FORWARD_NAT);
    ip = vb_network_def_get_dhcp_ip(vb_network_obj_def(net));
    g_assert_nonnull(ip);
    g_assert_cmpstr(ip->address, ==, "192.168.122.1");
    g_assert_cmpuint(ip->prefix, ==, 24);
    g_assert_true(ip->use_netmask);
    range = g_ptr_array_index(ip->ranges, 0);
    g_assert_cmpstr(range->start, ==, "192.168.122.2");
    g_assert_cmpstr(range->end, ==, "192.168.122.254");
}

static void
test_connection_reads(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *hostname = drv(f)->get_hostname(f->conn, &error);
    g_autofree char *caps = drv(f)->get_capabilities(f->conn, &error);
    g_autofree char *sysinfo = drv(f)->get_sysinfo(f->conn, 0, &error);
    g_autoptr(VbCaps) parsed = NULL;
    g_autofree char *domcaps = NULL;
    g_autofree char *model = NULL;
    g_autofree char *doi = NULL;
    g_auto(GStrv) models = NULL;
    g_autoptr(GArray) map = NULL;
    g_autoptr(GVariant) cpu_stats = NULL;
    g_autoptr(GVariant) mem_stats = NULL;
    VbNodeInfo info;
    guint64 value;

    g_assert_no_error(error);
    g_assert_cmpstr(hostname, ==, g_get_host_name());
    g_assert_cmpuint(drv(f)->get_version(f->conn), ==, 2);
    g_assert_nonnull(strstr(caps, "<domain type='test'"));
    g_assert_nonnull(strstr(caps, "x86_64"));
    g_assert_nonnull(strstr(caps, "i686"));
    g_assert_nonnull(strstr(caps, "hvm"));
    g_assert_nonnull(strstr(sysinfo, "<sysinfo type='smbios'>"));
    parsed = vb_caps_parse(caps, -1, &error);
    g_assert_no_error(error);
    g_assert_nonnull(vb_caps_find_guest(parsed, "hvm", "i686"));
    g_assert_nonnull(vb_caps_find_guest(parsed, "hvm", "x86_64"));

    domcaps = drv(f)->get_domain_capabilities(f->conn, "", "x86_64", "", "test", 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(domcaps, "<domain>test</domain>"));
    g_assert_null(drv(f)->get_domain_capabilities(f->conn, "", "", "", "kvm", 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(drv(f)->get_domain_capabilities(f->conn, "", "", "", "", 4, &error));
    g_assert_cmpstr(error->message, ==,
                    "invalid argument: unsupported flags (0x4) in function "
                    "virConnectGetDomainCapabilities");
    g_clear_error(&error);

    models = drv(f)->get_cpu_model_names(f->conn, "x86_64", 0, &error);
    g_assert_no_error(error);
    g_assert_true(g_strv_contains((const char *const *)models, "Haswell"));
    g_assert_cmpuint(g_strv_length(models), ==, 34);
    g_assert_null(drv(f)->get_cpu_model_names(f->conn, "sparc", 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);

    g_assert_cmpuint(drv(f)->get_max_vcpus(f->conn, "test", &error), ==, 32);
    g_assert_true(drv(f)->node_get_info(f->conn, &info, &error));
    g_assert_cmpstr(info.model, ==, "i686");
    g_assert_cmpuint(info.memory_kib, ==, 3 * 1024 * 1024);
    g_assert_cmpuint(info.cpus, ==, 16);
    g_assert_cmpuint(info.mhz, ==, 1400);
    g_assert_cmpuint(info.nodes, ==, 2);
    g_assert_cmpuint(info.sockets, ==, 2);
    g_assert_cmpuint(info.cores, ==, 2);
    g_assert_cmpuint(info.threads, ==, 2);
    g_free(info.model);

    map = drv(f)->node_get_cpu_map(f->conn, 0, &error);
    g_assert_cmpuint(map->len, ==, 16);
    g_assert_true(g_array_index(map, gboolean, 15));

    cpu_stats = drv(f)->node_get_cpu_stats(f->conn, -1, 0, &error);
    g_assert_no_error(error);
    g_assert_true(g_variant_lookup(cpu_stats, "kernel", "t", &value));
    g_assert_true(g_variant_lookup(cpu_stats, "user", "t", &value));
    g_assert_true(g_variant_lookup(cpu_stats, "idle", "t", &value));
    g_assert_true(g_variant_lookup(cpu_stats, "iowait", "t", &value));
    g_assert_null(drv(f)->node_get_cpu_stats(f->conn, 16, 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);

    mem_stats = drv(f)->node_get_memory_stats(f->conn, -1, 0, &error);
    g_assert_no_error(error);
    g_assert_true(g_variant_lookup(mem_stats, "total", "t", &value));
    g_assert_cmpuint(value, ==, 3 * 1024 * 1024);
    g_assert_true(g_variant_lookup(mem_stats, "free", "t", &value));
    /* the running guest's 2 GiB balloon counts as used */
    g_assert_cmpuint(drv(f)->node_get_free_memory(f->conn, &error), ==, value * 1024);
    g_assert_cmpuint(value, <, 1024 * 1024);
    g_assert_true(g_variant_lookup(mem_stats, "buffers", "t", &value));
    g_assert_true(g_variant_lookup(mem_stats, "cached", "t", &value));
    g_assert_null(drv(f)->node_get_memory_stats(f->conn, 2, 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);

    g_assert_true(drv(f)->node_get_security_model(f->conn, &model, &doi, &error));
    g_assert_cmpstr(model, ==, "");
    g_assert_cmpstr(doi, ==, "");
    g_assert_null(drv(f)->domain_xml_from_native);
    g_assert_null(drv(f)->domain_migrate);
}

static void
test_define(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *obj;
    VbDomainObj *again;
    VbDomainObj *test = find(f, "test");
    g_autofree char *xml = NULL;

    define_foo(f);
    obj = find(f, "foo");
    g_assert_nonnull(obj);
    g_assert_true(vb_domain_obj_is_persistent(obj));
    g_assert_false(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(obj->reason, ==, VB_SHUTOFF_UNKNOWN);
    g_assert_cmpint(obj->id, ==, -1);
    /* a NIC without a MAC got one with the driver's prefix */
    g_assert_cmpmem(((VbDomainNetDef *)g_ptr_array_index(obj->config->nets, 0))->mac, 3,
                    "\x52\x54\x00", 3);

    /* the same definition again updates it in place */
    xml = vb_domain_obj_format(obj, 0);
    g_assert_nonnull(strstr(xml, "<name>foo</name>"));
    again = define(f, FOO_XML);
    g_assert_true(again == obj);
    expect_events(f, "foo DEFINED/UPDATED;");

    /* same name, another UUID */
    drv(f)->domain_define_xml(f->conn,
                              "<domain type='test'><name>foo</name>"
                              "<uuid>aaaaaaaa-bbbb-cccc-dddd-00000000ffff</uuid>"
                              "<memory>1024</memory><os><type>hvm</type></os></domain>",
                              0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED,
             "operation failed: domain 'foo' already exists with uuid "
             "aaaaaaaa-bbbb-cccc-dddd-000000000001");
    /* same UUID, another name */
    drv(f)->domain_define_xml(f->conn,
                              "<domain type='test'><name>bar</name>"
                              "<uuid>aaaaaaaa-bbbb-cccc-dddd-000000000001</uuid>"
                              "<memory>1024</memory><os><type>hvm</type></os></domain>",
                              0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED,
             "domain 'foo' is already defined with uuid aaaaaaaa-bbbb-cccc-dddd-000000000001");
    /* malformed, wrong type, unknown flags */
    drv(f)->domain_define_xml(f->conn, "<domain", 0, op_done, &op);
    op_fails(&op, VB_ERROR_XML, "XML error");
    drv(f)->domain_define_xml(f->conn,
                              "<domain type='kvm'><name>k</name><memory>1024</memory>"
                              "<os><type>hvm</type></os></domain>",
                              0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "could not find capabilities for domaintype=kvm");
    drv(f)->domain_define_xml(f->conn, FOO_XML, 2, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG,
             "invalid argument: unsupported flags (0x2) in function virDomainDefineXMLFlags");
    expect_events(f, "");

    /* redefining the running domain changes its config only */
    define(f, "<domain type='test'><name>test</name><uuid>" TEST_UUID "</uuid>"
              "<memory>4194304</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>");
    expect_events(f, "test DEFINED/UPDATED;");
    g_assert_true(test->updated);
    g_assert_cmpuint(test->live->memory_kib, ==, 8388608);
    g_assert_cmpuint(test->config->memory_kib, ==, 4194304);
    g_assert_cmpint(test->state, ==, VB_DOMAIN_RUNNING);
}

static void
test_lifecycle(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *obj;

    define_foo(f);
    obj = find(f, "foo");

    drv(f)->domain_create(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo STARTED/BOOTED;");
    g_assert_cmpint(obj->id, ==, 2);
    g_assert_true(vb_domain_list_find_id(f->conn->domains, 2) == obj);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    g_assert_cmpint(obj->reason, ==, VB_RUNNING_BOOTED);
    g_assert_nonnull(obj->live);
    g_assert_cmpint(obj->live->id, ==, 2);
    g_assert_cmpstr(((VbDomainNetDef *)g_ptr_array_index(obj->live->nets, 0))->target_dev, ==,
                    "testnet0");

    drv(f)->domain_create(f->conn, obj, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID,
             "Requested operation is not valid: domain is already running");
    drv(f)->domain_create(f->conn, obj, 64, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG,
             "unsupported flags (0x40) in function virDomainCreateWithFlags");

    drv(f)->domain_suspend(f->conn, obj, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo SUSPENDED/PAUSED;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_PAUSED);
    g_assert_cmpint(obj->reason, ==, VB_PAUSED_USER);
    drv(f)->domain_suspend(f->conn, obj, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is already paused");

    drv(f)->domain_resume(f->conn, obj, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo RESUMED/UNPAUSED;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    g_assert_cmpint(obj->reason, ==, VB_RUNNING_UNPAUSED);
    drv(f)->domain_resume(f->conn, obj, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not paused");

    drv(f)->domain_reboot(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo Reboot();");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    drv(f)->domain_reboot(f->conn, obj, 32, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainReboot");
    drv(f)->domain_reset(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo Reboot();");
    drv(f)->domain_reset(f->conn, obj, 1, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainReset");

    drv(f)->domain_shutdown(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo STOPPED/SHUTDOWN;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(obj->reason, ==, VB_SHUTOFF_SHUTDOWN);
    g_assert_cmpint(obj->id, ==, -1);
    g_assert_null(obj->live);
    g_assert_null(vb_domain_list_find_id(f->conn->domains, 2));

    for (guint i = 0; i < 6; i++) {
        if (i == 0)
            drv(f)->domain_shutdown(f->conn, obj, 0, op_done, &op);
        else if (i == 1)
            drv(f)->domain_destroy(f->conn, obj, 0, op_done, &op);
        else if (i == 2)
            drv(f)->domain_suspend(f->conn, obj, op_done, &op);
        else if (i == 3)
            drv(f)->domain_resume(f->conn, obj, op_done, &op);
        else if (i == 4)
            drv(f)->domain_reboot(f->conn, obj, 0, op_done, &op);
        else
            drv(f)->domain_reset(f->conn, obj, 0, op_done, &op);
        op_fails(&op, VB_ERROR_OPERATION_INVALID,
                 "Requested operation is not valid: domain is not running");
    }

    drv(f)->domain_create(f->conn, obj, 1, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo STARTED/BOOTED;foo SUSPENDED/PAUSED;");
    g_assert_cmpint(obj->id, ==, 3);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_PAUSED);

    drv(f)->domain_destroy(f->conn, obj, 2, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainDestroyFlags");
    drv(f)->domain_destroy(f->conn, obj, 1, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo STOPPED/DESTROYED;");
    g_assert_cmpint(obj->reason, ==, VB_SHUTOFF_DESTROYED);
    g_assert_true(vb_domain_list_find_name(f->conn->domains, "foo") == obj);

    /* on_reboot destroy: a reboot stops it */
    define(f, "<domain type='test'><name>once</name><memory>1024</memory>"
              "<os><type>hvm</type></os><on_reboot>destroy</on_reboot></domain>");
    obj = find(f, "once");
    drv(f)->domain_create(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_reboot(f->conn, obj, 1, op_done, &op);
    op_ok(&op);
    expect_events(f, "once DEFINED/ADDED;once STARTED/BOOTED;once STOPPED/SHUTDOWN;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);
}

static void
test_transient(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(VbDomainObj) obj = NULL;
    VbDomainObj *foo;

    drv(f)->domain_create_xml(f->conn, FOO_XML, 0, op_done, &op);
    obj = op_ok(&op);
    expect_events(f, "foo STARTED/BOOTED;");
    g_assert_false(vb_domain_obj_is_persistent(obj));
    g_assert_true(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->id, ==, 2);
    g_assert_true(find(f, "foo") == obj);

    drv(f)->domain_create_xml(f->conn, FOO_XML, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain 'foo' is already active");

    drv(f)->domain_set_autostart(f->conn, obj, TRUE, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "cannot set autostart for transient domain");
    drv(f)->domain_undefine(f->conn, obj, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "cannot undefine transient domain");

    drv(f)->domain_destroy(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo STOPPED/DESTROYED;");
    g_assert_true(obj->removed);
    g_assert_null(find(f, "foo"));
    g_assert_null(vb_domain_list_find_id(f->conn->domains, 2));
    g_clear_pointer(&obj, vb_domain_obj_unref);

    /* paused and autodestroy; then a shutdown removes it too */
    drv(f)->domain_create_xml(f->conn, FOO_XML, 1 | 2, op_done, &op);
    obj = op_ok(&op);
    expect_events(f, "foo STARTED/BOOTED;foo SUSPENDED/PAUSED;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_PAUSED);
    g_assert_true(obj->autodestroy);
    drv(f)->domain_shutdown(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo STOPPED/SHUTDOWN;");
    g_assert_true(obj->removed);
    g_clear_pointer(&obj, vb_domain_obj_unref);

    drv(f)->domain_create_xml(f->conn, FOO_XML, 8, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "unsupported flags (0x8) in function virDomainCreateXML");

    /* the list may hold the only reference when a transient domain stops */
    drv(f)->domain_create_xml(f->conn, FOO_XML, 0, op_done, &op);
    vb_domain_obj_unref(op_ok(&op));
    drv(f)->domain_destroy(f->conn, find(f, "foo"), 0, op_done, &op);
    op_ok(&op);
    g_assert_null(find(f, "foo"));
    expect_events(f, "foo STARTED/BOOTED;foo STOPPED/DESTROYED;");

    /* defining a running transient domain makes it persistent */
    drv(f)->domain_create_xml(f->conn, FOO_XML, 0, op_done, &op);
    obj = op_ok(&op);
    g_assert_true(define(f, FOO_XML) == obj);
    expect_events(f, "foo STARTED/BOOTED;foo DEFINED/ADDED;");
    g_assert_true(vb_domain_obj_is_persistent(obj));
    g_assert_true(obj->updated);
    drv(f)->domain_destroy(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    g_assert_false(obj->removed);
    g_assert_false(obj->updated);
    drv(f)->domain_undefine(f->conn, obj, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo STOPPED/DESTROYED;foo UNDEFINED/REMOVED;");
    g_clear_pointer(&obj, vb_domain_obj_unref);

    /* over an inactive persistent domain: it starts and stays persistent */
    define_foo(f);
    foo = find(f, "foo");
    drv(f)->domain_create_xml(f->conn, FOO_XML, 0, op_done, &op);
    obj = op_ok(&op);
    g_assert_true(obj == foo);
    expect_events(f, "foo STARTED/BOOTED;");
    g_assert_true(vb_domain_obj_is_persistent(obj));
    g_assert_true(vb_domain_obj_is_active(obj));

    /* a name clash with another UUID */
    drv(f)->domain_create_xml(f->conn,
                              "<domain type='test'><name>test</name><memory>1024</memory>"
                              "<os><type>hvm</type></os></domain>",
                              0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "domain 'test' already exists with uuid " TEST_UUID);
}

static void
test_undefine(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(VbDomainObj) foo = NULL;
    VbDomainObj *test = find(f, "test");

    define_foo(f);
    foo = vb_domain_obj_ref(find(f, "foo"));
    drv(f)->domain_undefine(f->conn, foo, 16, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG,
             "unsupported flags (0x10) in function virDomainUndefineFlags");
    drv(f)->domain_undefine(f->conn, foo, 4 | 8, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "cannot both keep and delete nvram");
    drv(f)->domain_undefine(f->conn, foo, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo UNDEFINED/REMOVED;");
    g_assert_true(foo->removed);
    g_assert_null(find(f, "foo"));

    /* a running persistent domain keeps running, transient */
    drv(f)->domain_set_autostart(f->conn, test, TRUE, op_done, &op);
    op_ok(&op);
    g_assert_true(test->autostart);
    drv(f)->domain_undefine(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test UNDEFINED/REMOVED;");
    g_assert_false(test->removed);
    g_assert_false(vb_domain_obj_is_persistent(test));
    g_assert_false(test->autostart);
    g_assert_true(vb_domain_obj_is_active(test));
    drv(f)->domain_destroy(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/DESTROYED;");
    g_assert_cmpuint(vb_domain_list_count(f->conn->domains), ==, 0);
}

static void
test_memory(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *test = find(f, "test");
    VbDomainObj *foo;

    drv(f)->domain_set_memory(f->conn, test, 1048576, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test BalloonChange(1048576,);");
    g_assert_cmpuint(test->live->current_kib, ==, 1048576);
    g_assert_cmpuint(test->config->current_kib, ==, 2097152);
    g_assert_false(test->updated);

    drv(f)->domain_set_memory(f->conn, test, 4194304, 1 | 2, op_done, &op);
    op_ok(&op);
    expect_events(f, "test BalloonChange(4194304,);");
    g_assert_cmpuint(test->live->current_kib, ==, 4194304);
    g_assert_cmpuint(test->config->current_kib, ==, 4194304);
    g_assert_true(test->updated);

    drv(f)->domain_set_memory(f->conn, test, 8388609, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "cannot set memory higher than max memory");
    drv(f)->domain_set_memory(f->conn, test, 0, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "must not be zero");
    drv(f)->domain_set_memory(f->conn, test, 1024, 8, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG,
             "unsupported flags (0x8) in function virDomainSetMemoryFlags");
    drv(f)->domain_set_memory(f->conn, test, 1024, 4, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID,
             "cannot resize the maximum memory on an active domain");
    drv(f)->domain_set_max_memory(f->conn, test, 1024, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID,
             "cannot resize the maximum memory on an active domain");
    drv(f)->domain_set_max_memory(f->conn, test, 1024, 4, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainSetMaxMemory");

    /* the persistent maximum of a running domain */
    drv(f)->domain_set_memory(f->conn, test, 2097152, 2 | 4, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(test->config->memory_kib, ==, 2097152);
    g_assert_cmpuint(test->config->current_kib, ==, 2097152);
    g_assert_cmpuint(test->live->memory_kib, ==, 8388608);
    expect_events(f, "");

    define_foo(f);
    foo = find(f, "foo");
    drv(f)->domain_set_memory(f->conn, foo, 1024, 1, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");
    drv(f)->domain_set_max_memory(f->conn, foo, 262144, 0, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(foo->config->memory_kib, ==, 262144);
    g_assert_cmpuint(foo->config->current_kib, ==, 262144);
    drv(f)->domain_set_memory(f->conn, foo, 131072, 0, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(foo->config->current_kib, ==, 131072);
    expect_events(f, "");

    /* the config of a transient domain */
    drv(f)->domain_undefine(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_set_memory(f->conn, test, 1024, 2, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID,
             "cannot change persistent config of a transient domain");
}

static void
test_vcpus(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) info = NULL;
    VbDomainObj *test = find(f, "test");
    gboolean map[16] = {FALSE};
    VbDomainVcpuPin *pin;

    drv(f)->domain_set_vcpus(f->conn, test, 1, 0, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(test->live->vcpus_current, ==, 1);
    g_assert_cmpuint(test->config->vcpus_current, ==, 2);
    drv(f)->domain_set_vcpus(f->conn, test, 3, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "requested cpu amount exceeds maximum (3 > 2)");
    drv(f)->domain_set_vcpus(f->conn, test, 33, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "exceeds maximum supported amount (33 > 32)");
    drv(f)->domain_set_vcpus(f->conn, test, 0, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "must not be zero");
    drv(f)->domain_set_vcpus(f->conn, test, 4, 4, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "maximum vcpu count of a live domain");
    drv(f)->domain_set_vcpus(f->conn, test, 4, 16, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainSetVcpusFlags");
    drv(f)->domain_set_vcpus(f->conn, test, 4, 2 | 4, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(test->config->vcpus_max, ==, 4);
    drv(f)->domain_set_vcpus(f->conn, test, 3, 2, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(test->config->vcpus_current, ==, 3);
    g_assert_true(test->updated);

    /* the guest uses fewer than are plugged */
    drv(f)->domain_set_vcpus(f->conn, test, 1, 8 | 2, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "mutually exclusive");
    drv(f)->domain_set_vcpus(f->conn, test, 2, 8, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "requested cpu amount exceeds maximum (2 > 1)");
    drv(f)->domain_set_vcpus(f->conn, test, 1, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_set_vcpus(f->conn, test, 2, 1, op_done, &op);
    op_ok(&op);
    drv(f)->domain_set_vcpus(f->conn, test, 1, 8, op_done, &op);
    op_ok(&op);
    info = drv(f)->domain_get_vcpu_info(f->conn, test, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(info->len, ==, 2);
    g_assert_cmpint(g_array_index(info, VbVcpuInfo, 0).state, ==, 1);
    g_assert_cmpint(g_array_index(info, VbVcpuInfo, 1).state, ==, 0);
    g_clear_pointer(&info, g_array_unref);

    /* pinning */
    map[3] = TRUE;
    map[5] = TRUE;
    drv(f)->domain_pin_vcpu(f->conn, test, 1, map, 16, 1 | 2, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(test->live->vcpupins->len, ==, 1);
    pin = g_ptr_array_index(test->live->vcpupins, 0);
    g_assert_cmpuint(pin->vcpu, ==, 1);
    g_assert_true(vb_cpuset_is_set(pin->cpuset, 3));
    g_assert_true(vb_cpuset_is_set(pin->cpuset, 5));
    g_assert_cmpuint(vb_cpuset_count(pin->cpuset), ==, 2);
    g_assert_cmpuint(test->config->vcpupins->len, ==, 1);
    info = drv(f)->domain_get_vcpu_info(f->conn, test, 0, &error);
    g_assert_cmpint(g_array_index(info, VbVcpuInfo, 1).cpu, ==, 3);
    drv(f)->domain_pin_vcpu(f->conn, test, 2, map, 16, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "requested vcpu '2' is not present in the domain");
    memset(map, 0, sizeof(map));
    drv(f)->domain_pin_vcpu(f->conn, test, 0, map, 16, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "Empty cpu list for pinning");
    drv(f)->domain_pin_vcpu(f->conn, test, 0, map, 16, 4, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainPinVcpuFlags");

    /* shrinking the maximum drops pins of vcpus that are gone */
    drv(f)->domain_set_vcpus(f->conn, test, 1, 2 | 4, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(test->config->vcpupins->len, ==, 0);
    g_assert_cmpuint(test->config->vcpus_current, ==, 1);

    drv(f)->domain_destroy(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    g_assert_null(drv(f)->domain_get_vcpu_info(f->conn, test, 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
    g_clear_error(&error);
    drv(f)->domain_set_vcpus(f->conn, test, 1, 8, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");
}

static GVariant *
sched_params(const char *key, GVariant *value)
{
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&b, "{sv}", key, value);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
test_scheduler(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) params = NULL;
    VbDomainObj *test = find(f, "test");
    g_autofree char *type = NULL;
    int nparams = 0;
    guint64 shares;
    gint64 quota;

    type = drv(f)->domain_get_scheduler_type(f->conn, test, &nparams, &error);
    g_assert_cmpstr(type, ==, "posix");
    g_assert_cmpint(nparams, ==, 3);
    params = drv(f)->domain_get_scheduler_params(f->conn, test, 0, &error);
    g_assert_no_error(error);
    g_assert_true(g_variant_lookup(params, "cpu_shares", "t", &shares));
    g_assert_cmpuint(shares, ==, 1024);
    g_assert_true(g_variant_lookup(params, "vcpu_quota", "x", &quota));
    g_assert_cmpint(quota, ==, -1);
    g_clear_pointer(&params, g_variant_unref);

    params = sched_params("cpu_shares", g_variant_new_uint64(2048));
    drv(f)->domain_set_scheduler_params(f->conn, test, params, 0, op_done, &op);
    op_ok(&op);
    g_assert_true(test->live->has_shares);
    g_assert_cmpuint(test->live->shares, ==, 2048);
    g_assert_false(test->config->has_shares);
    g_clear_pointer(&params, g_variant_unref);

    params = sched_params("cpu_shares", g_variant_new_uint32(2048));
    drv(f)->domain_set_scheduler_params(f->conn, test, params, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG,
             "invalid type 'uint' for parameter 'cpu_shares', expected 'ullong'");
    g_clear_pointer(&params, g_variant_unref);
    params = sched_params("weight", g_variant_new_uint32(1));
    drv(f)->domain_set_scheduler_params(f->conn, test, params, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "parameter 'weight' not supported");
    g_clear_pointer(&params, g_variant_unref);
    params = sched_params("vcpu_period", g_variant_new_uint64(10));
    drv(f)->domain_set_scheduler_params(f->conn, test, params, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "value of 'vcpu_period' is out of range [1000, 1000000]");
    g_clear_pointer(&params, g_variant_unref);
    params = sched_params("vcpu_quota", g_variant_new_variant(g_variant_new_int64(50000)));
    drv(f)->domain_set_scheduler_params(f->conn, test, params, 2, op_done, &op);
    op_ok(&op);
    g_assert_true(test->config->has_quota);
    g_assert_cmpint(test->config->quota, ==, 50000);
    drv(f)->domain_set_scheduler_params(f->conn, test, params, 4, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainSetSchedulerParametersFlags");
    g_clear_pointer(&params, g_variant_unref);

    params = drv(f)->domain_get_scheduler_params(f->conn, test, 2, &error);
    g_assert_true(g_variant_lookup(params, "vcpu_quota", "x", &quota));
    g_assert_cmpint(quota, ==, 50000);
    g_clear_pointer(&params, g_variant_unref);
    g_assert_null(drv(f)->domain_get_scheduler_params(f->conn, test, 3, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
}

static void
test_devices(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *test = find(f, "test");
    VbDomainObj *foo;
    const char *disk = "<disk type='file' device='disk'><source file='/images/extra.img'/>"
                       "<target dev='vdb' bus='virtio'/></disk>";
    VbDomainNetDef *nic;

    drv(f)->domain_attach_device(f->conn, test, disk, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test DeviceAdded('vdb',);");
    g_assert_cmpuint(test->live->disks->len, ==, 2);
    g_assert_cmpuint(test->config->disks->len, ==, 1);
    g_assert_false(test->updated);
    drv(f)->domain_attach_device(f->conn, test, disk, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "vdb");
    drv(f)->domain_attach_device(f->conn, test, disk, 2, op_done, &op);
    op_ok(&op);
    expect_events(f, "");
    g_assert_cmpuint(test->config->disks->len, ==, 2);
    g_assert_true(test->updated);
    drv(f)->domain_attach_device(f->conn, test, "<disk", 0, op_done, &op);
    op_fails(&op, VB_ERROR_XML, NULL);
    drv(f)->domain_attach_device(f->conn, test, disk, 8, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainAttachDeviceFlags");

    drv(f)->domain_detach_device(f->conn, test, disk, 1 | 2, op_done, &op);
    op_ok(&op);
    expect_events(f, "test DeviceRemoved('vdb',);");
    g_assert_cmpuint(test->live->disks->len, ==, 1);
    g_assert_cmpuint(test->config->disks->len, ==, 1);
    drv(f)->domain_detach_device(f->conn, test, disk, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, NULL);

    /* a NIC attached live and in the config gets one MAC in both */
    drv(f)->domain_attach_device(f->conn, test,
                                 "<interface type='network'><source network='default'/>"
                                 "</interface>",
                                 1 | 2, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(test->live->nets->len, ==, 2);
    g_assert_cmpmem(((VbDomainNetDef *)g_ptr_array_index(test->live->nets, 1))->mac, 6,
                    ((VbDomainNetDef *)g_ptr_array_index(test->config->nets, 1))->mac, 6);
    g_assert_nonnull(strstr(f->events->str, "test DeviceAdded('52:54:00:"));
    g_string_truncate(f->events, 0);

    drv(f)->domain_update_device(f->conn, test,
                                 "<interface type='network'><mac address='aa:bb:cc:dd:ee:ff'/>"
                                 "<source network='default'/><link state='down'/></interface>",
                                 0, op_done, &op);
    op_ok(&op);
    nic = g_ptr_array_index(test->live->nets, 0);
    g_assert_cmpint(nic->link_state, ==, VB_DOMAIN_NET_LINK_DOWN);
    expect_events(f, "");
    drv(f)->domain_update_device(f->conn, test, disk, 16, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainUpdateDeviceFlags");

    /* an inactive domain: the config only */
    define_foo(f);
    foo = find(f, "foo");
    drv(f)->domain_attach_device(f->conn, foo, disk, 0, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(foo->config->disks->len, ==, 2);
    drv(f)->domain_attach_device(f->conn, foo, disk, 1, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");
    expect_events(f, "");
}

static void
test_metadata(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(GError) error = NULL;
    g_autofree char *element = NULL;
    VbDomainObj *test = find(f, "test");

    drv(f)->domain_set_metadata(f->conn, test, 1, "A title", NULL, NULL, 1 | 2, op_done, &op);
    op_ok(&op);
    expect_events(f, "test MetadataChange(1, '');");
    g_assert_cmpstr(test->live->title, ==, "A title");
    g_assert_cmpstr(test->config->title, ==, "A title");

    drv(f)->domain_set_metadata(f->conn, test, 2, "<info>x</info>", "app", "http://example.org/app",
                                0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test MetadataChange(2, 'http://example.org/app');");
    element = vb_domain_def_get_metadata(test->live, 2, "http://example.org/app", &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(element, "x</"));

    drv(f)->domain_set_metadata(f->conn, test, 1, "two\nlines", NULL, NULL, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "newlines");
    drv(f)->domain_set_metadata(f->conn, test, 1, "t", NULL, NULL, 4, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainSetMetadata");
    expect_events(f, "");
}

static void
test_rename(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *test = find(f, "test");
    VbDomainObj *foo;

    drv(f)->domain_rename(f->conn, test, "other", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "cannot rename active domain");
    define_foo(f);
    foo = find(f, "foo");
    drv(f)->domain_rename(f->conn, foo, "a/b", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "cannot contain '/'");
    drv(f)->domain_rename(f->conn, foo, "foo", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "Can't rename domain to itself");
    drv(f)->domain_rename(f->conn, foo, "test", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain with name 'test' already exists");
    drv(f)->domain_rename(f->conn, foo, "bar", 1, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainRename");
    expect_events(f, "");

    drv(f)->domain_rename(f->conn, foo, "bar", 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "foo UNDEFINED/RENAMED;bar DEFINED/RENAMED;");
    g_assert_null(find(f, "foo"));
    g_assert_true(find(f, "bar") == foo);
    g_assert_cmpstr(foo->config->name, ==, "bar");
}

static void
test_input(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *test = find(f, "test");
    guint keys[17] = {28, 29};

    drv(f)->domain_inject_nmi(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_inject_nmi(f->conn, test, 1, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainInjectNMI");
    drv(f)->domain_send_key(f->conn, test, 0, 100, keys, 2, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_send_key(f->conn, test, 11, 100, keys, 2, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "unknown keycode set 11");
    drv(f)->domain_send_key(f->conn, test, 0, 100, keys, 17, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "nkeycodes in virDomainSendKey must be <= 16");
    drv(f)->domain_send_key(f->conn, test, 0, 100, keys, 0, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "nkeycodes");
    keys[0] = 70000;
    drv(f)->domain_send_key(f->conn, test, 9, 100, keys, 1, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "invalid keycode 70000 of rfb codeset");
    keys[0] = 28;
    drv(f)->domain_send_key(f->conn, test, 0, 100, keys, 1, 2, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainSendKey");

    drv(f)->domain_suspend(f->conn, test, op_done, &op);
    op_ok(&op);
    drv(f)->domain_inject_nmi(f->conn, test, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");
    drv(f)->domain_send_key(f->conn, test, 0, 100, keys, 1, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");
}

static void
write_file(const char *path, const char *contents, gssize len)
{
    g_autoptr(GError) error = NULL;

    g_file_set_contents(path, contents, len, &error);
    g_assert_no_error(error);
}

static void
test_save_restore(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *test = find(f, "test");
    g_autofree char *path = tmp_path(f, "test.save");
    g_autofree char *other = tmp_path(f, "other.save");
    g_autofree char *image = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *broken = NULL;
    g_autoptr(VbDomainObj) hold = NULL;
    gsize len;

    drv(f)->domain_save(f->conn, test, path, "", 8, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainSaveFlags");
    drv(f)->domain_save(f->conn, test, path, "", 2 | 4, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "mutually exclusive");
    drv(f)->domain_save(f->conn, test, "relative.save", "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "not absolute");
    drv(f)->domain_save(f->conn, test, path, FOO_XML, 0, op_done, &op);
    op_fails(&op, VB_ERROR_CONFIG_UNSUPPORTED,
             "Target domain name 'foo' does not match source 'test'");

    drv(f)->domain_save(f->conn, test, path, "", 0, op_done, &op);
    /* the write runs on a worker: nothing changed yet */
    g_assert_cmpint(test->state, ==, VB_DOMAIN_RUNNING);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;");
    g_assert_cmpint(test->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(test->reason, ==, VB_SHUTOFF_SAVED);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    drv(f)->domain_save(f->conn, test, path, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");

    /* the image's XML, and a changed one written back */
    drv(f)->save_image_get_xml(f->conn, path, 0, op_done, &op);
    xml = op_ok(&op);
    g_assert_nonnull(strstr(xml, "<name>test</name>"));
    g_assert_null(strstr(xml, "<title>"));
    drv(f)->save_image_define_xml(f->conn, path,
                                  "<domain type='test'><name>test</name><uuid>" TEST_UUID
                                  "</uuid><title>restored</title><memory>1048576</memory>"
                                  "<os><type>hvm</type></os></domain>",
                                  4, op_done, &op);
    op_ok(&op);
    drv(f)->save_image_define_xml(f->conn, path, FOO_XML, 0, op_done, &op);
    op_fails(&op, VB_ERROR_CONFIG_UNSUPPORTED, "does not match");
    drv(f)->save_image_get_xml(f->conn, path, 2, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainSaveImageGetXMLDesc");

    /* the image now says paused */
    drv(f)->domain_restore(f->conn, path, "", 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STARTED/RESTORED;test SUSPENDED/RESTORED;");
    g_assert_cmpint(test->state, ==, VB_DOMAIN_PAUSED);
    g_assert_cmpstr(test->live->title, ==, "restored");
    g_assert_cmpuint(test->live->memory_kib, ==, 1048576);
    g_assert_null(test->config->title);
    g_assert_cmpint(test->id, ==, 2);
    drv(f)->domain_restore(f->conn, path, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain 'test' is already active");

    /* save while paused, restore running by flag */
    drv(f)->domain_save(f->conn, test, path, "", 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_restore(f->conn, path, "", 2, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;test STARTED/RESTORED;");
    g_assert_cmpint(test->state, ==, VB_DOMAIN_RUNNING);
    g_assert_cmpint(test->reason, ==, VB_RUNNING_RESTORED);

    /* a transient domain goes with its save, and comes back transient */
    drv(f)->domain_undefine(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    hold = vb_domain_obj_ref(test);
    drv(f)->domain_save(f->conn, test, other, "", 4, op_done, &op);
    op_ok(&op);
    expect_events(f, "test UNDEFINED/REMOVED;test STOPPED/SAVED;");
    g_assert_true(hold->removed);
    g_assert_null(find(f, "test"));
    drv(f)->domain_restore(f->conn, other, "", 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STARTED/RESTORED;test SUSPENDED/RESTORED;");
    test = find(f, "test");
    g_assert_nonnull(test);
    g_assert_false(vb_domain_obj_is_persistent(test));
    g_assert_cmpint(test->state, ==, VB_DOMAIN_PAUSED);
    drv(f)->domain_destroy(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_restore(f->conn, other, "", 4, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/DESTROYED;test STARTED/RESTORED;test SUSPENDED/PAUSED;");

    /* the xml argument replaces the definition when it is the same domain */
    drv(f)->domain_destroy(f->conn, find(f, "test"), 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_restore(f->conn, other, FOO_XML, 0, op_done, &op);
    op_fails(&op, VB_ERROR_CONFIG_UNSUPPORTED, "does not match");
    drv(f)->domain_restore(f->conn, other,
                           "<domain type='test'><name>test</name><uuid>" TEST_UUID "</uuid>"
                           "<memory>65536</memory><os><type>hvm</type></os></domain>",
                           2, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/DESTROYED;test STARTED/RESTORED;");
    g_assert_cmpuint(find(f, "test")->live->memory_kib, ==, 65536);
    g_assert_cmpint(find(f, "test")->state, ==, VB_DOMAIN_RUNNING);

    /* atomic writes leave no temp files behind */
    {
        g_autoptr(GDir) dir = g_dir_open(f->tmpdir, 0, NULL);
        const char *name;

        while ((name = g_dir_read_name(dir)) != NULL)
            g_assert_true(g_str_equal(name, "test.save") || g_str_equal(name, "other.save"));
    }

    /* bad files */
    drv(f)->domain_restore(f->conn, "/nonexistent/x.save", "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED,
             "cannot open save image '/nonexistent/x.save': No such file or directory");
    drv(f)->domain_restore(f->conn, f->tmpdir, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "is not a regular file");
    drv(f)->domain_restore(f->conn, "x.save", "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "not absolute");
    drv(f)->domain_restore(f->conn, other, "", 8, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainRestoreFlags");

    g_assert_true(g_file_get_contents(other, &image, &len, NULL));
    broken = tmp_path(f, "broken.save");
    write_file(broken, "garbage\n", -1);
    drv(f)->domain_restore(f->conn, broken, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "is not a test driver save image");
    write_file(broken, image, len / 2);
    drv(f)->domain_restore(f->conn, broken, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "is truncated");
    write_file(broken, image, 30);
    drv(f)->domain_restore(f->conn, broken, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "is truncated");
    image[len - 10] ^= 1;
    write_file(broken, image, len);
    drv(f)->domain_restore(f->conn, broken, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "is corrupt: checksum mismatch");
    image[len - 10] ^= 1;
    memcpy(strstr(image, "version 1"), "version 7", 9);
    write_file(broken, image, len);
    drv(f)->save_image_get_xml(f->conn, broken, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "unsupported version '7'");
    write_file(broken, "virtbus-test-save-image\nversion 1\nstate running\n\n", -1);
    drv(f)->domain_restore(f->conn, broken, "", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "incomplete header");
    expect_events(f, "");
}

static void
test_managed_save(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *test = vb_domain_obj_ref(find(f, "test"));
    g_autofree char *image = NULL;

    drv(f)->domain_managed_save(f->conn, test, 8, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainManagedSave");
    drv(f)->domain_managed_save(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;");
    g_assert_true(test->managed_save);
    g_assert_cmpint(test->reason, ==, VB_SHUTOFF_SAVED);
    image = vb_test_managed_save_path(f->conn->priv, test);
    g_assert_true(g_file_test(image, G_FILE_TEST_IS_REGULAR));

    drv(f)->domain_undefine(f->conn, test, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID,
             "Refusing to undefine while domain managed save image exists");
    drv(f)->domain_rename(f->conn, test, "other", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "managed saved state");

    /* create restores it and drops the image */
    drv(f)->domain_create(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STARTED/RESTORED;");
    g_assert_false(test->managed_save);
    g_assert_false(g_file_test(image, G_FILE_TEST_EXISTS));
    g_assert_cmpint(test->state, ==, VB_DOMAIN_RUNNING);
    g_assert_cmpint(test->reason, ==, VB_RUNNING_RESTORED);

    /* remove */
    drv(f)->domain_managed_save(f->conn, test, 4, op_done, &op);
    op_ok(&op);
    drv(f)->domain_managed_save_remove(f->conn, test, 1, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainManagedSaveRemove");
    drv(f)->domain_managed_save_remove(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    g_assert_false(test->managed_save);
    drv(f)->domain_managed_save_remove(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_create(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;test STARTED/BOOTED;");

    /* a paused image starts paused; FORCE_BOOT discards one */
    drv(f)->domain_managed_save(f->conn, test, 4, op_done, &op);
    op_ok(&op);
    drv(f)->domain_create(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;test STARTED/RESTORED;test SUSPENDED/RESTORED;");
    g_assert_cmpint(test->state, ==, VB_DOMAIN_PAUSED);
    drv(f)->domain_managed_save(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_create(f->conn, test, 8, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;test STARTED/BOOTED;");
    g_assert_false(test->managed_save);

    /* undefine takes the image along with the flag */
    drv(f)->domain_managed_save(f->conn, test, 0, op_done, &op);
    op_ok(&op);
    drv(f)->domain_undefine(f->conn, test, 1, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;test UNDEFINED/REMOVED;");
    g_assert_true(test->removed);
    g_assert_false(test->managed_save);
    vb_domain_obj_unref(test);

    /* transient domains have no managed save */
    drv(f)->domain_create_xml(f->conn, FOO_XML, 0, op_done, &op);
    vb_domain_obj_unref(op_ok(&op));
    drv(f)->domain_managed_save(f->conn, find(f, "foo"), 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "cannot do managed save for transient domain");
}

static void
test_busy(Fixture *f, gconstpointer data)
{
    Op op = {0};
    Op second = {0};
    g_autoptr(GError) error = NULL;
    VbDomainObj *test = find(f, "test");
    g_autofree char *path = tmp_path(f, "busy.save");
    VbControlInfo info;

    drv(f)->domain_save(f->conn, test, path, "", 0, op_done, &op);
    g_assert_false(op.done);
    g_assert_true(drv(f)->domain_get_control_info(f->conn, test, 0, &info, &error));
    g_assert_cmpuint(info.state, ==, 1);
    drv(f)->domain_destroy(f->conn, test, 0, op_done, &second);
    op_fails(&second, VB_ERROR_BUSY, "domain is busy: another operation is in progress");
    drv(f)->domain_set_memory(f->conn, test, 1024, 0, op_done, &second);
    op_fails(&second, VB_ERROR_BUSY, NULL);
    drv(f)->domain_managed_save(f->conn, test, 0, op_done, &second);
    op_fails(&second, VB_ERROR_BUSY, NULL);
    drv(f)->domain_define_xml(f->conn,
                              "<domain type='test'><name>test</name><uuid>" TEST_UUID
                              "</uuid><memory>1024</memory><os><type>hvm</type></os></domain>",
                              0, op_done, &second);
    op_fails(&second, VB_ERROR_BUSY, NULL);
    op_ok(&op);
    expect_events(f, "test STOPPED/SAVED;");
    g_assert_true(drv(f)->domain_get_control_info(f->conn, test, 0, &info, &error) == FALSE);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
}

static void
test_core_dump(Fixture *f, gconstpointer data)
{
    Op op = {0};
    VbDomainObj *test = find(f, "test");
    g_autofree char *path = tmp_path(f, "test.core");
    g_autofree char *contents = NULL;
    gsize len;

    drv(f)->domain_core_dump(f->conn, test, path, 0, 32, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainCoreDumpWithFormat");
    drv(f)->domain_core_dump(f->conn, test, path, 0, 1 | 2, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG,
             "Flags 'VIR_DUMP_CRASH' and 'VIR_DUMP_LIVE' are mutually exclusive");
    drv(f)->domain_core_dump(f->conn, test, path, 1, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_UNSUPPORTED, "kdump-compressed format is not supported");
    drv(f)->domain_core_dump(f->conn, test, path, 9, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "dumpformat '9' is not supported");
    drv(f)->domain_core_dump(f->conn, test, "/nonexistent/dir/core", 0, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "cannot write '/nonexistent/dir/core'");

    drv(f)->domain_core_dump(f->conn, test, path, 0, 2, op_done, &op);
    op_ok(&op);
    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    g_assert_true(g_str_has_prefix(contents, "virtbus-test-core-dump\n"));
    g_assert_nonnull(strstr(contents, "<name>test</name>"));
    g_assert_cmpuint(len, >, 64 * 1024);
    g_assert_cmpint(test->state, ==, VB_DOMAIN_RUNNING);
    expect_events(f, "");

    drv(f)->domain_core_dump(f->conn, test, path, 0, 8, op_done, &op);
    op_ok(&op);
    expect_events(f, "test Reboot();");
    drv(f)->domain_core_dump(f->conn, test, path, 0, 1, op_done, &op);
    op_ok(&op);
    expect_events(f, "test STOPPED/CRASHED;");
    g_assert_cmpint(test->reason, ==, VB_SHUTOFF_CRASHED);
    drv(f)->domain_core_dump(f->conn, test, path, 0, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");
}

static GVariant *
get_stats(Fixture *f, VbDomainObj *obj, guint stats)
{
    Op op = {0};

    drv(f)->domain_get_stats(f->conn, obj, stats, 0, op_done, &op);
    return op_ok(&op);
}

static void
assert_stat_type(GVariant *stats, const char *key, const char *type)
{
    g_autoptr(GVariant) value = g_variant_lookup_value(stats, key, NULL);

    if (value == NULL)
        g_error("no stat '%s'", key);
    g_assert_cmpstr(g_variant_get_type_string(value), ==, type);
}

static guint64
stat_u64(GVariant *stats, const char *key)
{
    guint64 value = 0;

    g_assert_true(g_variant_lookup(stats, key, "t", &value));
    return value;
}

static void
test_stats(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) stats = NULL;
    g_autoptr(GVariant) later = NULL;
    g_autoptr(GVariant) mem = NULL;
    g_autofree VbBlockStats *block = NULL;
    g_autofree VbInterfaceStats *net = NULL;
    g_autofree char *hostname = NULL;
    VbDomainObj *test = find(f, "test");
    VbDomainObj *foo;
    guint64 t0, t1, t2, value;
    static const char *const typed[][2] = {
        {"state.state", "i"},      {"state.reason", "i"},    {"cpu.time", "t"},
        {"cpu.user", "t"},         {"cpu.system", "t"},      {"balloon.current", "t"},
        {"balloon.maximum", "t"},  {"balloon.rss", "t"},     {"vcpu.current", "u"},
        {"vcpu.maximum", "u"},     {"vcpu.0.state", "i"},    {"vcpu.1.time", "t"},
        {"net.count", "u"},        {"net.0.name", "s"},      {"net.0.rx.bytes", "t"},
        {"net.0.tx.pkts", "t"},    {"block.count", "u"},     {"block.0.name", "s"},
        {"block.0.path", "s"},     {"block.0.rd.reqs", "t"}, {"block.0.wr.bytes", "t"},
        {"block.0.capacity", "t"},
    };

    stats = get_stats(f, test, 0);
    for (guint i = 0; i < G_N_ELEMENTS(typed); i++)
        assert_stat_type(stats, typed[i][0], typed[i][1]);
    g_assert_cmpuint(stat_u64(stats, "balloon.current"), ==, 2097152);
    g_assert_cmpuint(stat_u64(stats, "balloon.maximum"), ==, 8388608);
    g_clear_pointer(&stats, g_variant_unref);

    /* cpu time grows while running */
    t0 = drv(f)->domain_get_cpu_time(f->conn, test);
    g_usleep(20000);
    stats = get_stats(f, test, 2);
    t1 = stat_u64(stats, "cpu.time");
    g_assert_cmpuint(t1, >, t0);
    g_assert_cmpuint(stat_u64(stats, "cpu.user") + stat_u64(stats, "cpu.system"), <=, t1);
    g_assert_null(g_variant_lookup_value(stats, "state.state", NULL));
    g_clear_pointer(&stats, g_variant_unref);

    /* and stands still while paused */
    drv(f)->domain_suspend(f->conn, test, op_done, &op);
    op_ok(&op);
    t1 = drv(f)->domain_get_cpu_time(f->conn, test);
    stats = get_stats(f, test, 2 | 32);
    g_usleep(20000);
    later = get_stats(f, test, 2 | 32);
    t2 = drv(f)->domain_get_cpu_time(f->conn, test);
    g_assert_cmpuint(t1, ==, t2);
    g_assert_cmpuint(stat_u64(stats, "cpu.time"), ==, stat_u64(later, "cpu.time"));
    g_assert_cmpuint(stat_u64(stats, "block.0.rd.reqs"), ==, stat_u64(later, "block.0.rd.reqs"));
    g_clear_pointer(&stats, g_variant_unref);
    g_clear_pointer(&later, g_variant_unref);
    drv(f)->domain_resume(f->conn, test, op_done, &op);
    op_ok(&op);
    expect_events(f, "test SUSPENDED/PAUSED;test RESUMED/UNPAUSED;");
    g_usleep(2000);
    g_assert_cmpuint(drv(f)->domain_get_cpu_time(f->conn, test), >, t2);

    /* unsupported groups: ignored, or refused with ENFORCE_STATS */
    stats = get_stats(f, test, 64 | 1);
    assert_stat_type(stats, "state.state", "i");
    g_clear_pointer(&stats, g_variant_unref);
    drv(f)->domain_get_stats(f->conn, test, 64, 1u << 31, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_UNSUPPORTED, "Stats types bits 0x40 are not supported");
    drv(f)->domain_get_stats(f->conn, test, 0, 1u << 20, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainListGetStats");

    /* an inactive domain: what its definition says */
    define_foo(f);
    foo = find(f, "foo");
    stats = get_stats(f, foo, 0);
    assert_stat_type(stats, "state.state", "i");
    assert_stat_type(stats, "balloon.current", "t");
    assert_stat_type(stats, "vcpu.maximum", "u");
    assert_stat_type(stats, "block.0.path", "s");
    g_assert_null(g_variant_lookup_value(stats, "cpu.time", NULL));
    g_assert_null(g_variant_lookup_value(stats, "net.count", NULL));
    g_assert_null(g_variant_lookup_value(stats, "block.0.rd.reqs", NULL));
    g_assert_null(g_variant_lookup_value(stats, "vcpu.0.state", NULL));
    g_clear_pointer(&stats, g_variant_unref);
    g_assert_cmpuint(drv(f)->domain_get_cpu_time(f->conn, foo), ==, 0);

    /* memory stats */
    drv(f)->domain_memory_stats(f->conn, test, 0, op_done, &op);
    mem = op_ok(&op);
    g_assert_true(g_variant_is_of_type(mem, G_VARIANT_TYPE("a{it}")));
    for (gsize i = 0; i < g_variant_n_children(mem); i++) {
        gint32 tag;

        g_variant_get_child(mem, i, "{it}", &tag, &value);
        if (tag == 6)
            g_assert_cmpuint(value, ==, 2097152);
    }
    drv(f)->domain_memory_stats(f->conn, foo, 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");
    drv(f)->domain_memory_stats(f->conn, test, 1, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainMemoryStats");

    /* block and interface stats */
    drv(f)->domain_block_stats(f->conn, test, "vda", 0, op_done, &op);
    block = op_ok(&op);
    g_assert_cmpint(block->rd_bytes, ==, block->rd_req * 4096);
    g_clear_pointer(&block, g_free);
    drv(f)->domain_block_stats(f->conn, test, "/guest/diskimage1", 0, op_done, &op);
    block = op_ok(&op);
    g_clear_pointer(&block, g_free);
    drv(f)->domain_block_stats(f->conn, test, "", 0, op_done, &op);
    block = op_ok(&op);
    drv(f)->domain_block_stats(f->conn, test, "sdz", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "invalid path, 'sdz' is not a known disk");
    drv(f)->domain_block_stats(f->conn, foo, "vda", 0, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "domain is not running");

    drv(f)->domain_interface_stats(f->conn, test, "testnet0", 0, op_done, &op);
    net = op_ok(&op);
    g_assert_cmpint(net->rx_bytes, ==, net->rx_packets * 600);
    g_clear_pointer(&net, g_free);
    drv(f)->domain_interface_stats(f->conn, test, "AA:BB:CC:DD:EE:FF", 0, op_done, &op);
    net = op_ok(&op);
    drv(f)->domain_interface_stats(f->conn, test, "eth9", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "invalid path, 'eth9' is not a known interface");

    /* other reads */
    g_clear_pointer(&hostname, g_free);
    hostname = drv(f)->domain_get_hostname(f->conn, test, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(hostname, ==, "testhost");
    g_assert_null(drv(f)->domain_get_hostname(f->conn, foo, 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
    g_clear_error(&error);
    g_assert_null(drv(f)->domain_get_hostname(f->conn, test, 4, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
}

static void
test_interface_addresses(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(GVariant) addrs = NULL;
    g_autofree char *text = NULL;
    VbDomainObj *test = find(f, "test");

    drv(f)->domain_interface_addresses(f->conn, test, 0, 0, op_done, &op);
    addrs = op_ok(&op);
    text = g_variant_print(addrs, FALSE);
    g_assert_cmpstr(text, ==, "[('testnet0', 'aa:bb:cc:dd:ee:ff', [(0, '192.168.122.2', 24)])]");
    g_clear_pointer(&addrs, g_variant_unref);
    g_clear_pointer(&text, g_free);

    drv(f)->domain_interface_addresses(f->conn, test, 1, 0, op_done, &op);
    addrs = op_ok(&op);
    text = g_variant_print(addrs, FALSE);
    g_assert_nonnull(strstr(text, "('lo', '00:00:00:00:00:00'"));
    g_assert_nonnull(strstr(text, "('eth0', 'aa:bb:cc:dd:ee:ff', [(0, '192.168.122.2'"));

    drv(f)->domain_interface_addresses(f->conn, test, 3, 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "Unknown IP address data source 3");
    drv(f)->domain_interface_addresses(f->conn, test, 0, 1, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virDomainInterfaceAddresses");
}

#define NET_XML                                                                                    \
    "<network><name>n1</name><uuid>bbbbbbbb-0000-0000-0000-000000000001</uuid>"                    \
    "<bridge name='virbr9'/><ip address='10.9.0.1' prefix='24'><dhcp>"                             \
    "<range start='10.9.0.50' end='10.9.0.60'/></dhcp></ip></network>"

static void
test_networks(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(VbNetworkObj) n1 = NULL;
    g_autoptr(VbNetworkObj) t = NULL;
    VbNetworkObj *def_net = vb_network_list_find_name(f->conn->networks, "default");

    drv(f)->network_define_xml(f->conn, NET_XML, op_done, &op);
    n1 = op_ok(&op);
    expect_events(f, "net n1 DEFINED;");
    g_assert_true(vb_network_obj_is_persistent(n1));
    g_assert_false(vb_network_obj_is_active(n1));

    drv(f)->network_create(f->conn, n1, op_done, &op);
    op_ok(&op);
    expect_events(f, "net n1 STARTED;");
    g_assert_true(vb_network_obj_is_active(n1));
    drv(f)->network_create(f->conn, n1, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "network is already active");

    /* update: live only by default on an active network */
    drv(f)->network_update(f->conn, n1, 3, 4, -1, "<host mac='52:54:00:11:22:33' ip='10.9.0.5'/>",
                           0, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(vb_network_def_get_dhcp_ip(n1->live)->hosts->len, ==, 1);
    g_assert_cmpuint(vb_network_def_get_dhcp_ip(n1->config)->hosts->len, ==, 0);
    drv(f)->network_update(f->conn, n1, 3, 4, -1, "<host mac='52:54:00:11:22:34' ip='10.9.0.6'/>",
                           1 | 2, op_done, &op);
    op_ok(&op);
    g_assert_cmpuint(vb_network_def_get_dhcp_ip(n1->config)->hosts->len, ==, 1);
    drv(f)->network_update(f->conn, n1, 3, 4, -1, "<host", 0, op_done, &op);
    op_fails(&op, VB_ERROR_XML, NULL);
    drv(f)->network_update(f->conn, n1, 3, 4, -1, "<host mac='52:54:00:11:22:35' ip='10.9.0.7'/>",
                           4, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virNetworkUpdate");

    drv(f)->network_destroy(f->conn, n1, op_done, &op);
    op_ok(&op);
    expect_events(f, "net n1 STOPPED;");
    drv(f)->network_destroy(f->conn, n1, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "network is not active");
    drv(f)->network_update(f->conn, n1, 3, 4, -1, "<host mac='52:54:00:11:22:35' ip='10.9.0.7'/>",
                           1, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "network is not running");

    drv(f)->network_create_xml(f->conn, NET_XML, op_done, &op);
    t = op_ok(&op);
    g_assert_true(t == n1);
    g_assert_true(vb_network_obj_is_persistent(n1));
    g_assert_true(vb_network_obj_is_active(n1));
    g_clear_pointer(&t, vb_network_obj_unref);
    drv(f)->network_destroy(f->conn, n1, op_done, &op);
    op_ok(&op);
    expect_events(f, "net n1 STARTED;net n1 STOPPED;");

    drv(f)->network_set_autostart(f->conn, n1, TRUE, op_done, &op);
    op_ok(&op);
    g_assert_true(n1->autostart);
    drv(f)->network_undefine(f->conn, n1, op_done, &op);
    op_ok(&op);
    expect_events(f, "net n1 UNDEFINED;");
    g_assert_true(n1->removed);

    /* transient */
    drv(f)->network_create_xml(f->conn, NET_XML, op_done, &op);
    t = op_ok(&op);
    expect_events(f, "net n1 STARTED;");
    g_assert_false(vb_network_obj_is_persistent(t));
    drv(f)->network_set_autostart(f->conn, t, TRUE, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "cannot set autostart for transient network");
    drv(f)->network_undefine(f->conn, t, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "can't undefine transient network");
    drv(f)->network_update(f->conn, t, 3, 4, -1, "<host mac='52:54:00:11:22:35' ip='10.9.0.7'/>", 2,
                           op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID,
             "cannot change persistent config of a transient network");
    drv(f)->network_create_xml(f->conn, NET_XML, op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_INVALID, "network 'n1' is already active");
    drv(f)->network_destroy(f->conn, t, op_done, &op);
    op_ok(&op);
    expect_events(f, "net n1 STOPPED;");
    g_assert_true(t->removed);

    /* clashes */
    drv(f)->network_define_xml(
        f->conn, "<network><name>default</name><bridge name='virbr5'/></network>", op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED,
             "network 'default' already exists with uuid " NET_UUID);
    drv(f)->network_define_xml(
        f->conn, "<network><name>other</name><uuid>" NET_UUID "</uuid></network>", op_done, &op);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "network 'default' is already defined with uuid");

    /* undefining an active persistent network leaves it running, transient */
    drv(f)->network_undefine(f->conn, def_net, op_done, &op);
    op_ok(&op);
    expect_events(f, "net default UNDEFINED;");
    g_assert_false(def_net->removed);
    g_assert_true(vb_network_obj_is_active(def_net));
    g_assert_false(vb_network_obj_is_persistent(def_net));
    drv(f)->network_define_xml(f->conn, NULL, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, NULL);
}

static void
test_dhcp_leases(Fixture *f, gconstpointer data)
{
    Op op = {0};
    g_autoptr(GVariant) leases = NULL;
    VbNetworkObj *net = vb_network_list_find_name(f->conn->networks, "default");
    const char *iface, *mac, *iaid, *ip, *host, *client;
    gint64 expiry;
    gint32 type;
    guint32 prefix;
    VbDomainObj *foo;

    drv(f)->network_get_dhcp_leases(f->conn, net, "", 0, op_done, &op);
    leases = op_ok(&op);
    g_assert_true(g_variant_is_of_type(leases, G_VARIANT_TYPE("a(sxisssuss)")));
    g_assert_cmpuint(g_variant_n_children(leases), ==, 1);
    g_variant_get_child(leases, 0, "(&sxi&s&s&su&s&s)", &iface, &expiry, &type, &mac, &iaid, &ip,
                        &prefix, &host, &client);
    g_assert_cmpstr(iface, ==, "virbr0");
    g_assert_cmpint(expiry, >, g_get_real_time() / G_USEC_PER_SEC);
    g_assert_cmpint(type, ==, 0);
    g_assert_cmpstr(mac, ==, "aa:bb:cc:dd:ee:ff");
    g_assert_cmpstr(ip, ==, "192.168.122.2");
    g_assert_cmpuint(prefix, ==, 24);
    g_assert_cmpstr(host, ==, "test");
    g_clear_pointer(&leases, g_variant_unref);

    /* a second guest takes the next address, or its <host> entry's */
    define_foo(f);
    foo = find(f, "foo");
    drv(f)->domain_create(f->conn, foo, 0, op_done, &op);
    op_ok(&op);
    drv(f)->network_get_dhcp_leases(f->conn, net, NULL, 0, op_done, &op);
    leases = op_ok(&op);
    g_assert_cmpuint(g_variant_n_children(leases), ==, 2);
    g_variant_get_child(leases, 1, "(&sxi&s&s&su&s&s)", &iface, &expiry, &type, &mac, &iaid, &ip,
                        &prefix, &host, &client);
    g_assert_cmpstr(ip, ==, "192.168.122.3");
    g_assert_cmpstr(host, ==, "foo");
    g_clear_pointer(&leases, g_variant_unref);

    drv(f)->network_update(f->conn, net, 3, 4, -1,
                           "<host mac='aa:bb:cc:dd:ee:ff' ip='192.168.122.100'/>", 0, op_done, &op);
    op_ok(&op);
    drv(f)->network_get_dhcp_leases(f->conn, net, "AA:BB:CC:DD:EE:FF", 0, op_done, &op);
    leases = op_ok(&op);
    g_assert_cmpuint(g_variant_n_children(leases), ==, 1);
    g_variant_get_child(leases, 0, "(&sxi&s&s&su&s&s)", &iface, &expiry, &type, &mac, &iaid, &ip,
                        &prefix, &host, &client);
    g_assert_cmpstr(ip, ==, "192.168.122.100");
    g_clear_pointer(&leases, g_variant_unref);

    drv(f)->network_get_dhcp_leases(f->conn, net, "nonsense", 0, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "invalid MAC address: nonsense");
    drv(f)->network_get_dhcp_leases(f->conn, net, "", 1, op_done, &op);
    op_fails(&op, VB_ERROR_INVALID_ARG, "in function virNetworkGetDHCPLeases");

    /* an inactive network leases nothing */
    drv(f)->network_destroy(f->conn, net, op_done, &op);
    op_ok(&op);
    drv(f)->network_get_dhcp_leases(f->conn, net, "", 0, op_done, &op);
    leases = op_ok(&op);
    g_assert_cmpuint(g_variant_n_children(leases), ==, 0);
}

static char *
host_uri(const char *name)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", "hosts", name, NULL);
    g_autofree char *absolute = g_canonicalize_filename(path, NULL);

    return g_strconcat("test://", absolute, NULL);
}

static void
test_host_file(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = host_uri("good.xml");
    g_autoptr(VbConn) conn = vb_conn_open(uri, &error);
    VbNodeInfo info;
    VbDomainObj *web, *batch, *db;
    VbNetworkObj *lan, *isolated;
    Op op = {0};
    g_autoptr(GVariant) leases = NULL;
    g_autofree char *text = NULL;

    g_assert_no_error(error);
    g_assert_true(conn->driver->node_get_info(conn, &info, &error));
    g_assert_cmpstr(info.model, ==, "x86_64");
    g_assert_cmpuint(info.mhz, ==, 2400);
    g_assert_cmpuint(info.cpus, ==, 8);
    g_assert_cmpuint(info.memory_kib, ==, 16777216);
    g_free(info.model);

    g_assert_cmpuint(vb_domain_list_count(conn->domains), ==, 3);
    web = vb_domain_list_find_name(conn->domains, "web");
    batch = vb_domain_list_find_name(conn->domains, "batch");
    db = vb_domain_list_find_name(conn->domains, "db");
    g_assert_cmpint(web->id, ==, 1);
    g_assert_cmpint(web->state, ==, VB_DOMAIN_RUNNING);
    g_assert_true(vb_domain_obj_is_persistent(web));
    g_assert_cmpint(batch->id, ==, 2);
    g_assert_cmpint(batch->state, ==, VB_DOMAIN_PAUSED);
    g_assert_false(vb_domain_obj_is_persistent(batch));
    g_assert_nonnull(batch->live->metadata);
    g_assert_nonnull(strstr(batch->live->metadata, "http://example.org/app"));
    g_assert_cmpint(db->id, ==, -1);
    g_assert_cmpint(db->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_true(db->autostart);

    lan = vb_network_list_find_name(conn->networks, "lan");
    isolated = vb_network_list_find_name(conn->networks, "isolated");
    g_assert_true(vb_network_obj_is_active(lan));
    g_assert_true(lan->autostart);
    g_assert_false(vb_network_obj_is_active(isolated));
    g_assert_true(vb_network_obj_is_persistent(isolated));

    conn->driver->network_get_dhcp_leases(conn, lan, "", 0, op_done, &op);
    leases = op_ok(&op);
    text = g_variant_print(leases, FALSE);
    g_assert_nonnull(strstr(text, "'10.7.0.10', 24, 'web'"));
    g_clear_pointer(&conn, vb_conn_close);

    g_free(uri);
    uri = host_uri("minimal.xml");
    conn = vb_conn_open(uri, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vb_domain_list_count(conn->domains), ==, 0);
    g_assert_true(conn->driver->node_get_info(conn, &info, &error));
    g_assert_cmpuint(info.cpus, ==, 16);
    g_free(info.model);
}

static void
test_host_file_broken(void)
{
    static const struct {
        const char *file;
        VbErrorCode code;
        const char *message;
    } cases[] = {
        {"bad-malformed.xml", VB_ERROR_XML, "XML error"},
        {"bad-element.xml", VB_ERROR_XML, "<pool> at line 2: XML error: unexpected element 'pool'"},
        {"bad-state.xml", VB_ERROR_XML, "Invalid value 'sleeping'"},
        {"bad-transient.xml", VB_ERROR_XML, "a transient domain must be running or paused"},
        {"bad-domain.xml", VB_ERROR_XML, "<vm> at line 2: XML error: Invalid value 'lots'"},
        {"bad-duplicate.xml", VB_ERROR_OPERATION_FAILED, "domain 'x' already exists"},
        {"bad-cpu.xml", VB_ERROR_XML, "Invalid value '0'"},
        {"bad-network.xml", VB_ERROR_XML, "Invalid value 'maybe'"},
        {"bad-entity.xml", VB_ERROR_XML, "not allowed"},
        {"bad-empty-vm.xml", VB_ERROR_XML, "missing domain"},
        {"does-not-exist.xml", VB_ERROR_INVALID_ARG, "does not exist"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *uri = host_uri(cases[i].file);
        g_autoptr(VbConn) conn = vb_conn_open(uri, &error);

        g_assert_null(conn);
        g_assert_nonnull(error);
        if (error->code != (gint)cases[i].code ||
            strstr(error->message, cases[i].message) == NULL ||
            strstr(error->message, cases[i].file) == NULL)
            g_error("%s: unexpected error %d '%s'", cases[i].file, error->code, error->message);
    }
}

static void
on_closed_done(gpointer result, const GError *error, gpointer data)
{
    Op *op = data;

    op_done(result, error, data);
    g_assert_nonnull(op->error);
}

static void
test_close_during_job(void)
{
    g_autoptr(GError) error = NULL;
    VbConn *conn = vb_conn_open("test:///default", &error);
    g_autofree char *dir = g_dir_make_tmp("vb-test-close-XXXXXX", &error);
    g_autofree char *path = g_build_filename(dir, "x.save", NULL);
    g_autofree char *managed = NULL;
    Op op = {0};

    g_assert_no_error(error);
    managed = g_strdup(((VbTestConn *)conn->priv)->managed_dir);
    g_assert_true(g_file_test(managed, G_FILE_TEST_IS_DIR));
    conn->driver->domain_save(conn, vb_domain_list_find_name(conn->domains, "test"), path, "", 0,
                              on_closed_done, &op);
    vb_conn_close(conn);
    op_fails(&op, VB_ERROR_OPERATION_FAILED, "connection was closed");
    /* the last job gone, the private directory went with the connection */
    g_assert_false(g_file_test(managed, G_FILE_TEST_EXISTS));
    g_unlink(path);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(path, fn)                                                                              \
    g_test_add("/test-driver/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    g_test_add_func("/test-driver/probe", test_probe);
    ADD("default-state", test_default_state);
    ADD("connection-reads", test_connection_reads);
    ADD("define", test_define);
    ADD("lifecycle", test_lifecycle);
    ADD("transient", test_transient);
    ADD("undefine", test_undefine);
    ADD("memory", test_memory);
    ADD("vcpus", test_vcpus);
    ADD("scheduler", test_scheduler);
    ADD("devices", test_devices);
    ADD("metadata", test_metadata);
    ADD("rename", test_rename);
    ADD("input", test_input);
    ADD("save-restore", test_save_restore);
    ADD("managed-save", test_managed_save);
    ADD("busy", test_busy);
    ADD("core-dump", test_core_dump);
    ADD("stats", test_stats);
    ADD("interface-addresses", test_interface_addresses);
    ADD("networks", test_networks);
    ADD("dhcp-leases", test_dhcp_leases);
    g_test_add_func("/test-driver/host-file", test_host_file);
    g_test_add_func("/test-driver/host-file-broken", test_host_file_broken);
    g_test_add_func("/test-driver/close-during-job", test_close_during_job);
#undef ADD
    return g_test_run();
}
