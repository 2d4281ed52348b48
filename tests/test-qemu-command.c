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

/* the qemu command line built from domain XML: exact argv for a table of definitions,
 * hostile values escaped or rejected, unsupported configurations rejected, the QMP
 * hotplug arguments. test-qemu-command-run.c gives built argvs to a real qemu. */

#define UUID    "11111111-2222-3333-4444-555555555555"
#define MONITOR "/run/vb/qmp.sock"

#define DOMAIN(type, os, features, devices)                                                        \
    "<domain type='" type "'><name>t</name><uuid>" UUID "</uuid>"                                  \
    "<memory unit='KiB'>131072</memory><vcpu>1</vcpu>"                                             \
    "<os>" os "</os>" features "<devices>" devices "</devices></domain>"
#define HVM        "<type>hvm</type>"
#define HVM_Q35    "<type machine='q35'>hvm</type>"
#define QEMU(devs) DOMAIN("qemu", HVM, "", devs)
#define Q35(devs)  DOMAIN("qemu", HVM_Q35, "", devs)

static void
params_init(VbQemuBuildParams *params)
{
    vb_qemu_build_params_init(params);
    params->monitor_path = MONITOR;
    params->default_machine = "pc";
}

static VbDomainDef *
parse(const char *xml)
{
    g_autoptr(GError) error = NULL;
    VbDomainDef *def = vb_domain_def_parse(xml, -1, 0, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    return def;
}

static GPtrArray *
build_def(const VbDomainDef *def, const VbQemuBuildParams *params)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *argv = vb_qemu_build_argv("qemu-system-x86_64", def, params, &error);

    g_assert_no_error(error);
    g_assert_nonnull(argv);
    g_assert_cmpuint(argv->len, >, 1);
    g_assert_null(argv->pdata[argv->len - 1]);
    return argv;
}

static GPtrArray *
build_xml(const char *xml, const VbQemuBuildParams *params)
{
    g_autoptr(VbDomainDef) def = parse(xml);
    VbQemuBuildParams defaults;

    if (params == NULL) {
        params_init(&defaults);
        params = &defaults;
    }
    return build_def(def, params);
}

static void
assert_build_error(const VbDomainDef *def, const VbQemuBuildParams *params, int code,
                   const char *message)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) argv = vb_qemu_build_argv("qemu-system-x86_64", def, params, &error);

    g_assert_null(argv);
    g_assert_error(error, VB_ERROR, code);
    g_assert_cmpstr(error->message, ==, message);
}

static void
assert_xml_error(const char *xml, int code, const char *message)
{
    g_autoptr(VbDomainDef) def = parse(xml);
    VbQemuBuildParams params;

    params_init(&params);
    assert_build_error(def, &params, code, message);
}

/* index of the first @opt whose value is @value, -1 if none */
static int
find_pair(GPtrArray *argv, const char *opt, const char *value)
{
    for (guint i = 0; i + 1 < argv->len && argv->pdata[i + 1] != NULL; i++) {
        if (strcmp(argv->pdata[i], opt) == 0 && strcmp(argv->pdata[i + 1], value) == 0)
            return (int)i;
    }
    return -1;
}

static int
find_arg(GPtrArray *argv, const char *arg)
{
    for (guint i = 0; i < argv->len && argv->pdata[i] != NULL; i++) {
        if (strcmp(argv->pdata[i], arg) == 0)
            return (int)i;
    }
    return -1;
}

static guint
count_opt(GPtrArray *argv, const char *opt)
{
    guint n = 0;

    for (guint i = 0; i < argv->len && argv->pdata[i] != NULL; i++)
        n += strcmp(argv->pdata[i], opt) == 0 ? 1 : 0;
    return n;
}

static int
assert_pair_at(GPtrArray *argv, const char *opt, const char *value, const char *where)
{
    int index = find_pair(argv, opt, value);

    if (index < 0) {
        g_autofree char *line = vb_qemu_argv_to_string(argv);

        g_error("%s: missing %s %s in: %s", where, opt, value, line);
    }
    return index;
}
#define assert_pair(argv, opt, value) assert_pair_at(argv, opt, value, G_STRLOC)

static void
assert_no_pair(GPtrArray *argv, const char *opt, const char *value)
{
    g_assert_cmpint(find_pair(argv, opt, value), <, 0);
}

/* the exact argv of the smallest definition, every element in order */
static void
test_minimal(void)
{
    static const char *const expected[] = {
        "qemu-system-x86_64",
        "-name",
        "guest=t,debug-threads=on",
        "-uuid",
        UUID,
        "-S",
        "-no-user-config",
        "-nodefaults",
        "-no-shutdown",
        "-msg",
        "timestamp=on",
        "-chardev",
        "socket,id=monitor,path=" MONITOR ",server=on,wait=off",
        "-mon",
        "chardev=monitor,mode=control",
        "-machine",
        "type=pc,accel=tcg,acpi=off",
        "-m",
        "size=131072k",
        "-smp",
        "1,maxcpus=1",
        "-rtc",
        "base=utc",
        "-boot",
        "order=c",
        "-device",
        "{\"driver\":\"qemu-xhci\",\"id\":\"usb\"}",
        "-display",
        "none",
    };
    g_autoptr(GPtrArray) argv = build_xml(QEMU(""), NULL);
    g_autofree char *line = NULL;

    g_assert_cmpuint(argv->len, ==, G_N_ELEMENTS(expected) + 1);
    for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
        g_assert_cmpstr(argv->pdata[i], ==, expected[i]);
    line = vb_qemu_argv_to_string(argv);
    g_assert_true(g_str_has_prefix(line, "qemu-system-x86_64 -name guest=t,debug-threads=on "));
    g_assert_true(g_str_has_suffix(line, " -display none"));
}

