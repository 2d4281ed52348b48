/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-xml"

#include <errno.h>
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "capabilities-conf.h"
#include "domain-conf.h"
#include "network-conf.h"
#include "vb-error.h"
#include "xml-util.h"

#define VB_EXIT_OK    0
#define VB_EXIT_ERROR 1
#define VB_EXIT_USAGE 2

typedef enum {
    VB_KIND_AUTO,
    VB_KIND_DOMAIN,
    VB_KIND_NETWORK,
    VB_KIND_DEVICE,
    VB_KIND_CAPABILITIES,
} VbKind;

static const char *const vb_kind_names[] = {
    [VB_KIND_AUTO] = "auto",
    [VB_KIND_DOMAIN] = "domain",
    [VB_KIND_NETWORK] = "network",
    [VB_KIND_DEVICE] = "device",
    [VB_KIND_CAPABILITIES] = "capabilities",
};

static int
vb_usage_error(const char *message)
{
    g_printerr("virtbus-xml: %s\nTry 'virtbus-xml --help' for more information.\n", message);
    return VB_EXIT_USAGE;
}

/* at most VB_XML_MAX_SIZE + 1 bytes of @path ("-": standard input), NUL-terminated,
 * so a larger file reaches the parser just big enough to be refused */
static char *
vb_read_input(const char *path, gsize *len, GError **error)
{
    gsize cap = VB_XML_MAX_SIZE + 1;
    g_autofree char *buf = g_malloc(cap + 1);
    FILE *file = g_strcmp0(path, "-") == 0 ? stdin : fopen(path, "rb");
    gsize got = 0;
    int saved_errno = 0;

    if (file == NULL) {
        saved_errno = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved_errno), "%s",
                    g_strerror(saved_errno));
        return NULL;
    }
    while (got < cap) {
        gsize n = fread(buf + got, 1, cap - got, file);

        got += n;
        if (n == 0)
            break;
    }
    if (ferror(file))
        saved_errno = errno != 0 ? errno : EIO;
    if (file != stdin)
        fclose(file);
    if (saved_errno != 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved_errno), "cannot read: %s",
                    g_strerror(saved_errno));
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return g_steal_pointer(&buf);
}

/* the root element's name, found by skipping the XML declaration, comments,
 * processing instructions and a DOCTYPE; NULL when the text does not start like XML */
static char *
vb_sniff_root(const char *xml, gsize len)
{
    const char *p = xml;
    const char *end = xml + len;

    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end) {
        const char *close;
        const char *name;

        while (p < end && g_ascii_isspace(*p))
            p++;
        if (p >= end || *p != '<')
            return NULL;
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            close = g_strstr_len(p + 4, end - p - 4, "-->");
            if (close == NULL)
                return NULL;
            p = close + 3;
            continue;
        }
        if (end - p >= 2 && (p[1] == '?' || p[1] == '!')) {
            close = memchr(p, '>', (gsize)(end - p));
            if (close == NULL)
                return NULL;
            p = close + 1;
            continue;
        }
        name = ++p;
        while (p < end && (g_ascii_isalnum(*p) || strchr("_-.:", *p) != NULL))
            p++;
        return p > name ? g_strndup(name, (gsize)(p - name)) : NULL;
    }
    return NULL;
}

static VbKind
vb_kind_of_root(const char *root)
{
    if (g_strcmp0(root, "domain") == 0)
        return VB_KIND_DOMAIN;
    if (g_strcmp0(root, "network") == 0)
        return VB_KIND_NETWORK;
    if (g_strcmp0(root, "capabilities") == 0)
        return VB_KIND_CAPABILITIES;
    if (root != NULL && vb_domain_device_kind_from_string(root) >= 0)
        return VB_KIND_DEVICE;
    return VB_KIND_AUTO;
}

typedef struct {
    gboolean validate;
    gboolean secure;
    gboolean inactive;
} VbToolFlags;

/* the canonical form of @xml read as @kind */
static char *
vb_canonical(VbKind kind, const char *xml, gsize len, const VbToolFlags *flags, GError **error)
{
    switch (kind) {
    case VB_KIND_DOMAIN: {
        guint parse_flags = flags->validate ? VB_DOMAIN_PARSE_VALIDATE : 0;
        guint xml_flags = (flags->secure ? VB_DOMAIN_XML_SECURE : 0) |
                          (flags->inactive ? VB_DOMAIN_XML_INACTIVE : 0);
        g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, (gssize)len, parse_flags, error);

        return def != NULL ? vb_domain_def_format(def, xml_flags) : NULL;
    }
    case VB_KIND_NETWORK: {
        guint parse_flags = flags->validate ? VB_NETWORK_PARSE_VALIDATE : 0;
        g_autoptr(VbNetworkDef) def = vb_network_def_parse(xml, (gssize)len, parse_flags, error);

        return def != NULL
                   ? vb_network_def_format(def, flags->inactive ? VB_NETWORK_XML_INACTIVE : 0)
                   : NULL;
    }
    case VB_KIND_DEVICE: {
        guint xml_flags = (flags->secure ? VB_DOMAIN_XML_SECURE : 0) |
                          (flags->inactive ? VB_DOMAIN_XML_INACTIVE : 0);
        g_autoptr(VbDomainDeviceDef) dev = vb_domain_device_def_parse(xml, (gssize)len, error);

        return dev != NULL ? vb_domain_device_def_format(dev, xml_flags) : NULL;
    }
    case VB_KIND_CAPABILITIES: {
        g_autoptr(VbCaps) caps = vb_caps_parse(xml, (gssize)len, error);

        return caps != NULL ? vb_caps_format(caps) : NULL;
    }
    case VB_KIND_AUTO:
    default:
        break;
    }
    g_set_error(error, VB_ERROR, VB_ERROR_INTERNAL, "no document kind");
    return NULL;
}

