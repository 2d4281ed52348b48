/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "capabilities-conf.h"

#include <string.h>

#include "vb-error.h"
#include "xml-util.h"

/* ---- memory ---- */

static void
vb_caps_machine_free(VbCapsMachine *machine)
{
    if (machine == NULL)
        return;
    g_free(machine->name);
    g_free(machine->canonical);
    g_free(machine);
}

static void
vb_caps_domain_free(VbCapsDomain *domain)
{
    if (domain == NULL)
        return;
    g_free(domain->type);
    g_free(domain->emulator);
    g_ptr_array_unref(domain->machines);
    g_free(domain);
}

static void
vb_caps_feature_free(VbCapsFeature *feature)
{
    if (feature == NULL)
        return;
    g_free(feature->name);
    g_free(feature);
}

static void
vb_caps_guest_free(VbCapsGuest *guest)
{
    if (guest == NULL)
        return;
    g_free(guest->os_type);
    g_free(guest->arch);
    g_free(guest->emulator);
    g_free(guest->loader);
    g_ptr_array_unref(guest->machines);
    g_ptr_array_unref(guest->domains);
    g_ptr_array_unref(guest->features);
    g_free(guest);
}

static void
vb_caps_secmodel_free(VbCapsSecModel *secmodel)
{
    if (secmodel == NULL)
        return;
    g_free(secmodel->model);
    g_free(secmodel->doi);
    g_free(secmodel);
}

static GPtrArray *
vb_caps_machines_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)vb_caps_machine_free);
}

VbCaps *
vb_caps_new(const char *host_arch)
{
    VbCaps *caps = g_new0(VbCaps, 1);

    caps->host.cpu_arch = g_strdup(host_arch);
    caps->host.cpu_features = g_ptr_array_new_with_free_func(g_free);
    caps->host.uri_transports = g_ptr_array_new_with_free_func(g_free);
    caps->host.secmodels = g_ptr_array_new_with_free_func((GDestroyNotify)vb_caps_secmodel_free);
    caps->guests = g_ptr_array_new_with_free_func((GDestroyNotify)vb_caps_guest_free);
    return caps;
}

void
vb_caps_free(VbCaps *caps)
{
    if (caps == NULL)
        return;
    g_free(caps->host.cpu_arch);
    g_free(caps->host.cpu_model);
    g_free(caps->host.cpu_vendor);
    g_ptr_array_unref(caps->host.cpu_features);
    g_ptr_array_unref(caps->host.uri_transports);
    g_ptr_array_unref(caps->host.secmodels);
    g_ptr_array_unref(caps->guests);
    g_free(caps);
}

void
vb_caps_host_add_cpu_feature(VbCaps *caps, const char *name)
{
    g_ptr_array_add(caps->host.cpu_features, g_strdup(name));
}

void
vb_caps_host_add_secmodel(VbCaps *caps, const char *model, const char *doi)
{
    VbCapsSecModel *secmodel = g_new0(VbCapsSecModel, 1);

    secmodel->model = g_strdup(model);
    secmodel->doi = g_strdup(doi);
    g_ptr_array_add(caps->host.secmodels, secmodel);
}

VbCapsGuest *
vb_caps_add_guest(VbCaps *caps, const char *os_type, const char *arch, guint wordsize,
                  const char *emulator, const char *loader)
{
    VbCapsGuest *guest = g_new0(VbCapsGuest, 1);

    guest->os_type = g_strdup(os_type);
    guest->arch = g_strdup(arch);
    guest->wordsize = wordsize;
    guest->emulator = g_strdup(emulator);
    guest->loader = g_strdup(loader);
    guest->machines = vb_caps_machines_new();
    guest->domains = g_ptr_array_new_with_free_func((GDestroyNotify)vb_caps_domain_free);
    guest->features = g_ptr_array_new_with_free_func((GDestroyNotify)vb_caps_feature_free);
    g_ptr_array_add(caps->guests, guest);
    return guest;
}

