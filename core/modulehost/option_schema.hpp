// A module's configuration-option schema as the host keeps it (copied out of the module's
// static descriptor), and validation of option values against it.
#pragma once

#include <provisio/abi.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

struct OptionSpec {
    std::string key;
    std::string label;
    provisio_option_type type = PROVISIO_OPTION_TEXT;
    provisio_option_scope scope = PROVISIO_SCOPE_PRODUCT;
    bool required = false;
    std::vector<std::string> choices;
    std::string default_value;
    std::string description;
};

using Settings = std::map<std::string, std::string>;

class OptionSchema {
public:
    OptionSchema() = default;
    explicit OptionSchema(std::vector<OptionSpec> options) : options_(std::move(options)) {}

    const std::vector<OptionSpec> &options() const { return options_; }
    const OptionSpec *find(std::string_view key) const;

    // Checks one value against its option and returns it normalised (yes/no spelled "yes"/"no",
    // numbers without a leading '+'); nullopt plus `why` when it does not fit.
    static std::optional<std::string> normalise(const OptionSpec &option, std::string_view value, std::string &why);

    // Validates values given for `scope` (unknown keys, wrong types, dropdown choices) and
    // returns them normalised. Throws Error(invalid_input) naming `owner`, the key and the reason.
    Settings validate(std::string_view owner, provisio_option_scope scope, const Settings &values) const;

    // The effective values for `scope`: defaults, overlaid by `base`, overlaid by `overrides`.
    // Checks required options; throws Error(invalid_input) naming `owner` when one is empty.
    Settings effective(std::string_view owner, provisio_option_scope scope, const Settings &base,
                       const Settings &overrides) const;

    // The defaults of `scope`'s options, with no REQUIRED check (a call made without a product,
    // like a server's test_connection).
    Settings defaults(provisio_option_scope scope) const;

    // Keys whose values are secrets (PASSWORD options) in `scope`.
    std::vector<std::string> secret_keys(provisio_option_scope scope) const;

private:
    std::vector<OptionSpec> options_;
};

const char *option_type_name(provisio_option_type type);

}  // namespace provisio
