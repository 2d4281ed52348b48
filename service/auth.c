/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-auth"

#include "auth.h"

#include <polkit/polkit.h>

#define VB_ACTION_PREFIX "org.libvirt.api."
/* bounds the memory one caller can make us spend on remembered decisions */
#define VB_AUTH_MAX_DECISIONS 65536
/* questions to polkitd in flight at once: the bus refuses more than 128 pending
 * replies per connection, and polkitd answers them one by one anyway */
#define VB_AUTH_MAX_PARALLEL 32

static const GDBusErrorEntry vb_auth_error_entries[] = {
    {VB_AUTH_ERROR_INTERACTIVE, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"},
};

GQuark
vb_auth_error_quark(void)
{
    static gsize quark;

    g_dbus_error_register_error_domain("vb-auth-error-quark", &quark, vb_auth_error_entries,
                                       G_N_ELEMENTS(vb_auth_error_entries));
    return (GQuark)quark;
}

typedef enum {
    VB_DECISION_UNKNOWN = 0,
    VB_DECISION_ALLOW = 1,
    VB_DECISION_DENY = 2,
} VbDecision;

typedef struct _VbCaller VbCaller;
typedef struct _VbAsk VbAsk;
static void vb_ask_free(VbAsk *ask);
typedef void (*VbCallerReady)(VbAuth *auth, VbCaller *caller, gpointer data);

struct _VbCaller {
    char *name;
    gint64 uid; /* -1 until the bus told us */
    gboolean uid_pending;
    gboolean gone;         /* the bus did not know it any more */
    GPtrArray *waiters;    /* VbWaiter: continuations waiting for the uid */
    GHashTable *decisions; /* "action\ndriver\nuuid\nname" → VbDecision */
};

typedef struct {
    VbCallerReady ready;
    gpointer data;
} VbWaiter;

struct _VbAuth {
    VbBus *bus;
    PolkitAuthority *authority;
    GCancellable *cancellable; /* cancelled when the service goes away */
    GHashTable *callers;       /* unique bus name → VbCaller */
    guint name_owner_sub;
    gulong changed_id;
    guint64 checks;
    guint in_flight; /* questions sent to polkitd and not answered yet */
    GQueue *waiting; /* VbAsk: questions waiting for a free slot */
};

static void
vb_caller_free(VbCaller *caller)
{
    g_free(caller->name);
    g_ptr_array_free(caller->waiters, TRUE);
    g_hash_table_destroy(caller->decisions);
    g_free(caller);
}

static void
vb_auth_on_name_owner_changed(VbBus *bus, VbMessage *signal, gpointer user_data)
{
    VbAuth *auth = user_data;
    const char *name, *old_owner, *new_owner;

    if (strcmp(signal->signature, "sss") != 0)
        return;
    g_variant_get(signal->body, "(&s&s&s)", &name, &old_owner, &new_owner);
    /* a caller that left the bus takes its decisions with it; its name is never reused */
    if (name[0] == ':' && new_owner[0] == '\0') {
        VbCaller *caller = g_hash_table_lookup(auth->callers, name);

        if (caller != NULL && !caller->uid_pending)
            g_hash_table_remove(auth->callers, name);
    }
}

static void
vb_auth_on_changed(PolkitAuthority *authority, gpointer user_data)
{
    VbAuth *auth = user_data;
    GHashTableIter iter;
    gpointer value;

    /* rules or actions changed: nothing remembered may stand */
    g_hash_table_iter_init(&iter, auth->callers);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_hash_table_remove_all(((VbCaller *)value)->decisions);
}

VbAuth *
vb_auth_new(VbBus *bus)
{
    VbAuth *auth = g_new0(VbAuth, 1);
    g_autoptr(GError) error = NULL;

    auth->bus = bus;
    auth->cancellable = g_cancellable_new();
    auth->callers =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)vb_caller_free);
    auth->waiting = g_queue_new();
    auth->name_owner_sub =
        vb_bus_subscribe(bus, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                         "/org/freedesktop/DBus", NULL, vb_auth_on_name_owner_changed, auth);
    /* the authority is a proxy for a bus name: it follows polkitd when it restarts,
     * and works once it starts if it is not running yet */
    auth->authority = polkit_authority_get_sync(NULL, &error);
    if (auth->authority == NULL)
        g_warning("polkit is unavailable, only root will be authorized: %s", error->message);
    else
        auth->changed_id =
            g_signal_connect(auth->authority, "changed", G_CALLBACK(vb_auth_on_changed), auth);
    return auth;
}