static void
test_machine(void)
{
    VbQemuBuildParams params;
    g_autoptr(GPtrArray) q35 = NULL;
    g_autoptr(GPtrArray) kvm = NULL;
    g_autoptr(GPtrArray) other = NULL;
    g_autoptr(GPtrArray) dflt = NULL;

    params_init(&params);
    q35 = build_xml(DOMAIN("qemu", HVM_Q35,
                           "<features><acpi/><smm state='on'/><vmport state='off'/>"
                           "<vmcoreinfo state='on'/></features><clock offset='localtime'/>",
                           ""),
                    &params);
    assert_pair(q35, "-machine", "type=q35,accel=tcg,smm=on,vmport=off");
    assert_pair(q35, "-rtc", "base=localtime");
    assert_pair(q35, "-device", "{\"driver\":\"vmcoreinfo\",\"id\":\"vmcoreinfo0\"}");

    params.kvm_available = TRUE;
    kvm = build_xml(DOMAIN("kvm", "<type machine='pc-i440fx-7.2'>hvm</type>", "", ""), &params);
    assert_pair(kvm, "-machine", "type=pc-i440fx-7.2,accel=kvm,acpi=off");

    /* a machine without pc devices: no usb controller, no acpi property */
    other = build_xml(DOMAIN("qemu", "<type machine='microvm'>hvm</type>", "", ""), &params);
    assert_pair(other, "-machine", "type=microvm,accel=tcg");
    g_assert_cmpint(find_arg(other, "{\"driver\":\"qemu-xhci\",\"id\":\"usb\"}"), <, 0);

    params.default_machine = "q35";
    dflt = build_xml(QEMU(""), &params);
    assert_pair(dflt, "-machine", "type=q35,accel=tcg,acpi=off");
}

static void
test_resources(void)
{
    g_autoptr(GPtrArray) argv = build_xml(
        "<domain type='qemu'><name>t</name><uuid>" UUID "</uuid>"
        "<maxMemory slots='2' unit='KiB'>524288</maxMemory>"
        "<memory unit='KiB'>262144</memory><currentMemory unit='KiB'>131072</currentMemory>"
        "<vcpu current='2'>4</vcpu><os><type>hvm</type><boot dev='cdrom'/><boot dev='hd'/>"
        "<boot dev='network'/><boot dev='fd'/></os></domain>",
        NULL);

    assert_pair(argv, "-m", "size=262144k,slots=2,maxmem=524288k");
    assert_pair(argv, "-smp", "2,maxcpus=4");
    assert_pair(argv, "-boot", "order=dcna");
}

static void
test_kernel_boot(void)
{
    g_autoptr(GPtrArray) argv = build_xml(
        DOMAIN("qemu",
               HVM "<loader>/usr/share/seabios/bios,x=1.bin</loader>"
                   "<kernel>/boot/vmlinuz,file=/etc/shadow</kernel><initrd>/boot/initrd "
                   "'q'.img</initrd>"
                   "<cmdline>console=ttyS0,115200 root=/dev/vda x=\"a b\" y='c'</cmdline>",
               "", ""),
        NULL);

    /* raw values: qemu does not split these at commas */
    assert_pair(argv, "-bios", "/usr/share/seabios/bios,x=1.bin");
    assert_pair(argv, "-kernel", "/boot/vmlinuz,file=/etc/shadow");
    assert_pair(argv, "-initrd", "/boot/initrd 'q'.img");
    assert_pair(argv, "-append", "console=ttyS0,115200 root=/dev/vda x=\"a b\" y='c'");
    g_assert_cmpint(find_arg(argv, "-boot"), <, 0);
}

static void
test_disks(void)
{
    g_autoptr(GPtrArray) argv = build_xml(
        QEMU("<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/>"
             "<source file='/var/lib/img/a.qcow2'/><target dev='vda' bus='virtio'/></disk>"
             "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
             "<disk type='file' device='cdrom'><source file='/iso/x.iso'/>"
             "<target dev='hdd' bus='ide'/></disk>"
             "<disk type='block' device='disk'><source dev='/dev/sdz'/>"
             "<target dev='sdb' bus='scsi'/><shareable/></disk>"
             "<disk type='file' device='disk'><source file='/img/s.raw'/>"
             "<target dev='sdc' bus='sata'/></disk>"
             "<disk type='file' device='disk'><source file='/img/u.raw'/>"
             "<target dev='sdd' bus='usb'/><readonly/></disk>"
             "<disk type='file' device='floppy'><source file='/img/f.img'/>"
             "<target dev='fdb'/></disk>"
             "<disk type='file' device='disk'><driver cache='writethrough'/>"
             "<source file='/img/h.raw'/><target dev='hda' bus='ide'/></disk>"),
        NULL);
    int scsi, sata, vda, vda_file, vda_dev;

    /* controllers first */
    scsi = assert_pair(argv, "-device", "{\"driver\":\"virtio-scsi-pci\",\"id\":\"scsi0\"}");
    sata = assert_pair(argv, "-device", "{\"driver\":\"ich9-ahci\",\"id\":\"sata0\"}");
    vda_file = assert_pair(argv, "-blockdev",
                           "{\"driver\":\"file\",\"filename\":\"/var/lib/img/a.qcow2\","
                           "\"node-name\":\"file-vda\",\"cache\":{\"direct\":true,"
                           "\"no-flush\":false}}");
    vda = assert_pair(argv, "-blockdev",
                      "{\"driver\":\"qcow2\",\"node-name\":\"drive-vda\",\"file\":\"file-vda\","
                      "\"cache\":{\"direct\":true,\"no-flush\":false}}");
    vda_dev = assert_pair(argv, "-device",
                          "{\"driver\":\"virtio-blk-pci\",\"drive\":\"drive-vda\",\"id\":"
                          "\"disk-vda\",\"write-cache\":\"on\"}");
    g_assert_cmpint(scsi, <, vda_file);
    g_assert_cmpint(sata, <, vda_file);
    g_assert_cmpint(vda_file, <, vda);
    g_assert_cmpint(vda, <, vda_dev);

    /* an empty cdrom is a device without a drive */
    assert_pair(argv, "-device",
                "{\"driver\":\"ide-cd\",\"bus\":\"ide.1\",\"unit\":0,\"id\":\"disk-hdc\"}");
    assert_pair(argv, "-blockdev",
                "{\"driver\":\"file\",\"filename\":\"/iso/x.iso\",\"node-name\":\"file-hdd\","
                "\"read-only\":true}");
    assert_pair(argv, "-blockdev",
                "{\"driver\":\"raw\",\"node-name\":\"drive-hdd\",\"file\":\"file-hdd\","
                "\"read-only\":true}");
    assert_pair(argv, "-device",
                "{\"driver\":\"ide-cd\",\"bus\":\"ide.1\",\"unit\":1,\"drive\":\"drive-hdd\","
                "\"id\":\"disk-hdd\"}");
    assert_pair(argv, "-blockdev",
                "{\"driver\":\"host_device\",\"filename\":\"/dev/sdz\",\"node-name\":"
                "\"file-sdb\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"scsi-hd\",\"bus\":\"scsi0.0\",\"scsi-id\":1,\"lun\":0,\"drive\":"
                "\"drive-sdb\",\"id\":\"disk-sdb\",\"share-rw\":true}");
    assert_pair(argv, "-device",
                "{\"driver\":\"ide-hd\",\"bus\":\"sata0.2\",\"unit\":0,\"drive\":\"drive-sdc\","
                "\"id\":\"disk-sdc\"}");
    assert_pair(argv, "-blockdev",
                "{\"driver\":\"raw\",\"node-name\":\"drive-sdd\",\"file\":\"file-sdd\","
                "\"read-only\":true}");
    assert_pair(argv, "-device",
                "{\"driver\":\"usb-storage\",\"bus\":\"usb.0\",\"drive\":\"drive-sdd\",\"id\":"
                "\"disk-sdd\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"floppy\",\"unit\":1,\"drive\":\"drive-fdb\",\"id\":\"disk-fdb\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"ide-hd\",\"bus\":\"ide.0\",\"unit\":0,\"drive\":\"drive-hda\","
                "\"id\":\"disk-hda\",\"write-cache\":\"off\"}");
    g_assert_cmpuint(count_opt(argv, "-blockdev"), ==, 14);
}

