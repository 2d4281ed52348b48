/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "fuzz-network"

/* libFuzzer harness for vb_network_def_parse(): see fuzz-roundtrip.h for the property
 * checked */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *problem = vb_fuzz_network((const char *)data, size);

    if (problem != NULL) {
        fprintf(stderr, "%s\n", problem);
        abort();
    }
    return 0;
}
