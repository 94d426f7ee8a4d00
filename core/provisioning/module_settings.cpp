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

}  // namespace

Settings product_settings_after(const ModuleHost &host, const Product &product, const SettingChanges &changes) {
    const Settings merged = apply(product.settings, changes);
    if (product.module.empty()) {
        if (!merged.empty())
            fail(ErrorKind::invalid_input, "product '" + product.name + "' has no module, so it takes no settings");
        return merged;
    }
    const LoadedModule &m = host.require(product.module);
    return m.description.schema.validate(owner_of(m), PROVISIO_SCOPE_PRODUCT, merged);
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
    return m.description.schema.validate(owner_of(m), PROVISIO_SCOPE_PRODUCT, merged);
}

Settings server_options_after(const ModuleHost &host, const Server &server, const SettingChanges &changes) {
    const LoadedModule &m = host.require(server.module);
    return m.description.schema.validate(owner_of(m), PROVISIO_SCOPE_SERVER, apply(server.options, changes));
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