static VbCapsMachine *
vb_caps_machines_add(GPtrArray *machines, const char *name, const char *canonical, guint max_cpus)
{
    VbCapsMachine *machine = g_new0(VbCapsMachine, 1);

    machine->name = g_strdup(name);
    machine->canonical = g_strdup(canonical);
    machine->max_cpus = max_cpus;
    g_ptr_array_add(machines, machine);
    return machine;
}

VbCapsMachine *
vb_caps_guest_add_machine(VbCapsGuest *guest, const char *name, const char *canonical,
                          guint max_cpus)
{
    return vb_caps_machines_add(guest->machines, name, canonical, max_cpus);
}

VbCapsDomain *
vb_caps_guest_add_domain(VbCapsGuest *guest, const char *type, const char *emulator)
{
    VbCapsDomain *domain = g_new0(VbCapsDomain, 1);

    domain->type = g_strdup(type);
    domain->emulator = g_strdup(emulator);
    domain->machines = vb_caps_machines_new();
    g_ptr_array_add(guest->domains, domain);
    return domain;
}

VbCapsMachine *
vb_caps_domain_add_machine(VbCapsDomain *domain, const char *name, const char *canonical,
                           guint max_cpus)
{
    return vb_caps_machines_add(domain->machines, name, canonical, max_cpus);
}

VbCapsFeature *
vb_caps_guest_add_feature(VbCapsGuest *guest, const char *name, VbCapsFlag default_on,
                          VbCapsFlag toggle)
{
    VbCapsFeature *feature = g_new0(VbCapsFeature, 1);

    feature->name = g_strdup(name);
    feature->default_on = default_on;
    feature->toggle = toggle;
    g_ptr_array_add(guest->features, feature);
    return feature;
}

VbCapsGuest *
vb_caps_find_guest(const VbCaps *caps, const char *os_type, const char *arch)
{
    for (guint i = 0; i < caps->guests->len; i++) {
        VbCapsGuest *guest = g_ptr_array_index(caps->guests, i);

        if (g_strcmp0(guest->os_type, os_type) == 0 && g_strcmp0(guest->arch, arch) == 0)
            return guest;
    }
    return NULL;
}

/* ---- format ---- */

static void
vb_caps_format_machines(VbXmlWriter *w, const GPtrArray *machines)
{
    for (guint i = 0; i < machines->len; i++) {
        const VbCapsMachine *machine = g_ptr_array_index(machines, i);
        g_autofree char *max_cpus = NULL;

        if (machine->max_cpus != 0)
            max_cpus = g_strdup_printf("%u", machine->max_cpus);
        vb_xml_text(w, "machine", machine->name, "canonical", machine->canonical, "maxCpus",
                    max_cpus, NULL);
    }
}

