/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>
#include <string.h>

#include "network-conf.h"
#include "vb-error.h"
#include "xml-util.h"

#define VB_DEFAULT_UUID "dd8fe884-6c02-601e-7551-cca97df1c5df"

static char *
read_data(const char *dir, const char *name)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", dir, name, NULL);
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    return text;
}

/* the sorted *.xml names in tests/data/@dir */
static GPtrArray *
list_data(const char *dir)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", dir, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = g_dir_open(path, 0, &error);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_assert_no_error(error);
    while ((name = g_dir_read_name(d)) != NULL) {
        if (g_str_has_suffix(name, ".xml"))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_assert_cmpuint(names->len, >, 0);
    return names;
}

static VbNetworkDef *
parse_ok(const char *xml)
{
    g_autoptr(GError) error = NULL;
    VbNetworkDef *def = vb_network_def_parse(xml, -1, 0, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    return def;
}

static void
assert_error_contains(const GError *error, const char *needle)
{
    g_assert_nonnull(error);
    if (strstr(error->message, needle) == NULL)
        g_error("expected '%s' in '%s'", needle, error->message);
}

static VbNetworkDef *
parse_default(void)
{
    g_autofree char *xml = read_data("network", "default.xml");

    return parse_ok(xml);
}

/* parse -> format -> parse -> format is a fixed point, and a file in canonical form
 * (or the sibling of a *.in.xml) is what the formatter prints */
static void
test_corpus_round_trip(void)
{
    g_autoptr(GPtrArray) names = list_data("network");

    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *xml = read_data("network", name);
        g_autoptr(VbNetworkDef) def = NULL;
        g_autoptr(VbNetworkDef) again = NULL;
        g_autoptr(VbNetworkDef) copy = NULL;
        g_autofree char *out1 = NULL;
        g_autofree char *out2 = NULL;
        g_autofree char *out_copy = NULL;
        g_autofree char *expected_name = NULL;
        g_autofree char *expected_path = NULL;

        g_test_message("network/%s", name);
        def = parse_ok(xml);
        out1 = vb_network_def_format(def, 0);
        again = parse_ok(out1);
        out2 = vb_network_def_format(again, VB_NETWORK_XML_INACTIVE);
        g_assert_cmpstr(out1, ==, out2);

        copy = vb_network_def_copy(def);
        out_copy = vb_network_def_format(copy, 0);
        g_assert_cmpstr(out1, ==, out_copy);

        if (g_str_has_suffix(name, ".in.xml")) {
            g_autofree char *stem = g_strndup(name, strlen(name) - strlen(".in.xml"));

            expected_name = g_strconcat(stem, ".xml", NULL);
        } else {
            expected_name = g_strdup(name);
        }
        expected_path = g_test_build_filename(G_TEST_DIST, "data", "network", expected_name, NULL);
        if (g_file_test(expected_path, G_FILE_TEST_EXISTS)) {
            g_autofree char *expected = read_data("network", expected_name);

            g_assert_cmpstr(out1, ==, expected);
        }
    }
}

static void
test_corpus_bad(void)
{
    g_autoptr(GPtrArray) names = list_data("network-bad");

    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *xml = read_data("network-bad", name);
        g_autoptr(GError) error = NULL;
        g_autoptr(VbNetworkDef) def = NULL;
        g_autofree char *needle = NULL;
        const char *start;
        const char *end;

        g_test_message("network-bad/%s", name);
        g_assert_true(g_str_has_prefix(xml, "<!-- error: "));
        start = xml + strlen("<!-- error: ");
        end = strstr(start, " -->");
        g_assert_nonnull(end);
        needle = g_strndup(start, (gsize)(end - start));

        def = vb_network_def_parse(xml, -1, 0, &error);
        g_assert_null(def);
        g_assert_nonnull(error);
        g_assert_true(error->domain == VB_ERROR);
        assert_error_contains(error, needle);
    }
}

