/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>
#include <string.h>

#include "domain-conf.h"
#include "schema.h"
#include "vb-error.h"

static char *
read_data(const char *dir, const char *name)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", dir, name, NULL);
    g_autoptr(GError) error = NULL;
    char *contents = NULL;

    if (!g_file_get_contents(path, &contents, NULL, &error))
        g_error("%s: %s", path, error->message);
    return contents;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    /* g_ptr_array_sort passes pointers to the elements */
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted file names in tests/data/@dir ending with @suffix */
static GPtrArray *
list_data(const char *dir, const char *suffix)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", dir, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = g_dir_open(path, 0, &error);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (d == NULL)
        g_error("%s: %s", path, error->message);
    while ((name = g_dir_read_name(d)) != NULL) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, compare_names);
    return names;
}

static void
assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        g_error("'%s' not found in:\n%s", needle, haystack);
}

static void
assert_not_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL)
        g_error("'%s' unexpectedly found in:\n%s", needle, haystack);
}

static gboolean
schema_is_placeholder(void)
{
    const char *top = g_getenv("VB_SOURCE_DIR");
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;

    if (top == NULL)
        return TRUE;
    path = g_build_filename(top, "data", "schemas", "domain.rng", NULL);
    return !g_file_get_contents(path, &text, NULL, NULL) || strstr(text, "placeholder") != NULL;
}

static void
assert_valid_schema(const char *xml)
{
    g_autoptr(GError) error = NULL;

    if (!vb_schema_validate_string(xml, "domain", &error))
        g_error("schema rejects our output: %s\n%s", error->message, xml);
}

/* parse -> format -> parse -> format gives the same text twice, for every flag set;
 * returns the definition */
static VbDomainDef *
assert_round_trip(const char *xml, const char *what)
{
    static const guint flag_sets[] = {
        0,
        VB_DOMAIN_XML_SECURE,
        VB_DOMAIN_XML_INACTIVE,
        VB_DOMAIN_XML_MIGRATABLE | VB_DOMAIN_XML_SECURE,
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, -1, 0, &error);

    if (def == NULL)
        g_error("%s: %s", what, error->message);
    {
        /* the schema accepts what the model accepts (the model checks more) */
        g_autoptr(VbDomainDef) validated =
            vb_domain_def_parse(xml, -1, VB_DOMAIN_PARSE_VALIDATE, &error);

        if (validated == NULL)
            g_error("%s: %s", what, error->message);
    }
    for (guint i = 0; i < G_N_ELEMENTS(flag_sets); i++) {
        g_autofree char *first = vb_domain_def_format(def, flag_sets[i]);
        g_autoptr(VbDomainDef) again = vb_domain_def_parse(first, -1, 0, &error);
        g_autofree char *second = NULL;
        g_autoptr(VbDomainDef) copy = vb_domain_def_copy(def);
        g_autofree char *copied = vb_domain_def_format(copy, flag_sets[i]);

        if (again == NULL)
            g_error("%s: formatted output does not parse: %s\n%s", what, error->message, first);
        second = vb_domain_def_format(again, flag_sets[i]);
        if (g_strcmp0(first, second) != 0)
            g_error("%s: not a fixed point with flags %u:\n%s\n---\n%s", what, flag_sets[i], first,
                    second);
        g_assert_cmpstr(copied, ==, first);
        assert_valid_schema(first);
    }
    return g_steal_pointer(&def);
}

static void
assert_parse_error(const char *xml, VbErrorCode code, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, -1, 0, &error);

    if (def != NULL)
        g_error("parsed, expected '%s':\n%s", needle, xml);
    g_assert_error(error, VB_ERROR, (gint)code);
    assert_contains(error->message, needle);
}

static char *
format_uuid(const VbDomainDef *def)
{
    char uuid[VB_UUID_STRING_LEN];

    vb_uuid_format(def->uuid, uuid);
    return g_strdup(uuid);
}

/* the seeds */