static void
vb_caps_format_host(VbXmlWriter *w, const VbCapsHost *host)
{
    vb_xml_open(w, "host", NULL);
    if (host->has_uuid) {
        char uuid[VB_UUID_STRING_LEN];

        vb_uuid_format(host->uuid, uuid);
        vb_xml_text(w, "uuid", uuid, NULL);
    }
    vb_xml_open(w, "cpu", NULL);
    vb_xml_text(w, "arch", host->cpu_arch, NULL);
    vb_xml_text(w, "model", host->cpu_model, NULL);
    vb_xml_text(w, "vendor", host->cpu_vendor, NULL);
    if (host->sockets != 0) {
        g_autofree char *sockets = g_strdup_printf("%u", host->sockets);
        g_autofree char *dies = host->dies != 0 ? g_strdup_printf("%u", host->dies) : NULL;
        g_autofree char *cores = g_strdup_printf("%u", host->cores);
        g_autofree char *threads = g_strdup_printf("%u", host->threads);

        vb_xml_empty(w, "topology", "sockets", sockets, "dies", dies, "cores", cores, "threads",
                     threads, NULL);
    }
    for (guint i = 0; i < host->cpu_features->len; i++)
        vb_xml_empty(w, "feature", "name", (const char *)g_ptr_array_index(host->cpu_features, i),
                     NULL);
    vb_xml_close(w, "cpu");

    if (host->migration) {
        vb_xml_open(w, "migration_features", NULL);
        if (host->migration_live)
            vb_xml_empty(w, "live", NULL);
        if (host->uri_transports->len > 0) {
            vb_xml_open(w, "uri_transports", NULL);
            for (guint i = 0; i < host->uri_transports->len; i++)
                vb_xml_text(w, "uri_transport",
                            (const char *)g_ptr_array_index(host->uri_transports, i), NULL);
            vb_xml_close(w, "uri_transports");
        }
        vb_xml_close(w, "migration_features");
    }
    for (guint i = 0; i < host->secmodels->len; i++) {
        const VbCapsSecModel *secmodel = g_ptr_array_index(host->secmodels, i);

        vb_xml_open(w, "secmodel", NULL);
        vb_xml_text(w, "model", secmodel->model, NULL);
        vb_xml_text(w, "doi", secmodel->doi, NULL);
        vb_xml_close(w, "secmodel");
    }
    vb_xml_close(w, "host");
}

static const char *
vb_caps_flag_string(VbCapsFlag flag, const char *on, const char *off)
{
    return flag == VB_CAPS_ON ? on : flag == VB_CAPS_OFF ? off : NULL;
}

static void
vb_caps_format_guest(VbXmlWriter *w, const VbCapsGuest *guest)
{
    g_autofree char *wordsize = g_strdup_printf("%u", guest->wordsize);

    vb_xml_open(w, "guest", NULL);
    vb_xml_text(w, "os_type", guest->os_type, NULL);
    vb_xml_open(w, "arch", "name", guest->arch, NULL);
    vb_xml_text(w, "wordsize", wordsize, NULL);
    vb_xml_text(w, "emulator", guest->emulator, NULL);
    vb_xml_text(w, "loader", guest->loader, NULL);
    vb_caps_format_machines(w, guest->machines);
    for (guint i = 0; i < guest->domains->len; i++) {
        const VbCapsDomain *domain = g_ptr_array_index(guest->domains, i);

        if (domain->emulator == NULL && domain->machines->len == 0) {
            vb_xml_empty(w, "domain", "type", domain->type, NULL);
            continue;
        }
        vb_xml_open(w, "domain", "type", domain->type, NULL);
        vb_xml_text(w, "emulator", domain->emulator, NULL);
        vb_caps_format_machines(w, domain->machines);
        vb_xml_close(w, "domain");
    }
    vb_xml_close(w, "arch");
    if (guest->features->len > 0) {
        vb_xml_open(w, "features", NULL);
        for (guint i = 0; i < guest->features->len; i++) {
            const VbCapsFeature *feature = g_ptr_array_index(guest->features, i);

            vb_xml_empty(w, feature->name, "default",
                         vb_caps_flag_string(feature->default_on, "on", "off"), "toggle",
                         vb_caps_flag_string(feature->toggle, "yes", "no"), NULL);
        }
        vb_xml_close(w, "features");
    }
    vb_xml_close(w, "guest");
}

char *
vb_caps_format(const VbCaps *caps)
{
    VbXmlWriter w;

    g_return_val_if_fail(caps != NULL, NULL);
    vb_xml_writer_init(&w);
    vb_xml_open(&w, "capabilities", NULL);
    vb_caps_format_host(&w, &caps->host);
    for (guint i = 0; i < caps->guests->len; i++)
        vb_caps_format_guest(&w, g_ptr_array_index(caps->guests, i));
    vb_xml_close(&w, "capabilities");
    return vb_xml_writer_finish(&w);
}

/* ---- parse ---- */

/* text other than white space in an element that holds only elements, such as the
 * seed page's "..." line */
