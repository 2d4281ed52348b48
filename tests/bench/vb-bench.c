/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vb-bench: a D-Bus benchmark client for whatever owns org.libvirt on the session bus
 * (virtbusd or libvirt-dbus). One connection per thread, synchronous calls, nothing
 * else on the client's hot path. For each scenario it prints one JSON line and one
 * human line ("# ...").
 *
 * usage: vb-bench [OPTIONS] SCENARIO...
 *   scenarios: ping list xml getall state lookup define-undefine create-destroy
 *              populate N    parallel K SCENARIO
 *   --pid PID      the service: its cpu per op (all threads, ns clock) and VmRSS
 *   --bus-pid PID  the bus daemon: its cpu per op
 *   -n N           measured iterations (default 2000; populate: N itself)
 *   -w N           warmup iterations (default 200)
 *   --start S      populate names from bench-S on (default 0)
 *   --domain NAME  the domain of the read scenarios (default "test")
 *   --label TEXT   copied into the JSON ("service")
 *   --tag K=V      copied into the JSON, may repeat
 *
 * cpu: the process cpu clock of each pid (every thread, dead ones included: utime+stime
 * in ns; /proc/PID/stat's tick count is reported beside it). A single-client scenario
 * runs in 5 blocks and reports the median block's cpu per op (and the overall mean):
 * a burst of other load on the machine moves the median less. Latency: per op, from
 * sending to the reply, as p10/p50/p90.
 */
#define G_LOG_DOMAIN "vb-bench"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VB_BENCH_DEST    "org.libvirt"
#define VB_BENCH_CONNECT "/org/libvirt/Test"
#define VB_BENCH_TIMEOUT 120000
#define VB_BENCH_MINIMAL                                                                           \
    "<domain type='test'><name>%s</name><memory>1024</memory>"                                     \
    "<os><type>hvm</type></os></domain>"

typedef struct {
    GDBusConnection *bus;
    char *dom_path;  /* the read scenarios' domain */
    guint64 *lat_ns; /* one per measured op */
    guint n;
    guint index; /* thread number, for unique names */
    GError *error;
} VbWorker;

typedef gboolean (*VbOpFunc)(VbWorker *w, guint i, GError **error);

typedef struct {
    const char *name;
    guint calls_per_op;
    gboolean needs_domain;
    VbOpFunc op;
} VbScenario;

/* options */
static int opt_pid = -1;
static int opt_bus_pid = -1;
static guint opt_iterations = 2000;
static guint opt_warmup = 200;
static guint opt_start;
static const char *opt_domain = "test";
static const char *opt_label = "";
static GPtrArray *opt_tags;
static char *bus_address;

static gint64
vb_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gint64)ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

/* cpu time of every thread of @pid, dead ones included: the precise form of
 * utime+stime (/proc/PID/stat counts the same time in clock ticks) */
static gint64
vb_cpu_ns(int pid)
{
    clockid_t clock;
    struct timespec ts;

    if (pid < 0)
        return -1;
    if (pid == 0)
        clock = CLOCK_PROCESS_CPUTIME_ID;
    else if (clock_getcpuclockid(pid, &clock) != 0)
        return -1;
    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return (gint64)ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

/* utime+stime from /proc/PID/stat, in ns (tick resolution) */
static gint64
vb_stat_ns(int pid)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    unsigned long long utime, stime;
    const char *p;

    if (pid <= 0)
        return -1;
    path = g_strdup_printf("/proc/%d/stat", pid);
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    p = strrchr(text, ')');
    /* after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
     * cmajflt utime stime */
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    return (gint64)((utime + stime) * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK)));
}

static gint64
vb_rss_kb(int pid)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    const char *p;

    if (pid <= 0)
        return -1;
    path = g_strdup_printf("/proc/%d/status", pid);
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    p = strstr(text, "\nVmRSS:");
    return p != NULL ? g_ascii_strtoll(p + 7, NULL, 10) : -1;
}

typedef struct {
    gint64 mono, svc_cpu, svc_stat, bus_cpu, client_cpu, rss_kb;
} VbSnap;

