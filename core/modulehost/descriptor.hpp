// Reading a module's descriptor: the host copies what the module's struct_size covers into a
// host-sized struct (fields the module did not cover read as zero), then checks every rule of
// abi.h. The result is either a ModuleDescription or the precise reason the module is refused.
#pragma once

#include "modulehost/option_schema.hpp"

#include <provisio/abi.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

// A custom action (ABI 1.5) as the host keeps it.
struct CustomAction {
    std::string name, label, description;
    bool client_visible = false;
};

struct ModuleDescription {
    std::string name;
    std::string version;
    std::string description;
    uint32_t abi_major = 0;
    uint32_t abi_minor = 0;
    uint64_t capabilities = 0;
    OptionSchema schema;
    provisio_module_descriptor functions{};  // host-sized copy; strings in it are not used, `extensions` is read into the two below
    std::vector<CustomAction> custom_actions;
    provisio_custom_action_fn call_custom_action = nullptr;
    // ABI 1.6: a payment gateway's functions (null: not offered).
    struct Gateway {
        provisio_payment_fn charge = nullptr, start_checkout = nullptr, refund = nullptr, parse_webhook = nullptr;
    } gateway;
    bool is_gateway() const { return gateway.charge != nullptr; }
    // The custom action named `name`, or null.
    const CustomAction *custom_action(std::string_view name) const;
};

struct DescriptorVerdict {
    std::optional<ModuleDescription> module;  // set when accepted
    std::string name;                         // the module's name when it could be read
    std::string reason;                       // why it was refused
};

// `file_label` names the module in messages before its own name is known.
DescriptorVerdict read_descriptor(const provisio_module_descriptor *descriptor, const std::string &file_label);

// "reload, registrations (client)": a description's custom actions, client-visible ones marked.
std::string custom_action_names(const ModuleDescription &description);

// "create, suspend, ..." for the lifecycle functions a description implements.
std::string implemented_functions(const provisio_module_descriptor &functions);
// Every function a module offers, as `module show` lists them: lifecycle and hooks, usage, and a
// gateway's payment functions ("charge, checkout, refund, webhook").
std::string module_functions(const ModuleDescription &description);

}  // namespace provisio
