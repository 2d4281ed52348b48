/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-fuzz-replay"

/* replays the fuzzers' corpora (tests/fuzz/corpus/) through the fuzzers' own check on
 * every run, so each reproducer added there stays fixed without clang or libFuzzer */

#include <glib.h>

#if __has_include("domain-conf.h") && __has_include("network-conf.h")
#include "fuzz/fuzz-roundtrip.h"
#define HAVE_MODELS 1
#endif

#ifdef HAVE_MODELS
typedef char *(*FuzzCheck)(const char *data, gsize size);

static void
replay(const char *kind, FuzzCheck check)
{
    g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "fuzz", "corpus", kind, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) handle = g_dir_open(dir, 0, &error);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *entry;
    guint failures = 0;

    g_assert_no_error(error);
    while ((entry = g_dir_read_name(handle)) != NULL)
        g_ptr_array_add(names, g_strdup(entry));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_assert_cmpuint(names->len, >, 0);

    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
        g_autofree char *data = NULL;
        g_autofree char *problem = NULL;
        gsize size = 0;

        g_file_get_contents(path, &data, &size, &error);
        g_assert_no_error(error);
        problem = check(data, size);
        if (problem != NULL) {
            /* every broken input is listed before the test fails */
            g_test_message("%s: %s", path, problem);
            failures++;
        }
    }
    g_test_message("%u %s inputs replayed, %u broken", names->len, kind, failures);
    if (failures > 0)
        g_test_fail_printf("%u of the %s inputs break the round trip", failures, kind);
}

static void
test_replay_domain(void)
{
    replay("domain", vb_fuzz_domain_input);
}

static void
test_replay_network(void)
{
    replay("network", vb_fuzz_network);
}
#endif

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#ifdef HAVE_MODELS
    g_test_add_func("/fuzz-replay/domain", test_replay_domain);
    g_test_add_func("/fuzz-replay/network", test_replay_network);
#endif
    return g_test_run();
}