static void
test_default_fields(void)
{
    g_autoptr(VbNetworkDef) def = parse_default();
    char uuid[VB_UUID_STRING_LEN];
    VbNetworkIp *ip;
    VbNetworkDhcpRange *range;

    g_assert_cmpstr(def->name, ==, "default");
    vb_uuid_format(def->uuid, uuid);
    g_assert_cmpstr(uuid, ==, VB_DEFAULT_UUID);
    g_assert_cmpint(def->forward_mode, ==, VB_NETWORK_FORWARD_NAT);
    g_assert_null(def->forward_dev);
    g_assert_cmpstr(def->bridge, ==, "virbr0");
    g_assert_true(def->stp);
    g_assert_cmpuint(def->delay, ==, 0);
    g_assert_null(def->mac);
    g_assert_cmpuint(def->ips->len, ==, 1);
    ip = g_ptr_array_index(def->ips, 0);
    g_assert_cmpint(ip->family, ==, G_SOCKET_FAMILY_IPV4);
    g_assert_cmpstr(ip->address, ==, "192.168.122.1");
    g_assert_cmpuint(ip->prefix, ==, 24);
    g_assert_true(ip->use_netmask);
    g_assert_true(ip->dhcp);
    g_assert_cmpuint(ip->ranges->len, ==, 1);
    g_assert_cmpuint(ip->hosts->len, ==, 0);
    range = g_ptr_array_index(ip->ranges, 0);
    g_assert_cmpstr(range->start, ==, "192.168.122.2");
    g_assert_cmpstr(range->end, ==, "192.168.122.254");
    g_assert_true(vb_network_def_get_dhcp_ip(def) == ip);
}

static void
test_mask_forms(void)
{
    g_autoptr(VbNetworkDef) def = NULL;
    g_autofree char *out = NULL;

    def = parse_ok("<network><name>m</name>"
                   "<ip address='10.0.0.1' netmask='255.255.255.128'/>"
                   "<ip address='10.1.0.1' prefix='25'/>"
                   "<ip address='10.2.0.1'/>"
                   "<ip address='172.16.0.1'/>"
                   "<ip address='192.168.0.1'/>"
                   "<ip address='10.3.0.1' netmask='0.0.0.0'/>"
                   "<ip family='ipv6' address='2001:db8::1'/>"
                   "<ip family='ipv6' address='2001:db8:1::1' prefix='128'/>"
                   "</network>");
    out = vb_network_def_format(def, 0);
    g_assert_nonnull(strstr(out, "<ip address='10.0.0.1' netmask='255.255.255.128'/>"));
    g_assert_nonnull(strstr(out, "<ip address='10.1.0.1' prefix='25'/>"));
    g_assert_nonnull(strstr(out, "<ip address='10.2.0.1' netmask='255.0.0.0'/>"));
    g_assert_nonnull(strstr(out, "<ip address='172.16.0.1' netmask='255.255.0.0'/>"));
    g_assert_nonnull(strstr(out, "<ip address='192.168.0.1' netmask='255.255.255.0'/>"));
    g_assert_nonnull(strstr(out, "<ip address='10.3.0.1' netmask='0.0.0.0'/>"));
    g_assert_nonnull(strstr(out, "<ip family='ipv6' address='2001:db8::1' prefix='64'/>"));
    g_assert_nonnull(strstr(out, "<ip family='ipv6' address='2001:db8:1::1' prefix='128'/>"));
    g_assert_cmpuint(((VbNetworkIp *)g_ptr_array_index(def->ips, 0))->prefix, ==, 25);
}

static void
test_uuid_forms(void)
{
    g_autoptr(VbNetworkDef) a = parse_ok("<network><name>u</name></network>");
    g_autoptr(VbNetworkDef) b = parse_ok("<network><name>u</name></network>");
    g_autoptr(VbNetworkDef) c =
        parse_ok("<network><name>u</name><uuid>dd8fe8846c02601e7551cca97df1c5df</uuid></network>");
    char uuid[VB_UUID_STRING_LEN];

    g_assert_false(vb_uuid_is_null(a->uuid));
    g_assert_cmpmem(a->uuid, VB_UUID_LEN, a->uuid, VB_UUID_LEN);
    g_assert_true(memcmp(a->uuid, b->uuid, VB_UUID_LEN) != 0);
    vb_uuid_format(c->uuid, uuid);
    g_assert_cmpstr(uuid, ==, VB_DEFAULT_UUID);
}

