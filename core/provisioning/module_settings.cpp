#include "provisioning/module_settings.hpp"

#include "foundation/error.hpp"

namespace provisio {

namespace {

Settings apply(const Settings &base, const SettingChanges &changes) {
    Settings out = base;
    for (const auto &k : changes.unset) out.erase(k);
    for (const auto &[k, v] : changes.set) out[k] = v;
    return out;
}

std::string owner_of(const LoadedModule &m) { return "module " + m.name(); }

// Checks the effective values (defaults, REQUIRED) when they are saved, not first at call time,
// then asks the module's own whole-settings check (ABI 1.2) for what a per-option schema
// cannot say. PASSWORD values are masked in whatever the module says.
void check_effective(const ModuleHost &host, const LoadedModule &m, const Settings &product_values, const Settings &overrides,
                     const std::string &cycle, Money amount, const std::string &product_name, int64_t service_id) {
    const OptionSchema &schema = m.description.schema;
    CallInput in;
    in.settings = schema.effective(owner_of(m), PROVISIO_SCOPE_PRODUCT, product_values, overrides);
    if (!m.description.functions.validate_settings) return;
    in.service_id = static_cast<uint64_t>(service_id);
    in.service = {{"billing_cycle", cycle}, {"recurring_amount", amount.to_string()}, {"product_name", product_name}};
    for (const auto &key : schema.secret_keys(PROVISIO_SCOPE_PRODUCT)) in.secrets.push_back(in.settings[key]);
    const CallOutcome out = host.invoke_validate(m, in);
    if (out.status != PROVISIO_OK) fail(ErrorKind::invalid_input, owner_of(m) + ": " + out.message);
}

}  // namespace

Settings product_settings_after(const ModuleHost &host, const Product &product, const SettingChanges &changes) {
    const Settings merged = apply(product.settings, changes);
    if (product.module.empty()) {
        if (!merged.empty())
            fail(ErrorKind::invalid_input, "product '" + product.name + "' has no module, so it takes no settings");
        return merged;
    }
    const LoadedModule &m = host.require(product.module);
    Settings valid = m.description.schema.validate(owner_of(m), PROVISIO_SCOPE_PRODUCT, merged);
    check_effective(host, m, valid, {}, product.billing_cycle, product.price, product.name, 0);
    return valid;
}

Settings service_overrides_after(const ModuleHost &host, const Product &product, const Service &service,
                                 const SettingChanges &changes) {
    const Settings merged = apply(service.overrides, changes);
    if (product.module.empty()) {
        if (!merged.empty())
            fail(ErrorKind::invalid_input, "product '" + product.name + "' has no module, so its services take no settings");
        return merged;
    }
    const LoadedModule &m = host.require(product.module);
    Settings valid = m.description.schema.validate(owner_of(m), PROVISIO_SCOPE_PRODUCT, merged);
    const Settings product_values = m.description.schema.validate(owner_of(m), PROVISIO_SCOPE_PRODUCT, product.settings);
    check_effective(host, m, product_values, valid, service.billing_cycle, service.recurring_amount, product.name, service.id);
    return valid;
}

Settings server_options_after(const ModuleHost &host, const Server &server, const SettingChanges &changes) {
    const LoadedModule &m = host.require(server.module);
    Settings valid = m.description.schema.validate(owner_of(m), PROVISIO_SCOPE_SERVER, apply(server.options, changes));
    m.description.schema.effective(owner_of(m), PROVISIO_SCOPE_SERVER, valid, {});  // REQUIRED options have a value
    return valid;
}

Settings effective_server_options(const LoadedModule &module, const Server &server) {
    const OptionSchema &schema = module.description.schema;
    const std::string owner = owner_of(module) + " (server '" + server.name + "')";
    return schema.effective(owner, PROVISIO_SCOPE_SERVER, schema.validate(owner, PROVISIO_SCOPE_SERVER, server.options), {});
}

Settings effective_settings(const LoadedModule &module, const Product &product, const Service *service) {
    const OptionSchema &schema = module.description.schema;
    const Settings product_values = schema.validate(owner_of(module) + " (product '" + product.name + "')",
                                                    PROVISIO_SCOPE_PRODUCT, product.settings);
    Settings overrides;
    if (service)
        overrides = schema.validate(owner_of(module) + " (service " + std::to_string(service->id) + ")",
                                    PROVISIO_SCOPE_PRODUCT, service->overrides);
    return schema.effective(owner_of(module), PROVISIO_SCOPE_PRODUCT, product_values, overrides);
}

}  // namespace provisio
