/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "qemu-capabilities.h"
#include "qemu-host.h"
#include "qemu-monitor.h"
#include "vb-error.h"

/* QMP is ready within a tenth of a second; these only bound a broken binary */
#define VB_QEMU_PROBE_TIMEOUT_MS 10000
#define VB_QEMU_PROBE_EXIT_MS    5000

static const struct {
    const char *target; /* QEMU's: qemu-system-<target>, query-target */
    const char *arch;   /* libvirt's */
    guint wordsize;
} vb_qemu_archs[] = {
    {"x86_64", "x86_64", 64},   {"i386", "i686", 32},
    {"aarch64", "aarch64", 64}, {"arm", "armv7l", 32},
    {"ppc64", "ppc64", 64},     {"ppc", "ppc", 32},
    {"riscv64", "riscv64", 64}, {"riscv32", "riscv32", 32},
    {"s390x", "s390x", 64},     {"mips64el", "mips64el", 64},
    {"mips64", "mips64", 64},   {"mipsel", "mipsel", 32},
    {"mips", "mips", 32},       {"sparc64", "sparc64", 64},
    {"sparc", "sparc", 32},     {"loongarch64", "loongarch64", 64},
};

static GMutex vb_qemu_caps_lock;
static GHashTable *vb_qemu_caps_cache;  /* binary -> VbQemuCaps* */
static GHashTable *vb_qemu_caps_probes; /* binary -> VbQemuCapsProbe* in flight */

typedef struct {
    char *binary;
    gint64 mtime_ns, ctime_ns, size;
    GMainContext *context;
    GSubprocess *proc;
    GOutputStream *errbuf;
    VbQemuMonitor *mon;
    VbQemuCaps *caps;
    GError *error;
    guint busy;    /* callbacks still to come */
    guint queries; /* query answers still to come */
    GSource *exit_timer;
    GPtrArray *waiters; /* GTask*, under vb_qemu_caps_lock */
} VbQemuCapsProbe;

/* ---- the caps object ---- */

static void
vb_qemu_machine_free(VbQemuMachine *machine)
{
    g_free(machine->name);
    g_free(machine->alias);
    g_free(machine);
}

static void
vb_qemu_caps_clear(gpointer data)
{
    VbQemuCaps *caps = data;

    g_free(caps->binary);
    g_free(caps->package);
    g_free(caps->arch);
    g_clear_pointer(&caps->machines, g_ptr_array_unref);
    g_strfreev(caps->cpu_models);
}

/* virObjectRef: does not block, any thread */
VbQemuCaps *
vb_qemu_caps_ref(VbQemuCaps *caps)
{
    return g_atomic_rc_box_acquire(caps);
}

/* virObjectUnref: does not block, any thread */
void
vb_qemu_caps_unref(VbQemuCaps *caps)
{
    if (caps != NULL)
        g_atomic_rc_box_release_full(caps, vb_qemu_caps_clear);
}

/* virQEMUCapsGetCanonicalMachine's lookup: does not block */
const VbQemuMachine *
vb_qemu_caps_find_machine(const VbQemuCaps *caps, const char *name)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const VbQemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (g_strcmp0(m->name, name) == 0 || g_strcmp0(m->alias, name) == 0)
            return m;
    }
    return NULL;
}

/* virQEMUCapsGetPreferredMachine: does not block */
const VbQemuMachine *
vb_qemu_caps_default_machine(const VbQemuCaps *caps)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const VbQemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (m->is_default)
            return m;
    }
    return NULL;
}

/* virQEMUCapsIsCPUModeSupported for a named model: does not block */
gboolean
vb_qemu_caps_has_cpu_model(const VbQemuCaps *caps, const char *model)
{
    return caps->cpu_models != NULL &&
           g_strv_contains((const char *const *)caps->cpu_models, model);
}

/* ---- arches and binaries ---- */

/* virQEMUCapsArchFromString: does not block */
const char *
vb_qemu_arch_from_target(const char *target, guint *wordsize)
{
    for (guint i = 0; i < G_N_ELEMENTS(vb_qemu_archs); i++) {
        if (g_strcmp0(vb_qemu_archs[i].target, target) == 0) {
            if (wordsize != NULL)
                *wordsize = vb_qemu_archs[i].wordsize;
            return vb_qemu_archs[i].arch;
        }
    }
    return NULL;
}

