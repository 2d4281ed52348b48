/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "domain-conf.h"

#include <string.h>

/* cpusets */

VbCpuSet *
vb_cpuset_new(guint nbits)
{
    VbCpuSet *set = g_new0(VbCpuSet, 1);

    set->nbits = MAX(64u, (nbits + 63) / 64 * 64);
    set->words = g_new0(guint64, set->nbits / 64);
    return set;
}

VbCpuSet *
vb_cpuset_copy(const VbCpuSet *set)
{
    VbCpuSet *copy;

    if (set == NULL)
        return NULL;
    copy = g_new0(VbCpuSet, 1);
    copy->nbits = set->nbits;
    copy->words = g_memdup2(set->words, sizeof(guint64) * (set->nbits / 64));
    return copy;
}

void
vb_cpuset_free(VbCpuSet *set)
{
    if (set == NULL)
        return;
    g_free(set->words);
    g_free(set);
}

gboolean
vb_cpuset_is_set(const VbCpuSet *set, guint cpu)
{
    return cpu < set->nbits && (set->words[cpu / 64] & (G_GUINT64_CONSTANT(1) << (cpu % 64))) != 0;
}

void
vb_cpuset_set(VbCpuSet *set, guint cpu)
{
    g_return_if_fail(cpu < VB_CPUSET_MAX);

    if (cpu >= set->nbits) {
        guint nbits = (cpu / 64 + 1) * 64;

        set->words = g_renew(guint64, set->words, nbits / 64);
        memset(set->words + set->nbits / 64, 0, sizeof(guint64) * ((nbits - set->nbits) / 64));
        set->nbits = nbits;
    }
    set->words[cpu / 64] |= G_GUINT64_CONSTANT(1) << (cpu % 64);
}

void
vb_cpuset_clear(VbCpuSet *set, guint cpu)
{
    if (cpu < set->nbits)
        set->words[cpu / 64] &= ~(G_GUINT64_CONSTANT(1) << (cpu % 64));
}

guint
vb_cpuset_count(const VbCpuSet *set)
{
    guint count = 0;

    for (guint i = 0; i < set->nbits / 64; i++)
        count += (guint)__builtin_popcountll(set->words[i]);
    return count;
}

int
vb_cpuset_next(const VbCpuSet *set, int after)
{
    for (guint cpu = (guint)(after + 1); cpu < set->nbits; cpu++) {
        guint64 word = set->words[cpu / 64] >> (cpu % 64);

        if (word == 0) {
            cpu = (cpu / 64 + 1) * 64 - 1;
            continue;
        }
        if ((word & 1) != 0)
            return (int)cpu;
    }
    return -1;
}

gboolean
vb_cpuset_equal(const VbCpuSet *a, const VbCpuSet *b)
{
    guint n = MAX(a->nbits, b->nbits) / 64;

    for (guint i = 0; i < n; i++) {
        guint64 wa = i < a->nbits / 64 ? a->words[i] : 0;
        guint64 wb = i < b->nbits / 64 ? b->words[i] : 0;

        if (wa != wb)
            return FALSE;
    }
    return TRUE;
}

static const char *
vb_cpuset_number(const char *p, guint *out)
{
    guint64 value = 0;

    if (!g_ascii_isdigit(*p))
        return NULL;
    while (g_ascii_isdigit(*p)) {
        value = value * 10 + (guint64)(*p - '0');
        if (value >= VB_CPUSET_MAX)
            return NULL;
        p++;
    }
    *out = (guint)value;
    return p;
}

VbCpuSet *
vb_cpuset_parse(const char *str)
{
    g_autoptr(VbCpuSet) set = vb_cpuset_new(64);
    const char *p = str;

    if (str == NULL)
        return NULL;
    for (;;) {
        gboolean exclude = FALSE;
        guint first, last;

        while (*p == ' ')
            p++;
        if (*p == '^') {
            exclude = TRUE;
            p++;
        }
        if ((p = vb_cpuset_number(p, &first)) == NULL)
            return NULL;
        last = first;
        if (!exclude && *p == '-') {
            if ((p = vb_cpuset_number(p + 1, &last)) == NULL || last < first)
                return NULL;
        }
        for (guint cpu = first; cpu <= last; cpu++) {
            if (exclude)
                vb_cpuset_clear(set, cpu);
            else
                vb_cpuset_set(set, cpu);
        }
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        if (*p != ',')
            return NULL;
        p++;
    }
    if (vb_cpuset_count(set) == 0)
        return NULL;
    return g_steal_pointer(&set);
}

char *
vb_cpuset_format(const VbCpuSet *set)
{
    GString *out = g_string_new(NULL);
    int cpu = vb_cpuset_next(set, -1);

    while (cpu >= 0) {
        int last = cpu;

        while (vb_cpuset_next(set, last) == last + 1)
            last++;
        if (out->len > 0)
            g_string_append_c(out, ',');
        if (last == cpu)
            g_string_append_printf(out, "%d", cpu);
        else
            g_string_append_printf(out, "%d-%d", cpu, last);
        cpu = vb_cpuset_next(set, last);
    }
    return g_string_free(out, FALSE);
}
