/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-driver.h"

/* the host side of guests: tap devices for network, bridge and ethernet NICs, and
 * (qemu:///system) disk images handed to the qemu user. all of it needs privileges a
 * session service usually lacks; failures name what was missing. */

#define VB_QEMU_TAP_TEMPLATE "vnet%d"

void
vb_qemu_taps_free(VbQemuTaps *taps)
{
    if (taps == NULL)
        return;
    for (guint i = 0; i < taps->fds->len; i++)
        close(g_array_index(taps->fds, int, i));
    g_array_unref(taps->fds);
    g_ptr_array_unref(taps->names);
    g_free(taps);
}

static gboolean
vb_qemu_ifname_ok(const char *name)
{
    if (name == NULL || *name == '\0' || strlen(name) >= IFNAMSIZ || g_str_equal(name, ".") ||
        g_str_equal(name, ".."))
        return FALSE;
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && strchr("-_.", *p) == NULL)
            return FALSE;
    }
    return TRUE;
}

static gboolean
vb_qemu_is_tap_nic(const VbDomainNetDef *net)
{
    return net->type == VB_DOMAIN_NET_NETWORK || net->type == VB_DOMAIN_NET_BRIDGE ||
           net->type == VB_DOMAIN_NET_ETHERNET;
}

GPtrArray *
vb_qemu_taps_prepare(VbConn *conn, const VbDomainDef *def, GError **error)
{
    g_autoptr(GPtrArray) nets =
        g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_net_def_free);

    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);
        g_autoptr(VbDomainNetDef) copy = NULL;
        g_autofree char *sysfs = NULL;

        if (!vb_qemu_is_tap_nic(net))
            continue;
        copy = vb_domain_net_def_copy(net);
        if (net->target_dev != NULL && !vb_qemu_ifname_ok(net->target_dev)) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "interface %u: '%s' is not a valid host interface name", i,
                         net->target_dev);
            return NULL;
        }
        if (net->type == VB_DOMAIN_NET_NETWORK) {
            VbNetworkObj *network = vb_network_list_find_name(
                conn->networks, net->source_network != NULL ? net->source_network : "");

            if (!vb_qemu_conn(conn)->privileged) {
                vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                             "interface %u: virtual networks are not supported by "
                             "qemu:///session yet; use type 'user' or 'bridge'",
                             i);
                return NULL;
            }
            if (network == NULL || !vb_network_obj_is_active(network)) {
                vb_error_set(error, VB_ERROR_NO_NETWORK, "no %snetwork with matching name '%s'",
                             network != NULL ? "active " : "",
                             net->source_network != NULL ? net->source_network : "");
                return NULL;
            }
            g_free(copy->source_bridge);
            copy->source_bridge = g_strdup(vb_network_obj_def(network)->bridge);
        }
        if (net->type == VB_DOMAIN_NET_BRIDGE || net->type == VB_DOMAIN_NET_NETWORK) {
            if (copy->source_bridge == NULL || !vb_qemu_ifname_ok(copy->source_bridge)) {
                vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                             "interface %u: no valid source bridge", i);
                return NULL;
            }
            sysfs = g_strdup_printf("/sys/class/net/%s/bridge", copy->source_bridge);
            if (!g_file_test(sysfs, G_FILE_TEST_IS_DIR)) {
                vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                             "interface %u: bridge '%s' does not exist", i, copy->source_bridge);
                return NULL;
            }
        }
        if (net->type == VB_DOMAIN_NET_ETHERNET && net->script_path != NULL &&
            !g_path_is_absolute(net->script_path)) {
            vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                         "interface %u: script '%s' is not an absolute path", i, net->script_path);
            return NULL;
        }
        g_ptr_array_add(nets, g_steal_pointer(&copy));
    }
    return g_steal_pointer(&nets);
}

static gboolean
vb_qemu_tap_ioctl(int sock, unsigned long request, struct ifreq *ifr, const char *what,
                  const char *name, GError **error)
{
    if (ioctl(sock, request, ifr) == 0)
        return TRUE;
    vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot %s '%s': %s%s", what, name,
                 g_strerror(errno), errno == EPERM ? " (it needs CAP_NET_ADMIN)" : "");
    return FALSE;
}

static int
vb_qemu_tap_open(const VbDomainNetDef *net, char **name, GError **error)
{
    const char *want = net->target_dev != NULL ? net->target_dev : VB_QEMU_TAP_TEMPLATE;
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    int err;

    if (fd < 0) {
        err = errno;
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot open /dev/net/tun: %s",
                     g_strerror(err));
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    g_strlcpy(ifr.ifr_name, want, sizeof(ifr.ifr_name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        err = errno;
        close(fd);
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot create tap device '%s': %s%s", want,
                     g_strerror(err), err == EPERM ? " (it needs CAP_NET_ADMIN)" : "");
        return -1;
    }
    *name = g_strndup(ifr.ifr_name, sizeof(ifr.ifr_name));
    return fd;
}

/* MAC (the guest's with 0xfe first, so the bridge never takes the guest's address),
 * bridge port, up */
