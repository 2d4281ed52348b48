/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>

#include "vb-error.h"
#include "xml-util.h"

static void
assert_parse_fails(const char *xml, gssize len, const char *needle)
{
    g_autoptr(GError) error = NULL;
    xmlDoc *doc = vb_xml_parse(xml, len, "domain", "domain", &error);

    g_assert_null(doc);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    g_assert_true(g_str_has_prefix(error->message, "XML error: (domain_definition): "));
    if (strstr(error->message, needle) == NULL)
        g_error("'%s' not in '%s'", needle, error->message);
}

static void
test_parse_ok(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = vb_xml_parse("<domain><name>a</name></domain>", -1, "domain", "domain",
                                         &error);

    g_assert_no_error(error);
    g_assert_nonnull(doc);
    g_assert_true(vb_xml_is(xmlDocGetRootElement(doc), "domain"));
}

static void
test_parse_malformed(void)
{
    /* the seed pages' typo: an unclosed attribute value */
    assert_parse_fails("<interface type='user'>\n<mac address=\"11:22:33:44:55:66:/>\n</interface>",
                       -1, "line ");
    assert_parse_fails("<domain>\n...\n<on_reboot>restart</on_reboot>\n</domain", -1, "line 4");
    assert_parse_fails("", -1, "empty document");
    assert_parse_fails("<domain/>\0<x/>", 14, "NUL byte");
    assert_parse_fails("<network/>", -1, "expected root element 'domain', not 'network'");
}

static void
test_parse_hostile(void)
{
    g_autoptr(GString) deep = g_string_new(NULL);
    g_autofree char *huge = NULL;

    assert_parse_fails("<!DOCTYPE domain [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]>"
                       "<domain>&b;</domain>",
                       -1, "document type declarations are not allowed");
    assert_parse_fails("<!DOCTYPE domain SYSTEM 'file:///etc/passwd'><domain/>", -1,
                       "document type declarations are not allowed");
    assert_parse_fails("<domain>&xxe;</domain>", -1, "line 1");

    for (guint i = 0; i < 10000; i++)
        g_string_append(deep, "<a>");
    assert_parse_fails(deep->str, deep->len, "nested deeper than 128");

    huge = g_malloc(VB_XML_MAX_SIZE + 2);
    memset(huge, ' ', VB_XML_MAX_SIZE + 1);
    huge[VB_XML_MAX_SIZE + 1] = '\0';
    assert_parse_fails(huge, -1, "larger than the limit");
}

static void
test_node_path(void)
{
    g_autoptr(xmlDoc) doc = vb_xml_parse("<domain><devices><disk/><disk><target/></disk></devices>"
                                         "</domain>",
                                         -1, "domain", "domain", NULL);
    xmlNode *devices = vb_xml_child(xmlDocGetRootElement(doc), "devices");
    xmlNode *disk2 = vb_xml_next_element(vb_xml_first_element(devices));
    g_autofree char *path = vb_xml_node_path(vb_xml_child(disk2, "target"), "dev");
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr(path, ==, "./devices[1]/disk[2]/target[1]/@dev");
    g_assert_false(vb_xml_invalid(&error, devices, NULL, "xyz"));
    g_assert_cmpstr(error->message, ==,
                    "XML error: Invalid value 'xyz' for element or attribute './devices[1]'");
}

static void
test_numbers(void)
{
    guint64 u = 0;
    gint64 s = 0;
    guint v = 0;

    g_assert_true(vb_parse_uint64("18446744073709551615", 10, &u));
    g_assert_cmpuint(u, ==, G_MAXUINT64);
    g_assert_false(vb_parse_uint64("18446744073709551616", 10, &u));
    g_assert_false(vb_parse_uint64("-1", 10, &u));
    g_assert_false(vb_parse_uint64(" 1", 10, &u));
    g_assert_false(vb_parse_uint64("1x", 10, &u));
    g_assert_false(vb_parse_uint64("", 10, &u));
    g_assert_true(vb_parse_int64("-1", &s));
    g_assert_cmpint(s, ==, -1);
    g_assert_false(vb_parse_uint("4294967296", &v));
}

static void
test_writer(void)
{
    VbXmlWriter w;
    g_autofree char *out = NULL;

    vb_xml_writer_init(&w);
    vb_xml_open(&w, "domain", "type", "kvm", "id", NULL, NULL);
    vb_xml_text(&w, "name", "a<b>&'\"", NULL);
    vb_xml_text(&w, "skipped", NULL, NULL);
    vb_xml_empty(&w, "pae", NULL);
    vb_xml_close(&w, "domain");
    out = vb_xml_writer_finish(&w);
    g_assert_cmpstr(out, ==,
                    "<domain type='kvm'>\n"
                    "  <name>a&lt;b&gt;&amp;&apos;&quot;</name>\n"
                    "  <pae/>\n"
                    "</domain>\n");
}

static void
test_errors(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_false(vb_error_check_flags(0x13, 0x3, "virDomainCreateWithFlags", &error));
    g_assert_cmpstr(error->message, ==,
                    "invalid argument: unsupported flags (0x10) in function "
                    "virDomainCreateWithFlags");
    g_clear_error(&error);
    vb_error_no_support(&error, "virDomainCoreDump");
    g_assert_cmpstr(error->message, ==,
                    "this function is not supported by the connection driver: virDomainCoreDump");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xml-util/parse-ok", test_parse_ok);
    g_test_add_func("/xml-util/parse-malformed", test_parse_malformed);
    g_test_add_func("/xml-util/parse-hostile", test_parse_hostile);
    g_test_add_func("/xml-util/node-path", test_node_path);
    g_test_add_func("/xml-util/numbers", test_numbers);
    g_test_add_func("/xml-util/writer", test_writer);
    g_test_add_func("/xml-util/errors", test_errors);
    return g_test_run();
}
