/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "ids.h"

#include <string.h>

static int
vb_hex_value(char c)
{
    return g_ascii_xdigit_value(c);
}

gboolean
vb_uuid_parse(const char *str, guint8 uuid[VB_UUID_LEN])
{
    const char *p = str;
    guint n = 0;

    if (str == NULL)
        return FALSE;
    while (g_ascii_isspace(*p))
        p++;
    while (n < VB_UUID_LEN) {
        int hi, lo;

        if (*p == '-') {
            p++;
            continue;
        }
        hi = vb_hex_value(p[0]);
        lo = hi < 0 ? -1 : vb_hex_value(p[1]);
        if (hi < 0 || lo < 0)
            return FALSE;
        uuid[n++] = (guint8)(hi << 4 | lo);
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    return *p == '\0';
}

/* 8-4-4-4-12 lowercase hex; every call on a domain's path formats one, and a printf
 * of 16 fields cost more than the rest of the lookup */
void
vb_uuid_format(const guint8 uuid[VB_UUID_LEN], char out[VB_UUID_STRING_LEN])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;

    for (guint i = 0; i < VB_UUID_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[uuid[i] >> 4];
        *p++ = hex[uuid[i] & 0xf];
    }
    *p = '\0';
}

void
vb_uuid_generate(guint8 uuid[VB_UUID_LEN])
{
    for (guint i = 0; i < VB_UUID_LEN; i += 4) {
        guint32 r = g_random_int();

        memcpy(uuid + i, &r, sizeof(r));
    }
    /* RFC 4122: version 4 (random), variant 10 */
    uuid[6] = (guint8)((uuid[6] & 0x0f) | 0x40);
    uuid[8] = (guint8)((uuid[8] & 0x3f) | 0x80);
}

gboolean
vb_uuid_is_null(const guint8 uuid[VB_UUID_LEN])
{
    for (guint i = 0; i < VB_UUID_LEN; i++) {
        if (uuid[i] != 0)
            return FALSE;
    }
    return TRUE;
}

gboolean
vb_mac_parse(const char *str, guint8 mac[VB_MAC_LEN])
{
    const char *p = str;

    if (str == NULL)
        return FALSE;
    for (guint i = 0; i < VB_MAC_LEN; i++) {
        int hi = vb_hex_value(p[0]);
        int lo = hi < 0 ? -1 : vb_hex_value(p[1]);

        if (hi < 0 || lo < 0)
            return FALSE;
        mac[i] = (guint8)(hi << 4 | lo);
        p += 2;
        if (i + 1 < VB_MAC_LEN) {
            if (*p != ':' && *p != '-')
                return FALSE;
            p++;
        }
    }
    return *p == '\0';
}

void
vb_mac_format(const guint8 mac[VB_MAC_LEN], char out[VB_MAC_STRING_LEN])
{
    g_snprintf(out, VB_MAC_STRING_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
               mac[3], mac[4], mac[5]);
}

void
vb_mac_generate(const guint8 prefix[3], guint8 mac[VB_MAC_LEN])
{
    guint32 r = g_random_int();

    mac[0] = prefix[0];
    mac[1] = prefix[1];
    mac[2] = prefix[2];
    mac[3] = (guint8)(r >> 16);
    mac[4] = (guint8)(r >> 8);
    mac[5] = (guint8)r;
}

gboolean
vb_mac_is_multicast(const guint8 mac[VB_MAC_LEN])
{
    return (mac[0] & 1) != 0;
}

gboolean
vb_name_check(const char *name, const char *what, VbErrorCode code, GError **error)
{
    if (name == NULL || *name == '\0') {
        vb_error_set(error, code, "%s name must not be empty", what);
        return FALSE;
    }
    if (strlen(name) > VB_NAME_MAX) {
        vb_error_set(error, code, "%s name is longer than %d bytes", what, VB_NAME_MAX);
        return FALSE;
    }
    if (!g_utf8_validate(name, -1, NULL)) {
        vb_error_set(error, code, "%s name is not valid UTF-8", what);
        return FALSE;
    }
    if (name[0] == '.') {
        vb_error_set(error, code, "%s name '%s' must not start with '.'", what, name);
        return FALSE;
    }
    for (const char *p = name; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (c == '/') {
            vb_error_set(error, code, "%s name '%s' cannot contain '/'", what, name);
            return FALSE;
        }
        if (g_unichar_iscntrl(c)) {
            vb_error_set(error, code, "%s name cannot contain control characters", what);
            return FALSE;
        }
    }
    return TRUE;
}
