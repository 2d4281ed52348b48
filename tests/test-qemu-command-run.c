/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "qemu/qemu-command.h"

/* real qemu-system-x86_64 (TCG, paused by -S) started from argvs that
 * vb_qemu_build_argv() built, inspected over QMP with plain GIO: hostile names and
 * paths arrive intact, every device object is accepted on pc and q35, and the hotplug
 * arguments are taken by blockdev-add, netdev_add and device_add. */

#define UUID "11111111-2222-3333-4444-555555555555"

static VbDomainDef *
parse(const char *xml)
{
    g_autoptr(GError) error = NULL;
    VbDomainDef *def = vb_domain_def_parse(xml, -1, 0, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    return def;
}

static void
params_init(VbQemuBuildParams *params, const char *monitor_path)
{
    vb_qemu_build_params_init(params);
    params->monitor_path = monitor_path;
}

static GPtrArray *
build_def(const VbDomainDef *def, const VbQemuBuildParams *params)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *argv = vb_qemu_build_argv("qemu-system-x86_64", def, params, &error);

    g_assert_no_error(error);
    g_assert_nonnull(argv);
    return argv;
}

typedef struct {
    GSocketConnection *conn;
    GDataInputStream *in;
} Qmp;

static JsonObject *
qmp_read(Qmp *qmp)
{
    for (;;) {
        g_autoptr(GError) error = NULL;
        g_autofree char *line = g_data_input_stream_read_line_utf8(qmp->in, NULL, NULL, &error);
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonNode *root;

        g_assert_no_error(error);
        g_assert_nonnull(line);
        g_assert_true(json_parser_load_from_data(parser, line, -1, NULL));
        root = json_parser_get_root(parser);
        g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
        if (!json_object_has_member(json_node_get_object(root), "event"))
            return json_object_ref(json_node_get_object(root));
    }
}

/* the "return" member of @command's answer, as a node owned by the caller */
static JsonNode *
qmp_cmd(Qmp *qmp, const char *command, const char *arguments)
{
    g_autofree char *text =
        arguments != NULL
            ? g_strdup_printf("{\"execute\":\"%s\",\"arguments\":%s}\n", command, arguments)
            : g_strdup_printf("{\"execute\":\"%s\"}\n", command);
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(qmp->conn));
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) answer = NULL;

    g_assert_true(g_output_stream_write_all(out, text, strlen(text), NULL, NULL, &error));
    g_assert_no_error(error);
    answer = qmp_read(qmp);
    if (!json_object_has_member(answer, "return")) {
        g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), answer);
        g_autofree char *shown = vb_qemu_json_to_string(node);

        g_error("%s failed: %s", command, shown);
    }
    return json_node_copy(json_object_get_member(answer, "return"));
}

static gboolean
qmp_connect(Qmp *qmp, const char *path, GSubprocess *proc)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) address = g_unix_socket_address_new(path);
    g_autoptr(JsonObject) greeting = NULL;
    g_autoptr(JsonNode) caps = NULL;
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;

    while (qmp->conn == NULL && g_get_monotonic_time() < deadline) {
        qmp->conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(address), NULL, NULL);
        if (qmp->conn == NULL) {
            if (g_subprocess_get_identifier(proc) == NULL)
                return FALSE;
            g_usleep(20000);
        }
    }
    if (qmp->conn == NULL)
        return FALSE;
    qmp->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(qmp->conn)));
    greeting = qmp_read(qmp);
    g_assert_true(json_object_has_member(greeting, "QMP"));
    caps = qmp_cmd(qmp, "qmp_capabilities", NULL);
    return TRUE;
}

static void
qmp_close(Qmp *qmp)
{
    g_clear_object(&qmp->in);
    g_clear_object(&qmp->conn);
}

static void
rm_rf(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            rm_rf(child);
        else
            g_unlink(child);
    }
    g_rmdir(path);
}

static int
free_vnc_port(void)
{
    for (int port = 5900 + (int)(getpid() % 400); port < 6400; port++) {
        g_autoptr(GSocket) sock =
            g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
        g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
        g_autoptr(GSocketAddress) address = g_inet_socket_address_new(lo, port);

        if (sock != NULL && g_socket_bind(sock, address, FALSE, NULL))
            return port;
    }
    return -1;
}

