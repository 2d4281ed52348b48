/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "fuzz-domain"

/* libFuzzer harness for vb_domain_def_parse() and, for inputs starting with 'D',
 * vb_domain_device_def_parse(): see fuzz-roundtrip.h for the property checked */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *problem = vb_fuzz_domain_input((const char *)data, size);

    if (problem != NULL) {
        fprintf(stderr, "%s\n", problem);
        abort();
    }
    return 0;
}
