/* noop — a plain-C module whose every lifecycle function succeeds and does nothing. Its name is
 * its file name (without .so), so benchmarks can load many copies side by side, and it proves a
 * module needs no C++ at all. */
#define _GNU_SOURCE
#include <provisio/abi.h>

#include <dlfcn.h>
#include <string.h>

static char module_name[PROVISIO_MAX_NAME_BYTES + 1] = "noop";

static int32_t ok(void *instance, const provisio_call *call) {
    (void)instance;
    (void)call;
    return PROVISIO_OK;
}

static provisio_module_descriptor descriptor;

static const provisio_module_descriptor *entry(void) {
    Dl_info info;
    if (dladdr((const void *)&entry, &info) && info.dli_fname) {
        const char *base = strrchr(info.dli_fname, '/');
        base = base ? base + 1 : info.dli_fname;
        size_t n = strcspn(base, ".");
        if (n > PROVISIO_MAX_NAME_BYTES) n = PROVISIO_MAX_NAME_BYTES;
        memcpy(module_name, base, n);
        module_name[n] = '\0';
    }
    descriptor.struct_size = sizeof descriptor;
    descriptor.abi_major = PROVISIO_ABI_MAJOR;
    descriptor.abi_minor = PROVISIO_ABI_MINOR;
    descriptor.option_struct_size = sizeof(provisio_option);
    descriptor.name = module_name;
    descriptor.version = "1.0";
    descriptor.description = "does nothing, successfully";
    descriptor.capabilities = PROVISIO_CAP_PROVISIONING;
    descriptor.create = descriptor.suspend = descriptor.unsuspend = descriptor.terminate = ok;
    descriptor.change_package = descriptor.change_password = descriptor.test_connection = ok;
    return &descriptor;
}

PROVISIO_MODULE_ENTRY(entry)
