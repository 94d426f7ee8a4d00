/* Hostile modules: what a careless or malicious integrator could ship. Each HOSTILE_* definition
 * (see CMakeLists.txt) makes one module that misbehaves in one way; the host must survive every
 * one of them, say what happened and carry on with the rest.
 *
 *   HOSTILE_HANG_CALL      suspend never returns for a service whose username is "poison"
 *   HOSTILE_SEGV_CALL      suspend segfaults for a service whose username is "poison"
 *   HOSTILE_ABORT_CALL     suspend calls abort() for "poison"
 *   HOSTILE_EXIT_CALL      suspend calls exit(0) for "poison"
 *   HOSTILE_EXIT_CTOR      a constructor calls exit(0) when the library is loaded
 *   HOSTILE_CRASH_CTOR     a constructor segfaults when the library is loaded
 *   HOSTILE_EXIT_INIT      init calls exit(0)
 *   HOSTILE_HANG_INIT      init never returns
 *   HOSTILE_GARBAGE_NAME   the descriptor's name is a garbage pointer
 *   HOSTILE_ENTRY_FUNCTION the entry symbol is exported as a function, not a pointer
 *   HOSTILE_FORK_CALL      suspend forks a child that sleeps for an hour, then succeeds
 *   HOSTILE_ALLOC_CALL     suspend touches 4 GiB of memory for "poison"
 *   HOSTILE_FDS_CALL       suspend opens files until it cannot, keeps them, and succeeds
 *   HOSTILE_SEGV_GENERATE  generates monthly time credits (1 hour on the 1st), and segfaults
 *                          computing the cycle of "poison"
 *   HOSTILE_CUSTOM         custom actions (ABI 1.5): "echo" (client-visible) answers "echo for
 *                          service N", saves state echoed=yes; "tattle" (client-visible) puts
 *                          the service's password in its message; "crash" segfaults; "hang"
 *                          never returns
 *   HOSTILE_GATEWAY        a payment gateway (ABI 1.6) whose account's hostname says how it
 *                          misbehaves in charge and parse_webhook: "segv" segfaults, "hang" never
 *                          returns, "exit" calls exit(0); any other hostname answers: a charge
 *                          succeeds as payment "pay-" + its idempotency key, and a webhook whose
 *                          body is "EVENT REFERENCE PAYMENT AMOUNT_MINOR" reports that payment
 *                          succeeded (any other body: a bad signature)
 * Every other action succeeds at once; suspend succeeds for any other service, after 300 ms for a
 * service whose username is "slow" (so calls overlap in a runner). test_connection
 * answers with its user and the file descriptors its process has open ("uid 0; open descriptors: 0 1 2 3"),
 * so a test can see what a runner inherited. */
#include <provisio/abi.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const provisio_host *host;

__attribute__((unused)) static int username_is(const provisio_call *call, const char *name) {
    for (uint32_t i = 0; i < call->service.count; ++i) {
        const provisio_kv *kv = &call->service.items[i];
        if (kv->key.size == 8 && memcmp(kv->key.data, "username", 8) == 0 && kv->value.size == strlen(name) &&
            memcmp(kv->value.data, name, kv->value.size) == 0)
            return 1;
    }
    return 0;
}
#define poisoned(call) username_is(call, "poison")

static int32_t ok(void *instance, const provisio_call *call) {
    (void)instance;
    (void)call;
    return PROVISIO_OK;
}

static int32_t open_descriptors(void *instance, const provisio_call *call) {
    (void)instance;
    char list[4096];
    snprintf(list, sizeof list, "uid %u; open descriptors:", (unsigned)getuid());
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) { /* not ours to read after the runner changed user */
        strcat(list, " (unreadable)");
        provisio_str msg = {list, strlen(list)};
        host->set_message(call, msg);
        return PROVISIO_OK;
    }
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(dir)) continue;
        if (strlen(list) + strlen(e->d_name) + 2 < sizeof list) {
            strcat(list, " ");
            strcat(list, e->d_name);
        }
    }
    closedir(dir);
    provisio_str msg = {list, strlen(list)};
    host->set_message(call, msg);
    return PROVISIO_OK;
}