/* libvirt's arch for a qemu-system-<target> binary, or NULL */
static const char *
vb_qemu_arch_from_binary(const char *binary, guint *wordsize)
{
    g_autofree char *base = g_path_get_basename(binary);

    if (!g_str_has_prefix(base, "qemu-system-"))
        return NULL;
    return vb_qemu_arch_from_target(base + strlen("qemu-system-"), wordsize);
}

static char *
vb_qemu_host_arch(void)
{
    struct utsname uts;

    return g_strdup(uname(&uts) == 0 ? uts.machine : "unknown");
}

/* whether KVM on this host runs guests of @arch */
static gboolean
vb_qemu_kvm_runs(const char *arch)
{
    g_autofree char *host = vb_qemu_host_arch();

    return g_strcmp0(arch, host) == 0 ||
           (g_strcmp0(host, "x86_64") == 0 && g_strcmp0(arch, "i686") == 0);
}

/* PATH lookups on the calling thread */
GPtrArray *
vb_qemu_find_binaries(void)
{
    GPtrArray *found = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < G_N_ELEMENTS(vb_qemu_archs); i++) {
        g_autofree char *name = g_strconcat("qemu-system-", vb_qemu_archs[i].target, NULL);
        char *path = g_find_program_in_path(name);

        if (path != NULL)
            g_ptr_array_add(found, path);
    }
    return found;
}

/* PATH lookups on the calling thread */
char *
vb_qemu_find_binary_for_arch(const char *arch)
{
    for (guint i = 0; i < G_N_ELEMENTS(vb_qemu_archs); i++) {
        if (g_strcmp0(vb_qemu_archs[i].arch, arch) == 0) {
            g_autofree char *name = g_strconcat("qemu-system-", vb_qemu_archs[i].target, NULL);
            char *path = g_find_program_in_path(name);

            if (path != NULL)
                return path;
        }
    }
    /* a 64-bit emulator runs its 32-bit variant's guests */
    if (g_strcmp0(arch, "i686") == 0)
        return g_find_program_in_path("qemu-system-x86_64");
    return NULL;
}

/* ---- probing ---- */

static void
vb_qemu_caps_probe_record(VbQemuCapsProbe *probe, const GError *error)
{
    if (probe->error == NULL)
        probe->error = g_error_copy(error);
}

static void
vb_qemu_caps_probe_free(VbQemuCapsProbe *probe)
{
    if (probe->exit_timer != NULL) {
        g_source_destroy(probe->exit_timer);
        g_source_unref(probe->exit_timer);
    }
    vb_qemu_monitor_free(probe->mon);
    g_clear_object(&probe->proc);
    g_clear_object(&probe->errbuf);
    vb_qemu_caps_unref(probe->caps);
    g_clear_error(&probe->error);
    g_ptr_array_unref(probe->waiters);
    g_main_context_unref(probe->context);
    g_free(probe->binary);
    g_free(probe);
}

/* the first line QEMU wrote on stderr, or NULL */
static char *
vb_qemu_caps_probe_stderr(VbQemuCapsProbe *probe)
{
    GMemoryOutputStream *out = G_MEMORY_OUTPUT_STREAM(probe->errbuf);
    g_autofree char *text = NULL;
    char *nl;

    if (out == NULL || g_memory_output_stream_get_data_size(out) == 0)
        return NULL;
    text = g_strndup(g_memory_output_stream_get_data(out),
                     MIN(g_memory_output_stream_get_data_size(out), 1024));
    g_strstrip(text);
    nl = strchr(text, '\n');
    if (nl != NULL)
        *nl = '\0';
    return *text != '\0' ? g_steal_pointer(&text) : NULL;
}

