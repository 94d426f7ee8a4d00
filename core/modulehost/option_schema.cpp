#include "modulehost/option_schema.hpp"

#include "foundation/error.hpp"

#include <algorithm>

namespace provisio {

const char *option_type_name(provisio_option_type type) {
    switch (type) {
    case PROVISIO_OPTION_TEXT: return "text";
    case PROVISIO_OPTION_PASSWORD: return "password";
    case PROVISIO_OPTION_YESNO: return "yesno";
    case PROVISIO_OPTION_DROPDOWN: return "dropdown";
    case PROVISIO_OPTION_NUMBER: return "number";
    case PROVISIO_OPTION_TEXTAREA: return "textarea";
    }
    return "unknown";
}

const OptionSpec *OptionSchema::find(std::string_view key) const {
    for (const auto &o : options_)
        if (o.key == key) return &o;
    return nullptr;
}

std::optional<std::string> OptionSchema::normalise(const OptionSpec &option, std::string_view value, std::string &why) {
    switch (option.type) {
    case PROVISIO_OPTION_TEXT:
    case PROVISIO_OPTION_PASSWORD:
        if (value.find('\n') != std::string_view::npos) {
            why = "must be a single line";
            return std::nullopt;
        }
        return std::string(value);
    case PROVISIO_OPTION_TEXTAREA: return std::string(value);
    case PROVISIO_OPTION_YESNO: {
        std::string v(value);
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (v == "yes" || v == "on" || v == "true" || v == "1") return std::string("yes");
        if (v == "no" || v == "off" || v == "false" || v == "0" || v.empty()) return std::string("no");
        why = "must be yes or no";
        return std::nullopt;
    }
    case PROVISIO_OPTION_DROPDOWN: {
        if (value.empty() || std::find(option.choices.begin(), option.choices.end(), value) != option.choices.end())
            return std::string(value);
        why = "must be one of:";
        for (const auto &c : option.choices) why += " '" + c + "'";
        return std::nullopt;
    }
    case PROVISIO_OPTION_NUMBER: {
        if (value.empty()) return std::string();
        size_t i = 0;
        std::string out;
        if (value[0] == '-' || value[0] == '+') {
            if (value[0] == '-') out = "-";
            i = 1;
        }
        size_t digits = 0, frac = 0;
        bool dot = false;
        for (; i < value.size(); ++i) {
            const char c = value[i];
            if (c >= '0' && c <= '9') {
                (dot ? frac : digits)++;
                out += c;
            } else if (c == '.' && !dot) {
                dot = true;
                out += c;
            } else {
                digits = 0;
                break;
            }
        }
        if (digits == 0 || (dot && frac == 0)) {
            why = "must be a number";
            return std::nullopt;
        }
        return out;
    }
    }
    why = "has an unknown type";
    return std::nullopt;
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