static gboolean
vb_caps_check_no_text(const xmlNode *node, GError **error)
{
    for (const xmlNode *n = node->children; n != NULL; n = n->next) {
        const char *text = (const char *)n->content;
        long line;

        if ((n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE) || text == NULL)
            continue;
        /* libxml2 numbers a text node by the line where its text ends */
        line = xmlGetLineNo(n);
        for (const char *p = text; *p != '\0'; p++)
            line -= *p == '\n';
        line = MAX(line, n->prev != NULL ? xmlGetLineNo(n->prev) : xmlGetLineNo(node));
        for (; *text != '\0' && g_ascii_isspace(*text); text++) {
            if (*text == '\n')
                line++;
        }
        if (*text != '\0') {
            g_autofree char *path = vb_xml_node_path(node, NULL);
            g_autofree char *shown = g_strndup(text, strcspn(text, "\n"));

            vb_error_set(error, VB_ERROR_XML, "unexpected text '%s' at line %ld in '%s'",
                         g_strchomp(shown), line, path);
            return FALSE;
        }
    }
    return TRUE;
}

/* a container: attributes in @attrs, no stray text */
static gboolean
vb_caps_check_node(const xmlNode *node, const char *const *attrs, GError **error)
{
    return vb_xml_check_attrs(node, attrs, error) && vb_caps_check_no_text(node, error);
}

/* an element without content: attributes in @attrs, no text, no children */
static gboolean
vb_caps_check_empty(const xmlNode *node, const char *const *attrs, GError **error)
{
    xmlNode *child;

    if (!vb_caps_check_node(node, attrs, error))
        return FALSE;
    if ((child = vb_xml_first_element(node)) != NULL)
        return vb_xml_unexpected(error, child);
    return TRUE;
}

/* the trimmed, non-empty text of a leaf with attributes in @attrs */
static char *
vb_caps_text(const xmlNode *node, const char *const *attrs, GError **error)
{
    xmlNode *child;
    g_autofree char *text = NULL;

    if (!vb_xml_check_attrs(node, attrs, error))
        return NULL;
    if ((child = vb_xml_first_element(node)) != NULL) {
        vb_xml_unexpected(error, child);
        return NULL;
    }
    text = g_strstrip(vb_xml_content(node));
    if (*text == '\0') {
        vb_xml_invalid(error, node, NULL, text);
        return NULL;
    }
    if (!g_utf8_validate(text, -1, NULL) || strpbrk(text, "\n\r\t") != NULL) {
        vb_xml_invalid(error, node, NULL, text);
        return NULL;
    }
    return g_steal_pointer(&text);
}

/* a leaf that may appear once into *@out */
static gboolean
vb_caps_text_once(const xmlNode *node, char **out, GError **error)
{
    if (*out != NULL)
        return vb_xml_unexpected(error, node);
    *out = vb_caps_text(node, NULL, error);
    return *out != NULL;
}

/* a positive number in attribute @attr; absent leaves *@out at 0 */
static gboolean
vb_caps_uint_attr(const xmlNode *node, const char *attr, guint *out, GError **error)
{
    g_autofree char *value = vb_xml_prop(node, attr);

    if (value == NULL)
        return TRUE;
    if (!vb_parse_uint(value, out) || *out == 0)
        return vb_xml_invalid(error, node, attr, value);
    return TRUE;
}

