/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "fuzz-wire"

/* libFuzzer harness for the D-Bus message codec (service/wire.c): see fuzz-wire.h for
 * the property checked */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *problem = vb_fuzz_wire(data, size);

    if (problem != NULL) {
        fprintf(stderr, "%s\n", problem);
        abort();
    }
    return 0;
}