/* a single-client run is measured in blocks: the cpu per op reported is the median of
 * the blocks', so a burst of other load on the machine moves it less */
#define VB_BLOCKS 5

typedef struct {
    guint n; /* blocks */
    guint ops[VB_BLOCKS];
    VbSnap snap[VB_BLOCKS + 1];
} VbSnaps;

static void
vb_snap(VbSnap *s)
{
    s->rss_kb = vb_rss_kb(opt_pid);
    s->svc_stat = vb_stat_ns(opt_pid);
    s->svc_cpu = vb_cpu_ns(opt_pid);
    s->bus_cpu = vb_cpu_ns(opt_bus_pid);
    s->client_cpu = vb_cpu_ns(0);
    s->mono = vb_now_ns();
}

/* ---- the calls ---- */

typedef struct {
    GVariant *reply;
    GError *error;
    gboolean done;
} VbReply;

static void
vb_on_reply(GObject *source, GAsyncResult *result, gpointer data)
{
    VbReply *r = data;

    r->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &r->error);
    r->done = TRUE;
}

/* one call at a time, waited for on the thread's own main context: the same as
 * g_dbus_connection_call_sync() without the main context and loop it makes per call,
 * which cost the client more than a whole call costs virtbusd */
static GVariant *
vb_call(VbWorker *w, const char *path, const char *iface, const char *method, GVariant *args,
        GError **error)
{
    VbReply r = {NULL, NULL, FALSE};
    GMainContext *context = g_main_context_get_thread_default();

    g_dbus_connection_call(w->bus, VB_BENCH_DEST, path, iface, method, args, NULL,
                           G_DBUS_CALL_FLAGS_NO_AUTO_START, VB_BENCH_TIMEOUT, NULL, vb_on_reply,
                           &r);
    while (!r.done)
        g_main_context_iteration(context, TRUE);
    if (r.error != NULL)
        g_propagate_error(error, r.error);
    return r.reply;
}

static gboolean
vb_call_void(VbWorker *w, const char *path, const char *iface, const char *method, GVariant *args,
             GError **error)
{
    g_autoptr(GVariant) reply = vb_call(w, path, iface, method, args, error);

    return reply != NULL;
}

static char *
vb_call_path(VbWorker *w, const char *path, const char *iface, const char *method, GVariant *args,
             GError **error)
{
    g_autoptr(GVariant) reply = vb_call(w, path, iface, method, args, error);
    char *out = NULL;

    if (reply == NULL)
        return NULL;
    if (!g_variant_is_of_type(reply, G_VARIANT_TYPE("(o)"))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s returned %s", method,
                    g_variant_get_type_string(reply));
        return NULL;
    }
    g_variant_get(reply, "(o)", &out);
    return out;
}

static gboolean
vb_op_ping(VbWorker *w, guint i, GError **error)
{
    return vb_call_void(w, VB_BENCH_CONNECT, "org.freedesktop.DBus.Peer", "Ping", NULL, error);
}

static gboolean
vb_op_list(VbWorker *w, guint i, GError **error)
{
    return vb_call_void(w, VB_BENCH_CONNECT, "org.libvirt.Connect", "ListDomains",
                        g_variant_new("(u)", 0u), error);
}

static gboolean
vb_op_xml(VbWorker *w, guint i, GError **error)
{
    return vb_call_void(w, w->dom_path, "org.libvirt.Domain", "GetXMLDesc",
                        g_variant_new("(u)", 0u), error);
}

static gboolean
vb_op_getall(VbWorker *w, guint i, GError **error)
{
    return vb_call_void(w, w->dom_path, "org.freedesktop.DBus.Properties", "GetAll",
                        g_variant_new("(s)", "org.libvirt.Domain"), error);
}

static gboolean
vb_op_state(VbWorker *w, guint i, GError **error)
{
    return vb_call_void(w, w->dom_path, "org.libvirt.Domain", "GetState", g_variant_new("(u)", 0u),
                        error);
}

static gboolean
vb_op_lookup(VbWorker *w, guint i, GError **error)
{
    return vb_call_void(w, VB_BENCH_CONNECT, "org.libvirt.Connect", "DomainLookupByName",
                        g_variant_new("(s)", opt_domain), error);
}