void
vb_auth_free(VbAuth *auth)
{
    if (auth == NULL)
        return;
    g_cancellable_cancel(auth->cancellable);
    g_object_unref(auth->cancellable);
    /* questions never sent: their calls go unanswered as the service exits */
    g_queue_free_full(auth->waiting, (GDestroyNotify)vb_ask_free);
    if (auth->name_owner_sub != 0)
        vb_bus_unsubscribe(auth->bus, auth->name_owner_sub);
    if (auth->authority != NULL) {
        g_signal_handler_disconnect(auth->authority, auth->changed_id);
        g_object_unref(auth->authority);
    }
    g_hash_table_destroy(auth->callers);
    g_free(auth);
}

guint64
vb_auth_polkit_checks(VbAuth *auth)
{
    return auth->checks;
}

static VbCaller *
vb_auth_caller(VbAuth *auth, const char *name)
{
    VbCaller *caller = g_hash_table_lookup(auth->callers, name);

    if (caller != NULL)
        return caller;
    caller = g_new0(VbCaller, 1);
    caller->name = g_strdup(name);
    caller->uid = -1;
    caller->waiters = g_ptr_array_new_with_free_func(g_free);
    caller->decisions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(auth->callers, caller->name, caller);
    return caller;
}

typedef struct {
    VbAuth *auth;
    char *name;
} VbUidLookup;

static void
vb_auth_on_uid(VbBus *bus, VbMessage *reply, const GError *error, gpointer user_data)
{
    VbUidLookup *lookup = user_data;
    g_autoptr(GPtrArray) waiters = NULL;
    VbCaller *caller;
    guint32 uid = G_MAXUINT32;

    /* the connection is freed after the module: nobody waits any more */
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_free(lookup->name);
        g_free(lookup);
        return;
    }
    caller = g_hash_table_lookup(lookup->auth->callers, lookup->name);
    g_free(lookup->name);
    if (caller == NULL) {
        g_free(lookup);
        return;
    }
    if (reply != NULL && strcmp(reply->signature, "u") == 0)
        g_variant_get(reply->body, "(u)", &uid);
    /* an unknown caller (gone already) gets a uid nobody has: never root */
    caller->uid = uid;
    caller->gone = reply == NULL;
    caller->uid_pending = FALSE;
    waiters = g_steal_pointer(&caller->waiters);
    caller->waiters = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < waiters->len; i++) {
        VbWaiter *w = g_ptr_array_index(waiters, i);

        w->ready(lookup->auth, caller, w->data);
    }
    /* it left while we asked: NameOwnerChanged found it busy, so forget it now */
    if (caller->gone)
        g_hash_table_remove(lookup->auth->callers, caller->name);
    g_free(lookup);
}

/* runs @ready once the caller's uid is known */
static void
vb_auth_with_caller(VbAuth *auth, const char *name, VbCallerReady ready, gpointer data)
{
    VbCaller *caller = vb_auth_caller(auth, name);
    VbWaiter *w;
    VbUidLookup *lookup;

    if (caller->uid >= 0) {
        ready(auth, caller, data);
        return;
    }
    w = g_new0(VbWaiter, 1);
    w->ready = ready;
    w->data = data;
    g_ptr_array_add(caller->waiters, w);
    if (caller->uid_pending)
        return;
    caller->uid_pending = TRUE;
    lookup = g_new0(VbUidLookup, 1);
    lookup->auth = auth;
    lookup->name = g_strdup(name);
    vb_bus_call(auth->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "GetConnectionUnixUser", g_variant_new("(s)", name), vb_auth_on_uid, lookup);
}

static char *
vb_auth_key(const char *action, const VbAuthTarget *t)
{
    const char *uuid = t->domain_uuid != NULL ? t->domain_uuid : t->network_uuid;
    const char *name = t->domain_name != NULL ? t->domain_name : t->network_name;

    return g_strdup_printf("%s\n%s\n%s\n%s", action, t->driver != NULL ? t->driver : "",
                           uuid != NULL ? uuid : "", name != NULL ? name : "");
}