static void
test_seed_domains(void)
{
    g_autoptr(GPtrArray) names = list_data("seed", "-domain.txt");
    guint parsed = 0;

    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *xml = NULL;
        g_autoptr(VbDomainDef) def = NULL;

        if (g_str_has_prefix(name, "001-02"))
            continue;
        xml = read_data("seed", name);
        def = assert_round_trip(xml, name);
        parsed++;

        if (g_str_has_prefix(name, "001-01") || g_str_has_prefix(name, "003-21")) {
            const VbDomainDiskDef *disk = g_ptr_array_index(def->disks, 0);
            const VbDomainNetDef *net = g_ptr_array_index(def->nets, 0);

            g_assert_cmpint(def->type, ==, VB_DOMAIN_VIRT_XEN);
            g_assert_cmpint(def->id, ==, 18);
            g_assert_cmpstr(def->name, ==, "fc4");
            g_assert_cmpint(def->os_type, ==, VB_DOMAIN_OS_LINUX);
            g_assert_cmpstr(def->os_cmdline, ==, " ro selinux=0 3");
            g_assert_cmpstr(def->os_root, ==, "/dev/sda1");
            g_assert_cmpuint(def->memory_kib, ==, 131072);
            g_assert_cmpuint(def->current_kib, ==, 131072);
            g_assert_cmpuint(def->vcpus_max, ==, 1);
            g_assert_cmpuint(def->nboot, ==, 0);
            g_assert_cmpstr(disk->dst, ==, "sda1");
            g_assert_cmpint(disk->bus, ==, VB_DOMAIN_DISK_BUS_SCSI);
            g_assert_cmpstr(net->source_bridge, ==, "xenbr0");
            g_assert_cmpstr(net->script_path, ==, "/etc/xen/scripts/vif-bridge");
            g_assert_true(net->has_mac);
            g_assert_cmpuint(net->mac[0], ==, 0xaa);
            g_assert_cmpuint(net->mac[5], ==, 0x11);
        }
        if (g_str_has_prefix(name, "001-01")) {
            const VbDomainChrDef *console = g_ptr_array_index(def->consoles, 0);
            g_autofree char *live = vb_domain_def_format(def, 0);
            g_autofree char *inactive = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE);

            g_assert_cmpuint(def->consoles->len, ==, 1);
            g_assert_cmpint(console->type, ==, VB_DOMAIN_CHR_PTY);
            g_assert_cmpstr(console->source_path, ==, "/dev/pts/5");
            g_assert_cmpuint(console->target_port, ==, 0);
            assert_contains(live, "<console type='pty' tty='/dev/pts/5'>");
            assert_contains(live, "<domain type='xen' id='18'>");
            assert_not_contains(inactive, "/dev/pts/5");
            assert_not_contains(inactive, "id=");
        }
        if (g_str_has_prefix(name, "001-03") || g_str_has_prefix(name, "002-19")) {
            g_autofree char *uuid = format_uuid(def);
            g_autofree char *out = vb_domain_def_format(def, 0);
            const VbDomainDiskDef *cdrom = g_ptr_array_index(def->disks, 1);
            const VbDomainDiskDef *floppy = g_ptr_array_index(def->disks, 2);
            const VbDomainGraphicsDef *vnc = g_ptr_array_index(def->graphics, 0);

            g_assert_cmpstr(uuid, ==, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
            g_assert_cmpint(def->clock_offset, ==, VB_DOMAIN_CLOCK_LOCALTIME);
            assert_contains(out, "<clock offset='localtime'/>");
            assert_not_contains(out, "sync=");
            g_assert_cmpint(def->os_type, ==, VB_DOMAIN_OS_HVM);
            g_assert_cmpstr(def->os_loader, ==, "/usr/lib/xen/boot/hvmloader");
            g_assert_cmpuint(def->nboot, ==, 1);
            g_assert_cmpint(def->boot[0], ==, VB_DOMAIN_BOOT_HD);
            g_assert_cmpuint(def->features, ==,
                             VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_PAE) |
                                 VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_ACPI) |
                                 VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_APIC));
            g_assert_cmpint(def->on_crash, ==, VB_DOMAIN_LIFECYCLE_RESTART);
            g_assert_cmpstr(def->emulator, ==, "/usr/lib/xen/bin/qemu-dm");
            g_assert_cmpuint(def->disks->len, ==, 3);
            g_assert_cmpint(cdrom->device, ==, VB_DOMAIN_DISK_DEVICE_CDROM);
            g_assert_true(cdrom->readonly);
            g_assert_cmpint(cdrom->bus, ==, VB_DOMAIN_DISK_BUS_IDE);
            g_assert_cmpint(floppy->device, ==, VB_DOMAIN_DISK_DEVICE_FLOPPY);
            g_assert_cmpint(floppy->bus, ==, VB_DOMAIN_DISK_BUS_FDC);
            g_assert_cmpstr(floppy->dst, ==, "fda");
            g_assert_cmpint(vnc->port, ==, 5904);
            g_assert_false(vnc->autoport);
            assert_contains(out, "<graphics type='vnc' port='5904' autoport='no'/>");
        }
        if (g_str_has_prefix(name, "001-04")) {
            g_autofree char *uuid = format_uuid(def);
            const VbDomainNetDef *net = g_ptr_array_index(def->nets, 0);
            const VbDomainGraphicsDef *vnc = g_ptr_array_index(def->graphics, 0);

            g_assert_cmpint(def->type, ==, VB_DOMAIN_VIRT_KVM);
            g_assert_cmpint(def->id, ==, -1);
            g_assert_cmpstr(uuid, ==, "4dea24b3-1d52-d8f3-2516-782e98a23fa0");
            g_assert_cmpint(net->type, ==, VB_DOMAIN_NET_USER);
            g_assert_cmpint(vnc->port, ==, -1);
            g_assert_true(vnc->autoport);
            /* hvm without a kernel boots from the disk by default */
            g_assert_cmpuint(def->nboot, ==, 1);
        }
        if (g_str_has_prefix(name, "001-13")) {
            g_autofree char *out = vb_domain_def_format(def, 0);
            const VbDomainNetDef *net = g_ptr_array_index(def->nets, 0);

            g_assert_cmpint(def->type, ==, VB_DOMAIN_VIRT_QEMU);
            g_assert_cmpstr(def->os_arch, ==, "i686");
            g_assert_cmpstr(def->os_machine, ==, "pc");
            g_assert_cmpint(def->boot[0], ==, VB_DOMAIN_BOOT_CDROM);
            g_assert_cmpuint(def->vcpus_max, ==, 2);
            g_assert_cmpuint(def->current_kib, ==, 219200);
            g_assert_cmpint(net->type, ==, VB_DOMAIN_NET_NETWORK);
            g_assert_cmpstr(net->source_network, ==, "default");
            g_assert_false(net->has_mac);
            assert_contains(out, "<source network='default'/>");
            assert_not_contains(out, "name='default'");
        }
        if (g_str_has_prefix(name, "002-17")) {
            g_assert_cmpstr(def->bootloader, ==, "/usr/bin/pygrub");
            g_assert_null(def->os_kernel);
        }
        if (g_str_has_prefix(name, "002-18") || g_str_has_prefix(name, "002-20")) {
            g_assert_cmpstr(def->os_cmdline, ==, " kickstart=http://example.com/myguest.ks ");
            g_assert_cmpstr(def->os_kernel, ==, "/var/lib/xen/install/vmlinuz-fedora8-x86_64");
        }
        if (g_str_has_prefix(name, "002-20"))
            g_assert_cmpuint(def->nboot, ==, 0);
    }
    g_assert_cmpuint(parsed, ==, 9);
}

static void
test_seed_fragment(void)
{
    g_autofree char *xml = read_data("seed", "001-02-domain.txt");
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, -1, 0, &error);

    g_assert_null(def);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    /* well-formed XML, but the '...' lines are text where only elements may be */
    g_assert_cmpstr(error->message, ==,
                    "XML error: (domain_definition): line 2, column 1: unexpected text '...' "
                    "in '.'");
}

/* the interface pages put several <interface> snippets one after another in one file,
 * which is not one XML document: the test splits the text before each "<interface"
 * (the snippets never nest) and parses every piece as a device on its own, so a typo
 * in the second snippet is reported for that snippet, with its line and column */