/* the minimal domain both services accept, named bench-PREFIX-THREAD-I */
static char *
vb_minimal_xml(const char *prefix, guint thread, guint i)
{
    g_autofree char *name = g_strdup_printf("bench-%s-%u-%u", prefix, thread, i);

    return g_strdup_printf(VB_BENCH_MINIMAL, name);
}

static gboolean
vb_op_define_undefine(VbWorker *w, guint i, GError **error)
{
    g_autofree char *xml = vb_minimal_xml("du", w->index, i);
    g_autofree char *path = vb_call_path(w, VB_BENCH_CONNECT, "org.libvirt.Connect",
                                         "DomainDefineXML", g_variant_new("(s)", xml), error);

    return path != NULL &&
           vb_call_void(w, path, "org.libvirt.Domain", "Undefine", g_variant_new("(u)", 0u), error);
}

static gboolean
vb_op_create_destroy(VbWorker *w, guint i, GError **error)
{
    g_autofree char *xml = vb_minimal_xml("cd", w->index, i);
    g_autofree char *path = vb_call_path(w, VB_BENCH_CONNECT, "org.libvirt.Connect",
                                         "DomainCreateXML", g_variant_new("(su)", xml, 0u), error);

    return path != NULL &&
           vb_call_void(w, path, "org.libvirt.Domain", "Destroy", g_variant_new("(u)", 0u), error);
}

static gboolean
vb_op_populate(VbWorker *w, guint i, GError **error)
{
    g_autofree char *name = g_strdup_printf("bench-%u", opt_start + i);
    g_autofree char *xml = g_strdup_printf(VB_BENCH_MINIMAL, name);
    g_autofree char *path = vb_call_path(w, VB_BENCH_CONNECT, "org.libvirt.Connect",
                                         "DomainDefineXML", g_variant_new("(s)", xml), error);

    return path != NULL;
}

static const VbScenario vb_scenarios[] = {
    {"ping", 1, FALSE, vb_op_ping},
    {"list", 1, FALSE, vb_op_list},
    {"xml", 1, TRUE, vb_op_xml},
    {"getall", 1, TRUE, vb_op_getall},
    {"state", 1, TRUE, vb_op_state},
    {"lookup", 1, FALSE, vb_op_lookup},
    {"define-undefine", 2, FALSE, vb_op_define_undefine},
    {"create-destroy", 2, FALSE, vb_op_create_destroy},
    {"populate", 1, FALSE, vb_op_populate},
};

static const VbScenario *
vb_scenario_find(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(vb_scenarios); i++) {
        if (strcmp(vb_scenarios[i].name, name) == 0)
            return &vb_scenarios[i];
    }
    return NULL;
}

/* ---- workers ---- */

static gboolean
vb_worker_open(VbWorker *w, const VbScenario *sc, guint n, GError **error)
{
    w->bus =
        g_dbus_connection_new_for_address_sync(bus_address,
                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                               NULL, NULL, error);
    if (w->bus == NULL)
        return FALSE;
    g_dbus_connection_set_exit_on_close(w->bus, FALSE);
    if (sc->needs_domain) {
        w->dom_path = vb_call_path(w, VB_BENCH_CONNECT, "org.libvirt.Connect", "DomainLookupByName",
                                   g_variant_new("(s)", opt_domain), error);
        if (w->dom_path == NULL)
            return FALSE;
    }
    w->n = n;
    w->lat_ns = g_new0(guint64, n > 0 ? n : 1);
    return TRUE;
}

static void
vb_worker_close(VbWorker *w)
{
    if (w->bus != NULL) {
        g_dbus_connection_close_sync(w->bus, NULL, NULL);
        g_object_unref(w->bus);
    }
    g_free(w->dom_path);
    g_free(w->lat_ns);
    g_clear_error(&w->error);
}

static gboolean
vb_worker_run(VbWorker *w, const VbScenario *sc, guint from, guint to, GError **error)
{
    for (guint i = from; i < to; i++) {
        gint64 t0 = vb_now_ns();

        if (!sc->op(w, i, error))
            return FALSE;
        w->lat_ns[i] = (guint64)(vb_now_ns() - t0);
    }
    return TRUE;
}