static PolkitDetails *
vb_auth_details(const VbAuthTarget *t)
{
    PolkitDetails *details = polkit_details_new();

    if (t->driver != NULL)
        polkit_details_insert(details, "connect_driver", t->driver);
    if (t->domain_name != NULL)
        polkit_details_insert(details, "domain_name", t->domain_name);
    if (t->domain_uuid != NULL)
        polkit_details_insert(details, "domain_uuid", t->domain_uuid);
    if (t->network_name != NULL)
        polkit_details_insert(details, "network_name", t->network_name);
    if (t->network_uuid != NULL)
        polkit_details_insert(details, "network_uuid", t->network_uuid);
    return details;
}

static const char *
vb_auth_target_label(const VbAuthTarget *t, char **owned)
{
    if (t->domain_name != NULL)
        return *owned = g_strdup_printf("domain '%s'", t->domain_name);
    if (t->network_name != NULL)
        return *owned = g_strdup_printf("network '%s'", t->network_name);
    return *owned = g_strdup_printf("the %s connection", t->driver != NULL ? t->driver : "");
}

/* one polkit question; the answer is remembered unless it was a challenge, a failure
 * or an approval that interaction may have produced */
typedef void (*VbAskDone)(VbDecision decision, const GError *denied, gpointer data);

struct _VbAsk {
    VbAuth *auth;
    char *caller;
    char *key;
    char *action;
    char *label;
    PolkitDetails *details;
    gboolean interactive;
    VbAskDone done;
    gpointer data;
};

static void
vb_ask_free(VbAsk *ask)
{
    g_free(ask->caller);
    g_free(ask->key);
    g_free(ask->action);
    g_free(ask->label);
    g_clear_object(&ask->details);
    g_free(ask);
}

static void vb_auth_send(VbAuth *auth, VbAsk *ask);

static void
vb_auth_remember(VbCaller *caller, const char *key, VbDecision decision)
{
    if (caller != NULL && g_hash_table_size(caller->decisions) < VB_AUTH_MAX_DECISIONS)
        g_hash_table_insert(caller->decisions, g_strdup(key), GINT_TO_POINTER(decision));
}

static void
vb_auth_on_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
    VbAsk *ask = user_data;
    VbAuth *auth = ask->auth;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) denied = NULL;
    g_autoptr(PolkitAuthorizationResult) answer =
        polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source), result, &error);
    VbDecision decision = VB_DECISION_DENY;
    VbCaller *caller;

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        vb_ask_free(ask);
        return;
    }
    auth->in_flight--;
    if (!g_queue_is_empty(auth->waiting))
        vb_auth_send(auth, g_queue_pop_head(auth->waiting));

    caller = g_hash_table_lookup(auth->callers, ask->caller);
    if (answer == NULL) {
        g_set_error(&denied, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                    "the authorization service is unavailable, so only root may use '%s' on "
                    "%s: %s",
                    ask->action, ask->label, error->message);
    } else if (polkit_authorization_result_get_is_authorized(answer)) {
        decision = VB_DECISION_ALLOW;
        /* an approval that may have come from a password is good for this call only */
        if (!ask->interactive)
            vb_auth_remember(caller, ask->key, VB_DECISION_ALLOW);
    } else if (polkit_authorization_result_get_is_challenge(answer) && !ask->interactive) {
        g_set_error(&denied, VB_AUTH_ERROR, VB_AUTH_ERROR_INTERACTIVE,
                    "interactive authentication is required to use '%s' on %s", ask->action,
                    ask->label);
    } else {
        g_set_error(&denied, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                    "access denied by policy: '%s' is not granted on %s", ask->action, ask->label);
        if (!polkit_authorization_result_get_is_challenge(answer))
            vb_auth_remember(caller, ask->key, VB_DECISION_DENY);
    }
    ask->done(decision, denied, ask->data);
    vb_ask_free(ask);
}