static gboolean
have_qemu(void)
{
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *img = g_find_program_in_path("qemu-img");

    if (qemu == NULL || img == NULL) {
        g_test_skip("qemu-system-x86_64 or qemu-img is not installed");
        return FALSE;
    }
    return TRUE;
}

typedef struct {
    char *top; /* the temp dir */
    char *dir; /* a folder inside whose name needs escaping */
    GSubprocess *proc;
    Qmp qmp;
} Guest;

static void
guest_setup(Guest *g)
{
    g_autoptr(GError) error = NULL;

    g->top = g_dir_make_tmp("vbqcmd-XXXXXX", &error);
    g_assert_no_error(error);
    g->dir = g_build_filename(g->top, "d,file=x y'q\"z", NULL);
    g_assert_cmpint(g_mkdir(g->dir, 0700), ==, 0);
}

/* a qemu left behind by a failed assertion dies with the test */
static void
kill_with_parent(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* starts qemu from @argv; stderr goes to a file shown when qemu does not come up */
static void
guest_start(Guest *g, GPtrArray *argv)
{
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_INHERIT);
    g_autofree char *log = g_build_filename(g->top, "qemu.log", NULL);
    g_autofree char *qmp_path = g_build_filename(g->dir, "qmp.sock", NULL);
    g_autoptr(GError) error = NULL;

    g_subprocess_launcher_set_child_setup(launcher, kill_with_parent, NULL, NULL);
    g_subprocess_launcher_set_stdout_file_path(launcher, log);
    g_subprocess_launcher_set_stderr_file_path(launcher, log);
    g->proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);
    if (!qmp_connect(&g->qmp, qmp_path, g->proc)) {
        g_autofree char *text = NULL;

        g_file_get_contents(log, &text, NULL, NULL);
        g_error("qemu did not come up: %s", text != NULL ? text : "(no log)");
    }
}

static void
guest_teardown(Guest *g)
{
    qmp_close(&g->qmp);
    if (g->proc != NULL) {
        g_subprocess_force_exit(g->proc);
        g_subprocess_wait(g->proc, NULL, NULL);
        g_clear_object(&g->proc);
    }
    rm_rf(g->dir);
    rm_rf(g->top);
    g_clear_pointer(&g->dir, g_free);
    g_clear_pointer(&g->top, g_free);
}

static const char *
member_string(JsonNode *node, const char *name)
{
    g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
    return json_object_get_string_member(json_node_get_object(node), name);
}

static void
assert_paused(Qmp *qmp)
{
    g_autoptr(JsonNode) status = qmp_cmd(qmp, "query-status", NULL);

    g_assert_cmpstr(member_string(status, "status"), ==, "prelaunch");
    g_assert_false(json_object_get_boolean_member(json_node_get_object(status), "running"));
}