static void
test_seed_interfaces(void)
{
    static const struct {
        const char *file;
        const char *results; /* one letter a snippet: o parses, x is rejected */
        VbDomainNetType type;
    } seeds[] = {
        {"001-05-interface.txt", "o", VB_DOMAIN_NET_USER},
        {"001-06-interface.txt", "x", VB_DOMAIN_NET_USER},
        {"001-07-interface.txt", "ox", VB_DOMAIN_NET_NETWORK},
        {"001-08-interface.txt", "oxx", VB_DOMAIN_NET_BRIDGE},
        {"001-09-interface.txt", "oo", VB_DOMAIN_NET_ETHERNET},
        {"001-10-interface.txt", "o", VB_DOMAIN_NET_MCAST},
        {"001-11-interface.txt", "o", VB_DOMAIN_NET_SERVER},
        {"001-12-interface.txt", "o", VB_DOMAIN_NET_CLIENT},
    };

    for (guint s = 0; s < G_N_ELEMENTS(seeds); s++) {
        g_autofree char *text = read_data("seed", seeds[s].file);
        g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func(g_free);
        const char *p = strstr(text, "<interface");

        while (p != NULL) {
            const char *next = strstr(p + 1, "<interface");

            g_ptr_array_add(pieces, next != NULL ? g_strndup(p, (gsize)(next - p)) : g_strdup(p));
            p = next;
        }
        g_assert_cmpuint(pieces->len, ==, strlen(seeds[s].results));
        for (guint i = 0; i < pieces->len; i++) {
            const char *piece = g_ptr_array_index(pieces, i);
            g_autoptr(GError) error = NULL;
            g_autoptr(VbDomainDeviceDef) dev = vb_domain_device_def_parse(piece, -1, &error);

            if (seeds[s].results[i] == 'x') {
                g_assert_null(dev);
                g_assert_error(error, VB_ERROR, VB_ERROR_XML);
                assert_contains(error->message, "(device_definition): line ");
                assert_contains(error->message, "column ");
                continue;
            }
            if (dev == NULL)
                g_error("%s snippet %u: %s", seeds[s].file, i, error->message);
            g_assert_cmpint(dev->kind, ==, VB_DOMAIN_DEVICE_NET);
            g_assert_cmpint(dev->net->type, ==, seeds[s].type);
            {
                g_autofree char *out = vb_domain_device_def_format(dev, 0);
                g_autoptr(VbDomainDeviceDef) again = vb_domain_device_def_parse(out, -1, &error);
                g_autofree char *out2 = NULL;

                g_assert_no_error(error);
                out2 = vb_domain_device_def_format(again, 0);
                g_assert_cmpstr(out, ==, out2);
                if (seeds[s].type == VB_DOMAIN_NET_BRIDGE)
                    assert_contains(out, "<source bridge='br0'/>");
                if (seeds[s].type == VB_DOMAIN_NET_MCAST)
                    assert_contains(out, "<source address='230.0.0.1' port='5558'/>");
            }
        }
    }
}

/* our corpus */

static void
test_corpus_good(void)
{
    g_autoptr(GPtrArray) names = list_data("domain", ".xml");

    g_assert_cmpuint(names->len, >=, 5);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *xml = read_data("domain", name);
        g_autoptr(VbDomainDef) def = assert_round_trip(xml, name);

        if (g_str_has_suffix(name, "-canonical.xml")) {
            g_autofree char *out = vb_domain_def_format(def, 0);

            g_assert_cmpstr(out, ==, xml);
        }
    }
    if (schema_is_placeholder())
        g_test_message("data/schemas/domain.rng is still the placeholder: outputs were "
                       "validated against it, which accepts any <domain>");
}

static void
test_corpus_bad(void)
{
    g_autoptr(GPtrArray) names = list_data("domain-bad", ".xml");

    g_assert_cmpuint(names->len, >=, 30);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *xml = read_data("domain-bad", name);
        const char *start = strstr(xml, "<!-- error: ");
        const char *end = start != NULL ? strstr(start, " -->") : NULL;
        g_autofree char *expected = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(VbDomainDef) def = NULL;

        if (start != xml || end == NULL)
            g_error("%s: the first line must be <!-- error: ... -->", name);
        expected = g_strndup(start + 12, (gsize)(end - start - 12));
        def = vb_domain_def_parse(xml, -1, 0, &error);
        if (def != NULL)
            g_error("%s: parsed, expected '%s'", name, expected);
        g_assert_nonnull(error);
        g_assert_true(error->domain == VB_ERROR);
        if (strstr(error->message, expected) == NULL)
            g_error("%s: expected '%s', got '%s'", name, expected, error->message);
    }
}