static void
vb_auth_send(VbAuth *auth, VbAsk *ask)
{
    g_autoptr(PolkitSubject) subject = polkit_system_bus_name_new(ask->caller);

    auth->in_flight++;
    auth->checks++;
    polkit_authority_check_authorization(
        auth->authority, subject, ask->action, ask->details,
        ask->interactive ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
                         : POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE,
        auth->cancellable, vb_auth_on_checked, ask);
}

static void
vb_auth_ask(VbAuth *auth, VbCaller *caller, const char *action, const char *key,
            const VbAuthTarget *target, gboolean interactive, VbAskDone done, gpointer data)
{
    VbAsk *ask = g_new0(VbAsk, 1);

    ask->auth = auth;
    ask->caller = g_strdup(caller->name);
    ask->key = g_strdup(key);
    ask->action = g_strdup(action);
    vb_auth_target_label(target, &ask->label);
    ask->interactive = interactive;
    ask->done = done;
    ask->data = data;
    if (auth->authority == NULL) {
        g_autoptr(GError) denied =
            g_error_new(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                        "the authorization service is unavailable, so only root may use '%s' on %s",
                        action, ask->label);

        done(VB_DECISION_DENY, denied, data);
        vb_ask_free(ask);
        return;
    }
    ask->details = vb_auth_details(target);
    /* a long list asks in bounded batches rather than all at once */
    if (auth->in_flight >= VB_AUTH_MAX_PARALLEL) {
        g_queue_push_tail(auth->waiting, ask);
        return;
    }
    vb_auth_send(auth, ask);
}

static VbDecision
vb_auth_cached(VbCaller *caller, const char *key)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(caller->decisions, key));
}

static void
vb_auth_target_copy(VbAuthTarget *dst, const VbAuthTarget *src)
{
    dst->driver = g_strdup(src->driver);
    dst->domain_name = g_strdup(src->domain_name);
    dst->domain_uuid = g_strdup(src->domain_uuid);
    dst->network_name = g_strdup(src->network_name);
    dst->network_uuid = g_strdup(src->network_uuid);
}

static void
vb_auth_target_clear(VbAuthTarget *t)
{
    g_free((char *)t->driver);
    g_free((char *)t->domain_name);
    g_free((char *)t->domain_uuid);
    g_free((char *)t->network_name);
    g_free((char *)t->network_uuid);
}