static gboolean
vb_qemu_tap_setup(int sock, const VbDomainNetDef *net, const char *name, GError **error)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
    ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
    memcpy(ifr.ifr_hwaddr.sa_data, net->mac, VB_MAC_LEN);
    ifr.ifr_hwaddr.sa_data[0] = (char)0xfe;
    if (!vb_qemu_tap_ioctl(sock, SIOCSIFHWADDR, &ifr, "set the MAC address of", name, error))
        return FALSE;
    if (net->source_bridge != NULL) {
        memset(&ifr, 0, sizeof(ifr));
        g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
        if (!vb_qemu_tap_ioctl(sock, SIOCGIFINDEX, &ifr, "find the index of", name, error))
            return FALSE;
        g_strlcpy(ifr.ifr_name, net->source_bridge, sizeof(ifr.ifr_name));
        if (!vb_qemu_tap_ioctl(sock, SIOCBRADDIF, &ifr, "add a port to bridge", net->source_bridge,
                               error))
            return FALSE;
    }
    memset(&ifr, 0, sizeof(ifr));
    g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
    if (!vb_qemu_tap_ioctl(sock, SIOCGIFFLAGS, &ifr, "read the flags of", name, error))
        return FALSE;
    ifr.ifr_flags |= IFF_UP;
    return vb_qemu_tap_ioctl(sock, SIOCSIFFLAGS, &ifr, "bring up", name, error);
}

/* an ethernet NIC's script gets the tap's name; no shell in between */
static gboolean
vb_qemu_tap_script(const char *script, const char *name, GError **error)
{
    const char *argv[] = {script, name, NULL};
    g_autoptr(GError) local = NULL;
    g_autofree char *err_out = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                      &err_out, &status, &local)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot run script '%s': %s", script,
                     local->message);
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, &local)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "script '%s' for '%s' failed: %s%s%s",
                     script, name, local->message, err_out != NULL && *err_out != '\0' ? ": " : "",
                     err_out != NULL ? g_strstrip(err_out) : "");
        return FALSE;
    }
    return TRUE;
}

VbQemuTaps *
vb_qemu_taps_create(GPtrArray *nets, GError **error)
{
    g_autoptr(VbQemuTaps) taps = g_new0(VbQemuTaps, 1);
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    taps->fds = g_array_new(FALSE, FALSE, sizeof(int));
    taps->names = g_ptr_array_new_with_free_func(g_free);
    if (sock < 0) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot open a control socket: %s",
                     g_strerror(errno));
        return NULL;
    }
    for (guint i = 0; i < nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(nets, i);
        char *name = NULL;
        int fd = vb_qemu_tap_open(net, &name, error);

        if (fd < 0) {
            close(sock);
            return NULL;
        }
        g_array_append_val(taps->fds, fd);
        g_ptr_array_add(taps->names, name);
        if (!vb_qemu_tap_setup(sock, net, name, error) ||
            (net->type == VB_DOMAIN_NET_ETHERNET && net->script_path != NULL &&
             !vb_qemu_tap_script(net->script_path, name, error))) {
            close(sock);
            return NULL;
        }
    }
    close(sock);
    return g_steal_pointer(&taps);
}

static gboolean
vb_qemu_read_counter(const char *ifname, const char *counter, gint64 *value, GError **error)
{
    g_autofree char *path = g_strdup_printf("/sys/class/net/%s/statistics/%s", ifname, counter);
    g_autofree char *text = NULL;
    guint64 n;

    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXINT64, &n, NULL)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot read %s", path);
        return FALSE;
    }
    *value = (gint64)n;
    return TRUE;
}

/* a tap's counters are the host's view: what the guest sends is what the tap receives */
gboolean
vb_qemu_tap_stats(const char *ifname, VbInterfaceStats *stats, GError **error)
{
    if (!vb_qemu_ifname_ok(ifname)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid interface name '%s'", ifname);
        return FALSE;
    }
    return vb_qemu_read_counter(ifname, "tx_bytes", &stats->rx_bytes, error) &&
           vb_qemu_read_counter(ifname, "tx_packets", &stats->rx_packets, error) &&
           vb_qemu_read_counter(ifname, "tx_errors", &stats->rx_errs, error) &&
           vb_qemu_read_counter(ifname, "tx_dropped", &stats->rx_drop, error) &&
           vb_qemu_read_counter(ifname, "rx_bytes", &stats->tx_bytes, error) &&
           vb_qemu_read_counter(ifname, "rx_packets", &stats->tx_packets, error) &&
           vb_qemu_read_counter(ifname, "rx_errors", &stats->tx_errs, error) &&
           vb_qemu_read_counter(ifname, "rx_dropped", &stats->tx_drop, error);
}

/* ---- disk owners (qemu:///system) ---- */

void
vb_qemu_owners_restore(GPtrArray *owners)
{
    for (guint i = 0; owners != NULL && i < owners->len; i++) {
        const VbQemuOwner *owner = g_ptr_array_index(owners, i);

        if (chown(owner->path, owner->uid, owner->gid) < 0)
            g_debug("cannot give '%s' back to %u:%u: %s", owner->path, (guint)owner->uid,
                    (guint)owner->gid, g_strerror(errno));
    }
}

GPtrArray *
vb_qemu_owners_take(GPtrArray *paths, uid_t uid, gid_t gid, GError **error)
{
    g_autoptr(GPtrArray) owners = g_ptr_array_new_with_free_func(vb_qemu_owner_free);

    for (guint i = 0; i < paths->len; i++) {
        const char *path = g_ptr_array_index(paths, i);
        VbQemuOwner *owner;
        struct stat st;

        /* a missing image is qemu's to report */
        if (stat(path, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)))
            continue;
        if (st.st_uid == uid && st.st_gid == gid)
            continue;
        if (chown(path, uid, gid) < 0) {
            int err = errno;

            vb_qemu_owners_restore(owners);
            vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                         "cannot hand disk '%s' to the qemu user: %s", path, g_strerror(err));
            return NULL;
        }
        owner = g_new0(VbQemuOwner, 1);
        owner->path = g_strdup(path);
        owner->uid = st.st_uid;
        owner->gid = st.st_gid;
        g_ptr_array_add(owners, owner);
    }
    return g_steal_pointer(&owners);
}
