#include "provisioning/quarantine.hpp"

#include "provisioning/module_queue.hpp"

namespace provisio {

namespace {
const char *abort_word(CallOutcome::Abort a) { return a == CallOutcome::Abort::timeout ? "timed out" : "crashed"; }
}  // namespace

bool Quarantine::skips(std::string_view module) const {
    std::lock_guard lock(mutex_);
    const auto it = modules_.find(module);
    return it != modules_.end() && it->second.skipped;
}

std::string Quarantine::why_skipped(std::string_view module) const {
    std::lock_guard lock(mutex_);
    const auto it = modules_.find(module);
    const std::string last = it == modules_.end() ? "" : it->second.last_abort;
    return "not called: module " + std::string(module) + " is skipped for the rest of this run after " +
           std::to_string(limits_.skip_module_after) + " aborted call(s) in a row" + (last.empty() ? "" : " (the last: " + last + ")");
}

void Quarantine::count(const std::string &module, const CallOutcome &outcome) {
    std::lock_guard lock(mutex_);
    Row &row = modules_[module];
    if (outcome.aborted == CallOutcome::Abort::none) {
        row.aborted_in_a_row = 0;
        return;
    }
    ++row.aborted_in_a_row;
    row.last_abort = outcome.message;
    if (limits_.skip_module_after > 0 && row.aborted_in_a_row >= limits_.skip_module_after) row.skipped = true;
}

void Quarantine::note_not_made(const std::string &module) {
    std::lock_guard lock(mutex_);
    ++modules_[module].not_made;
}

std::optional<std::string> Quarantine::park_if_due(Database &db, const Enqueued &queued, int64_t service_id, const std::string &action,
                                                   const std::string &module, const CallOutcome &outcome, const std::string &now) {
    if (outcome.aborted == CallOutcome::Abort::none || queued.parked || limits_.park_after <= 0 || queued.aborts < limits_.park_after)
        return std::nullopt;
    const std::string reason = "module " + module + ": " + std::to_string(queued.aborts) + " attempt(s) aborted; the last " +
                               abort_word(outcome.aborted) + ": " + outcome.message;
    park_queued(db, queued.id, reason, now);
    std::lock_guard lock(mutex_);
    parked_.push_back(action + " of service " + std::to_string(service_id) + " (queue item " + std::to_string(queued.id) + "): " + reason);
    return reason;
}

std::vector<std::string> Quarantine::parked() const {
    std::lock_guard lock(mutex_);
    return parked_;
}

std::vector<std::string> Quarantine::skipped_modules() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto &[name, row] : modules_)
        if (row.skipped)
            out.push_back("module " + name + " after " + std::to_string(limits_.skip_module_after) + " aborted call(s) in a row; " +
                          std::to_string(row.not_made) + " call(s) not made");
    return out;
}

}  // namespace provisio