static void
test_parse_flags(void)
{
    g_autofree char *xml = read_data("network", "default.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(VbNetworkDef) def = vb_network_def_parse(xml, -1, VB_NETWORK_PARSE_VALIDATE, &error);
    g_autoptr(VbNetworkDef) bad = NULL;
    g_autoptr(VbNetworkDef) sized = NULL;

    g_assert_no_error(error);
    g_assert_nonnull(def);

    bad = vb_network_def_parse(xml, -1, 0x10, &error);
    g_assert_null(bad);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    assert_error_contains(error, "unsupported flags (0x10)");
    g_clear_error(&error);

    /* an explicit length that cuts the document short */
    sized = vb_network_def_parse(xml, 20, 0, &error);
    g_assert_null(sized);
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
    g_clear_error(&error);

    g_assert_null(vb_network_def_parse(NULL, -1, 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_XML);
}

static void
test_copy_independent(void)
{
    g_autofree char *xml = read_data("network", "route-dual.xml");
    g_autoptr(VbNetworkDef) def = parse_ok(xml);
    g_autoptr(VbNetworkDef) copy = vb_network_def_copy(def);
    g_autofree char *before = vb_network_def_format(def, 0);
    g_autofree char *after = NULL;
    VbNetworkIp *ip = g_ptr_array_index(copy->ips, 0);

    g_free(copy->name);
    copy->name = g_strdup("changed");
    g_ptr_array_remove_index(ip->hosts, 0);
    g_ptr_array_set_size(copy->forward_ifaces, 0);
    after = vb_network_def_format(def, 0);
    g_assert_cmpstr(before, ==, after);
}

/* ---- update ---- */

static void
update_ok(VbNetworkDef *def, guint command, guint section, int index, const char *xml)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(vb_network_def_update(def, command, section, index, xml, &error));
    g_assert_no_error(error);
}

/* fails with @code and a message containing @needle, leaving @def as it was */
static void
update_fails(VbNetworkDef *def, guint command, guint section, int index, const char *xml, gint code,
             const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *before = vb_network_def_format(def, 0);
    g_autofree char *after = NULL;

    g_assert_false(vb_network_def_update(def, command, section, index, xml, &error));
    g_assert_error(error, VB_ERROR, code);
    assert_error_contains(error, needle);
    after = vb_network_def_format(def, 0);
    g_assert_cmpstr(before, ==, after);
}

static const char *
host_at(VbNetworkDef *def, guint ip_index, guint host_index, const char *field)
{
    VbNetworkIp *ip = g_ptr_array_index(def->ips, ip_index);
    VbNetworkDhcpHost *host;

    g_assert_cmpuint(host_index, <, ip->hosts->len);
    host = g_ptr_array_index(ip->hosts, host_index);
    if (g_strcmp0(field, "mac") == 0)
        return host->mac;
    if (g_strcmp0(field, "name") == 0)
        return host->name;
    return host->ip;
}

static guint
n_hosts(VbNetworkDef *def, guint ip_index)
{
    return ((VbNetworkIp *)g_ptr_array_index(def->ips, ip_index))->hosts->len;
}

static guint
n_ranges(VbNetworkDef *def, guint ip_index)
{
    return ((VbNetworkIp *)g_ptr_array_index(def->ips, ip_index))->ranges->len;
}

static void
test_update_host_add(void)
{
    g_autoptr(VbNetworkDef) def = parse_default();
    g_autofree char *out = NULL;
    g_autoptr(VbNetworkDef) again = NULL;
    g_autofree char *out2 = NULL;

    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:01' name='one' ip='192.168.122.11'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:02' ip='192.168.122.12'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_FIRST, VB_NETWORK_SECTION_IP_DHCP_HOST, 0,
              "<host mac='52:54:00:00:00:0A' name='zero' ip='192.168.122.10'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host name='byname' ip='192.168.122.13'/>");
    g_assert_cmpuint(n_hosts(def, 0), ==, 4);
    g_assert_cmpstr(host_at(def, 0, 0, "mac"), ==, "52:54:00:00:00:0a");
    g_assert_cmpstr(host_at(def, 0, 1, "name"), ==, "one");
    g_assert_cmpstr(host_at(def, 0, 2, "ip"), ==, "192.168.122.12");
    g_assert_null(host_at(def, 0, 2, "name"));
    g_assert_cmpstr(host_at(def, 0, 3, "name"), ==, "byname");

    out = vb_network_def_format(def, 0);
    g_assert_nonnull(strstr(out, "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
                                 "      <host mac='52:54:00:00:00:0a' name='zero' "
                                 "ip='192.168.122.10'/>\n"));
    again = parse_ok(out);
    out2 = vb_network_def_format(again, 0);
    g_assert_cmpstr(out, ==, out2);
}