static int32_t suspend(void *instance, const provisio_call *call) {
    (void)instance;
#if defined(HOSTILE_FORK_CALL)
    (void)call;
    if (fork() == 0) {
        sleep(3600);
        _exit(0);
    }
    return PROVISIO_OK;
#elif defined(HOSTILE_FDS_CALL)
    (void)call;
    while (open("/dev/null", O_RDONLY) >= 0) {
    }
    return PROVISIO_OK;
#else
    if (username_is(call, "slow")) usleep(300 * 1000);
    if (!poisoned(call)) return PROVISIO_OK;
    static const char line[] = "about to do something terrible";
    provisio_str text = {line, sizeof line - 1};
    host->log(call, PROVISIO_LOG_WARNING, text);
#if defined(HOSTILE_HANG_CALL)
    for (;;) pause();
#elif defined(HOSTILE_SEGV_CALL)
    raise(SIGSEGV);
#elif defined(HOSTILE_ABORT_CALL)
    abort();
#elif defined(HOSTILE_EXIT_CALL)
    exit(0);
#elif defined(HOSTILE_ALLOC_CALL)
    {
        const size_t size = (size_t)4 << 30;
        char *p = malloc(size);
        if (!p) {
            static const char why[] = "out of memory";
            provisio_str msg = {why, sizeof why - 1};
            host->set_message(call, msg);
            return PROVISIO_ERROR;
        }
        for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    }
#endif
    return PROVISIO_OK;
#endif
}

#if defined(HOSTILE_SEGV_GENERATE)
static int32_t schedule(void *instance, const provisio_call *call, provisio_credit_schedule *out) {
    (void)instance;
    (void)call;
    out->trigger = PROVISIO_CREDIT_MONTHLY;
    out->offset = 0;
    return PROVISIO_OK;
}

static int32_t generate(void *instance, const provisio_call *call, const provisio_credit_cycle *cycle) {
    (void)instance;
    (void)cycle;
    if (poisoned(call)) raise(SIGSEGV);
    static const char kind[] = "credit", hours[] = "1", description[] = "monthly hour";
    provisio_credit_entry entry = {sizeof entry, 0, {kind, sizeof kind - 1}, {hours, sizeof hours - 1},
                                   {description, sizeof description - 1}};
    host->post_credit(call, &entry);
    return PROVISIO_OK;
}
#endif

#if defined(HOSTILE_CUSTOM)
static provisio_str service_field(const provisio_call *call, const char *key) {
    for (uint32_t i = 0; i < call->service.count; ++i) {
        const provisio_kv *kv = &call->service.items[i];
        if (kv->key.size == strlen(key) && memcmp(kv->key.data, key, kv->key.size) == 0) return kv->value;
    }
    provisio_str none = {NULL, 0};
    return none;
}

static int32_t custom(void *instance, const provisio_call *call) {
    (void)instance;
    char text[512];
    const provisio_str action = call->action;
    if (action.size == 5 && memcmp(action.data, "crash", 5) == 0) raise(SIGSEGV);
    if (action.size == 4 && memcmp(action.data, "hang", 4) == 0)
        for (;;) pause();
    if (action.size == 6 && memcmp(action.data, "tattle", 6) == 0) {
        const provisio_str password = service_field(call, "password");
        snprintf(text, sizeof text, "the password is %.*s", (int)password.size, password.data ? password.data : "");
    } else {
        static const char key[] = "echoed", value[] = "yes";
        host->state_set(call, (provisio_str){key, sizeof key - 1}, (provisio_str){value, sizeof value - 1});
        snprintf(text, sizeof text, "echo for service %llu", (unsigned long long)call->service_id);
    }
    host->set_message(call, (provisio_str){text, strlen(text)});
    return PROVISIO_OK;
}

static const provisio_custom_action actions[] = {
    {"echo", "Echo", PROVISIO_ACTION_CLIENT, 0, "Answers with the service's id"},
    {"tattle", "Tattle", PROVISIO_ACTION_CLIENT, 0, NULL},
    {"crash", "Crash", 0, 0, NULL},
    {"hang", "Hang", 0, 0, NULL},
};
static const provisio_module_extensions extensions = {sizeof extensions, sizeof(provisio_custom_action), actions, 4, 0, custom};
#endif

#if defined(HOSTILE_GATEWAY)
static int account_hostname_is(const provisio_call *call, const char *name) {
    for (uint32_t i = 0; i < call->server.count; ++i) {
        const provisio_kv *kv = &call->server.items[i];
        if (kv->key.size == 8 && memcmp(kv->key.data, "hostname", 8) == 0)
            return kv->value.size == strlen(name) && memcmp(kv->value.data, name, kv->value.size) == 0;
    }
    return 0;
}

