/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-hostile"

/* documents an attacker would send: each must fail fast with a precise VB_ERROR_XML
 * from both models, and none may reach the file system or the network */

#include <glib.h>

#include "vb-error.h"
#include "xml-util.h"

#if __has_include("domain-conf.h") && __has_include("network-conf.h")
#include "domain-conf.h"
#include "network-conf.h"
#define HAVE_MODELS 1
#endif

#ifdef HAVE_MODELS

/* well under the meson timeout even under ASan, far above what a sane parse takes */
#define MAX_SECONDS 5.0

typedef enum {
    KIND_DOMAIN,
    KIND_NETWORK,
    KIND_DEVICE,
} Kind;

static const char *const kind_names[] = {"domain", "network", "device"};

static void
assert_fails(Kind kind, const char *xml, gssize len, const char *needle)
{
    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time();
    gboolean parsed = FALSE;
    double seconds;

    switch (kind) {
    case KIND_DOMAIN: {
        g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, len, 0, &error);

        parsed = def != NULL;
        break;
    }
    case KIND_NETWORK: {
        g_autoptr(VbNetworkDef) def = vb_network_def_parse(xml, len, 0, &error);

        parsed = def != NULL;
        break;
    }
    case KIND_DEVICE: {
        g_autoptr(VbDomainDeviceDef) dev = vb_domain_device_def_parse(xml, len, &error);

        parsed = dev != NULL;
        break;
    }
    }
    seconds = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    if (parsed)
        g_error("%s document was accepted, expected '%s'", kind_names[kind], needle);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    if (!g_str_has_prefix(error->message, "XML error: "))
        g_error("unexpected prefix in '%s'", error->message);
    if (strstr(error->message, needle) == NULL)
        g_error("'%s' not in '%s' (%s)", needle, error->message, kind_names[kind]);
    if (seconds > MAX_SECONDS)
        g_error("%s took %.1f s to fail with '%s'", kind_names[kind], seconds, error->message);
}

/* a valid document around @inner, so only @inner can be the problem */
static char *
domain_with(const char *name, const char *inner)
{
    return g_strdup_printf("<domain type='kvm'><name>%s</name><memory>1024</memory>"
                           "<os><type>hvm</type></os>%s</domain>",
                           name, inner);
}

static char *
network_with(const char *name, const char *inner)
{
    return g_strdup_printf("<network><name>%s</name>%s</network>", name, inner);
}

/* the same hostile prologue and body for each root element */
static void
assert_both_fail(const char *prologue, const char *body, const char *needle)
{
    g_autofree char *inner_domain = domain_with("a", body);
    g_autofree char *inner_network = network_with("a", body);
    g_autofree char *domain = g_strconcat(prologue, inner_domain, NULL);
    g_autofree char *network = g_strconcat(prologue, inner_network, NULL);

    assert_fails(KIND_DOMAIN, domain, -1, needle);
    assert_fails(KIND_NETWORK, network, -1, needle);
}

static void
test_billion_laughs(void)
{
    g_autoptr(GString) dtd = g_string_new("<!DOCTYPE lolz [<!ENTITY lol0 'lol'>");

    for (guint i = 1; i < 10; i++) {
        g_string_append_printf(dtd, "<!ENTITY lol%u '", i);
        for (guint j = 0; j < 10; j++)
            g_string_append_printf(dtd, "&lol%u;", i - 1);
        g_string_append(dtd, "'>");
    }
    g_string_append(dtd, "]>");
    assert_both_fail(dtd->str, "<description>&lol9;</description>",
                     "line 1, column 16: document type declarations are not allowed");
    /* the same entity used without its declaration */
    assert_both_fail("", "<description>&lol9;</description>", "Entity 'lol9' not defined");
}

static void
test_external_entity(void)
{
    assert_both_fail("<!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>",
                     "<description>&xxe;</description>",
                     "document type declarations are not allowed");
    assert_both_fail("<!DOCTYPE domain [<!ENTITY % xxe SYSTEM 'file:///etc/passwd'> %xxe;]>", "",
                     "document type declarations are not allowed");
    assert_both_fail("", "<description>&xxe;</description>", "Entity 'xxe' not defined");
}

static void
test_external_dtd(void)
{
    assert_both_fail("<!DOCTYPE domain SYSTEM 'file:///etc/passwd'>", "",
                     "document type declarations are not allowed");
    assert_both_fail("<!DOCTYPE domain PUBLIC '-//virtbus//x//EN' 'http://127.0.0.1:1/x.dtd'>", "",
                     "document type declarations are not allowed");
}

/* XInclude is never processed: outside <metadata> the element is unknown, inside it
 * is kept as it is, unexpanded */