static gboolean
vb_worker_warmup(VbWorker *w, const VbScenario *sc, guint warmup, GError **error)
{
    /* warmup ops use their own name range: index 1e9 + i */
    for (guint i = 0; i < warmup; i++) {
        if (!sc->op(w, 1000000000u + i, error))
            return FALSE;
    }
    return TRUE;
}

typedef struct {
    VbWorker *w;
    const VbScenario *sc;
    GMutex *lock;
    GCond *cond;
    guint *ready;
    gboolean *go;
    gint64 end_ns;
} VbThread;

static gpointer
vb_thread_main(gpointer data)
{
    VbThread *t = data;
    g_autoptr(GMainContext) context = g_main_context_new();

    /* replies to this thread's calls are dispatched here, not on the main thread */
    g_main_context_push_thread_default(context);
    if (!vb_worker_warmup(t->w, t->sc, opt_warmup, &t->w->error)) {
        g_mutex_lock(t->lock);
        (*t->ready)++;
        g_cond_broadcast(t->cond);
        g_mutex_unlock(t->lock);
        g_main_context_pop_thread_default(context);
        return NULL;
    }
    g_mutex_lock(t->lock);
    (*t->ready)++;
    g_cond_broadcast(t->cond);
    while (!*t->go)
        g_cond_wait(t->cond, t->lock);
    g_mutex_unlock(t->lock);
    vb_worker_run(t->w, t->sc, 0, t->w->n, &t->w->error);
    t->end_ns = vb_now_ns();
    g_main_context_pop_thread_default(context);
    return NULL;
}

/* ---- results ---- */

static int
vb_cmp_u64(const void *a, const void *b)
{
    guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

    return x < y ? -1 : x > y;
}

static double
vb_pct(const guint64 *sorted, gsize n, double q)
{
    if (n == 0)
        return 0;
    return sorted[(gsize)(q * (double)(n - 1) + 0.5)] / 1000.0;
}

static void
vb_json_num(GString *s, const char *key, double value, gboolean valid)
{
    if (valid)
        g_string_append_printf(s, ",\"%s\":%.3f", key, value);
    else
        g_string_append_printf(s, ",\"%s\":null", key);
}

static int
vb_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* µs per op of one VbSnap field: the median of the blocks; -1 when unknown */
static double
vb_block_median(const VbSnaps *s, gsize offset)
{
    double per[VB_BLOCKS];

    for (guint i = 0; i < s->n; i++) {
        gint64 x = G_STRUCT_MEMBER(gint64, &s->snap[i], offset);
        gint64 y = G_STRUCT_MEMBER(gint64, &s->snap[i + 1], offset);

        if (x < 0 || y < 0 || s->ops[i] == 0)
            return -1;
        per[i] = (y - x) / 1000.0 / s->ops[i];
    }
    qsort(per, s->n, sizeof(double), vb_cmp_double);
    return s->n % 2 == 1 ? per[s->n / 2] : (per[s->n / 2 - 1] + per[s->n / 2]) / 2;
}