static void
vb_qemu_caps_probe_finish(VbQemuCapsProbe *probe)
{
    g_autoptr(GPtrArray) waiters = NULL;
    g_autoptr(GError) error = NULL;

    vb_qemu_monitor_free(g_steal_pointer(&probe->mon));
    if (probe->error == NULL && (probe->caps->version == 0 || probe->caps->machines->len == 0))
        vb_error_set(&probe->error, VB_ERROR_INTERNAL, "QEMU reported no version or machines");
    if (probe->error != NULL) {
        g_autofree char *why = vb_qemu_caps_probe_stderr(probe);

        vb_error_set(&error, VB_ERROR_INTERNAL, "Failed to probe capabilities for %s: %s",
                     probe->binary, why != NULL ? why : probe->error->message);
    }

    g_mutex_lock(&vb_qemu_caps_lock);
    if (error == NULL) {
        if (vb_qemu_caps_cache == NULL)
            vb_qemu_caps_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify)vb_qemu_caps_unref);
        g_hash_table_replace(vb_qemu_caps_cache, g_strdup(probe->binary),
                             vb_qemu_caps_ref(probe->caps));
    }
    if (vb_qemu_caps_probes != NULL &&
        g_hash_table_lookup(vb_qemu_caps_probes, probe->binary) == probe)
        g_hash_table_remove(vb_qemu_caps_probes, probe->binary);
    waiters = g_steal_pointer(&probe->waiters);
    probe->waiters = g_ptr_array_new();
    g_mutex_unlock(&vb_qemu_caps_lock);

    for (guint i = 0; i < waiters->len; i++) {
        GTask *task = waiters->pdata[i];

        if (error != NULL)
            g_task_return_error(task, g_error_copy(error));
        else
            g_task_return_pointer(task, vb_qemu_caps_ref(probe->caps),
                                  (GDestroyNotify)vb_qemu_caps_unref);
    }
    vb_qemu_caps_probe_free(probe);
}

static void
vb_qemu_caps_probe_done_one(VbQemuCapsProbe *probe)
{
    if (--probe->busy == 0)
        vb_qemu_caps_probe_finish(probe);
}

static void
vb_qemu_caps_probe_kill(VbQemuCapsProbe *probe)
{
    if (probe->proc != NULL)
        g_subprocess_force_exit(probe->proc);
}

static gboolean
vb_qemu_caps_probe_exit_timeout(gpointer data)
{
    VbQemuCapsProbe *probe = data;

    g_clear_pointer(&probe->exit_timer, g_source_unref);
    vb_qemu_caps_probe_kill(probe);
    return G_SOURCE_REMOVE;
}

static void
vb_qemu_caps_probe_exited(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuCapsProbe *probe = data;

    g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
    if (probe->exit_timer != NULL) {
        g_source_destroy(probe->exit_timer);
        g_clear_pointer(&probe->exit_timer, g_source_unref);
    }
    vb_qemu_caps_probe_done_one(probe);
}

static void
vb_qemu_caps_probe_stderr_done(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuCapsProbe *probe = data;

    g_output_stream_splice_finish(G_OUTPUT_STREAM(source), result, NULL);
    vb_qemu_caps_probe_done_one(probe);
}

static void
vb_qemu_caps_probe_quit_done(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuCapsProbe *probe = data;
    G_GNUC_UNUSED g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, NULL);

    /* QEMU may close the monitor before it answers quit: the exit is what counts */
    probe->exit_timer = g_timeout_source_new(VB_QEMU_PROBE_EXIT_MS);
    g_source_set_callback(probe->exit_timer, vb_qemu_caps_probe_exit_timeout, probe, NULL);
    g_source_attach(probe->exit_timer, probe->context);
    vb_qemu_caps_probe_done_one(probe);
}

static void
vb_qemu_caps_parse_version(VbQemuCaps *caps, JsonObject *ret)
{
    JsonObject *qemu = vb_qemu_json_object(ret, "qemu");
    gint64 major = 0, minor = 0, micro = 0;

    if (vb_qemu_json_int(qemu, "major", &major) && vb_qemu_json_int(qemu, "minor", &minor) &&
        vb_qemu_json_int(qemu, "micro", &micro))
        caps->version = major * 1000000 + minor * 1000 + micro;
    if (vb_qemu_json_string(ret, "package") != NULL && *vb_qemu_json_string(ret, "package") != 0)
        caps->package = g_strdup(vb_qemu_json_string(ret, "package"));
}