/* a few values of the full corpus document */
static void
test_full_values(void)
{
    g_autofree char *xml = read_data("domain", "full-kvm.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, -1, 0, &error);
    g_autofree char *out = NULL;
    g_autofree char *secure = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *cpuset = NULL;
    const VbDomainVcpuPin *pin;
    const VbDomainChrDef *chr;
    const VbDomainInputDef *input;

    g_assert_no_error(error);
    uuid = format_uuid(def);
    g_assert_cmpstr(uuid, ==, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_cmpint(def->id, ==, 7);
    g_assert_cmpuint(def->memory_kib, ==, 4 * 1024 * 1024);
    g_assert_cmpuint(def->current_kib, ==, 2 * 1024 * 1024);
    g_assert_true(def->has_max_memory);
    g_assert_cmpuint(def->max_memory_kib, ==, 8 * 1024 * 1024);
    g_assert_cmpuint(def->max_memory_slots, ==, 16);
    g_assert_cmpuint(def->vcpus_max, ==, 4);
    g_assert_cmpuint(def->vcpus_current, ==, 2);
    cpuset = vb_cpuset_format(def->vcpu_cpuset);
    g_assert_cmpstr(cpuset, ==, "0-1,3,5");
    g_assert_cmpuint(def->vcpupins->len, ==, 2);
    pin = g_ptr_array_index(def->vcpupins, 0);
    g_assert_cmpuint(pin->vcpu, ==, 0);
    g_assert_true(vb_cpuset_is_set(pin->cpuset, 0));
    g_assert_false(vb_cpuset_is_set(pin->cpuset, 1));
    g_assert_cmpint(def->quota, ==, -1);
    g_assert_cmpuint(def->period, ==, 100000);
    g_assert_cmpuint(def->nboot, ==, 4);
    g_assert_cmpint(def->boot[0], ==, VB_DOMAIN_BOOT_NETWORK);
    g_assert_true(vb_domain_def_has_feature(def, VB_DOMAIN_FEATURE_HAP));
    g_assert_false(vb_domain_def_has_feature(def, VB_DOMAIN_FEATURE_PVSPINLOCK));
    g_assert_cmpuint(def->features_off, ==,
                     VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_PVSPINLOCK) |
                         VB_DOMAIN_FEATURE_BIT(VB_DOMAIN_FEATURE_VMPORT));
    g_assert_cmpint(def->on_poweroff, ==, VB_DOMAIN_LIFECYCLE_PRESERVE);
    g_assert_cmpint(def->on_crash, ==, VB_DOMAIN_LIFECYCLE_COREDUMP_DESTROY);
    g_assert_cmpuint(def->disks->len, ==, 8);
    g_assert_cmpuint(def->nets->len, ==, 8);
    g_assert_cmpint(vb_domain_def_find_disk(def, "sdc"), ==, 5);
    g_assert_cmpint(((VbDomainDiskDef *)g_ptr_array_index(def->disks, 5))->bus, ==,
                    VB_DOMAIN_DISK_BUS_USB);
    g_assert_cmpint(((VbDomainDiskDef *)g_ptr_array_index(def->disks, 6))->bus, ==,
                    VB_DOMAIN_DISK_BUS_XEN);
    /* serial ports without one take the lowest free */
    chr = g_ptr_array_index(def->serials, 2);
    g_assert_cmpuint(chr->target_port, ==, 1);
    chr = g_ptr_array_index(def->serials, 3);
    g_assert_cmpuint(chr->target_port, ==, 3);
    input = g_ptr_array_index(def->inputs, 1);
    g_assert_cmpint(input->bus, ==, VB_DOMAIN_INPUT_BUS_USB);
    input = g_ptr_array_index(def->inputs, 4);
    g_assert_cmpint(input->bus, ==, VB_DOMAIN_INPUT_BUS_PS2);

    out = vb_domain_def_format(def, 0);
    assert_contains(out, "<memory unit='KiB'>4194304</memory>");
    assert_contains(out, "<maxMemory slots='16' unit='KiB'>8388608</maxMemory>");
    assert_contains(out, "<vcpu placement='static' cpuset='0-1,3,5' current='2'>4</vcpu>");
    assert_contains(out, "<mac address='52:54:00:aa:bb:01'/>");
    assert_contains(out,
                    "<description>First line&#10;second line &amp; an ampersand</description>");
    assert_contains(out, "xmlns:app='http://example.org/app/1.0' app:version='2'>");
    assert_contains(out, "<other xmlns='http://example.org/default'>");
    assert_contains(out, "multi&#10;line");
    assert_not_contains(out, "comments inside");
    assert_not_contains(out, "passwd=");
    secure = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE);
    assert_contains(secure, "passwd='s3cr&amp;t'");
}

static void
test_invalid_values(void)
{
    static const char head[] = "<domain type='kvm'><name>x</name>";
    static const char tail[] = "<os><type>hvm</type></os></domain>";
    g_autofree char *xyz = g_strdup_printf("%s<memory>xyz</memory>%s", head, tail);
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xyz, -1, 0, &error);

    g_assert_null(def);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    g_assert_cmpstr(error->message, ==,
                    "XML error: Invalid value 'xyz' for element or attribute './memory[1]'");
    g_clear_error(&error);

    assert_parse_error("<domain type='kvm'><memory>1</memory><os><type>hvm</type></os></domain>",
                       VB_ERROR_XML, "XML error: missing name in '.'");
    assert_parse_error("<domain type='kvm'><name>a</name><os><type>hvm</type></os></domain>",
                       VB_ERROR_XML, "missing memory");
    assert_parse_error("<network/>", VB_ERROR_XML, "expected root element 'domain'");
    {
        g_autofree char *ok = g_strdup_printf("%s<memory>1</memory>%s", head, tail);
        g_autoptr(VbDomainDef) parsed = vb_domain_def_parse(ok, -1, 0, &error);

        g_assert_no_error(error);
        /* a generated UUID is version 4 */
        g_assert_cmpuint(parsed->uuid[6] >> 4, ==, 4);
        g_assert_cmpuint(parsed->vcpus_max, ==, 1);
        g_assert_null(vb_domain_def_parse(ok, -1, 0x100, &error));
        g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
        g_clear_error(&error);
        {
            g_autoptr(VbDomainDef) validated =
                vb_domain_def_parse(ok, -1, VB_DOMAIN_PARSE_VALIDATE, &error);

            g_assert_no_error(error);
            g_assert_nonnull(validated);
        }
    }
}

