/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <libxml/parser.h>

#include "dispatch.h"

static const VbInterface *const vb_interfaces[] = {
    &vb_connect_interface,
    &vb_domain_interface,
    &vb_network_interface,
};

static void
add_perm(GHashTable *set, const char *perm)
{
    g_hash_table_add(set, g_strconcat("org.libvirt.api.", perm, NULL));
}

/* every action a call can ask polkit about, from the tables alone */
static GHashTable *
table_actions(void)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < G_N_ELEMENTS(vb_interfaces); i++) {
        for (const VbMethod *m = vb_interfaces[i]->methods; m->name != NULL; m++) {
            g_autofree char *object = g_strndup(m->perms[0], strcspn(m->perms[0], "."));

            for (guint j = 0; j < G_N_ELEMENTS(m->perms) && m->perms[j] != NULL; j++)
                add_perm(set, m->perms[j]);
            if ((m->perm_flags & VB_PERM_FLAG_SECURE) != 0) {
                g_autofree char *perm = g_strdup_printf("%s.read-secure", object);

                add_perm(set, perm);
            }
            if ((m->perm_flags & VB_PERM_FLAG_SAVE) != 0) {
                g_autofree char *perm = g_strdup_printf("%s.save", object);

                add_perm(set, perm);
            }
        }
        for (const VbProperty *p = vb_interfaces[i]->properties; p->name != NULL; p++) {
            add_perm(set, p->get_perm);
            if (p->set_perm != NULL)
                add_perm(set, p->set_perm);
        }
    }
    return set;
}

static char *
child_text(xmlNode *parent, const char *name)
{
    for (xmlNode *n = parent->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0) {
            xmlChar *text = xmlNodeGetContent(n);
            char *copy = g_strdup((const char *)text);

            xmlFree(text);
            return copy;
        }
    }
    return NULL;
}

static void
test_actions_match_tables(void)
{
    g_autofree char *path =
        g_build_filename(g_getenv("VB_SOURCE_DIR"), "policy", "org.libvirt.api.policy", NULL);
    g_autoptr(GHashTable) expected = table_actions();
    g_autoptr(GHashTable) declared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    GHashTableIter iter;
    gpointer key;

    g_assert_nonnull(doc);
    for (xmlNode *n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next) {
        xmlChar *id;
        xmlNode *defaults = NULL;
        g_autofree char *any = NULL;
        g_autofree char *inactive = NULL;
        g_autofree char *active = NULL;
        const char *perm;
        gboolean open_to_all;

        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "action") != 0)
            continue;
        id = xmlGetProp(n, (const xmlChar *)"id");
        g_assert_nonnull(id);
        /* file → tables: nothing declared that no call asks for */
        if (!g_hash_table_contains(expected, id))
            g_error("%s is declared but no table row asks for it", (const char *)id);
        for (xmlNode *c = n->children; c != NULL; c = c->next) {
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "defaults") == 0)
                defaults = c;
        }
        g_assert_nonnull(defaults);
        any = child_text(defaults, "allow_any");
        inactive = child_text(defaults, "allow_inactive");
        active = child_text(defaults, "allow_active");
        /* libvirt's defaults: attributes, reads and searches for anyone */
        perm = strrchr((const char *)id, '.') + 1;
        open_to_all = strcmp(perm, "getattr") == 0 || strcmp(perm, "read") == 0 ||
                      g_str_has_prefix(perm, "search-");
        g_assert_cmpstr(any, ==, open_to_all ? "yes" : "no");
        g_assert_cmpstr(inactive, ==, open_to_all ? "yes" : "no");
        g_assert_cmpstr(active, ==, open_to_all ? "yes" : "no");
        g_hash_table_add(declared, g_strdup((const char *)id));
        xmlFree(id);
    }
    xmlFreeDoc(doc);

    /* tables → file: every action a call can ask about is declared */
    g_hash_table_iter_init(&iter, expected);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (!g_hash_table_contains(declared, key))
            g_error("%s is asked for but not declared in the actions file", (const char *)key);
    }
    g_assert_cmpuint(g_hash_table_size(declared), ==, g_hash_table_size(expected));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/policy/actions-match-tables", test_actions_match_tables);
    return g_test_run();
}
