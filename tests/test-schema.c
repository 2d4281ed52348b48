/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-schema"

#include <glib.h>
#include <libxml/tree.h>

#include "schema.h"
#include "vb-error.h"
#include "xml-util.h"

#if __has_include("domain-conf.h")
#include "domain-conf.h"
#define HAVE_DOMAIN_CONF 1
#endif
#if __has_include("network-conf.h")
#include "network-conf.h"
#define HAVE_NETWORK_CONF 1
#endif

/* the well-formed domain documents of the seed pages; 001-02 is a fragment */
static const char *const seed_domains[] = {
    "001-01-domain.txt", "001-03-domain.txt", "001-04-domain.txt", "001-13-domain.txt",
    "002-15-native.txt", "002-17-domain.txt", "002-18-domain.txt", "002-19-domain.txt",
    "002-20-domain.txt", "003-21-domain.txt",
};

/* valid documents written for this test, one of each form the models accept */
static const char *const schema_examples[] = {
    "domain-full.xml",      "domain-minimal.xml",     "network-full.xml",
    "network-isolated.xml", "network-dual-stack.xml",
};

/* the contents of tests/data/@dir/@name */
static char *
read_data_file(const char *dir, const char *name)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", dir, name, NULL);
    g_autoptr(GError) error = NULL;
    char *contents = NULL;

    g_file_get_contents(path, &contents, NULL, &error);
    g_assert_no_error(error);
    return contents;
}

/* the 002-15 page is a shell session: the document starts at the first '<' */
static const char *
xml_part(const char *text)
{
    const char *start = strchr(text, '<');

    g_assert_nonnull(start);
    return start;
}

static void
assert_valid(const char *xml, const char *schema, const char *what)
{
    g_autoptr(GError) error = NULL;

    if (!vb_schema_validate_string(xml, schema, &error))
        g_error("%s does not validate against %s.rng: %s", what, schema, error->message);
}

/* validates with the root unchecked, so the schema itself judges a wrong root */
static void
assert_invalid(const char *xml, const char *schema, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = vb_xml_parse(xml, -1, schema, NULL, &error);

    g_assert_no_error(error);
    g_assert_nonnull(doc);
    if (vb_schema_validate(doc, schema, &error))
        g_error("%s validates against %s.rng", xml, schema);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML_INVALID_SCHEMA);
    if (!g_str_has_prefix(error->message, "XML document failed to validate against schema: "))
        g_error("unexpected prefix in '%s'", error->message);
    if (strstr(error->message, needle) == NULL)
        g_error("'%s' not in '%s' for %s", needle, error->message, xml);
}

static void
test_seed_domains(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(seed_domains); i++) {
        g_autofree char *text = read_data_file("seed", seed_domains[i]);

        assert_valid(xml_part(text), "domain", seed_domains[i]);
    }
}

static void
test_schema_examples(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(schema_examples); i++) {
        const char *name = schema_examples[i];
        g_autofree char *text = read_data_file("schema", name);

        assert_valid(text, g_str_has_prefix(name, "domain") ? "domain" : "network", name);
    }
}

#define DOM_HEAD   "<domain type='kvm'><name>a</name><memory>1024</memory><os><type>hvm</type></os>"
#define DOM_TAIL   "</domain>"
#define DEVICES(x) DOM_HEAD "<devices>" x "</devices>" DOM_TAIL