static void
test_parse_file(void)
{
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "data", "domain", "xen-pv.xml", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse_file(path, 0, &error);
    g_autoptr(VbDomainDef) empty = vb_domain_def_new();
    g_autofree char *out = NULL;

    g_assert_no_error(error);
    g_assert_cmpstr(def->name, ==, "xen-pv");
    g_assert_null(vb_domain_def_parse_file("/nonexistent/domain.xml", 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_SYSTEM);
    /* a definition built in code formats without a crash */
    out = vb_domain_def_format(empty, 0);
    assert_contains(out, "<domain type='test'>");
}

static void
test_parse_inactive(void)
{
    g_autofree char *xml = read_data("domain", "qemu-legacy.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) live = vb_domain_def_parse(xml, -1, 0, &error);
    g_autoptr(VbDomainDef) inactive =
        vb_domain_def_parse(xml, -1, VB_DOMAIN_PARSE_INACTIVE, &error);
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    g_assert_no_error(error);
    g_assert_cmpint(((VbDomainGraphicsDef *)g_ptr_array_index(live->graphics, 0))->port, ==, 5901);
    g_assert_cmpint(((VbDomainGraphicsDef *)g_ptr_array_index(inactive->graphics, 0))->port, ==,
                    -1);
    g_assert_cmpstr(((VbDomainChrDef *)g_ptr_array_index(live->serials, 0))->source_path, ==,
                    "/dev/pts/9");
    g_assert_null(((VbDomainChrDef *)g_ptr_array_index(inactive->serials, 0))->source_path);
    /* formatting a live definition as inactive hides the same things */
    a = vb_domain_def_format(live, VB_DOMAIN_XML_INACTIVE);
    b = vb_domain_def_format(inactive, VB_DOMAIN_XML_INACTIVE);
    g_assert_cmpstr(a, ==, b);
    assert_contains(a, "<graphics type='vnc' port='-1' autoport='yes'/>");
}

/* devices */

static VbDomainDef *
parse_file(const char *name)
{
    g_autofree char *xml = read_data("domain", name);
    g_autoptr(GError) error = NULL;
    VbDomainDef *def = vb_domain_def_parse(xml, -1, 0, &error);

    g_assert_no_error(error);
    return def;
}

static VbDomainDeviceDef *
parse_device(const char *xml)
{
    g_autoptr(GError) error = NULL;
    VbDomainDeviceDef *dev = vb_domain_device_def_parse(xml, -1, &error);

    g_assert_no_error(error);
    g_assert_nonnull(dev);
    return dev;
}

static void
assert_device_error(const char *xml, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDeviceDef) dev = vb_domain_device_def_parse(xml, -1, &error);

    g_assert_null(dev);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    assert_contains(error->message, needle);
}

static void
test_device_parse(void)
{
    g_autoptr(VbDomainDeviceDef) disk =
        parse_device("<disk type='file' device='disk'><source file='/a.img'/>"
                     "<target dev='vdb'/></disk>");
    g_autoptr(VbDomainDeviceDef) tablet = parse_device("<input type='tablet'/>");
    g_autoptr(VbDomainDeviceDef) serial = parse_device("<serial type='pty'/>");
    g_autoptr(VbDomainDeviceDef) vnc = parse_device("<graphics type='vnc' passwd='pw'/>");
    g_autoptr(VbDomainDeviceDef) copy = vb_domain_device_def_copy(disk);
    g_autofree char *out = vb_domain_device_def_format(disk, 0);
    g_autofree char *copied = vb_domain_device_def_format(copy, 0);
    g_autofree char *vnc_plain = vb_domain_device_def_format(vnc, 0);
    g_autofree char *vnc_secure = vb_domain_device_def_format(vnc, VB_DOMAIN_XML_SECURE);

    g_assert_cmpint(disk->kind, ==, VB_DOMAIN_DEVICE_DISK);
    g_assert_cmpint(disk->disk->bus, ==, VB_DOMAIN_DISK_BUS_VIRTIO);
    g_assert_cmpstr(vb_domain_device_def_alias(disk), ==, "vdb");
    g_assert_cmpstr(out, ==,
                    "<disk type='file' device='disk'>\n"
                    "  <source file='/a.img'/>\n"
                    "  <target dev='vdb' bus='virtio'/>\n"
                    "</disk>\n");
    g_assert_cmpstr(copied, ==, out);
    g_assert_cmpint(tablet->input->bus, ==, VB_DOMAIN_INPUT_BUS_DEFAULT);
    g_assert_cmpstr(vb_domain_device_def_alias(tablet), ==, "tablet-default");
    g_assert_cmpuint(serial->chr->target_port, ==, VB_DOMAIN_CHR_PORT_AUTO);
    g_assert_cmpstr(vb_domain_device_def_alias(vnc), ==, "vnc");
    assert_not_contains(vnc_plain, "passwd");
    assert_contains(vnc_secure, "passwd='pw'");

    assert_device_error("<video/>", "unknown device type 'video'");
    assert_device_error("<interface type='user'><mac address='01:00:5e:00:00:01'/></interface>",
                        "expected unicast mac address, found multicast '01:00:5e:00:00:01'");
    assert_device_error("<interface type='user'><mac address='zz:00:5e:00:00:01'/></interface>",
                        "Invalid value 'zz:00:5e:00:00:01' for element or attribute "
                        "'./mac[1]/@address'");
    assert_device_error("<interface type='mcast'><source address='10.0.0.1' port='1'/>"
                        "</interface>",
                        "Invalid value '10.0.0.1' for element or attribute './source[1]/@address'");
    assert_device_error("<interface type='client'><source address='10.0.0.1' port='0'/>"
                        "</interface>",
                        "Invalid value '0' for element or attribute './source[1]/@port'");
    assert_device_error("<interface type='network'/>", "missing <source> element in '.'");
    assert_device_error("<disk><target dev='vda'/></disk>", "missing <source> of the disk");
    assert_device_error("<disk device='cdrom'><target dev='zz'/></disk>",
                        "cannot infer default bus for target 'zz'");
    assert_device_error("<disk device='floppy'><target dev='fda' bus='ide'/></disk>",
                        "Invalid bus type 'ide' for floppy disk");
    assert_device_error("<input type='tablet' bus='ps2'/>",
                        "ps2 bus does not support tablet input device");
    assert_device_error("<graphics type='vnc' autoport='no'/>",
                        "Invalid value 'no' for element or attribute './@autoport'");
    assert_device_error("<graphics type='vnc' listen='1.2.3.4'>"
                        "<listen type='address' address='5.6.7.8'/></graphics>",
                        "must match 'address' attribute");
    assert_device_error("<serial type='file'/>", "missing <source path>");
    assert_device_error("<console><target type='isa-serial'/></console>",
                        "Invalid value 'isa-serial' for element or attribute './target[1]/@type'");
}

static void
test_device_attach_detach(void)
{
    static const guint8 prefix[3] = {0x00, 0x16, 0x3e};
    g_autoptr(VbDomainDef) def = parse_file("full-canonical.xml");
    g_autoptr(GError) error = NULL;
    VbDomainDeviceDef *dev;
    g_autoptr(VbDomainDeviceDef) found = NULL;
    g_autofree char *out = NULL;

    /* a second disk on vdb, then a clash on vda */
    dev = parse_device("<disk><source file='/b.img'/><target dev='vdb'/></disk>");
    g_assert_true(vb_domain_def_attach_device(def, dev, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(def->disks->len, ==, 2);
    dev = parse_device("<disk><source file='/c.img'/><target dev='vda'/></disk>");
    g_assert_false(vb_domain_def_attach_device(def, dev, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==, "operation failed: target vda already exists");
    g_clear_error(&error);
    vb_domain_device_def_free(dev);

    /* a NIC without a MAC gets one with the prefix given */
    dev = parse_device("<interface type='bridge'><source bridge='br0'/></interface>");
    vb_domain_device_def_fill_mac(dev, def, prefix);
    g_assert_true(dev->net->has_mac);
    g_assert_cmpmem(dev->net->mac, 3, prefix, 3);
    g_assert_true(vb_domain_def_attach_device(def, dev, &error));
    g_assert_cmpuint(def->nets->len, ==, 2);
    dev = parse_device("<interface type='user'><mac address='52:54:00:00:00:01'/></interface>");
    g_assert_false(vb_domain_def_attach_device(def, dev, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    assert_contains(error->message, "52:54:00:00:00:01 already exists");
    g_clear_error(&error);
    vb_domain_device_def_free(dev);

    /* a serial without a port takes the next free one */
    dev = parse_device("<serial type='pty'/>");
    g_assert_true(vb_domain_def_attach_device(def, dev, &error));
    g_assert_cmpuint(((VbDomainChrDef *)g_ptr_array_index(def->serials, 1))->target_port, ==, 1);
    dev = parse_device("<graphics type='vnc'/>");
    g_assert_false(vb_domain_def_attach_device(def, dev, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_clear_error(&error);
    vb_domain_device_def_free(dev);
    dev = parse_device("<input type='keyboard'/>");
    vb_domain_device_def_set_defaults(dev, def);
    g_assert_cmpstr(vb_domain_device_def_alias(dev), ==, "keyboard-ps2");
    g_assert_true(vb_domain_def_attach_device(def, dev, &error));
    g_assert_cmpint(((VbDomainInputDef *)g_ptr_array_index(def->inputs, 2))->bus, ==,
                    VB_DOMAIN_INPUT_BUS_PS2);

    out = vb_domain_def_format(def, 0);
    assert_contains(out, "<target dev='vdb' bus='virtio'/>");
    assert_contains(out, "<mac address='00:16:3e:");
    assert_contains(out, "<input type='keyboard' bus='ps2'/>");

    /* detach: disk by target, NIC by MAC or the only one of its type */
    {
        g_autoptr(VbDomainDeviceDef) vdb =
            parse_device("<disk><source file='/x'/><target dev='vdb'/></disk>");
        g_autoptr(VbDomainDeviceDef) nic = parse_device("<interface type='bridge'>"
                                                        "<source bridge='br9'/></interface>");
        g_autoptr(VbDomainDeviceDef) by_mac =
            parse_device("<interface type='network'><mac address='52:54:00:00:00:01'/>"
                         "<source network='x'/></interface>");
        g_autoptr(VbDomainDeviceDef) tablet = parse_device("<input type='tablet'/>");
        g_autoptr(VbDomainDeviceDef) serial = parse_device("<serial><target port='1'/></serial>");
        g_autoptr(VbDomainDeviceDef) sdl = parse_device("<graphics type='sdl'/>");

        found = vb_domain_def_find_device(def, vdb, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(found->disk->src, ==, "/b.img");
        g_assert_true(vb_domain_def_detach_device(def, vdb, &error));
        g_assert_cmpint(vb_domain_def_find_disk(def, "vdb"), ==, -1);
        g_assert_false(vb_domain_def_detach_device(def, vdb, &error));
        g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
        g_assert_cmpstr(error->message, ==,
                        "operation failed: no device matching disk target 'vdb'");
        g_clear_error(&error);
        g_assert_true(vb_domain_def_detach_device(def, nic, &error));
        g_assert_true(vb_domain_def_detach_device(def, by_mac, &error));
        g_assert_cmpuint(def->nets->len, ==, 0);
        g_assert_true(vb_domain_def_detach_device(def, tablet, &error));
        g_assert_true(vb_domain_def_detach_device(def, serial, &error));
        g_assert_no_error(error);
        g_assert_false(vb_domain_def_detach_device(def, sdl, &error));
        g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
        assert_contains(error->message, "no device matching graphics type 'sdl'");
        g_clear_error(&error);
    }

    /* two NICs of one type: a MAC is needed */
    {
        g_autoptr(VbDomainDeviceDef) any = parse_device("<interface type='user'/>");

        dev = parse_device("<interface type='user'/>");
        g_assert_true(vb_domain_def_attach_device(def, dev, &error));
        dev = parse_device("<interface type='user'/>");
        g_assert_true(vb_domain_def_attach_device(def, dev, &error));
        g_assert_false(vb_domain_def_detach_device(def, any, &error));
        g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
        assert_contains(error->message, "more than one device matching interface type 'user'");
        g_clear_error(&error);
    }
}

static void
test_device_update(void)
{
    g_autoptr(VbDomainDef) def = parse_file("full-kvm.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDeviceDef) media =
        parse_device("<disk type='file' device='cdrom'><source file='/isos/other.iso'/>"
                     "<target dev='hdc'/><readonly/></disk>");
    g_autoptr(VbDomainDeviceDef) eject =
        parse_device("<disk type='file' device='cdrom'><target dev='hdc'/><readonly/></disk>");
    g_autoptr(VbDomainDeviceDef) disk_src =
        parse_device("<disk type='file' device='disk'><driver name='qemu' type='qcow2' "
                     "cache='none'/><source file='/other.qcow2'/><target dev='vda'/></disk>");
    g_autoptr(VbDomainDeviceDef) bus =
        parse_device("<disk type='file' device='cdrom'><target dev='hdc' bus='sata'/>"
                     "<readonly/></disk>");
    g_autoptr(VbDomainDeviceDef) link =
        parse_device("<interface type='network'><mac address='52:54:00:aa:bb:01'/>"
                     "<source network='default'/><target dev='vnet0'/><model type='e1000'/>"
                     "<link state='down'/></interface>");
    g_autoptr(VbDomainDeviceDef) nic_type =
        parse_device("<interface type='user'><mac address='52:54:00:aa:bb:01'/></interface>");
    g_autoptr(VbDomainDeviceDef) passwd =
        parse_device("<graphics type='vnc' port='5904' autoport='no' listen='127.0.0.1' "
                     "passwd='new'/>");
    g_autoptr(VbDomainDeviceDef) port = parse_device("<graphics type='vnc' port='5905'/>");
    g_autoptr(VbDomainDeviceDef) input = parse_device("<input type='mouse' bus='ps2'/>");
    const VbDomainDiskDef *cdrom;
    const VbDomainNetDef *net;
    const VbDomainGraphicsDef *vnc;

    g_assert_true(vb_domain_def_update_device(def, media, &error));
    g_assert_no_error(error);
    cdrom = g_ptr_array_index(def->disks, vb_domain_def_find_disk(def, "hdc"));
    g_assert_cmpstr(cdrom->src, ==, "/isos/other.iso");
    g_assert_true(vb_domain_def_update_device(def, eject, &error));
    g_assert_null(cdrom->src);

    g_assert_false(vb_domain_def_update_device(def, disk_src, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    assert_contains(error->message, "Operation not supported: cannot modify field 'source'");
    g_clear_error(&error);
    g_assert_false(vb_domain_def_update_device(def, bus, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    g_clear_error(&error);

    g_assert_true(vb_domain_def_update_device(def, link, &error));
    net = g_ptr_array_index(def->nets, 0);
    g_assert_cmpint(net->link_state, ==, VB_DOMAIN_NET_LINK_DOWN);
    g_assert_cmpstr(net->model_type, ==, "e1000");
    g_assert_false(vb_domain_def_update_device(def, nic_type, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    g_clear_error(&error);

    g_assert_true(vb_domain_def_update_device(def, passwd, &error));
    g_assert_no_error(error);
    vnc = g_ptr_array_index(def->graphics, 0);
    g_assert_cmpstr(vnc->passwd, ==, "new");
    g_assert_null(vnc->keymap);
    g_assert_false(vb_domain_def_update_device(def, port, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    g_clear_error(&error);
    g_assert_false(vb_domain_def_update_device(def, input, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    assert_contains(error->message, "device type 'input' cannot be updated");
}

/* metadata */

static void
test_metadata(void)
{
    g_autoptr(VbDomainDef) def = parse_file("full-canonical.xml");
    g_autoptr(GError) error = NULL;
    g_autofree char *title = NULL;
    g_autofree char *element = NULL;
    g_autofree char *out = NULL;
    char *value;

    title = vb_domain_def_get_metadata(def, VB_DOMAIN_METADATA_TITLE, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(title, ==, "Canonical");
    g_assert_null(vb_domain_def_get_metadata(def, VB_DOMAIN_METADATA_DESCRIPTION, NULL, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_NO_METADATA);
    g_assert_cmpstr(error->message, ==,
                    "metadata not found: Requested metadata element is not present");
    g_clear_error(&error);
    g_assert_null(vb_domain_def_get_metadata(def, 7, NULL, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);

    g_assert_true(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_DESCRIPTION, "two\nlines",
                                             NULL, NULL, &error));
    value = vb_domain_def_get_metadata(def, VB_DOMAIN_METADATA_DESCRIPTION, NULL, &error);
    g_assert_cmpstr(value, ==, "two\nlines");
    g_free(value);
    g_assert_false(
        vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_TITLE, "a\nb", NULL, NULL, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_true(
        vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_TITLE, "", NULL, NULL, &error));
    g_assert_null(def->title);

    /* elements: the existing one, without its namespace */
    element = vb_domain_def_get_metadata(def, VB_DOMAIN_METADATA_ELEMENT,
                                         "http://example.org/app/1.0", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(element, ==, "<config version='2'>\n  <item>one</item>\n</config>");

    /* a new one, then a replacement in the same namespace */
    g_assert_true(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT,
                                             "<derp><bar>foobar</bar></derp>", "herp",
                                             "http://herp.derp/", &error));
    g_assert_no_error(error);
    out = vb_domain_def_format(def, 0);
    assert_contains(out, "    <herp:derp xmlns:herp='http://herp.derp/'>\n"
                         "      <herp:bar>foobar</herp:bar>\n"
                         "    </herp:derp>\n");
    value =
        vb_domain_def_get_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "http://herp.derp/", &error);
    g_assert_cmpstr(value, ==, "<derp>\n  <bar>foobar</bar>\n</derp>");
    g_free(value);
    g_assert_true(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "<new a='1'/>", "h",
                                             "http://herp.derp/", &error));
    value =
        vb_domain_def_get_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "http://herp.derp/", &error);
    g_assert_cmpstr(value, ==, "<new a='1'/>");
    g_free(value);
    {
        /* what was set survives a round trip */
        g_autofree char *xml = vb_domain_def_format(def, 0);
        g_autoptr(VbDomainDef) again = assert_round_trip(xml, "metadata");

        value = vb_domain_def_get_metadata(again, VB_DOMAIN_METADATA_ELEMENT, "http://herp.derp/",
                                           &error);
        g_assert_cmpstr(value, ==, "<new a='1'/>");
        g_free(value);
    }

    /* bad input */
    g_assert_false(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "<a>", "k",
                                              "http://k/", &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    g_clear_error(&error);
    g_assert_false(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "<a/>", "1bad",
                                              "http://k/", &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "<a/>", "xmlns",
                                              "http://k/", &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(
        vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "<a/>", "k", NULL, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);

    /* removal */
    g_assert_true(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT, NULL, NULL,
                                             "http://herp.derp/", &error));
    g_assert_null(
        vb_domain_def_get_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "http://herp.derp/", &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_NO_METADATA);
    g_clear_error(&error);
    g_assert_true(vb_domain_def_set_metadata(def, VB_DOMAIN_METADATA_ELEMENT, "", NULL,
                                             "http://example.org/app/1.0", &error));
    g_assert_null(def->metadata);
}

/* the rest */

static void
test_copy(void)
{
    g_autoptr(GPtrArray) names = list_data("domain", ".xml");

    for (guint i = 0; i < names->len; i++) {
        g_autoptr(VbDomainDef) def = parse_file(g_ptr_array_index(names, i));
        g_autoptr(VbDomainDef) copy = vb_domain_def_copy(def);
        g_autofree char *a = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE);
        g_autofree char *b = NULL;

        /* the copy owns its own memory: freeing the original leaves it whole */
        g_clear_pointer(&def, vb_domain_def_free);
        b = vb_domain_def_format(copy, VB_DOMAIN_XML_SECURE);
        g_assert_cmpstr(a, ==, b);
    }
}

static void
test_fill_macs(void)
{
    static const guint8 prefix[3] = {0x52, 0x54, 0x00};
    g_autofree char *xml = read_data("seed", "001-13-domain.txt");
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, -1, 0, &error);
    const VbDomainNetDef *net = g_ptr_array_index(def->nets, 0);
    g_autofree char *before = vb_domain_def_format(def, 0);
    g_autofree char *after = NULL;

    assert_not_contains(before, "<mac ");
    vb_domain_def_fill_macs(def, prefix);
    g_assert_true(net->has_mac);
    g_assert_cmpmem(net->mac, 3, prefix, 3);
    g_assert_false(vb_mac_is_multicast(net->mac));
    after = vb_domain_def_format(def, 0);
    assert_contains(after, "<mac address='52:54:00:");
}

static void
test_cpuset(void)
{
    static const struct {
        const char *in;
        const char *out;
    } good[] = {
        {"0", "0"},
        {"0-3,^2,5", "0-1,3,5"},
        {" 1 , 2 ", "1-2"},
        {"63-65", "63-65"},
        {"7,3,5-6", "3,5-7"},
        {"16383", "16383"},
        {"0-127,^64", "0-63,65-127"},
    };
    static const char *const bad[] = {
        "", "a", "1-", "-1", "3-1", "^1", "1,,2", "16384", "0-99999999999", "1 2", "0,^0"};

    for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autoptr(VbCpuSet) set = vb_cpuset_parse(good[i].in);
        g_autofree char *out = NULL;

        g_assert_nonnull(set);
        out = vb_cpuset_format(set);
        g_assert_cmpstr(out, ==, good[i].out);
    }
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(VbCpuSet) set = vb_cpuset_parse(bad[i]);

        if (set != NULL)
            g_error("cpuset '%s' parsed", bad[i]);
    }
    {
        g_autoptr(VbCpuSet) a = vb_cpuset_new(8);
        g_autoptr(VbCpuSet) b = vb_cpuset_parse("200");

        vb_cpuset_set(a, 200);
        g_assert_true(vb_cpuset_equal(a, b));
        g_assert_cmpuint(vb_cpuset_count(a), ==, 1);
        g_assert_cmpint(vb_cpuset_next(a, -1), ==, 200);
        g_assert_cmpint(vb_cpuset_next(a, 200), ==, -1);
        vb_cpuset_clear(a, 200);
        g_assert_false(vb_cpuset_equal(a, b));
    }
}

static void
test_enums(void)
{
    g_assert_cmpstr(vb_domain_lifecycle_to_string(VB_DOMAIN_LIFECYCLE_RENAME_RESTART), ==,
                    "rename-restart");
    g_assert_cmpint(vb_domain_disk_bus_from_string("fdc"), ==, VB_DOMAIN_DISK_BUS_FDC);
    g_assert_cmpint(vb_domain_virt_type_from_string("lxc"), ==, -1);
    g_assert_cmpint(vb_domain_input_bus_from_string(NULL), ==, -1);
    g_assert_null(vb_domain_net_type_to_string(VB_DOMAIN_NET_LAST));
    g_assert_null(vb_domain_disk_cache_to_string(VB_DOMAIN_DISK_CACHE_DEFAULT));
    g_assert_cmpuint(vb_domain_memory_unit_scale("KB"), ==, 1000);
    g_assert_cmpuint(vb_domain_memory_unit_scale("kib"), ==, 1024);
    g_assert_cmpuint(vb_domain_memory_unit_scale("EiB"), ==, G_GUINT64_CONSTANT(1) << 60);
    g_assert_cmpuint(vb_domain_memory_unit_scale("Kx"), ==, 0);
}

/* not a benchmark: a sanity bound so that a slow path shows up here first */
static void
test_speed(void)
{
    g_autofree char *xml = read_data("domain", "full-canonical.xml");
    g_autoptr(GTimer) timer = g_timer_new();
    const guint rounds = 2000;
    double parse_us, format_us;
    g_autoptr(VbDomainDef) def = NULL;

    for (guint i = 0; i < rounds; i++) {
        g_autoptr(VbDomainDef) d = vb_domain_def_parse(xml, -1, 0, NULL);

        g_assert_nonnull(d);
    }
    parse_us = g_timer_elapsed(timer, NULL) * 1e6 / rounds;
    def = vb_domain_def_parse(xml, -1, 0, NULL);
    g_timer_start(timer);
    for (guint i = 0; i < rounds; i++) {
        g_autofree char *out = vb_domain_def_format(def, 0);

        g_assert_nonnull(out);
    }
    format_us = g_timer_elapsed(timer, NULL) * 1e6 / rounds;
    g_test_message("parse %.1f us, format %.1f us per call (this build)", parse_us, format_us);
    /* sanitizer builds are several times slower; this only catches pathologies */
    g_assert_cmpfloat(parse_us, <, 5000);
    g_assert_cmpfloat(format_us, <, 5000);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/domain-conf/seed/domains", test_seed_domains);
    g_test_add_func("/domain-conf/seed/fragment", test_seed_fragment);
    g_test_add_func("/domain-conf/seed/interfaces", test_seed_interfaces);
    g_test_add_func("/domain-conf/corpus/good", test_corpus_good);
    g_test_add_func("/domain-conf/corpus/bad", test_corpus_bad);
    g_test_add_func("/domain-conf/values/full", test_full_values);
    g_test_add_func("/domain-conf/values/invalid", test_invalid_values);
    g_test_add_func("/domain-conf/values/parse-inactive", test_parse_inactive);
    g_test_add_func("/domain-conf/values/parse-file", test_parse_file);
    g_test_add_func("/domain-conf/device/parse", test_device_parse);
    g_test_add_func("/domain-conf/device/attach-detach", test_device_attach_detach);
    g_test_add_func("/domain-conf/device/update", test_device_update);
    g_test_add_func("/domain-conf/metadata", test_metadata);
    g_test_add_func("/domain-conf/copy", test_copy);
    g_test_add_func("/domain-conf/fill-macs", test_fill_macs);
    g_test_add_func("/domain-conf/cpuset", test_cpuset);
    g_test_add_func("/domain-conf/enums", test_enums);
    g_test_add_func("/domain-conf/speed", test_speed);
    return g_test_run();
}