static void
test_update_host_add_errors(void)
{
    g_autoptr(VbNetworkDef) def = parse_default();

    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:01' name='one' ip='192.168.122.11'/>");
    /* same mac (any case), same ip */
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:01' ip='192.168.122.99'/>", VB_ERROR_OPERATION_INVALID,
                 "Requested operation is not valid: there is an existing dhcp host entry in "
                 "network 'default' that matches \"<host mac='52:54:00:00:00:01' "
                 "ip='192.168.122.99'/>\"");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_FIRST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:02' ip='192.168.122.11'/>", VB_ERROR_OPERATION_INVALID,
                 "there is an existing dhcp host entry");
    /* bad entries */
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:03' ip='10.0.0.1'/>", VB_ERROR_XML,
                 "dhcp host ip '10.0.0.1' is not within network 192.168.122.0/24");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='nope' ip='192.168.122.50'/>", VB_ERROR_XML,
                 "Invalid value 'nope' for element or attribute './@mac'");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:03'/>", VB_ERROR_XML, "Missing IP address");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<range start='192.168.122.2' end='192.168.122.3'/>", VB_ERROR_XML,
                 "expected root element 'host', not 'range'");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:03' ip='192.168.122.50'", VB_ERROR_XML, "line 1");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:03' ip='192.168.122.50' foo='1'/>", VB_ERROR_XML,
                 "unexpected attribute 'foo'");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1, NULL,
                 VB_ERROR_XML, "no XML document given");
    g_assert_cmpuint(n_hosts(def, 0), ==, 1);
}

static void
test_update_host_modify(void)
{
    g_autoptr(VbNetworkDef) def = parse_default();

    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:01' name='one' ip='192.168.122.11'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host name='two' ip='192.168.122.12'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:03' name='three' ip='192.168.122.13'/>");

    /* by mac: new name and ip */
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_MODIFY, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:01' name='uno' ip='192.168.122.21'/>");
    g_assert_cmpstr(host_at(def, 0, 0, "name"), ==, "uno");
    g_assert_cmpstr(host_at(def, 0, 0, "ip"), ==, "192.168.122.21");
    /* by name when there is no mac */
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_MODIFY, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host name='two' ip='192.168.122.22'/>");
    g_assert_cmpstr(host_at(def, 0, 1, "ip"), ==, "192.168.122.22");
    g_assert_cmpuint(n_hosts(def, 0), ==, 3);

    update_fails(def, VB_NETWORK_UPDATE_COMMAND_MODIFY, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:99' name='x' ip='192.168.122.99'/>",
                 VB_ERROR_OPERATION_INVALID,
                 "Requested operation is not valid: couldn't locate a matching dhcp host entry "
                 "in network 'default'");
    /* the new values must not collide with another entry */
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_MODIFY, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:01' name='uno' ip='192.168.122.13'/>",
                 VB_ERROR_OPERATION_INVALID, "there is an existing dhcp host entry");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_MODIFY, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:01' name='uno'/>", VB_ERROR_XML, "Missing IP address");
}

static void
test_update_host_delete(void)
{
    g_autoptr(VbNetworkDef) def = parse_default();
    g_autofree char *pristine = vb_network_def_format(def, 0);
    g_autofree char *out = NULL;

    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:01' name='one' ip='192.168.122.11'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host name='two' ip='192.168.122.12'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:03' ip='192.168.122.13'/>");

    /* every attribute given must match */
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host mac='52:54:00:00:00:01' ip='192.168.122.99'/>", VB_ERROR_OPERATION_INVALID,
                 "couldn't locate a matching dhcp host entry in network 'default'");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host/>", VB_ERROR_XML, "needs mac, name or ip");
    /* by mac alone, by name, by ip */
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:00:00:01'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, 0,
              "<host name='two'/>");
    g_assert_cmpuint(n_hosts(def, 0), ==, 1);
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host ip='192.168.122.13'/>");
    g_assert_cmpuint(n_hosts(def, 0), ==, 0);
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
                 "<host ip='192.168.122.13'/>", VB_ERROR_OPERATION_INVALID,
                 "couldn't locate a matching dhcp host entry in network 'default'");
    out = vb_network_def_format(def, 0);
    g_assert_cmpstr(out, ==, pristine);
}

