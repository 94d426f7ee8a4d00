// Module settings as the core sees them: server options, product values and service overrides
// are validated against the module's option schema when saved (types, choices, REQUIRED), and
// overlaid (defaults < product < service; defaults < server) into what a call receives.
#pragma once

#include "domain/records.hpp"
#include "modulehost/module_host.hpp"

namespace provisio {

// Edits to a set of option values: `set` assigns (an empty value is a value), `unset` removes.
struct SettingChanges {
    Settings set;
    std::vector<std::string> unset;
};

// The product's settings after applying `changes`, validated.
Settings product_settings_after(const ModuleHost &host, const Product &product, const SettingChanges &changes);
// The service's overrides after applying `changes`, validated; an unset key falls back to
// the product's value.
Settings service_overrides_after(const ModuleHost &host, const Product &product, const Service &service,
                                 const SettingChanges &changes);
// The server's module options after applying `changes`, validated (types, choices, and every
// REQUIRED server option has a value once defaults apply).
Settings server_options_after(const ModuleHost &host, const Server &server, const SettingChanges &changes);
// The server options a call receives: schema defaults overlaid by the server's values,
// re-validated (a module upgrade may have changed its schema).
Settings effective_server_options(const LoadedModule &module, const Server &server);

// Effective settings for a call: schema defaults, overlaid by the product, then the service.
// Re-validates stored values (a module upgrade may have changed its schema).
Settings effective_settings(const LoadedModule &module, const Product &product, const Service *service);

}  // namespace provisio