static void
test_disks_q35(void)
{
    g_autoptr(GPtrArray) argv =
        build_xml(Q35("<disk type='file' device='disk'><source file='/i/a'/>"
                      "<target dev='hdb' bus='ide'/></disk>"
                      "<disk type='file' device='cdrom'><target dev='sdc' bus='sata'/></disk>"
                      "<disk type='file' device='floppy'><target dev='fda'/></disk>"),
                  NULL);
    int fdc = assert_pair(argv, "-device", "{\"driver\":\"isa-fdc\",\"id\":\"fdc0\"}");

    assert_pair(argv, "-device",
                "{\"driver\":\"ide-hd\",\"bus\":\"ide.1\",\"unit\":0,\"drive\":\"drive-hdb\","
                "\"id\":\"disk-hdb\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"ide-cd\",\"bus\":\"ide.2\",\"unit\":0,\"id\":\"disk-sdc\"}");
    g_assert_cmpint(
        fdc, <,
        assert_pair(argv, "-device", "{\"driver\":\"floppy\",\"unit\":0,\"id\":\"disk-fda\"}"));
    g_assert_cmpint(find_arg(argv, "{\"driver\":\"ich9-ahci\",\"id\":\"sata0\"}"), <, 0);

    /* ide and sata share q35's AHCI ports */
    assert_xml_error(Q35("<disk type='file' device='disk'><source file='/i/a'/>"
                         "<target dev='hda' bus='ide'/></disk>"
                         "<disk type='file' device='disk'><source file='/i/b'/>"
                         "<target dev='sda' bus='sata'/></disk>"),
                     VB_ERROR_CONFIG_UNSUPPORTED,
                     "unsupported configuration: disks 'hda' and 'sda' have the same address "
                     "(ide.0 unit 0)");
}

static void
test_nets(void)
{
    static const int fds[] = {42, 43, 44};
    VbQemuBuildParams params;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GPtrArray) q35 = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    int netdev, device;

    params_init(&params);
    params.tap_fds = fds;
    params.n_tap_fds = G_N_ELEMENTS(fds);
    def = parse(QEMU("<interface type='user'><mac address='52:54:00:00:00:01'/></interface>"
                     "<interface type='network'><mac address='52:54:00:00:00:02'/>"
                     "<source network='default'/><model type='virtio'/>"
                     "<link state='down'/></interface>"
                     "<interface type='bridge'><mac address='52:54:00:00:00:03'/>"
                     "<source bridge='br0'/><model type='rtl8139'/></interface>"
                     "<interface type='ethernet'><mac address='52:54:00:00:00:04'/></interface>"
                     "<interface type='mcast'><mac address='52:54:00:00:00:05'/>"
                     "<source address='230.0.0.1' port='5558'/></interface>"
                     "<interface type='server'><mac address='52:54:00:00:00:06'/>"
                     "<source port='5559'/></interface>"
                     "<interface type='client'><mac address='52:54:00:00:00:07'/>"
                     "<source address='192.0.2.1' port='5560'/></interface>"
                     "<interface type='user'/>"));
    argv = build_def(def, &params);
    netdev = assert_pair(argv, "-netdev", "{\"type\":\"user\",\"id\":\"hostnet-525400000001\"}");
    device = assert_pair(argv, "-device",
                         "{\"driver\":\"e1000\",\"netdev\":\"hostnet-525400000001\",\"id\":"
                         "\"net-525400000001\",\"mac\":\"52:54:00:00:00:01\"}");
    g_assert_cmpint(netdev, <, device);
    assert_pair(argv, "-netdev",
                "{\"type\":\"tap\",\"id\":\"hostnet-525400000002\",\"fd\":\"42\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"virtio-net-pci\",\"netdev\":\"hostnet-525400000002\",\"id\":"
                "\"net-525400000002\",\"mac\":\"52:54:00:00:00:02\"}");
    assert_pair(argv, "-netdev",
                "{\"type\":\"tap\",\"id\":\"hostnet-525400000003\",\"fd\":\"43\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"rtl8139\",\"netdev\":\"hostnet-525400000003\",\"id\":"
                "\"net-525400000003\",\"mac\":\"52:54:00:00:00:03\"}");
    assert_pair(argv, "-netdev",
                "{\"type\":\"tap\",\"id\":\"hostnet-525400000004\",\"fd\":\"44\"}");
    assert_pair(argv, "-netdev",
                "{\"type\":\"socket\",\"id\":\"hostnet-525400000005\",\"mcast\":"
                "\"230.0.0.1:5558\"}");
    assert_pair(argv, "-netdev",
                "{\"type\":\"socket\",\"id\":\"hostnet-525400000006\",\"listen\":\":5559\"}");
    assert_pair(argv, "-netdev",
                "{\"type\":\"socket\",\"id\":\"hostnet-525400000007\",\"connect\":"
                "\"192.0.2.1:5560\"}");
    /* no MAC yet: ids by position, qemu picks the address */
    assert_pair(argv, "-netdev", "{\"type\":\"user\",\"id\":\"hostnet7\"}");
    assert_pair(argv, "-device", "{\"driver\":\"e1000\",\"netdev\":\"hostnet7\",\"id\":\"net7\"}");

    /* one fd per tap NIC, no more, no less */
    params.n_tap_fds = 2;
    assert_build_error(def, &params, VB_ERROR_INTERNAL,
                       "internal error: 2 tap file descriptors given for 3 interfaces that "
                       "need one");

    q35 = build_xml(Q35("<interface type='user'><mac address='52:54:00:00:00:01'/></interface>"),
                    NULL);
    assert_pair(q35, "-device",
                "{\"driver\":\"e1000e\",\"netdev\":\"hostnet-525400000001\",\"id\":"
                "\"net-525400000001\",\"mac\":\"52:54:00:00:00:01\"}");
}