static void
test_update_host_ipv6(void)
{
    g_autofree char *xml = read_data("network", "route-dual.xml");
    g_autoptr(VbNetworkDef) def = parse_ok(xml);

    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, 1,
              "<host name='vm7' ip='2001:db8:ca2:2::43'/>");
    g_assert_cmpuint(n_hosts(def, 1), ==, 2);
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, 1,
                 "<host name='vm7' ip='2001:db8:ca2:2::44'/>", VB_ERROR_OPERATION_INVALID,
                 "there is an existing dhcp host entry");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, 1,
                 "<host mac='52:54:00:00:00:01' name='vm8' ip='2001:db8:ca2:2::45'/>", VB_ERROR_XML,
                 "Invalid to specify MAC address");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, 1,
                 "<host name='vm8' ip='192.168.150.50'/>", VB_ERROR_XML, "is not of the family");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_MODIFY, VB_NETWORK_SECTION_IP_DHCP_HOST, 1,
              "<host name='vm7' ip='2001:db8:ca2:2::47'/>");
    g_assert_cmpstr(host_at(def, 1, 1, "ip"), ==, "2001:db8:ca2:2::47");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, 1,
              "<host name='vm7'/>");
    g_assert_cmpuint(n_hosts(def, 1), ==, 1);
    /* the default <ip> is the first with dhcp entries: the IPv4 one */
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host mac='52:54:00:6c:3c:09' ip='192.168.150.19'/>");
    g_assert_cmpuint(n_hosts(def, 0), ==, 4);
}

static void
test_update_range(void)
{
    g_autoptr(VbNetworkDef) def = parse_default();

    update_ok(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
              "<range start='192.168.122.2' end='192.168.122.254'/>");
    g_assert_cmpuint(n_ranges(def, 0), ==, 0);
    /* an <ip> with an empty <dhcp> is still the one found by -1 (the first IPv4) */
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
              "<range start='192.168.122.100' end='192.168.122.199'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_FIRST, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
              "<range start='192.168.122.10' end='192.168.122.19'/>");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, 0,
              "<range start='192.168.122.200' end='192.168.122.209'/>");
    g_assert_cmpuint(n_ranges(def, 0), ==, 3);
    g_assert_cmpstr(((VbNetworkDhcpRange *)g_ptr_array_index(
                         ((VbNetworkIp *)g_ptr_array_index(def->ips, 0))->ranges, 0))
                        ->start,
                    ==, "192.168.122.10");

    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.122.100' end='192.168.122.199'/>",
                 VB_ERROR_OPERATION_INVALID,
                 "there is an existing dhcp range entry in network 'default' that matches "
                 "\"<range start='192.168.122.100' end='192.168.122.199'/>\"");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_MODIFY, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.122.100' end='192.168.122.150'/>",
                 VB_ERROR_OPERATION_UNSUPPORTED,
                 "Operation not supported: dhcp ranges cannot be modified");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.122.100' end='192.168.122.198'/>",
                 VB_ERROR_OPERATION_INVALID,
                 "couldn't locate a matching dhcp range entry in network 'default'");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.122.50' end='192.168.122.40'/>", VB_ERROR_XML,
                 "start is after end");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.122.50' end='192.168.123.40'/>", VB_ERROR_XML,
                 "is not entirely within network 192.168.122.0/24");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.122.50'/>", VB_ERROR_XML, "missing attribute 'end'");
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_DELETE, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
              "<range start='192.168.122.100' end='192.168.122.199'/>");
    g_assert_cmpuint(n_ranges(def, 0), ==, 2);
}

static void
test_update_second_dhcp(void)
{
    g_autoptr(VbNetworkDef) def = parse_ok("<network><name>two</name>"
                                           "<ip address='10.0.0.1' prefix='24'><dhcp/></ip>"
                                           "<ip address='10.0.1.1' prefix='24'/>"
                                           "<ip family='ipv6' address='2001:db8::1'/>"
                                           "</network>");

    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, 1,
                 "<range start='10.0.1.10' end='10.0.1.20'/>", VB_ERROR_OPERATION_INVALID,
                 "dhcp is supported only for a single IPv4 address on each network");
    /* the IPv6 <ip> may get dhcp of its own */
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, 2,
              "<range start='2001:db8::10' end='2001:db8::20'/>");
    g_assert_true(((VbNetworkIp *)g_ptr_array_index(def->ips, 2))->dhcp);
    /* now the first <ip> with entries is the IPv6 one */
    update_ok(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, -1,
              "<host name='six' ip='2001:db8::30'/>");
    g_assert_cmpuint(n_hosts(def, 2), ==, 1);
}