static void
vb_report(const char *scenario, const VbScenario *sc, guint threads, VbWorker *workers,
          const VbSnaps *snaps, gint64 wall_ns)
{
    const VbSnap *a = &snaps->snap[0], *b = &snaps->snap[snaps->n];
    double svc_med = vb_block_median(snaps, G_STRUCT_OFFSET(VbSnap, svc_cpu));
    double bus_med = vb_block_median(snaps, G_STRUCT_OFFSET(VbSnap, bus_cpu));
    double client_med = vb_block_median(snaps, G_STRUCT_OFFSET(VbSnap, client_cpu));
    g_autoptr(GString) json = g_string_new("{");
    g_autofree char *label = g_strescape(opt_label, NULL);
    gsize total = 0, k = 0;
    g_autofree guint64 *all = NULL;
    double ops, p10, p50, p90, mean = 0;
    double svc = -1, svc_stat = -1, bus = -1, client = -1;

    for (guint t = 0; t < threads; t++)
        total += workers[t].n;
    all = g_new0(guint64, total > 0 ? total : 1);
    for (guint t = 0; t < threads; t++) {
        for (guint i = 0; i < workers[t].n; i++) {
            all[k++] = workers[t].lat_ns[i];
            mean += workers[t].lat_ns[i] / 1000.0;
        }
    }
    qsort(all, total, sizeof(guint64), vb_cmp_u64);
    ops = (double)total;
    mean = total > 0 ? mean / ops : 0;
    p10 = vb_pct(all, total, 0.10);
    p50 = vb_pct(all, total, 0.50);
    p90 = vb_pct(all, total, 0.90);
    if (a->svc_cpu >= 0 && b->svc_cpu >= 0 && total > 0)
        svc = (b->svc_cpu - a->svc_cpu) / 1000.0 / ops;
    if (a->svc_stat >= 0 && b->svc_stat >= 0 && total > 0)
        svc_stat = (b->svc_stat - a->svc_stat) / 1000.0 / ops;
    if (a->bus_cpu >= 0 && b->bus_cpu >= 0 && total > 0)
        bus = (b->bus_cpu - a->bus_cpu) / 1000.0 / ops;
    if (total > 0)
        client = (b->client_cpu - a->client_cpu) / 1000.0 / ops;

    g_string_append_printf(json, "\"scenario\":\"%s\",\"service\":\"%s\"", scenario, label);
    for (guint i = 0; opt_tags != NULL && i < opt_tags->len; i++) {
        const char *tag = g_ptr_array_index(opt_tags, i);
        const char *eq = strchr(tag, '=');
        g_autofree char *key = g_strndup(tag, eq - tag);
        g_autofree char *val = g_strescape(eq + 1, NULL);

        g_string_append_printf(json, ",\"%s\":\"%s\"", key, val);
    }
    g_string_append_printf(json,
                           ",\"op\":\"%s\",\"threads\":%u,\"ops\":%" G_GSIZE_FORMAT
                           ",\"warmup\":%u,\"calls_per_op\":%u",
                           sc->name, threads, total,
                           strcmp(sc->name, "populate") == 0 ? 0 : opt_warmup, sc->calls_per_op);
    vb_json_num(json, "wall_s", wall_ns / 1e9, TRUE);
    vb_json_num(json, "ops_per_s", wall_ns > 0 ? ops / (wall_ns / 1e9) : 0, TRUE);
    vb_json_num(json, "lat_p10_us", p10, TRUE);
    vb_json_num(json, "lat_p50_us", p50, TRUE);
    vb_json_num(json, "lat_p90_us", p90, TRUE);
    vb_json_num(json, "lat_mean_us", mean, TRUE);
    g_string_append_printf(json, ",\"cpu_blocks\":%u", snaps->n);
    vb_json_num(json, "svc_cpu_us_per_op", svc_med, svc_med >= 0);
    vb_json_num(json, "bus_cpu_us_per_op", bus_med, bus_med >= 0);
    vb_json_num(json, "client_cpu_us_per_op", client_med, client_med >= 0);
    vb_json_num(json, "svc_cpu_mean_us_per_op", svc, svc >= 0);
    vb_json_num(json, "svc_stat_cpu_us_per_op", svc_stat, svc_stat >= 0);
    vb_json_num(json, "bus_cpu_mean_us_per_op", bus, bus >= 0);
    vb_json_num(json, "client_cpu_mean_us_per_op", client, client >= 0);
    vb_json_num(json, "svc_rss_kb_before", a->rss_kb, a->rss_kb >= 0);
    vb_json_num(json, "svc_rss_kb_after", b->rss_kb, b->rss_kb >= 0);
    if (strcmp(sc->name, "populate") == 0)
        vb_json_num(json, "rss_bytes_per_domain",
                    total > 0 ? (b->rss_kb - a->rss_kb) * 1024.0 / ops : 0,
                    a->rss_kb >= 0 && b->rss_kb >= 0);
    g_string_append_c(json, '}');
    printf("%s\n", json->str);

    printf("# %s %s: %" G_GSIZE_FORMAT " ops (%u thr), p50 %.1f us [p10 %.1f, p90 %.1f], "
           "%.0f ops/s",
           opt_label, scenario, total, threads, p50, p10, p90,
           wall_ns > 0 ? ops / (wall_ns / 1e9) : 0);
    if (svc_med >= 0)
        printf(", svc cpu %.1f us/op (mean %.1f)", svc_med, svc);
    if (bus_med >= 0)
        printf(", bus cpu %.1f us/op", bus_med);
    if (client_med >= 0)
        printf(", client cpu %.1f us/op", client_med);
    if (a->rss_kb >= 0)
        printf(", rss %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT " kB", a->rss_kb, b->rss_kb);
    if (strcmp(sc->name, "populate") == 0 && a->rss_kb >= 0 && total > 0)
        printf(" (%.0f B/domain)", (b->rss_kb - a->rss_kb) * 1024.0 / ops);
    printf("\n");
    fflush(stdout);
}

static gboolean
vb_bench_one(const VbScenario *sc, guint n, GError **error)
{
    VbWorker w = {0};
    VbSnaps snaps = {0};
    gboolean ok;
    guint warmup = strcmp(sc->name, "populate") == 0 ? 0 : opt_warmup;

    /* populate: one block, its RSS per domain is the point */
    snaps.n = n >= 10 * VB_BLOCKS && strcmp(sc->name, "populate") != 0 ? VB_BLOCKS : 1;
    ok = vb_worker_open(&w, sc, n, error) && vb_worker_warmup(&w, sc, warmup, error);
    if (ok) {
        vb_snap(&snaps.snap[0]);
        for (guint i = 0; i < snaps.n && ok; i++) {
            guint from = (guint)((guint64)n * i / snaps.n);
            guint to = (guint)((guint64)n * (i + 1) / snaps.n);

            snaps.ops[i] = to - from;
            ok = vb_worker_run(&w, sc, from, to, error);
            vb_snap(&snaps.snap[i + 1]);
        }
        if (ok)
            vb_report(sc->name, sc, 1, &w, &snaps, snaps.snap[snaps.n].mono - snaps.snap[0].mono);
    }
    vb_worker_close(&w);
    return ok;
}

static gboolean
vb_bench_parallel(const VbScenario *sc, guint threads, GError **error)
{
    g_autofree VbWorker *workers = g_new0(VbWorker, threads);
    g_autofree VbThread *ts = g_new0(VbThread, threads);
    g_autofree GThread **th = g_new0(GThread *, threads);
    g_autofree char *name = g_strdup_printf("parallel-%u-%s", threads, sc->name);
    GMutex lock;
    GCond cond;
    guint ready = 0;
    gboolean go = FALSE, ok = TRUE;
    gint64 end = 0;
    VbSnaps snaps = {1, {0}, {{0}}};
    VbSnap *a = &snaps.snap[0], *b = &snaps.snap[1];

    g_mutex_init(&lock);
    g_cond_init(&cond);
    for (guint t = 0; t < threads && ok; t++) {
        workers[t].index = t;
        ok = vb_worker_open(&workers[t], sc, opt_iterations, error);
    }
    for (guint t = 0; t < threads && ok; t++) {
        ts[t] = (VbThread){&workers[t], sc, &lock, &cond, &ready, &go, 0};
        th[t] = g_thread_new("bench", vb_thread_main, &ts[t]);
    }
    if (ok) {
        g_mutex_lock(&lock);
        while (ready < threads)
            g_cond_wait(&cond, &lock);
        vb_snap(a);
        go = TRUE;
        g_cond_broadcast(&cond);
        g_mutex_unlock(&lock);
        for (guint t = 0; t < threads; t++) {
            g_thread_join(th[t]);
            end = MAX(end, ts[t].end_ns);
        }
        vb_snap(b);
        for (guint t = 0; t < threads && ok; t++) {
            if (workers[t].error != NULL) {
                g_propagate_error(error, g_steal_pointer(&workers[t].error));
                ok = FALSE;
            }
        }
        snaps.ops[0] = threads * opt_iterations;
        if (ok)
            vb_report(name, sc, threads, workers, &snaps, end - a->mono);
    }
    for (guint t = 0; t < threads; t++)
        vb_worker_close(&workers[t]);
    g_mutex_clear(&lock);
    g_cond_clear(&cond);
    return ok;
}

static gboolean
vb_parse_uint(const char *text, guint *out)
{
    guint64 v;

    if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32, &v, NULL))
        return FALSE;
    *out = (guint)v;
    return TRUE;
}

