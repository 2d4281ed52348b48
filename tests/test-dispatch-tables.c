/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>

#include "dispatch.h"

/* libvirt's ACL permission names per object (its access/viraccessperm.h) */
static const char *const vb_connect_perms[] = {"getattr",         "read", "write", "search-domains",
                                               "search-networks", NULL};
static const char *const vb_domain_perms[] = {
    "getattr",       "read",         "write",       "read-secure",
    "start",         "stop",         "reset",       "save",
    "delete",        "migrate",      "snapshot",    "suspend",
    "hibernate",     "core-dump",    "pm-control",  "init-control",
    "inject-nmi",    "send-input",   "send-signal", "fs-trim",
    "fs-freeze",     "block-read",   "block-write", "mem-read",
    "open-graphics", "open-device",  "screenshot",  "open-namespace",
    "set-time",      "set-password", NULL};
static const char *const vb_network_perms[] = {"getattr", "read",  "write", "save",
                                               "delete",  "start", "stop",  NULL};

static void
assert_permission(const char *perm)
{
    g_auto(GStrv) parts = g_strsplit(perm, ".", 2);
    const char *const *known = NULL;

    g_assert_nonnull(parts[1]);
    if (strcmp(parts[0], "connect") == 0)
        known = vb_connect_perms;
    else if (strcmp(parts[0], "domain") == 0)
        known = vb_domain_perms;
    else if (strcmp(parts[0], "network") == 0)
        known = vb_network_perms;
    if (known == NULL || !g_strv_contains(known, parts[1]))
        g_error("unknown permission '%s'", perm);
}

static void
check_interface(gconstpointer data)
{
    const VbInterface *iface = data;
    g_autoptr(GError) error = NULL;
    GDBusInterfaceInfo *info = vb_interface_info(iface->name, &error);
    guint nmethods = 0, nprops = 0;

    g_assert_no_error(error);
    g_assert_nonnull(info);

    /* table → XML: every row is declared, with a flags argument where it says so */
    for (const VbMethod *m = iface->methods; m->name != NULL; m++) {
        GDBusMethodInfo *mi = g_dbus_interface_info_lookup_method(info, m->name);

        if (mi == NULL)
            g_error("%s.%s is in the table but not in the XML", iface->name, m->name);
        g_assert_nonnull(m->func);
        g_assert_nonnull(m->perms[0]);
        for (guint i = 0; i < G_N_ELEMENTS(m->perms) && m->perms[i] != NULL; i++)
            assert_permission(m->perms[i]);
        /* a method has a flags row exactly when it has a "u flags" argument */
        {
            int flags_index = -1;

            for (guint i = 0; mi->in_args != NULL && mi->in_args[i] != NULL; i++) {
                if (strcmp(mi->in_args[i]->name, "flags") == 0) {
                    g_assert_cmpstr(mi->in_args[i]->signature, ==, "u");
                    flags_index = (int)i;
                }
            }
            if (m->flags_arg != flags_index)
                g_error("%s.%s: flags_arg %d, but its flags argument is at %d", iface->name,
                        m->name, m->flags_arg, flags_index);
            if (flags_index >= 0) {
                g_assert_nonnull(m->api);
                g_assert_true(g_str_has_prefix(m->api, "vir"));
            } else {
                g_assert_null(m->api);
                g_assert_cmpuint(m->perm_flags, ==, 0);
            }
        }
        g_assert_true(vb_interface_find_method(iface, m->name) == m);
    }
    for (const VbProperty *p = iface->properties; p->name != NULL; p++) {
        GDBusPropertyInfo *pi = g_dbus_interface_info_lookup_property(info, p->name);

        if (pi == NULL)
            g_error("property %s.%s is in the table but not in the XML", iface->name, p->name);
        g_assert_nonnull(p->get);
        g_assert_nonnull(p->get_perm);
        assert_permission(p->get_perm);
        g_assert_cmpint((pi->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE) != 0, ==, p->set != NULL);
        if (p->set != NULL)
            assert_permission(p->set_perm);
        else
            g_assert_null(p->set_perm);
    }

    /* XML → table: nothing declared is left without a handler */
    for (guint i = 0; info->methods != NULL && info->methods[i] != NULL; i++) {
        if (vb_interface_find_method(iface, info->methods[i]->name) == NULL)
            g_error("%s.%s is declared but has no table row", iface->name, info->methods[i]->name);
        nmethods++;
    }
    for (guint i = 0; info->properties != NULL && info->properties[i] != NULL; i++) {
        if (vb_interface_find_property(iface, info->properties[i]->name) == NULL)
            g_error("property %s.%s is declared but has no table row", iface->name,
                    info->properties[i]->name);
        nprops++;
    }
    g_assert_cmpuint(nmethods, >, 0);
    g_test_message("%s: %u methods, %u properties", iface->name, nmethods, nprops);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/dispatch/tables/connect", &vb_connect_interface, check_interface);
    g_test_add_data_func("/dispatch/tables/domain", &vb_domain_interface, check_interface);
    g_test_add_data_func("/dispatch/tables/network", &vb_network_interface, check_interface);
    return g_test_run();
}