static void
test_invalid_domains(void)
{
    static const struct {
        const char *xml;
        const char *needle;
    } cases[] = {
        {"<network><name>a</name></network>", "Expecting element domain, got network"},
        {"<domain type='kvm'><memory>1</memory><os><type>hvm</type></os></domain>",
         "Expecting an element name, got nothing"},
        {"<domain type='kvm'><name>a</name><os><type>hvm</type></os></domain>",
         "Expecting an element memory, got nothing"},
        {"<domain type='kvm'><name>a</name><memory>1</memory></domain>",
         "Expecting an element os, got nothing"},
        {"<domain><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>",
         "Element domain failed to validate attributes"},
        {"<domain type='lxc'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>",
         "Element domain failed to validate attributes"},
        {DOM_HEAD "<frobnicate/>" DOM_TAIL, "Element domain has extra content: frobnicate"},
        {"<domain type='kvm'><name>a</name><memory unit='XiB'>1</memory><os><type>hvm</type>"
         "</os></domain>",
         "Invalid attribute unit for element memory"},
        {DOM_HEAD "<on_crash>explode</on_crash>" DOM_TAIL, "Extra element on_crash in interleave"},
        {DOM_HEAD "<clock offset='moon'/>" DOM_TAIL, "Extra element clock in interleave"},
        {"<domain type='kvm'><name>a</name><name>b</name><memory>1</memory><os><type>hvm</type>"
         "</os></domain>",
         "Extra element name in interleave"},
        {"<domain type='kvm'><name>.a</name><memory>1</memory><os><type>hvm</type></os></domain>",
         "Error validating datatype string"},
        {"<domain type='kvm'><name>a</name><memory>-1</memory><os><type>hvm</type></os></domain>",
         "Type unsignedLong doesn't allow value '-1'"},
        {DOM_HEAD "<uuid>4dea22b31d52d8f32516782e98ab3fa01</uuid>" DOM_TAIL,
         "Extra element uuid in interleave"},
        {"<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type>"
         "<boot dev='usb'/></os></domain>",
         "Element boot failed to validate attributes"},
        {"<domain type='kvm'><name>a</name><memory>1</memory><os><type>dos</type></os></domain>",
         "Error validating value"},
        {DOM_HEAD "<metadata><plain/></metadata>" DOM_TAIL, "Extra element metadata in interleave"},
        /* a failure inside <devices> is reported at the interleave around it */
        {DEVICES("<hostdev/>"), "Extra element devices in interleave"},
        {DEVICES("<disk type='file' device='tape'><target dev='hda'/></disk>"),
         "Extra element devices in interleave"},
        {DEVICES("<disk type='file'><source dev='/dev/sda'/><target dev='hda'/></disk>"),
         "Extra element devices in interleave"},
        {DEVICES("<interface type='user'><mac address='01:00:5e:00:00:01'/></interface>"),
         "Extra element devices in interleave"},
        {DEVICES("<interface type='network'/>"), "Extra element devices in interleave"},
        {DEVICES("<graphics type='vnc' port='-2'/>"), "Extra element devices in interleave"},
        {DEVICES("<input type='joystick'/>"), "Extra element devices in interleave"},
        {DEVICES("<memballoon model='ballon'/>"), "Extra element devices in interleave"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_invalid(cases[i].xml, "domain", cases[i].needle);
}

static void
test_invalid_networks(void)
{
    static const struct {
        const char *xml;
        const char *needle;
    } cases[] = {
        {"<domain type='kvm'/>", "Expecting element network, got domain"},
        {"<network><uuid>9a05da11-e96b-47f3-8253-a3a482e445f5</uuid></network>",
         "Expecting an element name, got nothing"},
        {"<network><name>n</name><forward mode='teleport'/></network>",
         "Element forward failed to validate attributes"},
        {"<network><name>n</name><bridge stp='maybe'/></network>",
         "Extra element bridge in interleave"},
        {"<network><name>n</name><dns/></network>", "Element network has extra content: dns"},
        {"<network><name>n</name><ip address='10.0.0.256' prefix='24'/></network>",
         "Element ip failed to validate content"},
        {"<network><name>n</name><ip address='10.0.0.1' prefix='33'/></network>",
         "Invalid attribute prefix for element ip"},
        {"<network><name>n</name><ip family='ipv6' address='fd00::1' netmask='255.0.0.0'/>"
         "</network>",
         "Invalid attribute netmask for element ip"},
        {"<network><name>n</name><mac address='01:00:5e:00:00:01'/></network>",
         "Extra element mac in interleave"},
        {"<network><name>a/b</name></network>", "Error validating datatype string"},
        /* the direct modes carry no addresses, and need a device */
        {"<network><name>n</name><forward mode='vepa' dev='eth0'/>"
         "<ip address='10.0.0.1' prefix='24'/></network>",
         "Element network has extra content: ip"},
        {"<network><name>n</name><forward mode='vepa'/></network>",
         "Expecting an element interface, got nothing"},
        {"<network><name>n</name><forward mode='bridge'/></network>",
         "Expecting an element interface, got nothing"},
        {"<network><name>n</name><forward mode='open' dev='eth0'/></network>",
         "Element forward failed to validate attributes"},
        {"<network><name>n</name><forward mode='route'><nat/></forward></network>",
         "Element forward failed to validate attributes"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_invalid(cases[i].xml, "network", cases[i].needle);
}

/* 001-02 is a page's fragment: well-formed, but "..." stands for the missing parts */
static void
test_seed_fragment(void)
{
    g_autofree char *text = read_data_file("seed", "001-02-domain.txt");
    g_autoptr(GError) error = NULL;

    g_assert_false(vb_schema_validate_string(text, "domain", &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_XML_INVALID_SCHEMA);
    g_assert_nonnull(
        strstr(error->message, "line 1: Element domain failed to validate attributes"));
}

/* vb_schema_validate_string() checks the root before the schema sees the document */
static void
test_validate_string_root(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_false(
        vb_schema_validate_string("<network><name>a</name></network>", "domain", &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    g_assert_nonnull(strstr(error->message, "expected root element 'domain', not 'network'"));
}

/* the *.xml files directly in tests/data/<kind>/, sorted */
static GPtrArray *
list_corpus(const char *kind)
{
    g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "data", kind, NULL);
    g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    const char *entry;

    if (handle == NULL)
        return files;
    while ((entry = g_dir_read_name(handle)) != NULL) {
        if (g_str_has_suffix(entry, ".xml"))
            g_ptr_array_add(files, g_build_filename(dir, entry, NULL));
    }
    g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
    return files;
}

/* checks that the model's canonical output of @xml validates too */
typedef void (*CheckFormatted)(const char *xml, gsize len, const char *path);

static void
check_corpus(const char *kind, CheckFormatted check_formatted)
{
    g_autoptr(GPtrArray) files = list_corpus(kind);

    if (files->len == 0) {
        g_test_skip("no corpus yet");
        return;
    }
    for (guint i = 0; i < files->len; i++) {
        const char *path = files->pdata[i];
        g_autoptr(GError) error = NULL;
        g_autofree char *text = NULL;
        gsize len = 0;

        g_file_get_contents(path, &text, &len, &error);
        g_assert_no_error(error);
        assert_valid(text, kind, path);
        if (check_formatted != NULL)
            check_formatted(text, len, path);
    }
}

#ifdef HAVE_DOMAIN_CONF
/* live, secure and inactive output all validate */
static void
check_domain_formatted(const char *xml, gsize len, const char *path)
{
    static const guint flags[] = {0, VB_DOMAIN_XML_SECURE, VB_DOMAIN_XML_INACTIVE,
                                  VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_MIGRATABLE};
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, len, 0, &error);

    if (def == NULL)
        g_error("%s does not parse: %s", path, error->message);
    for (guint i = 0; i < G_N_ELEMENTS(flags); i++) {
        g_autofree char *out = vb_domain_def_format(def, flags[i]);
        g_autofree char *what = g_strdup_printf("%s formatted with flags 0x%x", path, flags[i]);

        assert_valid(out, "domain", what);
    }
}
#endif

#ifdef HAVE_NETWORK_CONF
static void
check_network_formatted(const char *xml, gsize len, const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbNetworkDef) def = vb_network_def_parse(xml, len, 0, &error);
    g_autofree char *out = NULL;
    g_autofree char *what = g_strdup_printf("%s formatted", path);

    if (def == NULL)
        g_error("%s does not parse: %s", path, error->message);
    out = vb_network_def_format(def, 0);
    assert_valid(out, "network", what);
}
#endif

static void
test_domain_corpus(void)
{
#ifdef HAVE_DOMAIN_CONF
    check_corpus("domain", check_domain_formatted);
#else
    check_corpus("domain", NULL);
#endif
}

static void
test_network_corpus(void)
{
#ifdef HAVE_NETWORK_CONF
    check_corpus("network", check_network_formatted);
#else
    check_corpus("network", NULL);
#endif
}

/* the model's canonical output of every seed validates too */
static void
test_seed_domains_formatted(void)
{
#ifdef HAVE_DOMAIN_CONF
    for (guint i = 0; i < G_N_ELEMENTS(seed_domains); i++) {
        g_autofree char *text = read_data_file("seed", seed_domains[i]);
        const char *xml = xml_part(text);

        check_domain_formatted(xml, strlen(xml), seed_domains[i]);
    }
#else
    g_test_skip("no domain model yet");
#endif
}

/* the examples here parse, and their output validates */
static void
test_schema_examples_formatted(void)
{
#if defined(HAVE_DOMAIN_CONF) && defined(HAVE_NETWORK_CONF)
    for (guint i = 0; i < G_N_ELEMENTS(schema_examples); i++) {
        const char *name = schema_examples[i];
        g_autofree char *text = read_data_file("schema", name);

        if (g_str_has_prefix(name, "domain"))
            check_domain_formatted(text, strlen(text), name);
        else
            check_network_formatted(text, strlen(text), name);
    }
#else
    g_test_skip("no models yet");
#endif
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/schema/seed-domains", test_seed_domains);
    g_test_add_func("/schema/seed-domains-formatted", test_seed_domains_formatted);
    g_test_add_func("/schema/seed-fragment", test_seed_fragment);
    g_test_add_func("/schema/examples", test_schema_examples);
    g_test_add_func("/schema/examples-formatted", test_schema_examples_formatted);
    g_test_add_func("/schema/invalid-domains", test_invalid_domains);
    g_test_add_func("/schema/invalid-networks", test_invalid_networks);
    g_test_add_func("/schema/validate-string-root", test_validate_string_root);
    g_test_add_func("/schema/domain-corpus", test_domain_corpus);
    g_test_add_func("/schema/network-corpus", test_network_corpus);
    return g_test_run();
}