static gboolean
vb_parse_kind(const char *name, VbKind *out)
{
    for (guint i = 0; i < G_N_ELEMENTS(vb_kind_names); i++) {
        if (g_strcmp0(name, vb_kind_names[i]) == 0) {
            *out = (VbKind)i;
            return TRUE;
        }
    }
    return FALSE;
}

int
main(int argc, char **argv)
{
    g_autofree char *kind_name = NULL;
    g_auto(GStrv) files = NULL;
    gboolean quiet = FALSE;
    VbToolFlags flags = {0};
    const GOptionEntry entries[] = {
        {"kind", 'k', 0, G_OPTION_ARG_STRING, &kind_name,
         "What the document is: domain, network, device (one <disk>, <interface>, <input>, "
         "<graphics>, <serial> or <console>), capabilities, or auto (the default: from the "
         "root element)",
         "KIND"},
        {"validate", 0, 0, G_OPTION_ARG_NONE, &flags.validate,
         "Validate against the RelaxNG schema before reading (domain and network only)", NULL},
        {"secure", 0, 0, G_OPTION_ARG_NONE, &flags.secure,
         "Include secrets (such as graphics passwords) in the output, as GetXMLDesc's SECURE "
         "flag",
         NULL},
        {"inactive", 0, 0, G_OPTION_ARG_NONE, &flags.inactive,
         "Print the inactive form (no id, no runtime-only data), as GetXMLDesc's INACTIVE flag",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
         "Print nothing on success: only check the document", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE|-"},
        {NULL},
    };
    g_autoptr(GOptionContext) context = g_option_context_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *out = NULL;
    VbKind kind = VB_KIND_AUTO;
    const char *path;
    gsize len = 0;

    setlocale(LC_ALL, "");
    g_option_context_set_summary(
        context, "Read a virtbus (libvirt-style) XML document with the model the service uses\n"
                 "and print its canonical form.\n"
                 "FILE is a path, or - for standard input; at most 10 MiB are read.");
    g_option_context_set_description(
        context, "Exit status:\n"
                 "  0  the document is valid; its canonical form is on standard output\n"
                 "  1  the document (or the file) is not valid; the reason is on standard "
                 "error as\n"
                 "     'virtbus-xml: FILE: MESSAGE', in the words the D-Bus API would use\n"
                 "  2  the command line is wrong\n"
                 "\n"
                 "The canonical form is stable: feeding it back prints it unchanged.\n"
                 "--secure and --inactive change domain and device output only (network "
                 "output has no\n"
                 "live-only data); capabilities documents have no schema, so --validate "
                 "refuses them.\n");
    g_option_context_add_main_entries(context, entries, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error))
        return vb_usage_error(error->message);
    if (kind_name != NULL && !vb_parse_kind(kind_name, &kind)) {
        g_autofree char *message = g_strdup_printf(
            "unknown --kind '%s' (domain, network, device, capabilities or auto)", kind_name);

        return vb_usage_error(message);
    }
    if (files == NULL || files[0] == NULL)
        return vb_usage_error("no FILE given (use - for standard input)");
    if (files[1] != NULL)
        return vb_usage_error("give exactly one FILE");
    path = files[0];
    if (flags.validate && (kind == VB_KIND_DEVICE || kind == VB_KIND_CAPABILITIES))
        return vb_usage_error("--validate works on domain and network documents only");

    xml = vb_read_input(path, &len, &error);
    if (xml == NULL) {
        g_printerr("virtbus-xml: %s: %s\n", path, error->message);
        return VB_EXIT_ERROR;
    }
    if (kind == VB_KIND_AUTO) {
        g_autofree char *root = vb_sniff_root(xml, len);

        kind = vb_kind_of_root(root);
        if (kind == VB_KIND_AUTO && root != NULL) {
            g_printerr("virtbus-xml: %s: cannot tell the kind of a <%s> document; use --kind\n",
                       path, root);
            return VB_EXIT_ERROR;
        }
        /* nothing that looks like an element: let the parser say what is wrong */
        if (kind == VB_KIND_AUTO)
            kind = VB_KIND_DOMAIN;
        if (flags.validate && (kind == VB_KIND_DEVICE || kind == VB_KIND_CAPABILITIES))
            return vb_usage_error("--validate works on domain and network documents only");
    }

    out = vb_canonical(kind, xml, len, &flags, &error);
    if (out == NULL) {
        g_printerr("virtbus-xml: %s: %s\n", path, error->message);
        return VB_EXIT_ERROR;
    }
    if (!quiet && (fputs(out, stdout) == EOF || fflush(stdout) != 0)) {
        g_printerr("virtbus-xml: cannot write the output: %s\n", g_strerror(errno));
        return VB_EXIT_ERROR;
    }
    return VB_EXIT_OK;
}