static void misbehave_if_told(const provisio_call *call) {
    if (account_hostname_is(call, "segv")) raise(SIGSEGV);
    if (account_hostname_is(call, "exit")) exit(0);
    if (account_hostname_is(call, "hang"))
        for (;;) pause();
}

static provisio_str text_of(const char *s) { return (provisio_str){s, strlen(s)}; }

static int32_t charge(void *instance, const provisio_call *call, const provisio_payment_request *request) {
    (void)instance;
    misbehave_if_told(call);
    char id[300];
    snprintf(id, sizeof id, "pay-%.*s", (int)request->idempotency_key.size, request->idempotency_key.data);
    provisio_payment_result result = {0};
    result.struct_size = sizeof result;
    result.state = PROVISIO_PAYMENT_SUCCEEDED;
    result.id = text_of(id);
    result.amount_minor = request->amount_minor;
    result.currency = request->currency;
    host->set_payment_result(call, &result);
    return PROVISIO_OK;
}

static int32_t parse_webhook(void *instance, const provisio_call *call, const provisio_payment_request *request) {
    (void)instance;
    misbehave_if_told(call);
    char body[512], event[128], reference[128], payment[128];
    long long amount = 0;
    snprintf(body, sizeof body, "%.*s", (int)request->body.size, request->body.data ? request->body.data : "");
    if (sscanf(body, "%127s %127s %127s %lld", event, reference, payment, &amount) != 4) {
        host->set_message(call, text_of("the signature does not verify"));
        return PROVISIO_ERROR;
    }
    provisio_payment_result result = {0};
    result.struct_size = sizeof result;
    result.state = PROVISIO_PAYMENT_SUCCEEDED;
    result.id = text_of(payment);
    result.reference = text_of(reference);
    result.amount_minor = amount;
    result.event_id = text_of(event);
    result.event_type = text_of("payment.succeeded");
    host->set_payment_result(call, &result);
    return PROVISIO_OK;
}

static const provisio_module_extensions extensions = {
    .struct_size = sizeof extensions, .custom_action_struct_size = sizeof(provisio_custom_action), .charge = charge, .parse_webhook = parse_webhook};
#endif

#if defined(HOSTILE_EXIT_CTOR)
__attribute__((constructor)) static void on_load(void) { exit(0); }
#elif defined(HOSTILE_CRASH_CTOR)
__attribute__((constructor)) static void on_load(void) { raise(SIGSEGV); }
#endif

static int32_t init(const provisio_host *h, void **instance) {
    host = h;
    *instance = NULL;
#if defined(HOSTILE_EXIT_INIT)
    exit(0);
#elif defined(HOSTILE_HANG_INIT)
    for (;;) pause();
#endif
    return PROVISIO_OK;
}

static const provisio_option options[] = {
    {"host", "Host", PROVISIO_OPTION_TEXT, PROVISIO_SCOPE_PRODUCT, 0, 0, NULL, "", NULL},
};

static provisio_module_descriptor descriptor = {
    .struct_size = sizeof(provisio_module_descriptor),
    .abi_major = PROVISIO_ABI_MAJOR,
    .abi_minor = PROVISIO_ABI_MINOR,
    .option_struct_size = sizeof(provisio_option),
#if defined(HOSTILE_GARBAGE_NAME)
    .name = (const char *)0x10,
#else
    .name = FIXTURE_NAME,
#endif
    .version = "1.0",
    .description = "a hostile module",
#if defined(HOSTILE_GATEWAY)
    .capabilities = PROVISIO_CAP_GATEWAY,
#elif defined(HOSTILE_SEGV_GENERATE)
    .capabilities = PROVISIO_CAP_PROVISIONING | PROVISIO_CAP_CREDIT_GENERATION,
    .credit_schedule = schedule,
    .generate_credits = generate,
#else
    .capabilities = PROVISIO_CAP_PROVISIONING,
#endif
    .options = options,
    .option_count = 1,
    .init = init,
    .create = ok,
    .suspend = suspend,
    .unsuspend = ok,
    .terminate = ok,
    .test_connection = open_descriptors,
#if defined(HOSTILE_CUSTOM) || defined(HOSTILE_GATEWAY)
    .extensions = &extensions,
#endif
};

static const provisio_module_descriptor *entry(void) { return &descriptor; }

#if defined(HOSTILE_ENTRY_FUNCTION)
/* The entry's name on a function: the host would read its code as a pointer. */
__attribute__((visibility("default"))) const provisio_module_descriptor *provisio_module_entry(void) { return entry(); }
#else
PROVISIO_MODULE_ENTRY(entry)
#endif