/* @seen: the names in @machines, to find duplicates without a scan */
static gboolean
vb_caps_parse_machine(const xmlNode *node, GPtrArray *machines, GHashTable *seen, GError **error)
{
    static const char *const attrs[] = {"canonical", "maxCpus", NULL};
    g_autofree char *name = vb_caps_text(node, attrs, error);
    g_autofree char *canonical = NULL;
    guint max_cpus = 0;

    if (name == NULL || !vb_caps_uint_attr(node, "maxCpus", &max_cpus, error))
        return FALSE;
    canonical = vb_xml_prop(node, "canonical");
    if (canonical != NULL && *canonical == '\0')
        return vb_xml_invalid(error, node, "canonical", canonical);
    if (g_hash_table_contains(seen, name)) {
        g_autofree char *path = vb_xml_node_path(node, NULL);

        vb_error_set(error, VB_ERROR_XML, "duplicate machine '%s' at '%s'", name, path);
        return FALSE;
    }
    g_hash_table_add(seen, vb_caps_machines_add(machines, name, canonical, max_cpus)->name);
    return TRUE;
}

static gboolean
vb_caps_parse_domain(const xmlNode *node, VbCapsGuest *guest, GHashTable *seen, GError **error)
{
    static const char *const attrs[] = {"type", NULL};
    g_autofree char *type = NULL;
    g_autoptr(GHashTable) machines = g_hash_table_new(g_str_hash, g_str_equal);
    VbCapsDomain *domain;

    if (!vb_caps_check_node(node, attrs, error))
        return FALSE;
    type = vb_xml_prop(node, "type");
    if (type == NULL)
        return vb_xml_missing(error, node, "attribute 'type'");
    if (*type == '\0' || strpbrk(type, " \t\n\r") != NULL)
        return vb_xml_invalid(error, node, "type", type);
    if (g_hash_table_contains(seen, type)) {
        g_autofree char *path = vb_xml_node_path(node, NULL);

        vb_error_set(error, VB_ERROR_XML, "duplicate domain type '%s' at '%s'", type, path);
        return FALSE;
    }
    domain = vb_caps_guest_add_domain(guest, type, NULL);
    g_hash_table_add(seen, domain->type);
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns == NULL && vb_xml_is(n, "emulator")) {
            if (!vb_caps_text_once(n, &domain->emulator, error))
                return FALSE;
        } else if (n->ns == NULL && vb_xml_is(n, "machine")) {
            if (!vb_caps_parse_machine(n, domain->machines, machines, error))
                return FALSE;
        } else {
            return vb_xml_unexpected(error, n);
        }
    }
    return TRUE;
}

static gboolean
vb_caps_parse_arch(const xmlNode *node, VbCapsGuest *guest, GError **error)
{
    static const char *const attrs[] = {"name", NULL};
    g_autofree char *wordsize = NULL;
    g_autoptr(GHashTable) machines = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) domains = g_hash_table_new(g_str_hash, g_str_equal);

    if (!vb_caps_check_node(node, attrs, error))
        return FALSE;
    guest->arch = vb_xml_prop(node, "name");
    if (guest->arch == NULL)
        return vb_xml_missing(error, node, "attribute 'name'");
    if (*guest->arch == '\0' || strpbrk(guest->arch, " \t\n\r") != NULL)
        return vb_xml_invalid(error, node, "name", guest->arch);

    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (n->ns != NULL)
            return vb_xml_unexpected(error, n);
        if (vb_xml_is(n, "wordsize"))
            ok = vb_caps_text_once(n, &wordsize, error);
        else if (vb_xml_is(n, "emulator"))
            ok = vb_caps_text_once(n, &guest->emulator, error);
        else if (vb_xml_is(n, "loader"))
            ok = vb_caps_text_once(n, &guest->loader, error);
        else if (vb_xml_is(n, "machine"))
            ok = vb_caps_parse_machine(n, guest->machines, machines, error);
        else if (vb_xml_is(n, "domain"))
            ok = vb_caps_parse_domain(n, guest, domains, error);
        else
            ok = vb_xml_unexpected(error, n);
        if (!ok)
            return FALSE;
    }
    if (wordsize == NULL)
        return vb_xml_missing(error, node, "<wordsize>");
    if (!vb_parse_uint(wordsize, &guest->wordsize) ||
        (guest->wordsize != 16 && guest->wordsize != 32 && guest->wordsize != 64)) {
        xmlNode *child = vb_xml_child(node, "wordsize");

        return vb_xml_invalid(error, child, NULL, wordsize);
    }
    return TRUE;
}