/* a diskless TCG guest with a hostile name, kernel path and command line, sandboxed */
static void
test_qemu_diskless(void)
{
    Guest g = {0};
    g_autofree char *qmp_path = NULL;
    g_autofree char *kernel = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *kernel_xml = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(JsonNode) name = NULL;
    g_autoptr(JsonNode) append = NULL;
    g_autoptr(JsonNode) kernel_prop = NULL;
    g_autoptr(JsonNode) uuid = NULL;
    VbQemuBuildParams params;
    char zeros[65536] = {0};

    if (!have_qemu())
        return;
    guest_setup(&g);
    qmp_path = g_build_filename(g.dir, "qmp.sock", NULL);
    /* an all-zero "kernel" loads: the guest never runs under -S */
    kernel = g_build_filename(g.dir, "vmlinuz,initrd=x", NULL);
    g_assert_true(g_file_set_contents(kernel, zeros, sizeof(zeros), NULL));
    kernel_xml = g_markup_escape_text(kernel, -1);
    xml = g_strdup_printf("<domain type='qemu'><name>a,debug-threads=off \"q\" 'x' y</name>"
                          "<uuid>" UUID "</uuid><memory>65536</memory><vcpu>1</vcpu>"
                          "<os><type machine='pc'>hvm</type><kernel>%s</kernel>"
                          "<cmdline>console=ttyS0,115200 x=\"a b\",c</cmdline></os>"
                          "<features><acpi/></features><devices/></domain>",
                          kernel_xml);
    def = parse(xml);
    params_init(&params, qmp_path);
    params.sandbox = TRUE;
    argv = build_def(def, &params);
    guest_start(&g, argv);

    assert_paused(&g.qmp);
    name = qmp_cmd(&g.qmp, "query-name", NULL);
    g_assert_cmpstr(member_string(name, "name"), ==, "a,debug-threads=off \"q\" 'x' y");
    uuid = qmp_cmd(&g.qmp, "query-uuid", NULL);
    g_assert_cmpstr(member_string(uuid, "UUID"), ==, UUID);
    append = qmp_cmd(&g.qmp, "qom-get", "{\"path\":\"/machine\",\"property\":\"append\"}");
    g_assert_cmpstr(json_node_get_string(append), ==, "console=ttyS0,115200 x=\"a b\",c");
    kernel_prop = qmp_cmd(&g.qmp, "qom-get", "{\"path\":\"/machine\",\"property\":\"kernel\"}");
    g_assert_cmpstr(json_node_get_string(kernel_prop), ==, kernel);
    guest_teardown(&g);
}

static int
free_port(void)
{
    g_autoptr(GSocket) sock =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_nonnull(sock);
    g_assert_true(g_socket_bind(sock, any, FALSE, NULL));
    bound = g_socket_get_local_address(sock, NULL);
    return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

static void
make_image(const char *path, gsize size)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *zeros = g_malloc0(size);

    g_assert_true(g_file_set_contents(path, zeros, (gssize)size, &error));
    g_assert_no_error(error);
}

static void
qmp_cmd_node(Qmp *qmp, const char *command, JsonNode *arguments)
{
    g_autofree char *text = vb_qemu_json_to_string(arguments);
    G_GNUC_UNUSED g_autoptr(JsonNode) ret = qmp_cmd(qmp, command, text);
}

static void
hotplug_disk(Guest *g, const VbDomainDef *def, const char *xml, const char *port)
{
    g_autoptr(VbDomainDeviceDef) dev = vb_domain_device_def_parse(xml, -1, NULL);
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(GPtrArray) devices = NULL;
    g_autoptr(GError) error = NULL;
    gboolean used = FALSE;

    g_assert_nonnull(dev);
    nodes = vb_qemu_disk_blockdev_args(dev->disk, &error);
    g_assert_no_error(error);
    devices = vb_qemu_disk_hotplug_device_args(def, NULL, dev->disk, port, &used, &error);
    g_assert_no_error(error);
    g_assert_true(used);
    for (guint i = 0; i < nodes->len; i++)
        qmp_cmd_node(&g->qmp, "blockdev-add", nodes->pdata[i]);
    for (guint i = 0; i < devices->len; i++)
        qmp_cmd_node(&g->qmp, "device_add", devices->pdata[i]);
}

