/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* the inputs of tests/fuzz/corpus/<kind>, replayed by the unit tests */

#include <glib.h>
#include <string.h>

static inline int
vb_test_corpus_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* full paths, sorted, so a failure names the same file on every run */
static inline GPtrArray *
vb_test_corpus(const char *kind)
{
    g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "fuzz", "corpus", kind, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) handle = g_dir_open(dir, 0, &error);
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    const char *entry;

    g_assert_no_error(error);
    while ((entry = g_dir_read_name(handle)) != NULL)
        g_ptr_array_add(paths, g_build_filename(dir, entry, NULL));
    g_ptr_array_sort(paths, vb_test_corpus_cmp);
    g_assert_cmpuint(paths->len, >, 0);
    return paths;
}