static G_GNUC_NORETURN void
vb_usage(const char *why)
{
    g_printerr("vb-bench: %s\n"
               "usage: vb-bench [--pid PID] [--bus-pid PID] [-n N] [-w N] [--start S] "
               "[--domain NAME] [--label TEXT] [--tag K=V] SCENARIO...\n"
               "scenarios: ping list xml getall state lookup define-undefine create-destroy "
               "| populate N | parallel K SCENARIO\n",
               why);
    exit(2);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *todo = g_ptr_array_new();
    int i;

    opt_tags = g_ptr_array_new();
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        guint u;

        if (strcmp(arg, "--pid") == 0 || strcmp(arg, "--bus-pid") == 0) {
            if (!vb_parse_uint(val, &u))
                vb_usage("a pid is a number");
            *(strcmp(arg, "--pid") == 0 ? &opt_pid : &opt_bus_pid) = (int)u;
            i++;
        } else if (strcmp(arg, "-n") == 0) {
            if (!vb_parse_uint(val, &opt_iterations) || opt_iterations == 0)
                vb_usage("-n takes a positive number");
            i++;
        } else if (strcmp(arg, "-w") == 0) {
            if (!vb_parse_uint(val, &opt_warmup))
                vb_usage("-w takes a number");
            i++;
        } else if (strcmp(arg, "--start") == 0) {
            if (!vb_parse_uint(val, &opt_start))
                vb_usage("--start takes a number");
            i++;
        } else if (strcmp(arg, "--domain") == 0 && val != NULL) {
            opt_domain = val;
            i++;
        } else if (strcmp(arg, "--label") == 0 && val != NULL) {
            opt_label = val;
            i++;
        } else if (strcmp(arg, "--tag") == 0 && val != NULL && strchr(val, '=') != NULL) {
            g_ptr_array_add(opt_tags, (gpointer)val);
            i++;
        } else if (arg[0] == '-') {
            vb_usage("unknown option");
        } else {
            g_ptr_array_add(todo, (gpointer)arg);
        }
    }
    if (todo->len == 0)
        vb_usage("no scenario");

    bus_address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, NULL, &error);
    if (bus_address == NULL) {
        g_printerr("vb-bench: %s\n", error->message);
        return 1;
    }
    for (guint t = 0; t < todo->len; t++) {
        const char *name = g_ptr_array_index(todo, t);
        const VbScenario *sc;
        guint k = 0, n = 0;
        gboolean ok;

        if (strcmp(name, "parallel") == 0) {
            if (t + 2 >= todo->len || !vb_parse_uint(g_ptr_array_index(todo, t + 1), &k) ||
                k == 0 || (sc = vb_scenario_find(g_ptr_array_index(todo, t + 2))) == NULL ||
                strcmp(sc->name, "populate") == 0)
                vb_usage("parallel takes a thread count and a scenario");
            t += 2;
            ok = vb_bench_parallel(sc, k, &error);
        } else if (strcmp(name, "populate") == 0) {
            if (t + 1 >= todo->len || !vb_parse_uint(g_ptr_array_index(todo, t + 1), &n))
                vb_usage("populate takes a count");
            t++;
            ok = n == 0 || vb_bench_one(vb_scenario_find("populate"), n, &error);
        } else {
            sc = vb_scenario_find(name);
            if (sc == NULL)
                vb_usage("unknown scenario");
            ok = vb_bench_one(sc, opt_iterations, &error);
        }
        if (!ok) {
            g_printerr("vb-bench: %s: %s\n", name, error->message);
            return 1;
        }
    }
    g_ptr_array_free(todo, TRUE);
    g_ptr_array_free(opt_tags, TRUE);
    g_free(bus_address);
    return 0;
}
