/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a client the way a gdbus-codegen user writes one: the generated Connect proxy for
 * org.libvirt at /org/libvirt/Test on the session bus. prints
 *   domains: <path> <path>...
 *   test: <path>
 * tests/pytest/test_interop.py runs it against virtbusd.
 * the proxy does not load properties: org.libvirt.* GetAll wraps each value twice (the
 * libvirt-dbus quirk clients rely on), which GDBusProxy's property cache rejects; a
 * libvirt-dbus client reads properties with Properties.Get instead. */
#include <gio/gio.h>
#include <stdio.h>

#include "vb-generated.h"

int
main(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbGenConnect) proxy = NULL;
    g_auto(GStrv) domains = NULL;
    g_autofree char *test = NULL;

    proxy = vb_gen_connect_proxy_new_for_bus_sync(G_BUS_TYPE_SESSION,
                                                  G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                                  "org.libvirt", "/org/libvirt/Test", NULL,
                                                  &error);
    if (proxy == NULL) {
        g_printerr("codegen-client: proxy: %s\n", error->message);
        return 1;
    }
    if (!vb_gen_connect_call_list_domains_sync(proxy, 0, &domains, NULL, &error)) {
        g_printerr("codegen-client: ListDomains: %s\n", error->message);
        return 1;
    }
    g_autofree char *joined = g_strjoinv(" ", domains);
    printf("domains: %s\n", joined);
    if (!vb_gen_connect_call_domain_lookup_by_name_sync(proxy, "test", &test, NULL, &error)) {
        g_printerr("codegen-client: DomainLookupByName: %s\n", error->message);
        return 1;
    }
    printf("test: %s\n", test);
    return 0;
}