static gboolean
vb_caps_parse_features(const xmlNode *node, VbCapsGuest *guest, GError **error)
{
    static const char *const attrs[] = {"default", "toggle", NULL};
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    if (!vb_caps_check_node(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        g_autofree char *def = NULL;
        g_autofree char *toggle = NULL;
        VbCapsFlag def_flag = VB_CAPS_UNSET;
        VbCapsFlag toggle_flag = VB_CAPS_UNSET;

        if (n->ns != NULL)
            return vb_xml_unexpected(error, n);
        if (!vb_caps_check_empty(n, attrs, error))
            return FALSE;
        def = vb_xml_prop(n, "default");
        toggle = vb_xml_prop(n, "toggle");
        if (def != NULL) {
            if (g_strcmp0(def, "on") != 0 && g_strcmp0(def, "off") != 0)
                return vb_xml_invalid(error, n, "default", def);
            def_flag = g_strcmp0(def, "on") == 0 ? VB_CAPS_ON : VB_CAPS_OFF;
        }
        if (toggle != NULL) {
            if (g_strcmp0(toggle, "yes") != 0 && g_strcmp0(toggle, "no") != 0)
                return vb_xml_invalid(error, n, "toggle", toggle);
            toggle_flag = g_strcmp0(toggle, "yes") == 0 ? VB_CAPS_ON : VB_CAPS_OFF;
        }
        if (g_hash_table_contains(seen, n->name))
            return vb_xml_unexpected(error, n);
        g_hash_table_add(
            seen,
            vb_caps_guest_add_feature(guest, (const char *)n->name, def_flag, toggle_flag)->name);
    }
    return TRUE;
}

/* @seen: "os_type\narch" of the guests before, to find duplicates without a scan */
static gboolean
vb_caps_parse_guest(const xmlNode *node, VbCaps *caps, GHashTable *seen, GError **error)
{
    VbCapsGuest *guest = vb_caps_add_guest(caps, NULL, NULL, 0, NULL, NULL);
    gboolean seen_arch = FALSE;
    gboolean seen_features = FALSE;

    if (!vb_caps_check_node(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (n->ns != NULL) {
            ok = vb_xml_unexpected(error, n);
        } else if (vb_xml_is(n, "os_type")) {
            ok = vb_caps_text_once(n, &guest->os_type, error);
        } else if (vb_xml_is(n, "arch")) {
            ok = !seen_arch ? vb_caps_parse_arch(n, guest, error) : vb_xml_unexpected(error, n);
            seen_arch = TRUE;
        } else if (vb_xml_is(n, "features")) {
            ok = !seen_features ? vb_caps_parse_features(n, guest, error)
                                : vb_xml_unexpected(error, n);
            seen_features = TRUE;
        } else {
            ok = vb_xml_unexpected(error, n);
        }
        if (!ok)
            return FALSE;
    }
    if (guest->os_type == NULL)
        return vb_xml_missing(error, node, "<os_type>");
    if (!seen_arch)
        return vb_xml_missing(error, node, "<arch>");
    if (!g_hash_table_add(seen, g_strdup_printf("%s\n%s", guest->os_type, guest->arch))) {
        g_autofree char *path = vb_xml_node_path(node, NULL);

        vb_error_set(error, VB_ERROR_XML, "duplicate guest with os_type '%s' and arch '%s' at '%s'",
                     guest->os_type, guest->arch, path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vb_caps_parse_cpu(const xmlNode *node, VbCapsHost *host, GError **error)
{
    static const char *const topology_attrs[] = {"sockets", "dies", "cores", "threads", NULL};
    static const char *const feature_attrs[] = {"name", NULL};
    gboolean seen_topology = FALSE;
    gboolean seen_features = FALSE;

    if (!vb_caps_check_node(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns != NULL) {
            return vb_xml_unexpected(error, n);
        } else if (vb_xml_is(n, "arch")) {
            if (!vb_caps_text_once(n, &host->cpu_arch, error))
                return FALSE;
        } else if (vb_xml_is(n, "model")) {
            if (!vb_caps_text_once(n, &host->cpu_model, error))
                return FALSE;
        } else if (vb_xml_is(n, "vendor")) {
            if (!vb_caps_text_once(n, &host->cpu_vendor, error))
                return FALSE;
        } else if (vb_xml_is(n, "topology")) {
            if (seen_topology)
                return vb_xml_unexpected(error, n);
            seen_topology = TRUE;
            if (!vb_caps_check_empty(n, topology_attrs, error) ||
                !vb_caps_uint_attr(n, "sockets", &host->sockets, error) ||
                !vb_caps_uint_attr(n, "dies", &host->dies, error) ||
                !vb_caps_uint_attr(n, "cores", &host->cores, error) ||
                !vb_caps_uint_attr(n, "threads", &host->threads, error))
                return FALSE;
            if (host->sockets == 0 || host->cores == 0 || host->threads == 0)
                return vb_xml_missing(error, n, "attribute 'sockets', 'cores' or 'threads'");
        } else if (vb_xml_is(n, "feature")) {
            g_autofree char *name = NULL;

            if (!vb_caps_check_empty(n, feature_attrs, error))
                return FALSE;
            if ((name = vb_xml_prop(n, "name")) == NULL)
                return vb_xml_missing(error, n, "attribute 'name'");
            if (*name == '\0' || strpbrk(name, " \t\n\r") != NULL)
                return vb_xml_invalid(error, n, "name", name);
            g_ptr_array_add(host->cpu_features, g_steal_pointer(&name));
        } else if (vb_xml_is(n, "features")) {
            /* the old form: <features><vmx/></features> */
            if (seen_features)
                return vb_xml_unexpected(error, n);
            seen_features = TRUE;
            if (!vb_caps_check_node(n, NULL, error))
                return FALSE;
            for (xmlNode *f = vb_xml_first_element(n); f != NULL; f = vb_xml_next_element(f)) {
                if (f->ns != NULL)
                    return vb_xml_unexpected(error, f);
                if (!vb_caps_check_empty(f, NULL, error))
                    return FALSE;
                g_ptr_array_add(host->cpu_features, g_strdup((const char *)f->name));
            }
        } else {
            return vb_xml_unexpected(error, n);
        }
    }
    if (host->cpu_arch == NULL)
        return vb_xml_missing(error, node, "<arch>");
    return TRUE;
}

static gboolean
vb_caps_parse_migration(const xmlNode *node, VbCapsHost *host, GError **error)
{
    gboolean seen_uris = FALSE;

    if (host->migration)
        return vb_xml_unexpected(error, node);
    host->migration = TRUE;
    if (!vb_caps_check_node(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        if (n->ns == NULL && vb_xml_is(n, "live") && !host->migration_live) {
            if (!vb_caps_check_empty(n, NULL, error))
                return FALSE;
            host->migration_live = TRUE;
        } else if (n->ns == NULL && vb_xml_is(n, "uri_transports") && !seen_uris) {
            seen_uris = TRUE;
            if (!vb_caps_check_node(n, NULL, error))
                return FALSE;
            for (xmlNode *u = vb_xml_first_element(n); u != NULL; u = vb_xml_next_element(u)) {
                char *uri;

                if (u->ns != NULL || !vb_xml_is(u, "uri_transport"))
                    return vb_xml_unexpected(error, u);
                if ((uri = vb_caps_text(u, NULL, error)) == NULL)
                    return FALSE;
                g_ptr_array_add(host->uri_transports, uri);
            }
        } else {
            return vb_xml_unexpected(error, n);
        }
    }
    return TRUE;
}

static gboolean
vb_caps_parse_secmodel(const xmlNode *node, VbCapsHost *host, GError **error)
{
    g_autofree char *model = NULL;
    g_autofree char *doi = NULL;
    VbCapsSecModel *secmodel;

    if (!vb_caps_check_node(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (n->ns == NULL && vb_xml_is(n, "model"))
            ok = vb_caps_text_once(n, &model, error);
        else if (n->ns == NULL && vb_xml_is(n, "doi"))
            ok = vb_caps_text_once(n, &doi, error);
        else
            ok = vb_xml_unexpected(error, n);
        if (!ok)
            return FALSE;
    }
    if (model == NULL)
        return vb_xml_missing(error, node, "<model>");
    secmodel = g_new0(VbCapsSecModel, 1);
    secmodel->model = g_steal_pointer(&model);
    secmodel->doi = g_steal_pointer(&doi);
    g_ptr_array_add(host->secmodels, secmodel);
    return TRUE;
}

static gboolean
vb_caps_parse_host(const xmlNode *node, VbCapsHost *host, GError **error)
{
    gboolean seen_uuid = FALSE;
    gboolean seen_cpu = FALSE;

    if (!vb_caps_check_node(node, NULL, error))
        return FALSE;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (n->ns != NULL) {
            ok = vb_xml_unexpected(error, n);
        } else if (vb_xml_is(n, "uuid")) {
            g_autofree char *text = NULL;

            ok = !seen_uuid ? vb_caps_text_once(n, &text, error) : vb_xml_unexpected(error, n);
            seen_uuid = TRUE;
            if (ok && !vb_uuid_parse(text, host->uuid))
                ok = vb_xml_invalid(error, n, NULL, text);
            host->has_uuid = ok;
        } else if (vb_xml_is(n, "cpu")) {
            /* vb_caps_new() filled in an arch that the document's replaces */
            g_clear_pointer(&host->cpu_arch, g_free);
            ok = !seen_cpu ? vb_caps_parse_cpu(n, host, error) : vb_xml_unexpected(error, n);
            seen_cpu = TRUE;
        } else if (vb_xml_is(n, "migration_features")) {
            ok = vb_caps_parse_migration(n, host, error);
        } else if (vb_xml_is(n, "secmodel")) {
            ok = vb_caps_parse_secmodel(n, host, error);
        } else {
            ok = vb_xml_unexpected(error, n);
        }
        if (!ok)
            return FALSE;
    }
    if (!seen_cpu)
        return vb_xml_missing(error, node, "<cpu>");
    return TRUE;
}

VbCaps *
vb_caps_parse(const char *xml, gssize len, GError **error)
{
    g_autoptr(xmlDoc) doc = vb_xml_parse(xml, len, "capabilities", "capabilities", error);
    g_autoptr(VbCaps) caps = NULL;
    g_autoptr(GHashTable) guests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    xmlNode *root;
    gboolean seen_host = FALSE;

    if (doc == NULL)
        return NULL;
    root = xmlDocGetRootElement(doc);
    caps = vb_caps_new(NULL);
    if (!vb_caps_check_node(root, NULL, error))
        return NULL;
    for (xmlNode *n = vb_xml_first_element(root); n != NULL; n = vb_xml_next_element(n)) {
        gboolean ok;

        if (n->ns == NULL && vb_xml_is(n, "host") && !seen_host)
            ok = vb_caps_parse_host(n, &caps->host, error);
        else if (n->ns == NULL && vb_xml_is(n, "guest"))
            ok = vb_caps_parse_guest(n, caps, guests, error);
        else
            ok = vb_xml_unexpected(error, n);
        if (vb_xml_is(n, "host"))
            seen_host = TRUE;
        if (!ok)
            return NULL;
    }
    if (!seen_host) {
        vb_xml_missing(error, root, "<host>");
        return NULL;
    }
    return g_steal_pointer(&caps);
}