/* the hotplug arguments, sent to the paused qemu: it takes them and creates the ids */
static void
hotplug(Guest *g, VbDomainDef *def)
{
    static const char *const ids[] = {"scsi0", "disk-sdb", "disk-vdb", "net-525400abcdef",
                                      "input-keyboard-usb"};
    g_autofree char *sdb_path = g_build_filename(g->dir, "sdb,x.raw", NULL);
    g_autofree char *vdb_path = g_build_filename(g->dir, "vdb.raw", NULL);
    g_autofree char *sdb_xml = NULL, *vdb_xml = NULL, *sdb = NULL, *vdb = NULL;
    g_autoptr(VbDomainDeviceDef) nic = vb_domain_device_def_parse(
        "<interface type='user'><mac address='52:54:00:ab:cd:ef'/><model type='virtio'/>"
        "</interface>",
        -1, NULL);
    VbDomainDeviceDef *keyboard =
        vb_domain_device_def_parse("<input type='keyboard' bus='usb'/>", -1, NULL);
    g_autoptr(JsonNode) netdev = NULL;
    g_autoptr(JsonNode) nic_dev = NULL;
    g_autoptr(JsonNode) input = NULL;
    g_autoptr(JsonNode) peripherals = NULL;
    g_autoptr(JsonNode) del = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GError) error = NULL;
    gboolean used = FALSE;
    JsonArray *array;

    make_image(sdb_path, 1 << 20);
    make_image(vdb_path, 1 << 20);
    sdb_xml = g_markup_escape_text(sdb_path, -1);
    vdb_xml = g_markup_escape_text(vdb_path, -1);
    sdb = g_strdup_printf("<disk type='file' device='disk'><source file='%s'/>"
                          "<target dev='sdb' bus='scsi'/></disk>",
                          sdb_xml);
    vdb = g_strdup_printf("<disk type='file' device='disk'><source file='%s'/>"
                          "<target dev='vdb'/></disk>",
                          vdb_xml);
    hotplug_disk(g, def, sdb, "hotplug-port0");
    hotplug_disk(g, def, vdb, "hotplug-port1");

    netdev = vb_qemu_netdev_args(nic->net, def->nets->len, NULL, &error);
    g_assert_no_error(error);
    nic_dev = vb_qemu_net_device_args(def, NULL, nic->net, def->nets->len, "hotplug-port2", &used,
                                      &error);
    g_assert_no_error(error);
    g_assert_true(used);
    qmp_cmd_node(&g->qmp, "netdev_add", netdev);
    qmp_cmd_node(&g->qmp, "device_add", nic_dev);

    g_assert_nonnull(keyboard);
    g_assert_true(vb_domain_def_attach_device(def, keyboard, &error));
    g_assert_no_error(error);
    input =
        vb_qemu_input_device_args(def, NULL, def->inputs->len - 1, "hotplug-port3", &used, &error);
    g_assert_no_error(error);
    g_assert_false(used);
    qmp_cmd_node(&g->qmp, "device_add", input);

    peripherals = qmp_cmd(&g->qmp, "qom-list", "{\"path\":\"/machine/peripheral\"}");
    array = json_node_get_array(peripherals);
    for (guint i = 0; i < json_array_get_length(array); i++)
        g_hash_table_add(seen, (gpointer)json_object_get_string_member(
                                   json_array_get_object_element(array, i), "name"));
    for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
        if (!g_hash_table_contains(seen, ids[i]))
            g_error("no device '%s' after hotplug", ids[i]);
    }
    del = vb_qemu_device_del_args("input-keyboard-usb");
    qmp_cmd_node(&g->qmp, "device_del", del);
}

/* a qcow2 disk in a folder whose name needs escaping, a user NIC, VNC on a free port,
 * a pty serial, a balloon, an empty cdrom */