static gboolean
vb_auth_interactive(VbMessage *call)
{
    return (call->flags & VB_MESSAGE_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
}

/* a whole-call check: the permissions one after another, stopping at a denial */
typedef struct {
    VbAuth *auth;
    char *caller;
    char **actions;
    guint next;
    VbAuthTarget target;
    gboolean interactive;
    VbAuthDone done;
    gpointer data;
} VbCheck;

static void
vb_check_free(VbCheck *check)
{
    g_free(check->caller);
    g_strfreev(check->actions);
    vb_auth_target_clear(&check->target);
    g_free(check);
}

static void vb_check_continue(VbAuth *auth, VbCaller *caller, gpointer data);

static void
vb_check_on_answer(VbDecision decision, const GError *denied, gpointer data)
{
    VbCheck *check = data;
    VbCaller *caller;

    if (decision != VB_DECISION_ALLOW) {
        check->done(denied, check->data);
        vb_check_free(check);
        return;
    }
    check->next++;
    /* the caller may have left the bus meanwhile: nobody waits for the answer then */
    caller = g_hash_table_lookup(check->auth->callers, check->caller);
    if (caller == NULL) {
        g_autoptr(GError) gone = g_error_new_literal(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                                     "the caller left the bus");

        check->done(gone, check->data);
        vb_check_free(check);
        return;
    }
    vb_check_continue(check->auth, caller, check);
}

static void
vb_check_continue(VbAuth *auth, VbCaller *caller, gpointer data)
{
    VbCheck *check = data;

    if (caller->uid == 0) {
        check->done(NULL, check->data);
        vb_check_free(check);
        return;
    }
    for (; check->actions[check->next] != NULL; check->next++) {
        const char *action = check->actions[check->next];
        g_autofree char *key = vb_auth_key(action, &check->target);
        VbDecision cached = vb_auth_cached(caller, key);

        if (cached == VB_DECISION_ALLOW)
            continue;
        if (cached == VB_DECISION_DENY) {
            g_autofree char *label = NULL;
            g_autoptr(GError) denied = NULL;

            vb_auth_target_label(&check->target, &label);
            denied =
                g_error_new(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                            "access denied by policy: '%s' is not granted on %s", action, label);
            check->done(denied, check->data);
            vb_check_free(check);
            return;
        }
        vb_auth_ask(auth, caller, action, key, &check->target, check->interactive,
                    vb_check_on_answer, check);
        return;
    }
    check->done(NULL, check->data);
    vb_check_free(check);
}

void
vb_auth_check(VbAuth *auth, VbMessage *call, const char *const *perms, const VbAuthTarget *target,
              VbAuthDone done, gpointer user_data)
{
    VbCheck *check = g_new0(VbCheck, 1);
    guint n = g_strv_length((char **)perms);

    check->auth = auth;
    check->caller = g_strdup(call->sender);
    check->actions = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        check->actions[i] = g_strconcat(VB_ACTION_PREFIX, perms[i], NULL);
    vb_auth_target_copy(&check->target, target);
    check->interactive = vb_auth_interactive(call);
    check->done = done;
    check->data = user_data;
    vb_auth_with_caller(auth, check->caller, vb_check_continue, check);
}

/* a list filter: every target's decision, the unknown ones asked of polkit at once */
typedef struct {
    VbAuth *auth;
    char *caller;
    char *action;
    VbAuthTarget *targets;
    gboolean *allowed;
    guint n;
    guint waiting;
    gboolean interactive;
    VbAuthFilterDone done;
    gpointer data;
} VbFilter;

typedef struct {
    VbFilter *filter;
    guint index;
} VbFilterItem;

static void
vb_filter_release(VbFilter *filter)
{
    if (--filter->waiting > 0)
        return;
    filter->done(filter->allowed, filter->data);
    for (guint i = 0; i < filter->n; i++)
        vb_auth_target_clear(&filter->targets[i]);
    g_free(filter->targets);
    g_free(filter->allowed);
    g_free(filter->caller);
    g_free(filter->action);
    g_free(filter);
}

static void
vb_filter_on_answer(VbDecision decision, const GError *denied, gpointer data)
{
    VbFilterItem *item = data;
    VbFilter *filter = item->filter;

    filter->allowed[item->index] = decision == VB_DECISION_ALLOW;
    g_free(item);
    vb_filter_release(filter);
}

static void
vb_filter_continue(VbAuth *auth, VbCaller *caller, gpointer data)
{
    VbFilter *filter = data;

    for (guint i = 0; i < filter->n; i++) {
        g_autofree char *key = NULL;
        VbDecision cached;
        VbFilterItem *item;

        if (caller->uid == 0) {
            filter->allowed[i] = TRUE;
            continue;
        }
        key = vb_auth_key(filter->action, &filter->targets[i]);
        cached = vb_auth_cached(caller, key);
        if (cached != VB_DECISION_UNKNOWN) {
            filter->allowed[i] = cached == VB_DECISION_ALLOW;
            continue;
        }
        item = g_new0(VbFilterItem, 1);
        item->filter = filter;
        item->index = i;
        filter->waiting++;
        vb_auth_ask(auth, caller, filter->action, key, &filter->targets[i], filter->interactive,
                    vb_filter_on_answer, item);
    }
    vb_filter_release(filter);
}

void
vb_auth_filter(VbAuth *auth, VbMessage *call, const char *perm, const VbAuthTarget *targets,
               guint n, VbAuthFilterDone done, gpointer user_data)
{
    VbFilter *filter = g_new0(VbFilter, 1);

    filter->auth = auth;
    filter->caller = g_strdup(call->sender);
    filter->action = g_strconcat(VB_ACTION_PREFIX, perm, NULL);
    filter->targets = g_new0(VbAuthTarget, MAX(n, 1));
    filter->allowed = g_new0(gboolean, MAX(n, 1));
    filter->n = n;
    for (guint i = 0; i < n; i++)
        vb_auth_target_copy(&filter->targets[i], &targets[i]);
    filter->interactive = vb_auth_interactive(call);
    filter->done = done;
    filter->data = user_data;
    filter->waiting = 1; /* held until every question is out */
    vb_auth_with_caller(auth, filter->caller, vb_filter_continue, filter);
}