static void
vb_qemu_caps_parse_machines(VbQemuCaps *caps, JsonArray *list)
{
    for (guint i = 0; list != NULL && i < json_array_get_length(list); i++) {
        JsonNode *node = json_array_get_element(list, i);
        JsonObject *m = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
        VbQemuMachine *machine;
        gint64 max_cpus = 0;

        if (vb_qemu_json_string(m, "name") == NULL)
            continue;
        machine = g_new0(VbQemuMachine, 1);
        machine->name = g_strdup(vb_qemu_json_string(m, "name"));
        machine->alias = g_strdup(vb_qemu_json_string(m, "alias"));
        machine->is_default = vb_qemu_json_bool(m, "is-default", FALSE);
        machine->deprecated = vb_qemu_json_bool(m, "deprecated", FALSE);
        if (vb_qemu_json_int(m, "cpu-max", &max_cpus) && max_cpus > 0)
            machine->max_cpus = (guint)MIN(max_cpus, G_MAXUINT);
        g_ptr_array_add(caps->machines, machine);
    }
}

static int
vb_qemu_caps_compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static void
vb_qemu_caps_parse_cpu_models(VbQemuCaps *caps, JsonArray *list)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    for (guint i = 0; list != NULL && i < json_array_get_length(list); i++) {
        JsonNode *node = json_array_get_element(list, i);
        JsonObject *m = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;

        if (vb_qemu_json_string(m, "name") != NULL)
            g_ptr_array_add(names, g_strdup(vb_qemu_json_string(m, "name")));
    }
    g_ptr_array_sort(names, vb_qemu_caps_compare_names);
    g_ptr_array_add(names, NULL);
    g_strfreev(caps->cpu_models);
    caps->cpu_models = (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

typedef enum {
    VB_QEMU_QUERY_VERSION,
    VB_QEMU_QUERY_TARGET,
    VB_QEMU_QUERY_KVM,
    VB_QEMU_QUERY_MACHINES,
    VB_QEMU_QUERY_CPUS,
    VB_QEMU_QUERY_SANDBOX,
    VB_QEMU_QUERY_COUNT,
} VbQemuQuery;

static const struct {
    const char *execute;
    const char *arguments;
    gboolean required;
} vb_qemu_queries[VB_QEMU_QUERY_COUNT] = {
    [VB_QEMU_QUERY_VERSION] = {"query-version", NULL, TRUE},
    [VB_QEMU_QUERY_TARGET] = {"query-target", NULL, FALSE},
    [VB_QEMU_QUERY_KVM] = {"query-kvm", NULL, FALSE},
    [VB_QEMU_QUERY_MACHINES] = {"query-machines", NULL, TRUE},
    [VB_QEMU_QUERY_CPUS] = {"query-cpu-definitions", NULL, FALSE},
    [VB_QEMU_QUERY_SANDBOX] = {"query-command-line-options", "{\"option\": \"sandbox\"}", FALSE},
};

typedef struct {
    VbQemuCapsProbe *probe;
    VbQemuQuery query;
} VbQemuCapsQuery;

static void
vb_qemu_caps_probe_answer(GObject *source, GAsyncResult *result, gpointer data)
{
    g_autofree VbQemuCapsQuery *q = data;
    VbQemuCapsProbe *probe = q->probe;
    VbQemuCaps *caps = probe->caps;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, &error);
    JsonObject *obj = ret != NULL && JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    JsonArray *list = ret != NULL && JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;

    if (ret == NULL) {
        /* an older or smaller QEMU may lack the optional queries */
        if (vb_qemu_queries[q->query].required)
            vb_qemu_caps_probe_record(probe, error);
    } else {
        switch (q->query) {
        case VB_QEMU_QUERY_VERSION:
            vb_qemu_caps_parse_version(caps, obj);
            break;
        case VB_QEMU_QUERY_TARGET: {
            const char *target = vb_qemu_json_string(obj, "arch");
            const char *arch = vb_qemu_arch_from_target(target, &caps->wordsize);

            if (target != NULL) {
                g_free(caps->arch);
                caps->arch = g_strdup(arch != NULL ? arch : target);
            }
            break;
        }
        case VB_QEMU_QUERY_KVM:
            caps->kvm = vb_qemu_json_bool(obj, "enabled", FALSE);
            caps->kvm_present = vb_qemu_json_bool(obj, "present", FALSE);
            break;
        case VB_QEMU_QUERY_MACHINES:
            vb_qemu_caps_parse_machines(caps, list);
            break;
        case VB_QEMU_QUERY_CPUS:
            vb_qemu_caps_parse_cpu_models(caps, list);
            break;
        case VB_QEMU_QUERY_SANDBOX:
            caps->sandbox = list != NULL && json_array_get_length(list) > 0;
            break;
        case VB_QEMU_QUERY_COUNT:
            break;
        }
    }
    if (--probe->queries == 0) {
        if (probe->error == NULL && probe->mon != NULL) {
            probe->busy++;
            vb_qemu_monitor_command(probe->mon, "quit", NULL, VB_QEMU_PROBE_EXIT_MS,
                                    vb_qemu_caps_probe_quit_done, probe);
        } else {
            vb_qemu_caps_probe_kill(probe);
        }
    }
    vb_qemu_caps_probe_done_one(probe);
}

