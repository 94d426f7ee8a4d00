#include "modulehost/descriptor.hpp"

#include "foundation/text.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <set>

namespace provisio {

namespace {

// The size of the descriptor and option structs as ABI 1.0 defined them. Later minors append
// fields, so these stay the minimum a module may report.
constexpr uint32_t descriptor_size_1_0 = sizeof(provisio_module_descriptor);
constexpr uint32_t option_size_1_0 = sizeof(provisio_option);

struct Refusal {
    std::string reason;
};

bool valid_identifier(const std::string &s) {
    if (s.empty() || s.size() > PROVISIO_MAX_NAME_BYTES) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

// Reads a NUL-terminated string of at most `limit` bytes; `what` names it in a refusal.
std::string bounded(const char *p, size_t limit, const std::string &what, bool allow_null) {
    if (!p) {
        if (allow_null) return {};
        throw Refusal{what + " is a null pointer"};
    }
    const size_t n = strnlen(p, limit + 1);
    if (n > limit) throw Refusal{what + " is longer than " + std::to_string(limit) + " bytes"};
    std::string text(p, n);
    if (const std::string why = utf8_problem(text); !why.empty()) throw Refusal{what + " is not UTF-8 text (" + why + ")"};
    return text;
}

OptionSpec read_option(const provisio_option &o, size_t index) {
    const std::string at = "option #" + std::to_string(index + 1);
    OptionSpec spec;
    spec.key = bounded(o.key, PROVISIO_MAX_NAME_BYTES, at + " key", false);
    const std::string named = "option '" + spec.key + "'";
    if (!valid_identifier(spec.key)) throw Refusal{at + " key '" + spec.key + "' must match [a-z0-9_]+"};
    spec.label = bounded(o.label, PROVISIO_MAX_TEXT_BYTES, named + " label", false);
    if (spec.label.empty()) throw Refusal{named + " has an empty label"};
    if (o.type < PROVISIO_OPTION_TEXT || o.type > PROVISIO_OPTION_TEXTAREA)
        throw Refusal{named + " has unknown type " + std::to_string(o.type)};
    spec.type = static_cast<provisio_option_type>(o.type);
    if (o.scope > PROVISIO_SCOPE_SERVER) throw Refusal{named + " has unknown scope " + std::to_string(o.scope)};
    spec.scope = static_cast<provisio_option_scope>(o.scope);
    spec.required = (o.flags & PROVISIO_OPTION_REQUIRED) != 0;
    spec.description = bounded(o.description, PROVISIO_MAX_TEXT_BYTES, named + " description", true);
    spec.default_value = bounded(o.default_value, PROVISIO_MAX_TEXT_BYTES, named + " default", true);
    if (spec.type == PROVISIO_OPTION_DROPDOWN) {
        if (o.choice_count == 0 || !o.choices) throw Refusal{named + " is a dropdown with no choices"};
        if (o.choice_count > PROVISIO_MAX_CHOICES)
            throw Refusal{named + " has more than " + std::to_string(PROVISIO_MAX_CHOICES) + " choices"};
        std::set<std::string> seen;
        for (uint32_t i = 0; i < o.choice_count; ++i) {
            std::string c = bounded(o.choices[i], PROVISIO_MAX_TEXT_BYTES,
                                    named + " choice #" + std::to_string(i + 1), false);
            if (c.empty()) throw Refusal{named + " has an empty choice"};
            if (!seen.insert(c).second) throw Refusal{named + " lists choice '" + c + "' twice"};
            spec.choices.push_back(std::move(c));
        }
    } else if (o.choice_count != 0) {
        throw Refusal{named + " has choices but is not a dropdown"};
    }
    std::string why;
    if (!spec.default_value.empty() && !OptionSchema::normalise(spec, spec.default_value, why))
        throw Refusal{named + " default '" + spec.default_value + "' is invalid: it " + why};
    if (!spec.default_value.empty()) spec.default_value = *OptionSchema::normalise(spec, spec.default_value, why);
    return spec;
}

// The names the host already gives calls — lifecycle actions, and the hooks as the module-call
// log and the metrics name them: a custom action may not take one, so a name never means two things.
bool reserved_call_name(const std::string &name) {
    for (const char *n : {"create", "suspend", "unsuspend", "terminate", "change_package", "change_password", "test_connection", "cancel",
                          "invoice_created", "invoice_paid", "validate_settings", "credit_schedule", "generate_credits", "collect_usage"})
        if (name == n) return true;
    return false;
}

// A gateway's calls are logged as these; a gateway's custom action may not take them (a module
// that is no gateway may, as modules built before ABI 1.6 did).
bool payment_call_name(const std::string &name) { return name == "charge" || name == "checkout" || name == "refund" || name == "webhook"; }

// ABI 1.6: the payment functions, when the module says it is a gateway. Functions of a block
// too short to hold them, or of a module built for 1.5, read as absent.
void read_gateway(const provisio_module_extensions &x, uint32_t size, ModuleDescription &m) {
    constexpr uint32_t size_1_6 = offsetof(provisio_module_extensions, parse_webhook) + sizeof(provisio_payment_fn);
    const bool declared = (m.capabilities & PROVISIO_CAP_GATEWAY) != 0;
    if (m.abi_minor < 6 || size < size_1_6) {
        if (declared) throw Refusal{"declares a payment gateway but its extensions block has no payment functions (ABI 1.6)"};
        return;
    }
    if (!declared) {
        if (x.charge || x.start_checkout || x.refund || x.parse_webhook)
            throw Refusal{"has payment functions but does not declare PROVISIO_CAP_GATEWAY"};
        return;
    }
    if (!x.charge) throw Refusal{"declares a payment gateway but has no charge function"};
    if (!x.parse_webhook) throw Refusal{"declares a payment gateway but has no parse_webhook function"};
    m.gateway = {x.charge, x.start_checkout, x.refund, x.parse_webhook};
}

void read_extensions(const provisio_module_extensions *e, ModuleDescription &m) {
    if (!e) {
        if (m.capabilities & PROVISIO_CAP_GATEWAY)
            throw Refusal{"declares a payment gateway but has no extensions block to hold its functions"};
        return;
    }
    provisio_module_extensions x{};
    // struct_size is read first, on its own: the block may be shorter than this host's.
    uint32_t size = 0;
    std::memcpy(&size, e, sizeof size);
    constexpr uint32_t size_1_5 = offsetof(provisio_module_extensions, call_custom_action) + sizeof(provisio_custom_action_fn);
    if (size < size_1_5)
        throw Refusal{"extensions struct_size " + std::to_string(size) + " is smaller than ABI 1.5's " + std::to_string(size_1_5)};
    std::memcpy(&x, e, std::min<size_t>(size, sizeof x));
    read_gateway(x, size, m);
    if (x.custom_action_count == 0) return;
    if (!x.custom_actions)
        throw Refusal{"custom action list is a null pointer but custom_action_count is " + std::to_string(x.custom_action_count)};
    if (x.custom_action_count > PROVISIO_MAX_CUSTOM_ACTIONS)
        throw Refusal{"custom_action_count " + std::to_string(x.custom_action_count) + " exceeds " +
                      std::to_string(PROVISIO_MAX_CUSTOM_ACTIONS)};
    constexpr uint32_t action_size_1_5 = sizeof(provisio_custom_action);
    if (x.custom_action_struct_size < action_size_1_5)
        throw Refusal{"custom_action_struct_size " + std::to_string(x.custom_action_struct_size) + " is smaller than ABI 1.5's " +
                      std::to_string(action_size_1_5)};
    if (!x.call_custom_action) throw Refusal{"lists custom actions but has no call_custom_action function"};
    const auto *base = reinterpret_cast<const unsigned char *>(x.custom_actions);
    std::set<std::string> names;
    for (uint32_t i = 0; i < x.custom_action_count; ++i) {
        provisio_custom_action a{};
        std::memcpy(&a, base + static_cast<size_t>(i) * x.custom_action_struct_size, std::min<size_t>(x.custom_action_struct_size, sizeof a));
        const std::string at = "custom action #" + std::to_string(i + 1);
        CustomAction action;
        action.name = bounded(a.name, PROVISIO_MAX_NAME_BYTES, at + " name", false);
        if (!valid_identifier(action.name)) throw Refusal{at + " name '" + action.name + "' must match [a-z0-9_]+"};
        const std::string named = "custom action '" + action.name + "'";
        if (reserved_call_name(action.name) || ((m.capabilities & PROVISIO_CAP_GATEWAY) && payment_call_name(action.name)))
            throw Refusal{named + " takes the name of a lifecycle action or hook"};
        if (!names.insert(action.name).second) throw Refusal{named + " is declared twice"};
        action.label = bounded(a.label, PROVISIO_MAX_TEXT_BYTES, named + " label", false);
        if (action.label.empty()) throw Refusal{named + " has an empty label"};
        action.description = bounded(a.description, PROVISIO_MAX_TEXT_BYTES, named + " description", true);
        if (a.flags & ~PROVISIO_ACTION_CLIENT) throw Refusal{named + " has unknown flags " + std::to_string(a.flags & ~PROVISIO_ACTION_CLIENT)};
        action.client_visible = (a.flags & PROVISIO_ACTION_CLIENT) != 0;
        m.custom_actions.push_back(std::move(action));
    }
    m.call_custom_action = x.call_custom_action;
}

}  // namespace

const CustomAction *ModuleDescription::custom_action(std::string_view name) const {
    for (const auto &a : custom_actions)
        if (a.name == name) return &a;
    return nullptr;
}

std::string custom_action_names(const ModuleDescription &d) {
    std::string out;
    for (const auto &a : d.custom_actions) out += (out.empty() ? "" : ", ") + a.name + (a.client_visible ? " (client)" : "");
    return out;
}

std::string implemented_functions(const provisio_module_descriptor &f) {
    std::string out;
    auto add = [&](bool present, const char *name) {
        if (present) out += (out.empty() ? "" : ", ") + std::string(name);
    };
    add(f.create, "create");
    add(f.suspend, "suspend");
    add(f.unsuspend, "unsuspend");
    add(f.terminate, "terminate");
    add(f.change_package, "change_package");
    add(f.change_password, "change_password");
    add(f.test_connection, "test_connection");
    add(f.invoice_event, "invoice_event");
    add(f.validate_settings, "validate_settings");
    add(f.generate_credits, "generate_credits");
    return out;
}

std::string module_functions(const ModuleDescription &d) {
    std::string out = implemented_functions(d.functions);
    auto add = [&](bool present, const char *name) {
        if (present) out += (out.empty() ? "" : ", ") + std::string(name);
    };
    add(d.functions.collect_usage, "collect_usage");
    add(d.gateway.charge, "charge");
    add(d.gateway.start_checkout, "checkout");
    add(d.gateway.refund, "refund");
    add(d.gateway.parse_webhook, "webhook");
    return out;
}

DescriptorVerdict read_descriptor(const provisio_module_descriptor *d, const std::string &file_label) {
    DescriptorVerdict verdict;
    try {
        if (!d) throw Refusal{"its entry point returned no descriptor (null)"};
        // The versions first: a module for another major may lay out everything else differently.
        if (d->abi_major != PROVISIO_ABI_MAJOR)
            throw Refusal{"module " + file_label + " built for ABI " + std::to_string(d->abi_major) +
                          ", this host speaks ABI " + std::to_string(PROVISIO_ABI_MAJOR) +
                          "; rebuild it against a matching provisio SDK"};
        if (d->abi_minor > PROVISIO_ABI_MINOR)
            throw Refusal{"module " + file_label + " built for ABI 1." + std::to_string(d->abi_minor) +
                          ", newer than this host's 1." + std::to_string(PROVISIO_ABI_MINOR) +
                          "; upgrade provisio"};
        if (d->struct_size < descriptor_size_1_0)
            throw Refusal{"descriptor struct_size " + std::to_string(d->struct_size) + " is smaller than ABI 1.0's " +
                          std::to_string(descriptor_size_1_0)};
        ModuleDescription m;
        std::memcpy(&m.functions, d, std::min<size_t>(d->struct_size, sizeof m.functions));
        m.abi_major = d->abi_major;
        m.abi_minor = d->abi_minor;
        m.name = bounded(d->name, PROVISIO_MAX_NAME_BYTES, "module name", false);
        verdict.name = m.name;
        if (!valid_identifier(m.name)) throw Refusal{"module name '" + m.name + "' must match [a-z0-9_]+"};
        m.version = bounded(d->version, PROVISIO_MAX_TEXT_BYTES, "version", false);
        if (m.version.empty()) throw Refusal{"version is empty"};
        m.description = bounded(d->description, PROVISIO_MAX_TEXT_BYTES, "description", true);
        m.capabilities = d->capabilities;

        if (d->option_count > 0) {
            if (!d->options) throw Refusal{"option list is a null pointer but option_count is " + std::to_string(d->option_count)};
            if (d->option_count > PROVISIO_MAX_OPTIONS)
                throw Refusal{"option_count " + std::to_string(d->option_count) + " exceeds " +
                              std::to_string(PROVISIO_MAX_OPTIONS)};
            if (d->option_struct_size < option_size_1_0)
                throw Refusal{"option_struct_size " + std::to_string(d->option_struct_size) +
                              " is smaller than ABI 1.0's " + std::to_string(option_size_1_0)};
        }
        std::vector<OptionSpec> options;
        std::set<std::string> keys;
        const auto *base = reinterpret_cast<const unsigned char *>(d->options);
        for (uint32_t i = 0; i < d->option_count; ++i) {
            provisio_option o{};
            std::memcpy(&o, base + static_cast<size_t>(i) * d->option_struct_size,
                        std::min<size_t>(d->option_struct_size, sizeof o));
            OptionSpec spec = read_option(o, i);
            if (!keys.insert(spec.key).second) throw Refusal{"option '" + spec.key + "' is declared twice"};
            options.push_back(std::move(spec));
        }
        m.schema = OptionSchema(std::move(options));

        // Fields a later minor defines are not a module's to fill if it was built for an
        // earlier one (slots numbered as in 1.0's reserved_hooks[6]): invoice_event is [0].
        if (m.abi_minor < 1) m.functions.invoice_event = nullptr;
        if (m.abi_minor < 2) {  // 1.0's reserved_hooks[1..3]
            m.functions.validate_settings = nullptr;
            m.functions.credit_schedule = nullptr;
            m.functions.generate_credits = nullptr;
        }
        if (m.abi_minor < 3) m.functions.collect_usage = nullptr;  // 1.0's reserved_hooks[4]
        if (m.abi_minor >= 5) read_extensions(m.functions.extensions, m);  // 1.0's reserved_hooks[5]
        else if (m.capabilities & PROVISIO_CAP_GATEWAY) throw Refusal{"declares a payment gateway, which needs ABI 1.6"};
        m.functions.extensions = nullptr;  // read into the description: nothing reads the module's block again
        if ((m.capabilities & PROVISIO_CAP_PROVISIONING) && implemented_functions(m.functions).empty())
            throw Refusal{"declares provisioning but implements no lifecycle function"};
        if ((m.capabilities & PROVISIO_CAP_INVOICE_EVENTS) && !m.functions.invoice_event)
            throw Refusal{"declares invoice events but has no invoice_event function"};
        if (!m.functions.credit_schedule != !m.functions.generate_credits)
            throw Refusal{"implements only one of credit_schedule and generate_credits; credit generation needs both"};
        if ((m.capabilities & PROVISIO_CAP_CREDIT_GENERATION) && !m.functions.generate_credits)
            throw Refusal{"declares credit generation but has no generate_credits function"};
        if ((m.capabilities & PROVISIO_CAP_USAGE) && !m.functions.collect_usage)
            throw Refusal{"declares usage but has no collect_usage function"};
        verdict.module = std::move(m);
    } catch (const Refusal &r) {
        verdict.reason = r.reason;
    }
    return verdict;
}

}  // namespace provisio
