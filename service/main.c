/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "config.h"

#include <locale.h>

#include "service.h"

/* the group and keys of the configuration file (README.md documents them) */
#define VB_CONFIG_GROUP "virtbusd"

static gboolean
vb_load_config(const char *file, gboolean required, char ***uris, gboolean *verbose, GError **error)
{
    g_autoptr(GKeyFile) keys = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) groups = NULL;

    if (!g_key_file_load_from_file(keys, file, G_KEY_FILE_NONE, &local)) {
        if (!required && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", file);
        return FALSE;
    }
    groups = g_key_file_get_groups(keys, NULL);
    for (guint i = 0; groups[i] != NULL; i++) {
        if (strcmp(groups[i], VB_CONFIG_GROUP) != 0) {
            g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                        "%s: unknown group [%s]", file, groups[i]);
            return FALSE;
        }
    }
    if (g_key_file_has_group(keys, VB_CONFIG_GROUP)) {
        g_auto(GStrv) names = g_key_file_get_keys(keys, VB_CONFIG_GROUP, NULL, NULL);

        for (guint i = 0; names[i] != NULL; i++) {
            if (strcmp(names[i], "connect") == 0) {
                g_strfreev(*uris);
                *uris = g_key_file_get_string_list(keys, VB_CONFIG_GROUP, "connect", NULL, error);
                if (*uris == NULL)
                    return FALSE;
            } else if (strcmp(names[i], "verbose") == 0) {
                *verbose = g_key_file_get_boolean(keys, VB_CONFIG_GROUP, "verbose", &local);
                if (local != NULL) {
                    g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", file);
                    return FALSE;
                }
            } else {
                g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                            "%s: unknown key '%s' in [%s]", file, names[i], VB_CONFIG_GROUP);
                return FALSE;
            }
        }
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    gboolean opt_session = FALSE, opt_system = FALSE, opt_verbose = FALSE, opt_version = FALSE;
    g_autofree char *opt_config = NULL;
    g_auto(GStrv) opt_connect = NULL;
    g_auto(GStrv) uris = NULL;
    gboolean verbose = FALSE;
    const GOptionEntry entries[] = {
        {"session", 0, 0, G_OPTION_ARG_NONE, &opt_session,
         "Serve the session bus: test:///default and qemu:///session, no polkit", NULL},
        {"system", 0, 0, G_OPTION_ARG_NONE, &opt_system,
         "Serve the system bus with polkit authorization (the default)", NULL},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "Read this configuration file",
         "FILE"},
        {"connect", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_connect,
         "Publish this connection (repeatable; replaces the default set)", "URI"},
        {"verbose", 0, 0, G_OPTION_ARG_NONE, &opt_verbose, "Say what is published", NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) context = g_option_context_new("- virtualization over D-Bus");
    g_autoptr(GError) error = NULL;
    g_autoptr(VbService) service = NULL;
    g_autofree char *default_config = NULL;
    VbServiceOptions options = {0};

    setlocale(LC_ALL, "");
    g_option_context_add_main_entries(context, entries, NULL);
    g_option_context_set_summary(context,
                                 "Publishes org.libvirt: Connect, Domain and Network objects "
                                 "backed by virtbus's own drivers.");
    if (!g_option_context_parse(context, &argc, &argv, &error)) {
        g_printerr("virtbusd: %s\n", error->message);
        return 2;
    }
    if (opt_version) {
        g_print("virtbusd %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (opt_session && opt_system) {
        g_printerr("virtbusd: --session and --system exclude each other\n");
        return 2;
    }
    if (argc > 1) {
        g_printerr("virtbusd: unexpected argument '%s'\n", argv[1]);
        return 2;
    }

    options.system = !opt_session;
    /* the session bus gets the test driver and the user's qemu, the system bus the
     * system's qemu */
    uris =
        g_strsplit(options.system ? "qemu:///system" : "test:///default;qemu:///session", ";", -1);
    if (opt_config != NULL) {
        if (!vb_load_config(opt_config, TRUE, &uris, &verbose, &error)) {
            g_printerr("virtbusd: %s\n", error->message);
            return 2;
        }
    } else {
        default_config =
            options.system
                ? g_build_filename(VB_SYSCONFDIR, "virtbus", "virtbusd.conf", NULL)
                : g_build_filename(g_get_user_config_dir(), "virtbus", "virtbusd.conf", NULL);
        if (!vb_load_config(default_config, FALSE, &uris, &verbose, &error)) {
            g_printerr("virtbusd: %s\n", error->message);
            return 2;
        }
    }
    if (opt_connect != NULL) {
        g_strfreev(uris);
        uris = g_strdupv(opt_connect);
    }
    if (uris[0] == NULL) {
        g_printerr("virtbusd: nothing to publish: give --connect URI or a config file\n");
        return 2;
    }
    options.uris = uris;
    options.verbose = verbose || opt_verbose;

    service = vb_service_new(&options, &error);
    if (service == NULL) {
        g_printerr("virtbusd: %s\n", error->message);
        return 1;
    }
    return vb_service_run(service);
}