static void
vb_qemu_caps_probe_opened(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuCapsProbe *probe = data;
    g_autoptr(GError) error = NULL;

    probe->mon = vb_qemu_monitor_open_finish(result, &error);
    if (probe->mon == NULL) {
        vb_qemu_caps_probe_record(probe, error);
        vb_qemu_caps_probe_kill(probe);
    } else {
        probe->queries = VB_QEMU_QUERY_COUNT;
        probe->busy += VB_QEMU_QUERY_COUNT;
        for (guint i = 0; i < VB_QEMU_QUERY_COUNT; i++) {
            VbQemuCapsQuery *q = g_new0(VbQemuCapsQuery, 1);
            JsonNode *args = vb_qemu_queries[i].arguments != NULL
                                 ? json_from_string(vb_qemu_queries[i].arguments, NULL)
                                 : NULL;

            q->probe = probe;
            q->query = i;
            vb_qemu_monitor_command(probe->mon, vb_qemu_queries[i].execute, args,
                                    VB_QEMU_PROBE_TIMEOUT_MS, vb_qemu_caps_probe_answer, q);
        }
    }
    vb_qemu_caps_probe_done_one(probe);
}

static void
vb_qemu_caps_probe_start(VbQemuCapsProbe *probe)
{
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GIOStream) stream = NULL;
    g_autoptr(GError) error = NULL;
    const char *arch = vb_qemu_arch_from_binary(probe->binary, &probe->caps->wordsize);

    g_ptr_array_add(argv, probe->binary);
    g_ptr_array_add(argv, "-machine");
    g_ptr_array_add(argv, "none");
    g_ptr_array_add(argv, "-nodefaults");
    g_ptr_array_add(argv, "-display");
    g_ptr_array_add(argv, "none");
    g_ptr_array_add(argv, "-S");
    g_ptr_array_add(argv, "-no-user-config");
    g_ptr_array_add(argv, "-qmp");
    g_ptr_array_add(argv, "stdio");
    /* KVM is usable when it comes up; otherwise QEMU falls back to TCG. a foreign
     * arch's emulator might open /dev/kvm without being able to use it */
    if ((arch == NULL || vb_qemu_kvm_runs(arch)) && access("/dev/kvm", R_OK | W_OK) == 0) {
        g_ptr_array_add(argv, "-accel");
        g_ptr_array_add(argv, "kvm");
    }
    g_ptr_array_add(argv, "-accel");
    g_ptr_array_add(argv, "tcg");
    g_ptr_array_add(argv, NULL);
    g_subprocess_launcher_setenv(launcher, "LC_ALL", "C", TRUE);

    probe->busy = 1; /* the start itself */
    probe->caps->arch = g_strdup(arch);
    probe->proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
    if (probe->proc == NULL) {
        vb_qemu_caps_probe_record(probe, error);
        vb_qemu_caps_probe_done_one(probe);
        return;
    }
    probe->busy += 3;
    probe->errbuf = g_memory_output_stream_new_resizable();
    g_output_stream_splice_async(probe->errbuf, g_subprocess_get_stderr_pipe(probe->proc),
                                 G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                     G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                 G_PRIORITY_DEFAULT, NULL, vb_qemu_caps_probe_stderr_done, probe);
    g_subprocess_wait_async(probe->proc, NULL, vb_qemu_caps_probe_exited, probe);
    stream = g_simple_io_stream_new(g_subprocess_get_stdout_pipe(probe->proc),
                                    g_subprocess_get_stdin_pipe(probe->proc));
    vb_qemu_monitor_open_stream_async(stream, VB_QEMU_PROBE_TIMEOUT_MS, NULL, NULL, NULL,
                                      vb_qemu_caps_probe_opened, probe);
    vb_qemu_caps_probe_done_one(probe);
}

