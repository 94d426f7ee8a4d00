// provisio SDK — how the host reads an option value against its type.
//
// The host checks every value an operator saves for a module's option (product, service
// override, server) with this function and stores what it returns, so a module only ever sees
// normalised values: "yes"/"no" for YESNO, numbers without a leading '+'. The fake host in
// testing.hpp applies the same function to the settings a test passes, so a test that passes
// "on" for a YESNO option sees "yes", as the module will in production.
#pragma once

#include <provisio/abi.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio::rules {

// `value` as the host stores it for an option of `type` (with `choices` for a DROPDOWN), or
// nullopt with `why` saying what is wrong ("must be yes or no"). An empty value is a value for
// every type but YESNO, where it reads as "no".
inline std::optional<std::string> normalise_option_value(provisio_option_type type, const std::vector<std::string> &choices,
                                                         std::string_view value, std::string &why) {
    switch (type) {
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
        if (value.empty() || std::find(choices.begin(), choices.end(), value) != choices.end()) return std::string(value);
        why = "must be one of:";
        for (const auto &c : choices) why += " '" + c + "'";
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

// The name operators see for an option type ("yesno"), as `provisio module show` prints it.
inline const char *option_type_name(provisio_option_type type) {
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

}  // namespace provisio::rules
