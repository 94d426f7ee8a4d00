// Errors the core reports to its caller. Each carries a kind, which the CLI maps to an exit
// code, and a one-line message that names the thing and the reason. Module outcomes are not
// errors of this kind: they cross the ABI as values (provisioning/outcome.hpp).
#pragma once

#include <stdexcept>
#include <string>

namespace provisio {

enum class ErrorKind {
    invalid_input,  // malformed option, value, file or argument
    not_found,      // unknown id or name
    refused,        // valid request the current state forbids (a state-machine transition)
    conflict,       // would duplicate something unique
    module_failed,  // a module returned an error
    module_retry,   // a module returned a retryable error; the call was queued
    storage,        // the database could not be opened, migrated or written
    internal
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string &message) { throw Error(kind, message); }

}  // namespace provisio