/* ---- the cache ---- */

static gboolean
vb_qemu_caps_stat(const char *binary, char **path, struct stat *st, GError **error)
{
    g_autofree char *found =
        strchr(binary, '/') != NULL ? g_strdup(binary) : g_find_program_in_path(binary);

    if (found == NULL || stat(found, st) < 0) {
        int err = found == NULL ? ENOENT : errno;

        vb_error_set(error, VB_ERROR_SYSTEM, "Cannot check QEMU binary %s: %s", binary,
                     g_strerror(err));
        return FALSE;
    }
    if (!S_ISREG(st->st_mode) || access(found, X_OK) < 0) {
        vb_error_set(error, VB_ERROR_SYSTEM, "QEMU binary %s is not executable", found);
        return FALSE;
    }
    *path = g_steal_pointer(&found);
    return TRUE;
}

#define VB_STAT_NS(ts) ((gint64)(ts).tv_sec * G_GINT64_CONSTANT(1000000000) + (ts).tv_nsec)

/* virQEMUCapsCacheLookup: a stat and, on a miss, a fork/exec; never waits for QEMU */
void
vb_qemu_caps_get_async(const char *binary, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GMainContext) context = g_main_context_ref_thread_default();
    VbQemuCapsProbe *probe;
    VbQemuCaps *cached;
    struct stat st;

    g_task_set_source_tag(task, vb_qemu_caps_get_async);
    if (!vb_qemu_caps_stat(binary, &path, &st, &error)) {
        g_task_return_error(task, g_steal_pointer(&error));
        return;
    }

    g_mutex_lock(&vb_qemu_caps_lock);
    cached = vb_qemu_caps_cache != NULL ? g_hash_table_lookup(vb_qemu_caps_cache, path) : NULL;
    if (cached != NULL && cached->mtime_ns == VB_STAT_NS(st.st_mtim) &&
        cached->ctime_ns == VB_STAT_NS(st.st_ctim) && cached->size == st.st_size) {
        cached = vb_qemu_caps_ref(cached);
        g_mutex_unlock(&vb_qemu_caps_lock);
        g_task_return_pointer(task, cached, (GDestroyNotify)vb_qemu_caps_unref);
        return;
    }
    probe = vb_qemu_caps_probes != NULL ? g_hash_table_lookup(vb_qemu_caps_probes, path) : NULL;
    /* share a probe only within one context: a blocking caller iterating its own
     * context would otherwise wait for a context nobody runs */
    if (probe != NULL && probe->context == context && probe->mtime_ns == VB_STAT_NS(st.st_mtim) &&
        probe->ctime_ns == VB_STAT_NS(st.st_ctim) && probe->size == st.st_size) {
        g_ptr_array_add(probe->waiters, g_steal_pointer(&task));
        g_mutex_unlock(&vb_qemu_caps_lock);
        return;
    }
    probe = g_new0(VbQemuCapsProbe, 1);
    probe->binary = g_strdup(path);
    probe->mtime_ns = VB_STAT_NS(st.st_mtim);
    probe->ctime_ns = VB_STAT_NS(st.st_ctim);
    probe->size = st.st_size;
    probe->context = g_steal_pointer(&context);
    probe->waiters = g_ptr_array_new_with_free_func(g_object_unref);
    g_ptr_array_add(probe->waiters, g_steal_pointer(&task));
    probe->caps = g_atomic_rc_box_new0(VbQemuCaps);
    probe->caps->binary = g_strdup(path);
    probe->caps->mtime_ns = probe->mtime_ns;
    probe->caps->ctime_ns = probe->ctime_ns;
    probe->caps->size = probe->size;
    probe->caps->tcg = TRUE;
    probe->caps->wordsize = 64;
    probe->caps->machines = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_machine_free);
    probe->caps->cpu_models = g_new0(char *, 1);
    if (vb_qemu_caps_probes == NULL)
        vb_qemu_caps_probes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_replace(vb_qemu_caps_probes, g_strdup(path), probe);
    g_mutex_unlock(&vb_qemu_caps_lock);

    vb_qemu_caps_probe_start(probe);
}

