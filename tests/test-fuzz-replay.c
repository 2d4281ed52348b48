/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-fuzz-replay"

/* replays the fuzzers' corpora (tests/fuzz/corpus/) through the fuzzers' own check on
 * every run, so each reproducer added there stays fixed without clang or libFuzzer */

#include <glib.h>

#include "corpus.h"

#if __has_include("domain-conf.h") && __has_include("network-conf.h")
#include "fuzz/fuzz-roundtrip.h"
#define HAVE_MODELS 1
#endif

#ifdef HAVE_MODELS
typedef char *(*FuzzCheck)(const char *data, gsize size);

static void
replay(const char *kind, FuzzCheck check)
{
    g_autoptr(GPtrArray) paths = vb_test_corpus(kind);
    g_autoptr(GError) error = NULL;
    guint failures = 0;

    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
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
    g_test_message("%u %s inputs replayed, %u broken", paths->len, kind, failures);
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