static void
test_xinclude(void)
{
    const char *include = "<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' "
                          "href='file:///etc/passwd' parse='text'/>";
    g_autofree char *metadata = g_strdup_printf("<metadata>%s</metadata>", include);
    g_autofree char *domain = domain_with("a", metadata);
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autofree char *out = NULL;

    assert_both_fail("", include, "unexpected element 'include'");
    def = vb_domain_def_parse(domain, -1, 0, &error);
    g_assert_no_error(error);
    out = vb_domain_def_format(def, 0);
    g_assert_nonnull(strstr(out, "<xi:include "));
    g_assert_null(strstr(out, "root:"));
}

static void
test_huge_document(void)
{
    gsize size = 50 * 1024 * 1024;
    g_autofree char *huge = g_malloc(size + 1);
    const char *head = "<domain type='kvm'><name>a</name><description>";

    memcpy(huge, head, strlen(head));
    memset(huge + strlen(head), 'A', size - strlen(head));
    huge[size] = '\0';
    assert_fails(KIND_DOMAIN, huge, (gssize)size,
                 "document of 52428800 bytes is larger than the limit of 10485760 bytes");
    memcpy(huge, "<network> ", 10);
    assert_fails(KIND_NETWORK, huge, (gssize)size, "larger than the limit of 10485760 bytes");
    assert_fails(KIND_DEVICE, huge, (gssize)size, "larger than the limit of 10485760 bytes");
}

static void
test_deep_nesting(void)
{
    g_autoptr(GString) body = g_string_new(NULL);

    for (guint i = 0; i < 10000; i++)
        g_string_append(body, "<a>");
    for (guint i = 0; i < 10000; i++)
        g_string_append(body, "</a>");
    assert_both_fail("", body->str, "document is nested deeper than 128 elements");
}