/* the end of vb_qemu_caps_get_async: does not block */
VbQemuCaps *
vb_qemu_caps_get_finish(GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

typedef struct {
    gboolean done;
    GAsyncResult *result;
} VbQemuCapsSync;

static void
vb_qemu_caps_sync_done(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuCapsSync *sync = data;

    sync->result = g_object_ref(result);
    sync->done = TRUE;
}

/* virQEMUCapsCacheLookup: blocks until the probe is done */
VbQemuCaps *
vb_qemu_caps_get(const char *binary, GError **error)
{
    g_autoptr(GMainContext) context = g_main_context_new();
    VbQemuCapsSync sync = {FALSE, NULL};
    VbQemuCaps *caps;

    g_main_context_push_thread_default(context);
    vb_qemu_caps_get_async(binary, NULL, vb_qemu_caps_sync_done, &sync);
    while (!sync.done)
        g_main_context_iteration(context, TRUE);
    /* let cancelled reads of the probe's monitor finish and free what they hold */
    while (g_main_context_pending(context))
        g_main_context_iteration(context, FALSE);
    g_main_context_pop_thread_default(context);
    caps = vb_qemu_caps_get_finish(sync.result, error);
    g_object_unref(sync.result);
    return caps;
}

/* virQEMUCapsCacheFree: does not block (takes the cache lock) */
void
vb_qemu_caps_cache_clear(void)
{
    g_mutex_lock(&vb_qemu_caps_lock);
    g_clear_pointer(&vb_qemu_caps_cache, g_hash_table_unref);
    g_mutex_unlock(&vb_qemu_caps_lock);
}

/* ---- every binary ---- */

typedef struct {
    GPtrArray *slots; /* VbQemuCaps* or NULL, in vb_qemu_find_binaries' order */
    guint left;
    GError *error;
} VbQemuCapsAll;

static void
vb_qemu_caps_all_free(gpointer data)
{
    VbQemuCapsAll *all = data;

    g_ptr_array_unref(all->slots);
    g_clear_error(&all->error);
    g_free(all);
}

typedef struct {
    GTask *task;
    guint index;
} VbQemuCapsSlot;

static void
vb_qemu_caps_all_one(GObject *source, GAsyncResult *result, gpointer data)
{
    g_autofree VbQemuCapsSlot *slot = data;
    g_autoptr(GTask) task = slot->task;
    VbQemuCapsAll *all = g_task_get_task_data(task);
    g_autoptr(GError) error = NULL;
    VbQemuCaps *caps = vb_qemu_caps_get_finish(result, &error);
    GPtrArray *found;

    if (caps != NULL) {
        all->slots->pdata[slot->index] = caps;
    } else {
        g_debug("%s", error->message);
        if (all->error == NULL)
            all->error = g_steal_pointer(&error);
    }
    if (--all->left > 0)
        return;
    found = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref);
    for (guint i = 0; i < all->slots->len; i++) {
        if (all->slots->pdata[i] != NULL)
            g_ptr_array_add(found, vb_qemu_caps_ref(all->slots->pdata[i]));
    }
    if (found->len == 0 && all->error != NULL) {
        g_ptr_array_unref(found);
        g_task_return_error(task, g_steal_pointer(&all->error));
    } else {
        g_task_return_pointer(task, found, (GDestroyNotify)g_ptr_array_unref);
    }
}