static void
test_graphics(void)
{
    VbQemuBuildParams params;
    g_autoptr(GPtrArray) autoport = NULL;
    g_autoptr(GPtrArray) fixed = NULL;
    g_autoptr(GPtrArray) unchosen = NULL;
    g_autoptr(GPtrArray) v6 = NULL;
    g_autoptr(GPtrArray) sdl = NULL;
    g_autoptr(VbDomainDef) sdl_def = NULL;
    g_auto(GStrv) env = NULL;
    g_autoptr(GError) error = NULL;
    const char *base_env[] = {"PATH=/usr/bin", "DISPLAY=:9", NULL};

    params_init(&params);
    params.vnc_port = 5901;
    autoport = build_xml(QEMU("<graphics type='vnc' autoport='yes'/>"), &params);
    assert_pair(autoport, "-vnc", "127.0.0.1:1");
    assert_pair(autoport, "-display", "none");
    assert_pair(autoport, "-device", "{\"driver\":\"VGA\",\"id\":\"video0\"}");

    fixed = build_xml(QEMU("<graphics type='vnc' port='5905' autoport='no' listen='0.0.0.0' "
                           "keymap='de' passwd='secret'/>"),
                      &params);
    assert_pair(fixed, "-vnc", "0.0.0.0:5,password=on");
    assert_pair(fixed, "-k", "de");
    /* the password never appears in argv */
    for (guint i = 0; i < fixed->len && fixed->pdata[i] != NULL; i++)
        g_assert_null(strstr(fixed->pdata[i], "secret"));

    params.vnc_port = -1;
    unchosen = build_xml(QEMU("<graphics type='vnc' autoport='yes'/>"), &params);
    assert_pair(unchosen, "-vnc", "127.0.0.1:0,to=100");

    params.vnc_port = 5999;
    v6 = build_xml(QEMU("<graphics type='vnc' autoport='yes' listen='::1'/>"), &params);
    assert_pair(v6, "-vnc", "[::1]:99");

    sdl_def = parse(QEMU("<graphics type='sdl' display=':0.0' xauth='/home/u/.Xauthority' "
                         "fullscreen='yes'/>"));
    sdl = build_def(sdl_def, &params);
    assert_pair(sdl, "-display", "sdl");
    g_assert_cmpint(find_arg(sdl, "-full-screen"), >, 0);
    assert_no_pair(sdl, "-display", "none");
    env = vb_qemu_build_env(sdl_def, base_env, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(g_environ_getenv(env, "DISPLAY"), ==, ":0.0");
    g_assert_cmpstr(g_environ_getenv(env, "XAUTHORITY"), ==, "/home/u/.Xauthority");
    g_assert_cmpstr(g_environ_getenv(env, "PATH"), ==, "/usr/bin");
}

static void
test_chrs_inputs_balloon(void)
{
    g_autoptr(GPtrArray) argv = build_xml(
        QEMU("<serial type='pty'><target port='0'/></serial>"
             "<serial type='file'><source path='/var/log/s,x=y.log'/><target port='1'/></serial>"
             "<serial type='null'><target type='pci-serial' port='2'/></serial>"
             "<console type='pty'><target type='serial' port='0'/></console>"
             "<console type='pty'><target type='virtio' port='1'/></console>"
             "<input type='tablet' bus='usb'/><input type='mouse' bus='ps2'/>"
             "<input type='keyboard' bus='ps2'/><input type='keyboard' bus='virtio'/>"
             "<input type='tablet' bus='usb'/>"
             "<memballoon model='virtio'/>"),
        NULL);
    g_autoptr(VbDomainDef) lone = parse(QEMU("<console type='pty'/><memballoon model='none'/>"));
    g_autoptr(GPtrArray) lone_argv = NULL;
    VbQemuBuildParams params;
    int chardev, device, vser;

    chardev = assert_pair(argv, "-chardev", "pty,id=charserial0");
    device = assert_pair(argv, "-device",
                         "{\"driver\":\"isa-serial\",\"id\":\"serial0\",\"index\":0,\"chardev\":"
                         "\"charserial0\"}");
    g_assert_cmpint(chardev, <, device);
    /* the serial console is serial 0 itself */
    g_assert_cmpuint(count_opt(argv, "-chardev"), ==, 5);
    assert_pair(argv, "-chardev", "file,id=charserial1,path=/var/log/s,,x=y.log");
    assert_pair(argv, "-chardev", "null,id=charserial2");
    assert_pair(argv, "-device",
                "{\"driver\":\"pci-serial\",\"id\":\"serial2\",\"chardev\":\"charserial2\"}");
    vser = assert_pair(argv, "-device",
                       "{\"driver\":\"virtio-serial-pci\",\"id\":\"virtio-serial0\"}");
    assert_pair(argv, "-chardev", "pty,id=charconsole1");
    g_assert_cmpint(vser, <,
                    assert_pair(argv, "-device",
                                "{\"driver\":\"virtconsole\",\"id\":\"console1\",\"chardev\":"
                                "\"charconsole1\"}"));
    assert_pair(argv, "-device",
                "{\"driver\":\"usb-tablet\",\"id\":\"input-tablet-usb\",\"bus\":\"usb.0\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"usb-tablet\",\"id\":\"input-tablet-usb-1\",\"bus\":\"usb.0\"}");
    assert_pair(argv, "-device",
                "{\"driver\":\"virtio-keyboard-pci\",\"id\":\"input-keyboard-virtio\"}");
    assert_pair(argv, "-device", "{\"driver\":\"virtio-balloon-pci\",\"id\":\"balloon0\"}");
    /* ps2 devices are the machine's own: 3 inputs, usb controller, serials, console, balloon */
    g_assert_cmpuint(count_opt(argv, "-device"), ==, 10);

    /* a console without a serial becomes serial 0 */
    params_init(&params);
    lone_argv = build_def(lone, &params);
    assert_pair(lone_argv, "-chardev", "pty,id=charserial0");
    assert_pair(lone_argv, "-device",
                "{\"driver\":\"isa-serial\",\"id\":\"serial0\",\"index\":0,\"chardev\":"
                "\"charserial0\"}");
    g_assert_cmpuint(count_opt(lone_argv, "-device"), ==, 2);
    {
        g_autofree char *console = vb_qemu_chr_chardev_id(lone, TRUE, 0);

        g_assert_cmpstr(console, ==, "charserial0");
    }
}

static void
test_sandbox_incoming(void)
{
    VbQemuBuildParams params;
    g_autoptr(GPtrArray) deny = NULL;
    g_autoptr(GPtrArray) exec = NULL;

    params_init(&params);
    params.sandbox = TRUE;
    params.incoming = "defer";
    deny = build_xml(QEMU(""), &params);
    assert_pair(deny, "-sandbox",
                "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
    g_assert_cmpstr(deny->pdata[deny->len - 3], ==, "-incoming");
    g_assert_cmpstr(deny->pdata[deny->len - 2], ==, "defer");

    params.incoming = "exec:cat '/var/lib/save/t.img'";
    exec = build_xml(QEMU(""), &params);
    assert_pair(exec, "-sandbox",
                "on,obsolete=deny,elevateprivileges=deny,spawn=allow,resourcecontrol=deny");
    assert_pair(exec, "-incoming", "exec:cat '/var/lib/save/t.img'");
}

/* hostile values: escaped where qemu parses key=value lists, verbatim in JSON and raw
 * options, rejected when they hold what no option can carry */
static void
test_hostile(void)
{
    VbQemuBuildParams params;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GPtrArray) quoted = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autofree char *line = NULL;
    VbDomainGraphicsDef *vnc;
    VbDomainDiskDef *disk;

    params_init(&params);
    params.monitor_path = "/run/vb/a,server=off/qmp.sock";
    params.vnc_port = 5900;
    argv = build_xml(
        "<domain type='qemu'><name>a,debug-threads=off \"q\" 'x'</name><uuid>" UUID "</uuid>"
        "<memory>131072</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type><kernel>/k</kernel><cmdline>console=ttyS0,115200 a=b,c</cmdline>"
        "</os><devices>"
        "<disk type='file' device='disk'><source file='/tmp/a,file=/etc/shadow'/>"
        "<target dev='vda' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><source file='/tmp/\"b\" c\\d'/>"
        "<target dev='vdb' bus='virtio'/></disk>"
        "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>"
        "</devices></domain>",
        &params);
    assert_pair(argv, "-name", "guest=a,,debug-threads=off \"q\" 'x',debug-threads=on");
    assert_pair(argv, "-chardev",
                "socket,id=monitor,path=/run/vb/a,,server=off/qmp.sock,server=on,wait=off");
    assert_pair(argv, "-append", "console=ttyS0,115200 a=b,c");
    assert_pair(argv, "-blockdev",
                "{\"driver\":\"file\",\"filename\":\"/tmp/a,file=/etc/shadow\",\"node-name\":"
                "\"file-vda\"}");
    assert_pair(argv, "-blockdev",
                "{\"driver\":\"file\",\"filename\":\"/tmp/\\\"b\\\" c\\\\d\",\"node-name\":"
                "\"file-vdb\"}");
    line = vb_qemu_argv_to_string(argv);
    g_assert_nonnull(strstr(line, " -name 'guest=a,,debug-threads=off \"q\" '\\''x'\\'',"
                                  "debug-threads=on' "));
    {
        g_auto(GStrv) back = NULL;

        g_assert_true(g_shell_parse_argv(line, NULL, &back, NULL));
        g_assert_cmpuint(g_strv_length(back), ==, argv->len - 1);
        for (guint i = 0; back[i] != NULL; i++)
            g_assert_cmpstr(back[i], ==, argv->pdata[i]);
    }

    /* what the XML parser lets through but qemu could not be given safely */
    def = parse(QEMU("<disk type='file' device='disk'><source file='/tmp/a'/>"
                     "<target dev='vda'/></disk><graphics type='vnc' autoport='yes'/>"));
    disk = def->disks->pdata[0];
    g_free(disk->src);
    disk->src = g_strdup("/tmp/a\n-drive file=/etc/shadow");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: the source of disk 'vda' contains a newline "
                       "or another control character");
    g_free(disk->src);
    disk->src = g_strdup("relative/a.img");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: the source of disk 'vda' 'relative/a.img' is "
                       "not an absolute path");
    g_free(disk->src);
    disk->src = g_strdup("/tmp/a");

    vnc = def->graphics->pdata[0];
    vnc->keymap = g_strdup("de,password=off");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: VNC keymap 'de,password=off' is not valid");
    g_clear_pointer(&vnc->keymap, g_free);
    vnc->keymap = g_strdup("../../etc/passwd");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: VNC keymap '../../etc/passwd' is not valid");
    g_clear_pointer(&vnc->keymap, g_free);
    vnc->listen = g_strdup("127.0.0.1,password=off");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: VNC listen address '127.0.0.1,password=off' "
                       "is not an IP address or a host name");
    g_clear_pointer(&vnc->listen, g_free);

    g_free(def->name);
    def->name = g_strdup("a\nb");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: the domain name contains a newline or "
                       "another control character");
    g_free(def->name);
    def->name = g_strdup("a");
    def->os_kernel = g_strdup("/k");
    def->os_cmdline = g_strdup("console=ttyS0\nrw");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: <cmdline> contains a newline or another "
                       "control character");
    g_clear_pointer(&def->os_cmdline, g_free);
    def->os_machine = g_strdup("pc,accel=kvm");
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: machine type 'pc,accel=kvm' is not valid");
    g_clear_pointer(&def->os_machine, g_free);
    params.monitor_path = "/run/vb/\r/qmp.sock";
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: the QMP socket path contains a newline or "
                       "another control character");
    params.monitor_path = MONITOR;
    params.incoming = "defer\n";
    assert_build_error(def, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: the incoming migration URI contains a "
                       "newline or another control character");
    params.incoming = NULL;

    /* socket NIC addresses are validated even though they go into JSON */
    {
        g_autoptr(VbDomainDef) mcast =
            parse(QEMU("<interface type='mcast'><source address='230.0.0.1' port='5000'/>"
                       "</interface>"));
        VbDomainNetDef *net = mcast->nets->pdata[0];

        g_free(net->source_address);
        net->source_address = g_strdup("192.0.2.1");
        assert_build_error(mcast, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                           "unsupported configuration: interface 0: source address '192.0.2.1' "
                           "is not an IPv4 multicast address");
        g_free(net->source_address);
        net->source_address = g_strdup("230.0.0.1,listen=:1");
        assert_build_error(mcast, &params, VB_ERROR_CONFIG_UNSUPPORTED,
                           "unsupported configuration: interface 0: source address "
                           "'230.0.0.1,listen=:1' is not an IPv4 address or a host name");
    }

    /* everything valid again */
    quoted = build_def(def, &params);
    assert_pair(quoted, "-kernel", "/k");

    /* the XML parser already refuses these */
    {
        g_autoptr(GError) error = NULL;
        g_autoptr(VbDomainDef) bad = vb_domain_def_parse(
            QEMU("<graphics type='vnc' autoport='yes' keymap='de,x=y'/>"), -1, 0, &error);

        g_assert_null(bad);
        g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    }
    {
        g_autoptr(GError) error = NULL;
        g_autoptr(VbDomainDef) bad = vb_domain_def_parse(
            "<domain type='qemu'><name>a&#10;b</name><memory>1024</memory><vcpu>1</vcpu>"
            "<os><type>hvm</type></os></domain>",
            -1, 0, &error);

        g_assert_null(bad);
        g_assert_nonnull(error);
    }
}