static void
test_memory_overflow(void)
{
    static const struct {
        const char *memory;
        const char *needle;
    } cases[] = {
        {"<memory unit='GiB'>18446744073709551615</memory>",
         "Invalid value '18446744073709551615 GiB' for element or attribute './memory[1]'"},
        {"<memory unit='TiB'>99999999999</memory>",
         "Invalid value '99999999999 TiB' for element or attribute './memory[1]'"},
        {"<memory>18446744073709551616</memory>",
         "Invalid value '18446744073709551616' for element or attribute './memory[1]'"},
        {"<memory>-1</memory>", "Invalid value '-1' for element or attribute './memory[1]'"},
        {"<memory unit='EiB'>16</memory>",
         "Invalid value '16 EiB' for element or attribute './memory[1]'"},
        {"<memory unit='parsec'>1</memory>",
         "Invalid value 'parsec' for element or attribute './memory[1]/@unit'"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *xml = g_strdup_printf("<domain type='kvm'><name>a</name>%s"
                                               "<os><type>hvm</type></os></domain>",
                                               cases[i].memory);

        assert_fails(KIND_DOMAIN, xml, -1, cases[i].needle);
    }
}

static void
test_bad_uuid(void)
{
    static const char *const uuids[] = {
        "4dea22b31d52d8f32516782e98ab3fa",        /* too short */
        "4dea22b31d52d8f32516782e98ab3fzz",       /* not hex */
        "4dea22b31d52d8f32516782e98ab3fa01",      /* 33 digits */
        "4dea22b3-1d52-d8f3-2516-782e98a23fa0-1", /* a trailing group */
        "",
    };

    for (guint i = 0; i < G_N_ELEMENTS(uuids); i++) {
        g_autofree char *inner = g_strdup_printf("<uuid>%s</uuid>", uuids[i]);
        g_autofree char *domain = domain_with("a", inner);
        g_autofree char *network = network_with("a", inner);
        g_autofree char *needle =
            g_strdup_printf("Invalid value '%s' for element or attribute './uuid[1]'", uuids[i]);

        assert_fails(KIND_DOMAIN, domain, -1, needle);
        assert_fails(KIND_NETWORK, network, -1, needle);
    }
}

static void
test_bad_mac(void)
{
    static const char *const malformed[] = {
        "11:22:33:44:55:66:", "zz:22:33:44:55:66",  "11:22:33:44:55",
        "112233445566",       "11:22:33:44:55:666",
    };
    const char *multicast = "01:00:5e:00:00:01";

    for (guint i = 0; i < G_N_ELEMENTS(malformed); i++) {
        g_autofree char *nic =
            g_strdup_printf("<interface type='user'><mac address='%s'/></interface>", malformed[i]);
        g_autofree char *devices = g_strdup_printf("<devices>%s</devices>", nic);
        g_autofree char *domain = domain_with("a", devices);
        g_autofree char *bridge_mac = g_strdup_printf("<mac address='%s'/>", malformed[i]);
        g_autofree char *network = network_with("a", bridge_mac);
        g_autofree char *host = g_strdup_printf(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='%s' ip='10.0.0.2'/></dhcp></ip>",
            malformed[i]);
        g_autofree char *network_host = network_with("a", host);
        g_autofree char *needle = NULL;

        needle = g_strdup_printf("Invalid value '%s' for element or attribute "
                                 "'./devices[1]/interface[1]/mac[1]/@address'",
                                 malformed[i]);
        assert_fails(KIND_DOMAIN, domain, -1, needle);
        g_free(needle);
        needle = g_strdup_printf("Invalid value '%s' for element or attribute './mac[1]/@address'",
                                 malformed[i]);
        assert_fails(KIND_NETWORK, network, -1, needle);
        g_free(needle);
        needle = g_strdup_printf("Invalid value '%s' for element or attribute "
                                 "'./ip[1]/dhcp[1]/host[1]/@mac'",
                                 malformed[i]);
        assert_fails(KIND_NETWORK, network_host, -1, needle);
        g_free(needle);
        needle = g_strdup_printf("Invalid value '%s' for element or attribute './mac[1]/@address'",
                                 malformed[i]);
        assert_fails(KIND_DEVICE, nic, -1, needle);
    }

    {
        g_autofree char *nic =
            g_strdup_printf("<interface type='user'><mac address='%s'/></interface>", multicast);
        g_autofree char *devices = g_strdup_printf("<devices>%s</devices>", nic);
        g_autofree char *domain = domain_with("a", devices);
        g_autofree char *bridge_mac = g_strdup_printf("<mac address='%s'/>", multicast);
        g_autofree char *network = network_with("a", bridge_mac);
        g_autofree char *host = g_strdup_printf(
            "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='%s' ip='10.0.0.2'/></dhcp></ip>",
            multicast);
        g_autofree char *network_host = network_with("a", host);

        assert_fails(KIND_DOMAIN, domain, -1,
                     "expected unicast mac address, found multicast '01:00:5e:00:00:01' in "
                     "'./devices[1]/interface[1]/mac[1]/@address'");
        assert_fails(KIND_DEVICE, nic, -1,
                     "expected unicast mac address, found multicast '01:00:5e:00:00:01'");
        assert_fails(KIND_NETWORK, network, -1,
                     "Invalid multicast bridge mac address '01:00:5e:00:00:01' in network 'a'");
        assert_fails(KIND_NETWORK, network_host, -1,
                     "expected unicast mac address, found multicast '01:00:5e:00:00:01' in "
                     "network 'a'");
    }
}

static void
test_path_like_names(void)
{
    g_autofree char *long_name = g_strnfill(300, 'n');
    const struct {
        const char *name;
        const char *needle; /* after "<kind> name" */
    } cases[] = {
        {"../etc/passwd", "name '../etc/passwd' must not start with '.'"},
        {"a/b", "name 'a/b' cannot contain '/'"},
        {".hidden", "name '.hidden' must not start with '.'"},
        {"line\nbreak", "name cannot contain control characters"},
        {"tab\there", "name cannot contain control characters"},
        {"del&#x7f;", "name cannot contain control characters"},
        {long_name, "name is longer than 200 bytes"},
        {"", "name must not be empty"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *domain = domain_with(cases[i].name, "");
        g_autofree char *network = network_with(cases[i].name, "");
        g_autofree char *domain_needle = g_strdup_printf("domain %s", cases[i].needle);
        g_autofree char *network_needle = g_strdup_printf("network %s", cases[i].needle);

        assert_fails(KIND_DOMAIN, domain, -1, domain_needle);
        assert_fails(KIND_NETWORK, network, -1, network_needle);
    }
}

static void
test_invalid_utf8(void)
{
    static const struct {
        const char *name;
        const char *needle;
    } cases[] = {
        {"a\x80z", "Input is not proper UTF-8, indicate encoding !\nBytes: 0x80"},
        /* an overlong '/' */
        {"a\xc0\xafz", "Input is not proper UTF-8, indicate encoding !\nBytes: 0xC0 0xAF"},
        {"a\xed\xa0\x80z", "Char 0xD800 out of allowed range"},
        /* a sequence cut short */
        {"a\xe2\x82", "Input is not proper UTF-8, indicate encoding !\nBytes: 0xE2 0x82"},
        {"a\xfe", "Input is not proper UTF-8, indicate encoding !\nBytes: 0xFE"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *domain = domain_with(cases[i].name, "");
        g_autofree char *network = network_with(cases[i].name, "");
        g_autofree char *device = g_strdup_printf(
            "<disk type='file'><source file='/%s'/><target dev='vda'/></disk>", cases[i].name);

        assert_fails(KIND_DOMAIN, domain, -1, cases[i].needle);
        assert_fails(KIND_NETWORK, network, -1, cases[i].needle);
        assert_fails(KIND_DEVICE, device, -1, cases[i].needle);
    }
}

/* '\x01' in @xml marks where the NUL goes, which a string literal cannot hold */
static void
assert_nul_fails(Kind kind, const char *xml, const char *needle)
{
    g_autofree char *copy = g_strdup(xml);
    gsize len = strlen(copy);

    *strchr(copy, '\x01') = '\0';
    assert_fails(kind, copy, (gssize)len, needle);
}

static void
test_nul_byte(void)
{
    g_autofree char *domain = domain_with("a\x01z", "");
    g_autofree char *network = network_with("a\x01z", "");

    assert_nul_fails(KIND_DOMAIN, domain, "(domain_definition): document contains a NUL byte");
    assert_nul_fails(KIND_NETWORK, network, "(network_definition): document contains a NUL byte");
    assert_nul_fails(KIND_DEVICE,
                     "<disk type='file'><source file='/a\x01'/><target dev='vda'/></disk>",
                     "(device_definition): document contains a NUL byte");
}

/* close to the size limit in many small elements: every duplicate check must stay
 * linear, or one document stalls the service for minutes */
static void
test_many_elements(void)
{
    g_autoptr(GString) disks = g_string_new("<devices>");
    g_autoptr(GString) serials = g_string_new("<devices>");
    g_autoptr(GString) ifaces = g_string_new("<forward mode='passthrough'>");
    g_autofree char *domain = NULL;
    g_autofree char *network = NULL;

    for (guint i = 0; i < 150000; i++)
        g_string_append_printf(disks, "<disk><source file='/d'/><target dev='vd%u'/></disk>", i);
    g_string_append(disks, "<disk><source file='/d'/><target dev='vd0'/></disk></devices>");
    domain = domain_with("a", disks->str);
    g_assert_cmpuint(strlen(domain), <, VB_XML_MAX_SIZE);
    assert_fails(KIND_DOMAIN, domain, -1, "target 'vd0' duplicated for disk sources");
    g_clear_pointer(&domain, g_free);

    for (guint i = 0; i < 70000; i++)
        g_string_append(serials, "<serial type='null'/>");
    g_string_append(serials, "</devices>");
    domain = domain_with("a", serials->str);
    assert_fails(KIND_DOMAIN, domain, -1, "too many serial devices");

    for (guint i = 0; i < 300000; i++)
        g_string_append_printf(ifaces, "<interface dev='e%u'/>", i);
    g_string_append(ifaces, "<interface dev='e0'/></forward>");
    network = network_with("a", ifaces->str);
    g_assert_cmpuint(strlen(network), <, VB_XML_MAX_SIZE);
    assert_fails(KIND_NETWORK, network, -1,
                 "forward interface 'e0' is listed twice in network 'a'");
}

static void
test_device_hostile(void)
{
    assert_fails(KIND_DEVICE,
                 "<!DOCTYPE disk [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
                 "<disk type='file'><source file='&xxe;'/><target dev='vda'/></disk>",
                 -1, "document type declarations are not allowed");
    assert_fails(KIND_DEVICE, "<domain type='kvm'/>", -1, "unknown device type 'domain'");
    assert_fails(KIND_DEVICE, "<disk type='file'><source file='/x'/><target dev='../a'/></disk>",
                 -1, "Invalid value '../a' for element or attribute './target[1]/@dev'");
    assert_fails(KIND_DEVICE, "<interface type='bridge'><source bridge='../../etc'/></interface>",
                 -1, "Invalid value '../../etc' for element or attribute './source[1]/@bridge'");
}

#endif

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#ifdef HAVE_MODELS
    g_test_add_func("/hostile/billion-laughs", test_billion_laughs);
    g_test_add_func("/hostile/external-entity", test_external_entity);
    g_test_add_func("/hostile/external-dtd", test_external_dtd);
    g_test_add_func("/hostile/xinclude", test_xinclude);
    g_test_add_func("/hostile/huge-document", test_huge_document);
    g_test_add_func("/hostile/deep-nesting", test_deep_nesting);
    g_test_add_func("/hostile/memory-overflow", test_memory_overflow);
    g_test_add_func("/hostile/bad-uuid", test_bad_uuid);
    g_test_add_func("/hostile/bad-mac", test_bad_mac);
    g_test_add_func("/hostile/path-like-names", test_path_like_names);
    g_test_add_func("/hostile/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/hostile/nul-byte", test_nul_byte);
    g_test_add_func("/hostile/many-elements", test_many_elements);
    g_test_add_func("/hostile/device", test_device_hostile);
#endif
    return g_test_run();
}
