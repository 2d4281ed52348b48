/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>
#include <string.h>

#include "capabilities-conf.h"
#include "vb-error.h"
#include "xml-util.h"

static char *
read_seed(void)
{
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "data", "seed", "001-14-capabilities.txt", NULL);
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    return text;
}

/* the seed page's document without its "..." line */
static char *
read_seed_complete(void)
{
    g_autofree char *text = read_seed();
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GString) out = g_string_new(NULL);

    for (guint i = 0; lines[i] != NULL; i++) {
        g_autofree char *line = g_strstrip(g_strdup(lines[i]));

        if (g_strcmp0(line, "...") == 0)
            continue;
        g_string_append(out, lines[i]);
        if (lines[i + 1] != NULL)
            g_string_append_c(out, '\n');
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* the seed page's capabilities, built the way a driver builds them */
static VbCaps *
build_seed(void)
{
    VbCaps *caps = vb_caps_new("x86_64");
    VbCapsGuest *guest;

    vb_caps_host_add_cpu_feature(caps, "vmx");
    guest = vb_caps_add_guest(caps, "xen", "x86_64", 64, "/usr/lib64/xen/bin/qemu-dm", NULL);
    vb_caps_guest_add_domain(guest, "xen", NULL);
    guest = vb_caps_add_guest(caps, "hvm", "i686", 32, "/usr/lib/xen/bin/qemu-dm",
                              "/usr/lib/xen/boot/hvmloader");
    vb_caps_guest_add_machine(guest, "pc", NULL, 0);
    vb_caps_guest_add_machine(guest, "isapc", NULL, 0);
    vb_caps_guest_add_domain(guest, "xen", NULL);
    return caps;
}

static const char *const seed_canonical = "<capabilities>\n"
                                          "  <host>\n"
                                          "    <cpu>\n"
                                          "      <arch>x86_64</arch>\n"
                                          "      <feature name='vmx'/>\n"
                                          "    </cpu>\n"
                                          "  </host>\n"
                                          "  <guest>\n"
                                          "    <os_type>xen</os_type>\n"
                                          "    <arch name='x86_64'>\n"
                                          "      <wordsize>64</wordsize>\n"
                                          "      <emulator>/usr/lib64/xen/bin/qemu-dm</emulator>\n"
                                          "      <domain type='xen'/>\n"
                                          "    </arch>\n"
                                          "  </guest>\n"
                                          "  <guest>\n"
                                          "    <os_type>hvm</os_type>\n"
                                          "    <arch name='i686'>\n"
                                          "      <wordsize>32</wordsize>\n"
                                          "      <emulator>/usr/lib/xen/bin/qemu-dm</emulator>\n"
                                          "      <loader>/usr/lib/xen/boot/hvmloader</loader>\n"
                                          "      <machine>pc</machine>\n"
                                          "      <machine>isapc</machine>\n"
                                          "      <domain type='xen'/>\n"
                                          "    </arch>\n"
                                          "  </guest>\n"
                                          "</capabilities>\n";

static VbCaps *
parse_ok(const char *xml)
{
    g_autoptr(GError) error = NULL;
    VbCaps *caps = vb_caps_parse(xml, -1, &error);

    g_assert_no_error(error);
    g_assert_nonnull(caps);
    return caps;
}

static void
assert_fixed_point(const char *xml)
{
    g_autoptr(VbCaps) caps = parse_ok(xml);
    g_autofree char *out1 = vb_caps_format(caps);
    g_autoptr(VbCaps) again = parse_ok(out1);
    g_autofree char *out2 = vb_caps_format(again);

    g_assert_cmpstr(out1, ==, out2);
}

static void
test_seed_built(void)
{
    g_autoptr(VbCaps) caps = build_seed();
    g_autofree char *out = vb_caps_format(caps);
    g_autoptr(VbCaps) parsed = parse_ok(out);
    g_autofree char *again = vb_caps_format(parsed);

    g_assert_cmpstr(out, ==, seed_canonical);
    g_assert_cmpstr(again, ==, out);
}

static void
test_seed_document(void)
{
    g_autofree char *xml = read_seed_complete();
    g_autoptr(VbCaps) caps = parse_ok(xml);
    g_autofree char *out = vb_caps_format(caps);
    VbCapsGuest *hvm;

    /* the page's order (domain before emulator, loader last, old <features>) reads
     * into the same model as the one built in C */
    g_assert_cmpstr(out, ==, seed_canonical);
    g_assert_cmpstr(caps->host.cpu_arch, ==, "x86_64");
    g_assert_cmpuint(caps->host.cpu_features->len, ==, 1);
    g_assert_cmpuint(caps->guests->len, ==, 2);
    hvm = vb_caps_find_guest(caps, "hvm", "i686");
    g_assert_nonnull(hvm);
    g_assert_cmpuint(hvm->wordsize, ==, 32);
    g_assert_cmpuint(hvm->machines->len, ==, 2);
    g_assert_cmpstr(((VbCapsMachine *)g_ptr_array_index(hvm->machines, 1))->name, ==, "isapc");
    g_assert_cmpuint(hvm->features->len, ==, 0);
    g_assert_null(vb_caps_find_guest(caps, "hvm", "x86_64"));
}

static void
test_seed_ellipsis(void)
{
    g_autofree char *xml = read_seed();
    g_autoptr(GError) error = NULL;
    g_autoptr(VbCaps) caps = vb_caps_parse(xml, -1, &error);

    g_assert_null(caps);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    g_assert_cmpstr(error->message, ==, "XML error: unexpected text '...' at line 35 in '.'");
}

static void
test_full(void)
{
    g_autoptr(VbCaps) caps = vb_caps_new("x86_64");
    g_autoptr(VbCaps) parsed = NULL;
    g_autofree char *out = NULL;
    g_autofree char *again = NULL;
    VbCapsGuest *guest;
    VbCapsDomain *kvm;

    caps->host.has_uuid = TRUE;
    g_assert_true(vb_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f", caps->host.uuid));
    caps->host.cpu_model = g_strdup("Skylake-Client-IBRS");
    caps->host.cpu_vendor = g_strdup("Intel");
    caps->host.sockets = 1;
    caps->host.dies = 1;
    caps->host.cores = 4;
    caps->host.threads = 2;
    vb_caps_host_add_cpu_feature(caps, "vmx");
    vb_caps_host_add_cpu_feature(caps, "ds_cpl");
    caps->host.migration = TRUE;
    caps->host.migration_live = TRUE;
    g_ptr_array_add(caps->host.uri_transports, g_strdup("tcp"));
    g_ptr_array_add(caps->host.uri_transports, g_strdup("rdma"));
    vb_caps_host_add_secmodel(caps, "none", "0");
    vb_caps_host_add_secmodel(caps, "dac", "0");

    guest = vb_caps_add_guest(caps, "hvm", "x86_64", 64, "/usr/bin/qemu-system-x86_64", NULL);
    vb_caps_guest_add_machine(guest, "pc-i440fx-8.0", NULL, 255);
    vb_caps_guest_add_machine(guest, "pc", "pc-i440fx-8.0", 255);
    vb_caps_guest_add_machine(guest, "q35", "pc-q35-8.0", 288);
    vb_caps_guest_add_domain(guest, "qemu", NULL);
    kvm = vb_caps_guest_add_domain(guest, "kvm", "/usr/bin/qemu-kvm");
    vb_caps_domain_add_machine(kvm, "pc", NULL, 0);
    vb_caps_guest_add_feature(guest, "acpi", VB_CAPS_ON, VB_CAPS_ON);
    vb_caps_guest_add_feature(guest, "apic", VB_CAPS_ON, VB_CAPS_OFF);
    vb_caps_guest_add_feature(guest, "cpuselection", VB_CAPS_UNSET, VB_CAPS_UNSET);
    vb_caps_guest_add_feature(guest, "disksnapshot", VB_CAPS_OFF, VB_CAPS_UNSET);
    guest = vb_caps_add_guest(caps, "hvm", "i686", 32, "/usr/bin/qemu-system-i386", NULL);
    vb_caps_guest_add_domain(guest, "qemu", NULL);
    vb_caps_guest_add_feature(guest, "pae", VB_CAPS_UNSET, VB_CAPS_UNSET);
    vb_caps_guest_add_feature(guest, "nonpae", VB_CAPS_UNSET, VB_CAPS_UNSET);

    out = vb_caps_format(caps);
    g_assert_nonnull(strstr(out, "    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
                                 "    <cpu>\n"
                                 "      <arch>x86_64</arch>\n"
                                 "      <model>Skylake-Client-IBRS</model>\n"
                                 "      <vendor>Intel</vendor>\n"
                                 "      <topology sockets='1' dies='1' cores='4' threads='2'/>\n"
                                 "      <feature name='vmx'/>\n"));
    g_assert_nonnull(strstr(out, "    <migration_features>\n"
                                 "      <live/>\n"
                                 "      <uri_transports>\n"
                                 "        <uri_transport>tcp</uri_transport>\n"));
    g_assert_nonnull(strstr(out, "    <secmodel>\n"
                                 "      <model>dac</model>\n"
                                 "      <doi>0</doi>\n"
                                 "    </secmodel>\n"));
    g_assert_nonnull(strstr(out, "<machine canonical='pc-i440fx-8.0' maxCpus='255'>pc</machine>"));
    g_assert_nonnull(strstr(out, "      <domain type='kvm'>\n"
                                 "        <emulator>/usr/bin/qemu-kvm</emulator>\n"
                                 "        <machine>pc</machine>\n"
                                 "      </domain>\n"));
    g_assert_nonnull(strstr(out, "      <acpi default='on' toggle='yes'/>\n"
                                 "      <apic default='on' toggle='no'/>\n"
                                 "      <cpuselection/>\n"
                                 "      <disksnapshot default='off'/>\n"));
    parsed = parse_ok(out);
    again = vb_caps_format(parsed);
    g_assert_cmpstr(again, ==, out);
    g_assert_true(parsed->host.has_uuid);
    g_assert_cmpuint(parsed->host.threads, ==, 2);
    g_assert_cmpuint(((VbCapsMachine *)g_ptr_array_index(
                          vb_caps_find_guest(parsed, "hvm", "x86_64")->machines, 2))
                         ->max_cpus,
                     ==, 288);
}

static void
test_lenient_forms(void)
{
    /* whitespace around leaf text, comments and an empty <features> */
    assert_fixed_point("<capabilities>\n<!-- c -->\n<host><cpu><arch> ppc64le </arch></cpu></host>"
                       "<guest><os_type>hvm</os_type><arch name='ppc64le'><wordsize>\n64\n"
                       "</wordsize><domain type='kvm'></domain></arch><features>\n</features>"
                       "</guest></capabilities>");
}

static void
assert_parse_fails(const char *xml, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbCaps) caps = vb_caps_parse(xml, -1, &error);

    g_assert_null(caps);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    if (strstr(error->message, needle) == NULL)
        g_error("expected '%s' in '%s'", needle, error->message);
}

#define HOST "<host><cpu><arch>x86_64</arch></cpu></host>"

static void
test_bad(void)
{
    assert_parse_fails("<capabilities>", "line 1");
    assert_parse_fails("<domain/>", "expected root element 'capabilities', not 'domain'");
    assert_parse_fails("<capabilities/>", "missing <host> in '.'");
    assert_parse_fails("<capabilities><host/></capabilities>", "missing <cpu> in './host[1]'");
    assert_parse_fails("<capabilities><host><cpu/></host></capabilities>",
                       "missing <arch> in './host[1]/cpu[1]'");
    assert_parse_fails("<capabilities>" HOST HOST "</capabilities>",
                       "unexpected element 'host' at './host[2]'");
    assert_parse_fails("<capabilities x='1'>" HOST "</capabilities>",
                       "unexpected attribute 'x' at './@x'");
    assert_parse_fails("<capabilities><host><cpu><arch>x86_64</arch><arch>i686</arch></cpu>"
                       "</host></capabilities>",
                       "unexpected element 'arch' at './host[1]/cpu[1]/arch[2]'");
    assert_parse_fails("<capabilities><host><cpu><arch></arch></cpu></host></capabilities>",
                       "Invalid value '' for element or attribute './host[1]/cpu[1]/arch[1]'");
    assert_parse_fails("<capabilities><host><uuid>nope</uuid><cpu><arch>x</arch></cpu></host>"
                       "</capabilities>",
                       "Invalid value 'nope' for element or attribute './host[1]/uuid[1]'");
    assert_parse_fails("<capabilities><host><cpu><arch>x</arch><topology sockets='1' "
                       "cores='0' threads='1'/></cpu></host></capabilities>",
                       "Invalid value '0' for element or attribute "
                       "'./host[1]/cpu[1]/topology[1]/@cores'");
    assert_parse_fails("<capabilities><host><cpu><arch>x</arch><topology sockets='1'/></cpu>"
                       "</host></capabilities>",
                       "missing attribute 'sockets', 'cores' or 'threads'");
    assert_parse_fails("<capabilities><host><cpu><arch>x</arch><feature/></cpu></host>"
                       "</capabilities>",
                       "missing attribute 'name' in './host[1]/cpu[1]/feature[1]'");
    assert_parse_fails("<capabilities><host><cpu><arch>x</arch><features><vmx a='1'/>"
                       "</features></cpu></host></capabilities>",
                       "unexpected attribute 'a'");
    assert_parse_fails("<capabilities><host><cpu><arch>x</arch></cpu><power_management/>"
                       "</host></capabilities>",
                       "unexpected element 'power_management' at './host[1]/power_management[1]'");
    assert_parse_fails("<capabilities><host><cpu><arch>x</arch></cpu><secmodel><doi>0</doi>"
                       "</secmodel></host></capabilities>",
                       "missing <model> in './host[1]/secmodel[1]'");
    assert_parse_fails("<capabilities><host><cpu><arch>x</arch></cpu><migration_features>"
                       "<live/><live/></migration_features></host></capabilities>",
                       "unexpected element 'live'");
    assert_parse_fails("<capabilities>" HOST "<guest><arch name='x'><wordsize>64</wordsize>"
                       "</arch></guest></capabilities>",
                       "missing <os_type> in './guest[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type></guest>"
                       "</capabilities>",
                       "missing <arch> in './guest[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch><wordsize>64"
                       "</wordsize></arch></guest></capabilities>",
                       "missing attribute 'name' in './guest[1]/arch[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "</arch></guest></capabilities>",
                       "missing <wordsize> in './guest[1]/arch[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>48</wordsize></arch></guest></capabilities>",
                       "Invalid value '48' for element or attribute "
                       "'./guest[1]/arch[1]/wordsize[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize><machine maxCpus='-1'>pc</machine></arch></guest>"
                       "</capabilities>",
                       "Invalid value '-1' for element or attribute "
                       "'./guest[1]/arch[1]/machine[1]/@maxCpus'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize><machine>pc</machine><machine>pc</machine></arch>"
                       "</guest></capabilities>",
                       "duplicate machine 'pc' at './guest[1]/arch[1]/machine[2]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize><domain type='kvm'/><domain type='kvm'/></arch>"
                       "</guest></capabilities>",
                       "duplicate domain type 'kvm' at './guest[1]/arch[1]/domain[2]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize><domain/></arch></guest></capabilities>",
                       "missing attribute 'type' in './guest[1]/arch[1]/domain[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize><domain type='kvm'><loader>x</loader></domain>"
                       "</arch></guest></capabilities>",
                       "unexpected element 'loader' at './guest[1]/arch[1]/domain[1]/loader[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize></arch><features><pae default='maybe'/></features>"
                       "</guest></capabilities>",
                       "Invalid value 'maybe' for element or attribute "
                       "'./guest[1]/features[1]/pae[1]/@default'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize></arch><features><acpi toggle='on'/></features>"
                       "</guest></capabilities>",
                       "Invalid value 'on' for element or attribute "
                       "'./guest[1]/features[1]/acpi[1]/@toggle'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize></arch><features><pae/><pae/></features>"
                       "</guest></capabilities>",
                       "unexpected element 'pae' at './guest[1]/features[1]/pae[2]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm</os_type><arch name='x'>"
                       "<wordsize>64</wordsize></arch></guest><guest><os_type>hvm</os_type>"
                       "<arch name='x'><wordsize>32</wordsize></arch></guest></capabilities>",
                       "duplicate guest with os_type 'hvm' and arch 'x' at './guest[2]'");
    assert_parse_fails("<capabilities>" HOST "<guest>junk<os_type>hvm</os_type></guest>"
                       "</capabilities>",
                       "unexpected text 'junk' at line 1 in './guest[1]'");
    assert_parse_fails("<capabilities>" HOST "<guest><os_type>hvm<x/></os_type></guest>"
                       "</capabilities>",
                       "unexpected element 'x' at './guest[1]/os_type[1]/x[1]'");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/capabilities-conf/seed-built", test_seed_built);
    g_test_add_func("/capabilities-conf/seed-document", test_seed_document);
    g_test_add_func("/capabilities-conf/seed-ellipsis", test_seed_ellipsis);
    g_test_add_func("/capabilities-conf/full", test_full);
    g_test_add_func("/capabilities-conf/lenient-forms", test_lenient_forms);
    g_test_add_func("/capabilities-conf/bad", test_bad);
    return g_test_run();
}
