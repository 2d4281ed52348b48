/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "file-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "vb-error.h"

gboolean
vb_file_check_absolute(const char *path, GError **error)
{
    if (path == NULL || !g_path_is_absolute(path)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "path '%s' is not absolute",
                     path != NULL ? path : "");
        return FALSE;
    }
    return TRUE;
}

gboolean
vb_file_write_all(int fd, const char *data, gsize len, int *err)
{
    while (len > 0) {
        gssize n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = errno;
            return FALSE;
        }
        data += n;
        len -= n;
    }
    return TRUE;
}

void
vb_file_sync_dir(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int
vb_file_atomic_begin(const char *path, mode_t mode, char **tmp_path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, mode);

    if (fd < 0) {
        int err = errno;

        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot write '%s': %s", path,
                     g_strerror(err));
        return -1;
    }
    *tmp_path = g_steal_pointer(&tmp);
    return fd;
}

void
vb_file_atomic_abort(int fd, const char *tmp_path)
{
    close(fd);
    unlink(tmp_path);
}

gboolean
vb_file_atomic_commit(int fd, const char *tmp_path, const char *path, int err, GError **error)
{
    if (err == 0 && fsync(fd) < 0)
        err = errno;
    if (close(fd) < 0 && err == 0)
        err = errno;
    if (err == 0 && rename(tmp_path, path) < 0)
        err = errno;
    if (err != 0) {
        unlink(tmp_path);
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot write '%s': %s", path,
                     g_strerror(err));
        return FALSE;
    }
    vb_file_sync_dir(path);
    return TRUE;
}

gboolean
vb_file_write_atomic(const char *path, const char *data, gsize len, mode_t mode, GError **error)
{
    g_autofree char *tmp = NULL;
    int fd = vb_file_atomic_begin(path, mode, &tmp, error);
    int err = 0;

    if (fd < 0)
        return FALSE;
    vb_file_write_all(fd, data, len, &err);
    return vb_file_atomic_commit(fd, tmp, path, err, error);
}
