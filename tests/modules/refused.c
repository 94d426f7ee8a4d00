/* Modules the host must refuse, one per REFUSE_* definition (see CMakeLists.txt). Each is a
 * plain-C module that breaks exactly one rule of abi.h (REFUSE_BAD_ACTION: a custom action
 * named like a lifecycle action). */
#include <provisio/abi.h>

#include <signal.h>
#include <string.h>

static int32_t ok(void *instance, const provisio_call *call) {
    (void)instance;
    (void)call;
    return PROVISIO_OK;
}

#if defined(REFUSE_BAD_SCHEMA)
/* A dropdown with no choices. */
static const provisio_option options[] = {
    {"mode", "Mode", PROVISIO_OPTION_DROPDOWN, PROVISIO_SCOPE_PRODUCT, 0, 0, NULL, "a", NULL},
};
#elif defined(REFUSE_DUPLICATE_OPTION)
static const provisio_option options[] = {
    {"host", "Host", PROVISIO_OPTION_TEXT, PROVISIO_SCOPE_PRODUCT, 0, 0, NULL, "", NULL},
    {"host", "Host again", PROVISIO_OPTION_TEXT, PROVISIO_SCOPE_PRODUCT, 0, 0, NULL, "", NULL},
};
#elif defined(REFUSE_NOT_UTF8)
/* A label in Latin-1, not UTF-8: "Café". */
static const provisio_option options[] = {
    {"host", "Caf\xe9", PROVISIO_OPTION_TEXT, PROVISIO_SCOPE_PRODUCT, 0, 0, NULL, "", NULL},
};
#else
static const provisio_option options[] = {
    {"host", "Host", PROVISIO_OPTION_TEXT, PROVISIO_SCOPE_PRODUCT, 0, 0, NULL, "", NULL},
};
#endif

#if defined(REFUSE_LONG_DESCRIPTION)
static char long_description[PROVISIO_MAX_TEXT_BYTES + 100];
#endif

static int32_t init(const provisio_host *host, void **instance) {
    *instance = NULL;
#if defined(REFUSE_INIT_FAILS)
    static const char why[] = "licence file /etc/example.lic is missing";
    provisio_str msg = {why, sizeof why - 1};
    host->log(NULL, PROVISIO_LOG_ERROR, msg);
    return PROVISIO_ERROR;
#elif defined(REFUSE_CRASH_ON_LOAD)
    (void)host;
    raise(SIGSEGV);
    return PROVISIO_OK;
#else
    (void)host;
    return PROVISIO_OK;
#endif
}

#if defined(REFUSE_BAD_ACTION)
/* A custom action that takes a lifecycle action's name (ABI 1.5). */
static const provisio_custom_action actions[] = {{"terminate", "Terminate differently", 0, 0, NULL}};
static const provisio_module_extensions extensions = {sizeof extensions, sizeof(provisio_custom_action), actions, 1, 0, ok};
#endif

static provisio_module_descriptor descriptor = {
    .struct_size = sizeof(provisio_module_descriptor),
#if defined(REFUSE_WRONG_ABI)
    .abi_major = PROVISIO_ABI_MAJOR + 1,
#else
    .abi_major = PROVISIO_ABI_MAJOR,
#endif
    .abi_minor = PROVISIO_ABI_MINOR,
    .option_struct_size = sizeof(provisio_option),
#if defined(REFUSE_NULL_NAME)
    .name = NULL,
#else
    .name = FIXTURE_NAME,
#endif
    .version = "1.0",
    .description = "a module that breaks one rule",
    .capabilities = PROVISIO_CAP_PROVISIONING,
    .options = options,
    .option_count = sizeof options / sizeof options[0],
    .init = init,
    .create = ok,
    .suspend = ok,
    .unsuspend = ok,
    .terminate = ok,
#if defined(REFUSE_BAD_ACTION)
    .extensions = &extensions,
#endif
};

static const provisio_module_descriptor *entry(void) {
#if defined(REFUSE_LONG_DESCRIPTION)
    memset(long_description, 'x', sizeof long_description - 1);
    descriptor.description = long_description;
#endif
    return &descriptor;
}

#if !defined(REFUSE_NO_ENTRY)
PROVISIO_MODULE_ENTRY(entry)
#else
/* Exports an ordinary function, but not the entry point. */
__attribute__((visibility("default"))) const provisio_module_descriptor *not_the_entry(void) { return entry(); }
#endif