static void
test_update_errors(void)
{
    g_autoptr(VbNetworkDef) def = parse_default();
    g_autoptr(VbNetworkDef) noip = parse_ok("<network><name>noip</name></network>");
    const char *host = "<host mac='52:54:00:00:00:01' ip='192.168.122.11'/>";
    static const struct {
        guint section;
        const char *name;
    } others[] = {
        {VB_NETWORK_SECTION_BRIDGE, "bridge"},
        {VB_NETWORK_SECTION_DOMAIN, "domain"},
        {VB_NETWORK_SECTION_IP, "ip"},
        {VB_NETWORK_SECTION_FORWARD, "forward"},
        {VB_NETWORK_SECTION_FORWARD_INTERFACE, "forward-interface"},
        {VB_NETWORK_SECTION_FORWARD_PF, "forward-pf"},
        {VB_NETWORK_SECTION_PORTGROUP, "portgroup"},
        {VB_NETWORK_SECTION_DNS_HOST, "dns-host"},
        {VB_NETWORK_SECTION_DNS_TXT, "dns-txt"},
        {VB_NETWORK_SECTION_DNS_SRV, "dns-srv"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(others); i++) {
        g_autofree char *needle =
            g_strdup_printf("Operation not supported: can't update '%s' section of network "
                            "'default'",
                            others[i].name);

        update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, others[i].section, -1, host,
                     VB_ERROR_OPERATION_UNSUPPORTED, needle);
    }
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_NONE, -1, host,
                 VB_ERROR_OPERATION_UNSUPPORTED, "can't update unrecognized section 0");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, 13, -1, host,
                 VB_ERROR_OPERATION_UNSUPPORTED, "can't update unrecognized section 13");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_NONE, VB_NETWORK_SECTION_IP_DHCP_HOST, -1, host,
                 VB_ERROR_INVALID_ARG, "invalid argument: unrecognized network update command 0");
    update_fails(def, 5, VB_NETWORK_SECTION_IP_DHCP_HOST, -1, host, VB_ERROR_INVALID_ARG,
                 "unrecognized network update command 5");
    update_fails(def, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, 1, host,
                 VB_ERROR_OPERATION_INVALID,
                 "couldn't update 'ip-dhcp-host' section - no <ip> element found at index 1 in "
                 "network 'default'");
    update_fails(noip, VB_NETWORK_UPDATE_COMMAND_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='10.0.0.1' end='10.0.0.2'/>", VB_ERROR_OPERATION_INVALID,
                 "couldn't update 'ip-dhcp-range' section - no <ip> element found in network "
                 "'noip'");
}

static void
test_strings(void)
{
    g_assert_cmpstr(vb_network_forward_mode_to_string(VB_NETWORK_FORWARD_NONE), ==, "none");
    g_assert_cmpstr(vb_network_forward_mode_to_string(VB_NETWORK_FORWARD_PASSTHROUGH), ==,
                    "passthrough");
    g_assert_null(vb_network_forward_mode_to_string((VbNetworkForwardMode)99));
    g_assert_cmpstr(vb_network_section_to_string(VB_NETWORK_SECTION_IP_DHCP_HOST), ==,
                    "ip-dhcp-host");
    g_assert_cmpstr(vb_network_section_to_string(VB_NETWORK_SECTION_DNS_SRV), ==, "dns-srv");
    g_assert_null(vb_network_section_to_string(VB_NETWORK_SECTION_NONE));
    g_assert_null(vb_network_section_to_string(13));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/network-conf/corpus/round-trip", test_corpus_round_trip);
    g_test_add_func("/network-conf/corpus/bad", test_corpus_bad);
    g_test_add_func("/network-conf/default-fields", test_default_fields);
    g_test_add_func("/network-conf/mask-forms", test_mask_forms);
    g_test_add_func("/network-conf/uuid-forms", test_uuid_forms);
    g_test_add_func("/network-conf/parse-flags", test_parse_flags);
    g_test_add_func("/network-conf/copy-independent", test_copy_independent);
    g_test_add_func("/network-conf/update/host-add", test_update_host_add);
    g_test_add_func("/network-conf/update/host-add-errors", test_update_host_add_errors);
    g_test_add_func("/network-conf/update/host-modify", test_update_host_modify);
    g_test_add_func("/network-conf/update/host-delete", test_update_host_delete);
    g_test_add_func("/network-conf/update/host-ipv6", test_update_host_ipv6);
    g_test_add_func("/network-conf/update/range", test_update_range);
    g_test_add_func("/network-conf/update/second-dhcp", test_update_second_dhcp);
    g_test_add_func("/network-conf/update/errors", test_update_errors);
    g_test_add_func("/network-conf/strings", test_strings);
    return g_test_run();
}