static void
test_qemu_devices(void)
{
    Guest g = {0};
    g_autofree char *qmp_path = NULL;
    g_autofree char *disk = NULL;
    g_autofree char *disk_xml = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *service = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) img = NULL;
    g_autoptr(JsonNode) block = NULL;
    g_autoptr(JsonNode) vnc = NULL;
    g_autoptr(JsonNode) chardevs = NULL;
    g_autoptr(JsonNode) balloon = NULL;
    g_autoptr(JsonNode) nics = NULL;
    VbQemuBuildParams params;
    gboolean found_disk = FALSE, found_pty = FALSE;
    JsonArray *array;

    if (!have_qemu())
        return;
    guest_setup(&g);
    qmp_path = g_build_filename(g.dir, "qmp.sock", NULL);
    disk = g_build_filename(g.dir, "disk,format=raw.qcow2", NULL);
    img = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "qemu-img", "create", "-q",
                           "-f", "qcow2", disk, "16M", NULL);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_wait_check(img, NULL, &error));
    g_assert_no_error(error);
    disk_xml = g_markup_escape_text(disk, -1);
    xml = g_strdup_printf(
        "<domain type='qemu'><name>devices</name><uuid>" UUID "</uuid>"
        "<memory>131072</memory><currentMemory>65536</currentMemory><vcpu>1</vcpu>"
        "<os><type machine='q35'>hvm</type></os><features><acpi/></features><devices>"
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source file='%s'/><target dev='vda' bus='virtio'/></disk>"
        "<disk type='file' device='cdrom'><target dev='sdc' bus='sata'/></disk>"
        "<interface type='user'><mac address='52:54:00:12:34:56'/></interface>"
        "<serial type='pty'><target port='0'/></serial>"
        "<console type='pty'><target type='serial' port='0'/></console>"
        "<input type='tablet' bus='usb'/>"
        "<graphics type='vnc' autoport='yes' passwd='x'/>"
        "<memballoon model='virtio'/></devices></domain>",
        disk_xml);
    def = parse(xml);
    params_init(&params, qmp_path);
    params.vnc_port = free_vnc_port();
    g_assert_cmpint(params.vnc_port, >=, 5900);
    argv = build_def(def, &params);
    guest_start(&g, argv);

    assert_paused(&g.qmp);
    block = qmp_cmd(&g.qmp, "query-block", NULL);
    array = json_node_get_array(block);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *dev = json_array_get_object_element(array, i);

        if (json_object_has_member(dev, "inserted") &&
            g_strcmp0(json_object_get_string_member(json_object_get_object_member(dev, "inserted"),
                                                    "file"),
                      disk) == 0)
            found_disk = TRUE;
    }
    g_assert_true(found_disk);

    vnc = qmp_cmd(&g.qmp, "query-vnc", NULL);
    g_assert_true(json_object_get_boolean_member(json_node_get_object(vnc), "enabled"));
    service = g_strdup_printf("%d", params.vnc_port);
    g_assert_cmpstr(member_string(vnc, "service"), ==, service);
    g_assert_cmpstr(member_string(vnc, "auth"), ==, "vnc");

    chardevs = qmp_cmd(&g.qmp, "query-chardev", NULL);
    array = json_node_get_array(chardevs);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *chr = json_array_get_object_element(array, i);

        if (g_strcmp0(json_object_get_string_member(chr, "label"), "charserial0") == 0 &&
            g_str_has_prefix(json_object_get_string_member(chr, "filename"), "pty:"))
            found_pty = TRUE;
    }
    g_assert_true(found_pty);

    balloon = qmp_cmd(&g.qmp, "query-balloon", NULL);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(balloon), "actual"), ==,
                    131072 * 1024);
    nics = qmp_cmd(&g.qmp, "qom-get",
                   "{\"path\":\"/machine/peripheral/net-525400123456\",\"property\":\"mac\"}");
    g_assert_cmpstr(json_node_get_string(nics), ==, "52:54:00:12:34:56");

    hotplug(&g, def);
    guest_teardown(&g);
}

/* every disk bus, NIC backend, serial, console and input kind the builder writes, on
 * a real pc or q35 machine: qemu accepts the device objects and creates every id */
