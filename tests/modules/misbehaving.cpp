// A module that is loaded fine but breaks the rules while it runs, written against the raw C
// ABI (no SDK trampolines) so its faults reach the host unfiltered:
//   create          sets a message with a null pointer and a non-zero size
//   suspend         sets a 100 KiB message (over PROVISIO_MAX_MESSAGE_BYTES)
//   unsuspend       returns status 42
//   terminate       throws a C++ exception across the C boundary
//   change_package  sets a state value and then breaks a rule: the state must not be saved
//   test_connection succeeds and sets no message (the host must cope with silence)
#include <provisio/abi.h>

#include <stdexcept>
#include <string>

namespace {

const provisio_host *host = nullptr;

int32_t init(const provisio_host *h, void **instance) {
    host = h;
    *instance = nullptr;
    return PROVISIO_OK;
}

int32_t null_message(void *, const provisio_call *call) {
    host->set_message(call, provisio_str{nullptr, 5});
    return PROVISIO_ERROR;
}

int32_t huge_message(void *, const provisio_call *call) {
    static const std::string big(100 * 1024, 'm');
    host->set_message(call, provisio_str{big.data(), big.size()});
    return PROVISIO_OK;
}

int32_t odd_status(void *, const provisio_call *) { return 42; }

int32_t throws(void *, const provisio_call *) { throw std::runtime_error("the cable is unplugged"); }

int32_t half_state(void *, const provisio_call *call) {
    static const char key[] = "half", value[] = "written";
    host->state_set(call, provisio_str{key, sizeof key - 1}, provisio_str{value, sizeof value - 1});
    host->state_set(call, provisio_str{nullptr, 3}, provisio_str{value, sizeof value - 1});
    return PROVISIO_OK;
}

int32_t silent(void *, const provisio_call *) { return PROVISIO_OK; }

const provisio_module_descriptor *entry() {
    static provisio_module_descriptor d = [] {
        provisio_module_descriptor x{};
        x.struct_size = sizeof x;
        x.abi_major = PROVISIO_ABI_MAJOR;
        x.abi_minor = PROVISIO_ABI_MINOR;
        x.option_struct_size = sizeof(provisio_option);
        x.name = "misbehaving";
        x.version = "0.1";
        x.description = "breaks the ABI's rules at run time";
        x.capabilities = PROVISIO_CAP_PROVISIONING;
        x.init = init;
        x.create = null_message;
        x.suspend = huge_message;
        x.unsuspend = odd_status;
        x.terminate = throws;
        x.change_package = half_state;
        x.test_connection = silent;
        return x;
    }();
    return &d;
}

}  // namespace

PROVISIO_MODULE_ENTRY(entry)
