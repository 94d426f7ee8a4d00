#include "modulehost/option_schema.hpp"

#include "foundation/error.hpp"

#include <provisio/option_values.hpp>

#include <algorithm>

namespace provisio {

const char *option_type_name(provisio_option_type type) { return rules::option_type_name(type); }

const OptionSpec *OptionSchema::find(std::string_view key) const {
    for (const auto &o : options_)
        if (o.key == key) return &o;
    return nullptr;
}

std::optional<std::string> OptionSchema::normalise(const OptionSpec &option, std::string_view value, std::string &why) {
    return rules::normalise_option_value(option.type, option.choices, value, why);
}

Settings OptionSchema::validate(std::string_view owner, provisio_option_scope scope, const Settings &values) const {
    Settings out;
    for (const auto &[key, value] : values) {
        const OptionSpec *o = find(key);
        if (!o || o->scope != scope) {
            std::string known;
            for (const auto &opt : options_)
                if (opt.scope == scope) known += (known.empty() ? "" : ", ") + opt.key;
            fail(ErrorKind::invalid_input, std::string(owner) + " has no " +
                                               (scope == PROVISIO_SCOPE_SERVER ? "server " : "") + "option '" + key +
                                               "'" + (known.empty() ? " (it has none)" : " (known: " + known + ")"));
        }
        std::string why;
        auto v = normalise(*o, value, why);
        if (!v)  // a password's value is not repeated in the message
            fail(ErrorKind::invalid_input, std::string(owner) + " option '" + key + "' (" + option_type_name(o->type) +
                                               "): " + (o->type == PROVISIO_OPTION_PASSWORD ? "the value" : "'" + value + "'") +
                                               " " + why);
        out[key] = *v;
    }
    return out;
}

Settings OptionSchema::effective(std::string_view owner, provisio_option_scope scope, const Settings &base,
                                 const Settings &overrides) const {
    Settings out;
    for (const auto &o : options_) {
        if (o.scope != scope) continue;
        std::string v = o.default_value;
        if (auto it = base.find(o.key); it != base.end()) v = it->second;
        if (auto it = overrides.find(o.key); it != overrides.end()) v = it->second;
        if (o.required && v.empty())
            fail(ErrorKind::invalid_input, std::string(owner) + (scope == PROVISIO_SCOPE_SERVER ? " server" : "") + " option '" +
                                               o.key + "' (" + o.label + ") is required but has no value");
        out[o.key] = v;
    }
    return out;
}

Settings OptionSchema::defaults(provisio_option_scope scope) const {
    Settings out;
    for (const auto &o : options_)
        if (o.scope == scope) out[o.key] = o.default_value;
    return out;
}

std::vector<std::string> OptionSchema::secret_keys(provisio_option_scope scope) const {
    std::vector<std::string> out;
    for (const auto &o : options_)
        if (o.scope == scope && o.type == PROVISIO_OPTION_PASSWORD) out.push_back(o.key);
    return out;
}

}  // namespace provisio