static void
test_qemu_buses(gconstpointer data)
{
    static const char *const ids[] = {
        "usb",
        "scsi0",
        "disk-vda",
        "disk-hda",
        "disk-hdc",
        "disk-hdd",
        "disk-sdb",
        "disk-sde",
        "disk-sdd",
        "disk-fdb",
        "net-525400000001",
        "net-525400000002",
        "net-525400000003",
        "serial0",
        "serial1",
        "console1",
        "input-tablet-usb",
        "input-keyboard-virtio",
        "video0",
        "balloon0",
        "vmcoreinfo0",
        "virtio-serial0",
    };
    const char *machine = data;
    Guest g = {0};
    g_autofree char *qmp_path = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *dir_xml = NULL;
    g_autofree char *dir_plain = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(JsonNode) peripherals = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    VbQemuBuildParams params;
    const char *images[] = {"vda.raw", "hda.raw", "hdd.iso", "sdb.raw",
                            "sde.raw", "sdd.raw", "fdb.img"};
    JsonArray *array;

    if (!have_qemu())
        return;
    guest_setup(&g);
    for (guint i = 0; i < G_N_ELEMENTS(images); i++) {
        g_autofree char *path = g_build_filename(g.dir, images[i], NULL);

        make_image(path, i == 6 ? 1474560 : 1 << 20);
    }
    qmp_path = g_build_filename(g.dir, "qmp.sock", NULL);
    dir_plain = g_strdup(g.dir);
    dir_xml = g_markup_escape_text(dir_plain, -1);
    xml = g_strdup_printf(
        "<domain type='qemu'><name>buses</name><uuid>" UUID "</uuid>"
        "<maxMemory slots='2' unit='KiB'>262144</maxMemory><memory>131072</memory>"
        "<vcpu current='1'>2</vcpu><os><type machine='%s'>hvm</type><boot dev='cdrom'/>"
        "<boot dev='hd'/></os><features><acpi/><smm state='on'/><vmcoreinfo state='on'/>"
        "</features><clock offset='localtime'/><devices>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw' "
        "cache='writethrough'/><source file='%s/vda.raw'/><target dev='vda'/></disk>"
        "<disk type='file' device='disk'><source file='%s/hda.raw'/><target dev='hda'/></disk>"
        "<disk type='file' device='cdrom'><target dev='hdc'/></disk>"
        "<disk type='file' device='cdrom'><driver name='qemu' type='iso'/>"
        "<source file='%s/hdd.iso'/><target dev='hdd'/></disk>"
        "<disk type='file' device='disk'><source file='%s/sdb.raw'/>"
        "<target dev='sdb' bus='scsi'/><shareable/></disk>"
        "<disk type='file' device='disk'><source file='%s/sde.raw'/>"
        "<target dev='sde' bus='sata'/></disk>"
        "<disk type='file' device='disk'><source file='%s/sdd.raw'/>"
        "<target dev='sdd' bus='usb'/><readonly/></disk>"
        "<disk type='file' device='floppy'><source file='%s/fdb.img'/><target dev='fdb'/>"
        "</disk>"
        "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
        "</interface>"
        "<interface type='mcast'><mac address='52:54:00:00:00:02'/>"
        "<source address='230.0.0.1' port='%d'/></interface>"
        "<interface type='server'><mac address='52:54:00:00:00:03'/>"
        "<source address='127.0.0.1' port='%d'/><model type='rtl8139'/></interface>"
        "<serial type='pty'><target port='0'/></serial>"
        "<serial type='file'><source path='%s/serial,1.log'/><target port='1'/></serial>"
        "<console type='pty'><target type='virtio' port='1'/></console>"
        "<input type='tablet' bus='usb'/><input type='keyboard' bus='virtio'/>"
        "<input type='mouse' bus='ps2'/>"
        "<graphics type='vnc' port='%d' autoport='no' keymap='en-us'/>"
        "<memballoon model='virtio'/></devices></domain>",
        machine, dir_xml, dir_xml, dir_xml, dir_xml, dir_xml, dir_xml, dir_xml, free_port(),
        free_port(), dir_xml, free_vnc_port());
    def = parse(xml);
    params_init(&params, qmp_path);
    argv = build_def(def, &params);
    guest_start(&g, argv);

    assert_paused(&g.qmp);
    peripherals = qmp_cmd(&g.qmp, "qom-list", "{\"path\":\"/machine/peripheral\"}");
    array = json_node_get_array(peripherals);
    for (guint i = 0; i < json_array_get_length(array); i++)
        g_hash_table_add(seen, (gpointer)json_object_get_string_member(
                                   json_array_get_object_element(array, i), "name"));
    for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
        if (!g_hash_table_contains(seen, ids[i]))
            g_error("qemu on %s has no device '%s'", machine, ids[i]);
    }
    guest_teardown(&g);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-command-run/diskless", test_qemu_diskless);
    g_test_add_func("/qemu-command-run/devices", test_qemu_devices);
    g_test_add_data_func("/qemu-command-run/buses-pc", "pc", test_qemu_buses);
    g_test_add_data_func("/qemu-command-run/buses-q35", "q35", test_qemu_buses);
    return g_test_run();
}