/* virQEMUCapsInit's probing: PATH lookups, then vb_qemu_caps_get_async per binary */
void
vb_qemu_caps_probe_all_async(GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
    g_autoptr(GPtrArray) binaries = vb_qemu_find_binaries();
    VbQemuCapsAll *all = g_new0(VbQemuCapsAll, 1);

    g_task_set_source_tag(task, vb_qemu_caps_probe_all_async);
    all->slots = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref);
    g_ptr_array_set_size(all->slots, binaries->len);
    all->left = binaries->len;
    g_task_set_task_data(task, all, vb_qemu_caps_all_free);
    if (binaries->len == 0) {
        g_task_return_pointer(task,
                              g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref),
                              (GDestroyNotify)g_ptr_array_unref);
        return;
    }
    for (guint i = 0; i < binaries->len; i++) {
        VbQemuCapsSlot *slot = g_new0(VbQemuCapsSlot, 1);

        slot->task = g_object_ref(task);
        slot->index = i;
        vb_qemu_caps_get_async(binaries->pdata[i], cancellable, vb_qemu_caps_all_one, slot);
    }
}

/* the end of vb_qemu_caps_probe_all_async: does not block */
GPtrArray *
vb_qemu_caps_probe_all_finish(GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- the document ---- */

static void
vb_qemu_caps_add_machine(VbCapsGuest *guest, const VbQemuMachine *m)
{
    if (m->alias != NULL)
        vb_caps_guest_add_machine(guest, m->alias, m->name, m->max_cpus);
    vb_caps_guest_add_machine(guest, m->name, NULL, m->max_cpus);
}

/* virQEMUCapsInit: reads /proc and sysfs on the calling thread */
VbCaps *
vb_qemu_caps_build(const GPtrArray *all, GError **error)
{
    g_auto(VbQemuHostCpu) cpu = {0};
    g_autoptr(VbCaps) caps = NULL;

    if (!vb_qemu_host_cpu(&cpu, error))
        return NULL;
    caps = vb_caps_new(cpu.arch);
    caps->host.has_uuid = vb_qemu_host_uuid(caps->host.uuid);
    caps->host.cpu_vendor = g_strdup(cpu.vendor);
    caps->host.sockets = cpu.sockets;
    caps->host.dies = cpu.dies;
    caps->host.cores = cpu.cores;
    caps->host.threads = cpu.threads;
    vb_caps_host_add_secmodel(caps, "none", "0");

    for (guint i = 0; all != NULL && i < all->len; i++) {
        const VbQemuCaps *qc = g_ptr_array_index(all, i);
        const VbQemuMachine *def = vb_qemu_caps_default_machine(qc);
        gboolean x86 = g_strcmp0(qc->arch, "x86_64") == 0 || g_strcmp0(qc->arch, "i686") == 0;
        VbCapsGuest *guest;

        if (qc->arch == NULL || vb_caps_find_guest(caps, "hvm", qc->arch) != NULL)
            continue;
        guest = vb_caps_add_guest(caps, "hvm", qc->arch, qc->wordsize, qc->binary, NULL);
        /* the default machine first, as clients take the first one */
        if (def != NULL)
            vb_qemu_caps_add_machine(guest, def);
        for (guint j = 0; j < qc->machines->len; j++) {
            const VbQemuMachine *m = g_ptr_array_index(qc->machines, j);

            if (m != def)
                vb_qemu_caps_add_machine(guest, m);
        }
        vb_caps_guest_add_domain(guest, "qemu", NULL);
        if (qc->kvm && vb_qemu_kvm_runs(qc->arch))
            vb_caps_guest_add_domain(guest, "kvm", NULL);
        if (x86) {
            if (g_strcmp0(qc->arch, "i686") == 0) {
                vb_caps_guest_add_feature(guest, "pae", VB_CAPS_UNSET, VB_CAPS_UNSET);
                vb_caps_guest_add_feature(guest, "nonpae", VB_CAPS_UNSET, VB_CAPS_UNSET);
            }
            vb_caps_guest_add_feature(guest, "acpi", VB_CAPS_ON, VB_CAPS_ON);
            vb_caps_guest_add_feature(guest, "apic", VB_CAPS_ON, VB_CAPS_OFF);
        }
        vb_caps_guest_add_feature(guest, "cpuselection", VB_CAPS_UNSET, VB_CAPS_UNSET);
        vb_caps_guest_add_feature(guest, "deviceboot", VB_CAPS_UNSET, VB_CAPS_UNSET);
        vb_caps_guest_add_feature(guest, "disksnapshot", VB_CAPS_ON, VB_CAPS_OFF);
    }
    return g_steal_pointer(&caps);
}