typedef struct {
    const char *what;
    const char *xml;
    int code;
    const char *message;
} ErrorCase;

static const ErrorCase unsupported[] = {
    {"xen domain", DOMAIN("xen", HVM, "", ""), VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: domain type 'xen' is not supported by the QEMU driver"},
    {"kvm without kvm", DOMAIN("kvm", HVM, "", ""), VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: KVM is not available"},
    {"xen pv os", DOMAIN("qemu", "<type>xen</type>", "", ""), VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: os type 'xen' is not supported by the QEMU driver"},
    {"bootloader",
     "<domain type='qemu'><name>t</name><memory>131072</memory><vcpu>1</vcpu>"
     "<bootloader>/usr/bin/pygrub</bootloader><os><type>hvm</type></os></domain>",
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: <bootloader> is not supported by the QEMU driver"},
    {"initrd without kernel", DOMAIN("qemu", HVM "<initrd>/i</initrd>", "", ""),
     VB_ERROR_CONFIG_UNSUPPORTED, "unsupported configuration: <initrd> needs <kernel>"},
    {"xen disk bus",
     QEMU("<disk type='file' device='disk'><source file='/i/a'/><target dev='xvda'/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk bus 'xen' is not supported by the QEMU driver (disk "
     "'xvda')"},
    {"virtio cdrom",
     QEMU("<disk type='file' device='cdrom'><target dev='vdb' bus='virtio'/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk 'vdb': a cdrom cannot be on bus 'virtio'"},
    {"unknown format",
     QEMU("<disk type='file' device='disk'><driver name='qemu' type='vvfat'/>"
          "<source file='/i/a'/><target dev='vda'/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk 'vda': format 'vvfat' is not supported"},
    {"xen driver name",
     QEMU("<disk type='file' device='disk'><driver name='tap'/>"
          "<source file='/i/a'/><target dev='vda'/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk 'vda': driver name 'tap' is not supported by the QEMU "
     "driver"},
    {"readonly ide disk",
     QEMU("<disk type='file' device='disk'><source file='/i/a'/><target dev='hda'/>"
          "<readonly/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk 'hda': readonly IDE and SATA disks are not supported"},
    {"fifth ide disk on pc",
     QEMU("<disk type='file' device='disk'><source file='/i/a'/><target dev='hde'/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk 'hde' is beyond the 4 units of bus 'ide' on machine "
     "'pc'"},
    {"ide on microvm",
     DOMAIN("qemu", "<type machine='microvm'>hvm</type>", "",
            "<disk type='file' device='disk'><source file='/i/a'/><target dev='hda'/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk 'hda' on bus 'ide' needs a pc or q35 machine, not "
     "'microvm'"},
    {"usb cdrom", QEMU("<disk type='file' device='cdrom'><target dev='sda' bus='usb'/></disk>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: disk 'sda': a cdrom cannot be on bus 'usb'"},
    {"bad nic model", QEMU("<interface type='user'><model type='vfio-pci'/></interface>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: interface 0: model 'vfio-pci' is not supported by the QEMU "
     "driver"},
    {"ipv6 client",
     QEMU("<interface type='client'><source address='::1' port='5000'/>"
          "</interface>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: interface 0 of type 'client': IPv6 source addresses are not "
     "supported"},
    {"tap without fd", QEMU("<interface type='bridge'><source bridge='br0'/></interface>"),
     VB_ERROR_INTERNAL,
     "internal error: 0 tap file descriptors given for 1 interfaces that need one"},
    {"two vnc", QEMU("<graphics type='vnc' port='5901'/><graphics type='vnc' port='5902'/>"),
     VB_ERROR_CONFIG_UNSUPPORTED, "unsupported configuration: only one VNC display is supported"},
    {"vnc port below 5900", QEMU("<graphics type='vnc' port='5800' autoport='no'/>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: VNC port 5800 is outside 5900 to 65535"},
    {"stdio serial", QEMU("<serial type='stdio'><target port='0'/></serial>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: serial 0: character device type 'stdio' is not supported by "
     "the QEMU driver"},
    {"isa serial port 4", QEMU("<serial type='pty'><target port='4'/></serial>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: serial 4: port 4 is out of range for isa-serial (0 to 3)"},
    {"sclp serial", QEMU("<serial type='pty'><target type='sclp-serial' port='0'/></serial>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: serial 0: target type 'sclp-serial' is not supported by the "
     "QEMU driver"},
    {"xen console", QEMU("<console type='pty'><target type='xen' port='0'/></console>"),
     VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: console 0: target type 'xen' is not supported by the QEMU "
     "driver"},
    {"xen input", QEMU("<input type='mouse' bus='xen'/>"), VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: input 'mouse' on bus 'xen': the bus is not supported by the "
     "QEMU driver"},
    {"xen balloon", QEMU("<memballoon model='xen'/>"), VB_ERROR_CONFIG_UNSUPPORTED,
     "unsupported configuration: memballoon model 'xen' is not supported by the QEMU driver"},
};

static void
test_unsupported(gconstpointer data)
{
    const ErrorCase *c = data;

    assert_xml_error(c->xml, c->code, c->message);
}

static char *
node_string(JsonNode *node)
{
    return vb_qemu_json_to_string(node);
}

static void
test_hotplug(void)
{
    g_autoptr(VbDomainDef) def = parse(
        DOMAIN("qemu", HVM, "<features><acpi/></features>",
               "<disk type='file' device='disk'><source file='/i/a'/><target dev='vda'/>"
               "</disk><interface type='user'><mac address='52:54:00:00:00:01'/>"
               "</interface><input type='tablet' bus='usb'/><input type='mouse' bus='ps2'/>"));
    g_autoptr(VbDomainDeviceDef) scsi = vb_domain_device_def_parse(
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source file='/i/b,c.qcow2'/><target dev='sdb' bus='scsi'/></disk>",
        -1, NULL);
    g_autoptr(VbDomainDeviceDef) ide = vb_domain_device_def_parse(
        "<disk type='file' device='cdrom'><target dev='hdc'/></disk>", -1, NULL);
    g_autoptr(VbDomainDeviceDef) nic = vb_domain_device_def_parse(
        "<interface type='bridge'><mac address='52:54:00:ab:cd:ef'/><source bridge='br0'/>"
        "<model type='virtio'/></interface>",
        -1, NULL);
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(GPtrArray) devices = NULL;
    g_autoptr(GPtrArray) empty = NULL;
    g_autoptr(JsonNode) netdev = NULL;
    g_autoptr(JsonNode) netdev_fd = NULL;
    g_autoptr(JsonNode) device = NULL;
    g_autoptr(JsonNode) input = NULL;
    g_autoptr(JsonNode) ps2 = NULL;
    g_autoptr(JsonNode) del = NULL;
    g_autoptr(JsonNode) bdel = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *s0 = NULL, *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL;
    g_autofree char *s6 = NULL, *s7 = NULL, *s8 = NULL, *s9 = NULL;
    g_autofree char *node = NULL, *storage = NULL, *id = NULL, *net_id = NULL, *input_id = NULL;
    gboolean used = TRUE;

    g_assert_nonnull(scsi);
    g_assert_nonnull(ide);
    g_assert_nonnull(nic);
    nodes = vb_qemu_disk_blockdev_args(scsi->disk, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(nodes->len, ==, 2);
    s0 = node_string(nodes->pdata[0]);
    s1 = node_string(nodes->pdata[1]);
    g_assert_cmpstr(
        s0, ==, "{\"driver\":\"file\",\"filename\":\"/i/b,c.qcow2\",\"node-name\":\"file-sdb\"}");
    g_assert_cmpstr(s1, ==,
                    "{\"driver\":\"qcow2\",\"node-name\":\"drive-sdb\",\"file\":\"file-sdb\"}");
    node = vb_qemu_disk_node_name(scsi->disk);
    storage = vb_qemu_disk_storage_node_name(scsi->disk);
    id = vb_qemu_disk_device_id(scsi->disk);
    g_assert_cmpstr(node, ==, "drive-sdb");
    g_assert_cmpstr(storage, ==, "file-sdb");
    g_assert_cmpstr(id, ==, "disk-sdb");

    devices = vb_qemu_disk_hotplug_device_args(def, "pc", scsi->disk, NULL, &used, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(devices->len, ==, 2);
    s2 = node_string(devices->pdata[0]);
    s3 = node_string(devices->pdata[1]);
    g_assert_cmpstr(s2, ==, "{\"driver\":\"virtio-scsi-pci\",\"id\":\"scsi0\"}");
    g_assert_cmpstr(s3, ==,
                    "{\"driver\":\"scsi-hd\",\"bus\":\"scsi0.0\",\"scsi-id\":1,\"lun\":0,"
                    "\"drive\":\"drive-sdb\",\"id\":\"disk-sdb\"}");
    g_assert_false(used);

    empty = vb_qemu_disk_blockdev_args(ide->disk, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(empty->len, ==, 0);
    g_assert_null(vb_qemu_disk_hotplug_device_args(def, "pc", ide->disk, NULL, NULL, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==,
                    "Operation not supported: disk bus 'ide' does not support hotplug (disk "
                    "'hdc')");
    g_clear_error(&error);

    g_assert_null(vb_qemu_netdev_args(nic->net, 1, NULL, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INTERNAL);
    g_clear_error(&error);
    netdev_fd = vb_qemu_netdev_args(nic->net, 1, "fd-net-525400abcdef", &error);
    g_assert_no_error(error);
    s4 = node_string(netdev_fd);
    g_assert_cmpstr(s4, ==,
                    "{\"type\":\"tap\",\"id\":\"hostnet-525400abcdef\",\"fd\":"
                    "\"fd-net-525400abcdef\"}");
    device = vb_qemu_net_device_args(def, "pc", nic->net, 1, NULL, NULL, &error);
    g_assert_no_error(error);
    s5 = node_string(device);
    g_assert_cmpstr(s5, ==,
                    "{\"driver\":\"virtio-net-pci\",\"netdev\":\"hostnet-525400abcdef\",\"id\":"
                    "\"net-525400abcdef\",\"mac\":\"52:54:00:ab:cd:ef\"}");
    net_id = vb_qemu_net_device_id(nic->net, 1);
    g_assert_cmpstr(net_id, ==, "net-525400abcdef");
    netdev = vb_qemu_netdev_args(def->nets->pdata[0], 0, NULL, &error);
    g_assert_no_error(error);
    s6 = node_string(netdev);
    g_assert_cmpstr(s6, ==, "{\"type\":\"user\",\"id\":\"hostnet-525400000001\"}");

    input = vb_qemu_input_device_args(def, "pc", 0, NULL, NULL, &error);
    g_assert_no_error(error);
    s7 = node_string(input);
    g_assert_cmpstr(s7, ==,
                    "{\"driver\":\"usb-tablet\",\"id\":\"input-tablet-usb\",\"bus\":\"usb.0\"}");
    ps2 = vb_qemu_input_device_args(def, "pc", 1, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_null(ps2);
    input_id = vb_qemu_input_device_id(def, 1);
    g_assert_cmpstr(input_id, ==, "input-mouse-ps2");

    del = vb_qemu_device_del_args("disk-sdb");
    bdel = vb_qemu_blockdev_del_args("drive-sdb");
    s8 = node_string(del);
    g_assert_cmpstr(s8, ==, "{\"id\":\"disk-sdb\"}");
    s9 = node_string(bdel);
    g_assert_cmpstr(s9, ==, "{\"node-name\":\"drive-sdb\"}");
}

/* PCI hotplug: q35 needs one of its spare root ports, pc needs ACPI */
static void
test_hotplug_pci(void)
{
    g_autoptr(VbDomainDef) q35 = parse(Q35("<input type='keyboard' bus='virtio'/>"
                                           "<input type='tablet' bus='usb'/>"));
    g_autoptr(VbDomainDef) pc = parse(QEMU(""));
    g_autoptr(VbDomainDeviceDef) vdb = vb_domain_device_def_parse(
        "<disk type='file' device='disk'><source file='/i/b'/><target dev='vdb'/></disk>", -1,
        NULL);
    g_autoptr(VbDomainDeviceDef) sdd = vb_domain_device_def_parse(
        "<disk type='file' device='disk'><source file='/i/d'/><target dev='sdd' bus='usb'/>"
        "</disk>",
        -1, NULL);
    g_autoptr(VbDomainDeviceDef) nic = vb_domain_device_def_parse(
        "<interface type='user'><mac address='52:54:00:ab:cd:ef'/></interface>", -1, NULL);
    g_autoptr(GPtrArray) disk = NULL;
    g_autoptr(GPtrArray) usb = NULL;
    g_autoptr(JsonNode) keyboard = NULL;
    g_autoptr(JsonNode) tablet = NULL;
    g_autoptr(GPtrArray) argv =
        build_def(q35, &(VbQemuBuildParams){.monitor_path = MONITOR, .vnc_port = -1});
    g_autoptr(GError) error = NULL;
    g_autofree char *s0 = NULL, *s1 = NULL, *s2 = NULL, *port = vb_qemu_hotplug_port_id(3);
    gboolean used = FALSE;
    int last_port;

    g_assert_cmpuint(vb_qemu_hotplug_port_count(q35, NULL), ==, VB_QEMU_HOTPLUG_PORTS);
    g_assert_cmpuint(vb_qemu_hotplug_port_count(pc, "pc"), ==, 0);
    g_assert_cmpstr(port, ==, "hotplug-port3");
    /* the spare ports come after every other device */
    assert_pair(argv, "-device",
                "{\"driver\":\"pcie-root-port\",\"id\":\"hotplug-port0\",\"chassis\":1}");
    last_port = assert_pair(argv, "-device",
                            "{\"driver\":\"pcie-root-port\",\"id\":\"hotplug-port3\","
                            "\"chassis\":4}");
    g_assert_cmpint(last_port, ==, (int)argv->len - 3);

    g_assert_null(vb_qemu_disk_hotplug_device_args(q35, NULL, vdb->disk, NULL, &used, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "operation failed: no free PCI hotplug port on machine 'q35' (it has 4)");
    g_clear_error(&error);
    disk = vb_qemu_disk_hotplug_device_args(q35, NULL, vdb->disk, "hotplug-port1", &used, &error);
    g_assert_no_error(error);
    g_assert_true(used);
    s0 = vb_qemu_json_to_string(disk->pdata[0]);
    g_assert_cmpstr(s0, ==,
                    "{\"driver\":\"virtio-blk-pci\",\"drive\":\"drive-vdb\",\"id\":\"disk-vdb\","
                    "\"bus\":\"hotplug-port1\"}");
    usb = vb_qemu_disk_hotplug_device_args(q35, NULL, sdd->disk, "hotplug-port1", &used, &error);
    g_assert_no_error(error);
    g_assert_false(used);
    keyboard = vb_qemu_input_device_args(q35, NULL, 0, "hotplug-port2", &used, &error);
    g_assert_no_error(error);
    g_assert_true(used);
    s1 = vb_qemu_json_to_string(keyboard);
    g_assert_cmpstr(s1, ==,
                    "{\"driver\":\"virtio-keyboard-pci\",\"id\":\"input-keyboard-virtio\","
                    "\"bus\":\"hotplug-port2\"}");
    tablet = vb_qemu_input_device_args(q35, NULL, 1, "hotplug-port2", &used, &error);
    g_assert_no_error(error);
    g_assert_false(used);
    s2 = vb_qemu_json_to_string(tablet);
    g_assert_cmpstr(s2, ==,
                    "{\"driver\":\"usb-tablet\",\"id\":\"input-tablet-usb\",\"bus\":\"usb.0\"}");

    g_assert_null(vb_qemu_net_device_args(pc, "pc", nic->net, 0, NULL, &used, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==,
                    "Operation not supported: PCI hotplug on machine 'pc' needs <acpi/>");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-command/minimal", test_minimal);
    g_test_add_func("/qemu-command/machine", test_machine);
    g_test_add_func("/qemu-command/resources", test_resources);
    g_test_add_func("/qemu-command/kernel-boot", test_kernel_boot);
    g_test_add_func("/qemu-command/disks", test_disks);
    g_test_add_func("/qemu-command/disks-q35", test_disks_q35);
    g_test_add_func("/qemu-command/nets", test_nets);
    g_test_add_func("/qemu-command/graphics", test_graphics);
    g_test_add_func("/qemu-command/chrs-inputs-balloon", test_chrs_inputs_balloon);
    g_test_add_func("/qemu-command/sandbox-incoming", test_sandbox_incoming);
    g_test_add_func("/qemu-command/hostile", test_hostile);
    for (guint i = 0; i < G_N_ELEMENTS(unsupported); i++) {
        g_autofree char *path =
            g_strdup_printf("/qemu-command/unsupported/%s", unsupported[i].what);

        g_test_add_data_func(path, &unsupported[i], test_unsupported);
    }
    g_test_add_func("/qemu-command/hotplug", test_hotplug);
    g_test_add_func("/qemu-command/hotplug-pci", test_hotplug_pci);
    return g_test_run();
}
