// lesnet — LesNet SIP trunks as a server module: a service is one peer and its DID
// ("Peer | DID", e.g. "D4E3CD2BFC791 | 12046664021"). Suspend disables the peer and remembers
// which one it disabled; unsuspend enables exactly that one. Usage comes from the account's CDR
// text file (the service's "CDR Link"), fetched conditionally: LesNet rewrites it once a day,
// and an unchanged file costs one 304. How a request is made and an answer read is in api.hpp;
// the endpoint names for peers are options, since LesNet's public sample shows only
// account/balance (docs/modules/lesnet.md, "Assumptions").
#include "api.hpp"
#include "cdr_file.hpp"
#include "plugin_support.hpp"

#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace {

using lesnet::Answer;
using nlohmann::json;
using provisio::Outcome;
using provisio::plugin::trimmed;

// "Peer | DID" → {"Peer", "DID"}; a DID is optional.
std::pair<std::string, std::string> peer_and_did(std::string_view domain) {
    const size_t bar = domain.find('|');
    return {trimmed(domain.substr(0, bar)), bar == std::string_view::npos ? "" : trimmed(domain.substr(bar + 1))};
}

class LesNet {
public:
    static constexpr provisio::ModuleInfo info{"lesnet", "1.0.0", "LesNet SIP trunk peers: suspend, unsuspend, usage from the CDR file",
                                               PROVISIO_CAP_PROVISIONING | PROVISIO_CAP_NEEDS_SERVER};
    static constexpr provisio_option options[] = {
        provisio::on_server(provisio::text("api_path", "API path", "/v1/", "Prefix of every endpoint")),
        provisio::on_server(provisio::text("endpoint_account", "Account endpoint", "account/balance",
                                           "Used by test connection; LesNet's sample client calls account/balance")),
        provisio::on_server(provisio::text("endpoint_peer_info", "Peer info endpoint", "peer/info", "Assumed: not in LesNet's public material")),
        provisio::on_server(provisio::text("endpoint_suspend", "Suspend endpoint", "peer/disable", "Assumed: not in LesNet's public material")),
        provisio::on_server(provisio::text("endpoint_unsuspend", "Unsuspend endpoint", "peer/enable", "Assumed: not in LesNet's public material")),
        provisio::on_server(provisio::text("endpoint_update", "Peer update endpoint", "peer/update",
                                           "Change package sets max_channels; assumed: not in LesNet's public material")),
        provisio::number("max_channels", "Max channels", "", "Concurrent calls the peer may carry; blank: leave as is"),
        provisio::text("cdr_columns", "CDR columns", lesnet::default_columns, "Our field=the file's column, comma-separated"),
        provisio::text("cdr_utc_offset", "CDR time offset", "+00:00", "The CDR file's times are at this UTC offset"),
    };

    explicit LesNet(const provisio::Host &) {}

    // account/balance is the one call LesNet's sample client shows: its answer carries the
    // balance at the top level.
    Outcome test_connection(provisio::Call &c) {
        const Answer a = api(c, "endpoint_account", json::object());
        if (a.failed) return *a.failed;
        const json *balance = a.has_results() && a.body.contains("balance") ? &a.body["balance"] : nullptr;
        if (!balance || !(balance->is_number() || balance->is_string()))
            return lesnet::unknown_shape(c, a, "a top-level \"balance\"");
        // Only shown, never computed with (25.50 may show as 25.5), so no money type is needed.
        const std::string shown = balance->is_string() ? balance->get<std::string>() : balance->dump();
        return Outcome::success("LesNet API answered for idkey " + std::string(c.server("username")) + ": balance " + shown);
    }

    // The peer must exist and carry the service's DID; then it is enabled (enabling an enabled
    // peer changes nothing, and one call fewer would need a field whose name LesNet does not publish).
    Outcome create(provisio::Call &c) {
        const auto [peer, did] = service_peer(c);
        const Answer info = api(c, "endpoint_peer_info", {{"peer", peer}});
        if (info.failed) return *info.failed;
        const std::optional<std::vector<std::string>> dids = listed_dids(c, info);
        if (!dids) return lesnet::unknown_shape(c, info, "\"dids\": the peer's numbers");
        if (!did.empty() && std::find(dids->begin(), dids->end(), did) == dids->end())
            return Outcome::failure("DID " + did + " is not attached to peer " + peer + " (attached: " +
                                    (dids->empty() ? std::string("none") : provisio::plugin::joined(*dids, ", ")) + ")");
        if (auto failed = write(c, "endpoint_unsuspend", {{"peer", peer}})) return *failed;
        c.set_state("peer", peer);
        return Outcome::success("peer " + peer + " enabled" + (did.empty() ? "" : ", DID " + did + " attached"));
    }

    Outcome suspend(provisio::Call &c) {
        const std::string peer = service_peer(c).first;
        if (auto failed = write(c, "endpoint_suspend", {{"peer", peer}})) return *failed;
        c.set_state("disabled_peer", peer);  // unsuspend enables this one, whatever the fields say by then
        return Outcome::success("peer " + peer + " disabled");
    }

    Outcome unsuspend(provisio::Call &c) {
        const std::string peer = c.state("disabled_peer").value_or(service_peer(c).first);
        if (auto failed = write(c, "endpoint_unsuspend", {{"peer", peer}})) return *failed;
        c.erase_state("disabled_peer");
        return Outcome::success("peer " + peer + " enabled");
    }

    Outcome terminate(provisio::Call &c) {
        const std::string peer = service_peer(c).first;
        if (auto failed = write(c, "endpoint_suspend", {{"peer", peer}})) return *failed;
        c.erase_state("disabled_peer");
        c.set_state("terminated_peer", peer);
        return Outcome::success("peer " + peer + " disabled for good (LesNet keeps the peer; remove it in their portal)");
    }

    Outcome change_package(provisio::Call &c) {
        const std::string channels = trimmed(c.setting("max_channels"));
        const std::string peer = service_peer(c).first;
        if (channels.empty()) return Outcome::success("no max_channels set: peer " + peer + " left as it is");
        if (!provisio::plugin::is_digits(channels) || channels.size() > 9)
            return Outcome::failure("max_channels '" + channels + "' is not a whole number of channels");
        if (auto failed = write(c, "endpoint_update", {{"peer", peer}, {"max_channels", std::stoll(channels)}})) return *failed;
        return Outcome::success("peer " + peer + " set to " + channels + " channel(s)");
    }

    Outcome collect_usage(provisio::Call &c, const provisio::UsageRequest &request) {
        const std::string link(c.custom_field("CDR Link"));
        if (link.empty()) return Outcome::failure("the service has no 'CDR Link' custom field (the URL of its LesNet CDR file)");
        lesnet::ColumnMap columns;
        try {
            columns = lesnet::parse_column_map(c.setting("cdr_columns", lesnet::default_columns));
        } catch (const std::exception &e) {
            return Outcome::failure(e.what());
        }
        const std::string floor = request.cursor.empty() ? request.since : request.cursor;
        provisio::HttpRequest get;
        get.url = link;
        if (!request.cursor.empty()) {  // the first collection reads the whole file
            if (auto etag = c.state("cdr_etag")) get.headers.emplace_back("If-None-Match", *etag);
            if (auto modified = c.state("cdr_last_modified")) get.headers.emplace_back("If-Modified-Since", *modified);
        }
        const provisio::HttpResponse r = c.http(get);
        if (r.transport != provisio::Status::ok) return Outcome::retry("the CDR file could not be fetched: " + r.error);
        if (r.status == 304) {
            c.set_usage_cursor(floor);
            return Outcome::success("the CDR file has not changed since the last fetch");
        }
        if (r.status >= 500) return Outcome::retry("the CDR file's server answered HTTP " + std::to_string(r.status));
        if (r.status != 200) return Outcome::failure("the CDR link answered HTTP " + std::to_string(r.status));
        lesnet::CdrFile file;
        try {
            file = lesnet::parse_cdr_file(r.body, columns, c.setting("cdr_utc_offset", "+00:00"));
        } catch (const std::exception &e) {
            return Outcome::failure(std::string("the CDR file cannot be read: ") + e.what());
        }
        // A call we cannot read is a call we cannot bill: an error in the log, never a zero.
        for (const auto &e : file.errors) c.log(PROVISIO_LOG_ERROR, "CDR file " + e + " (skipped, not billed)");
        const auto [peer, did] = service_peer(c);
        std::vector<const lesnet::CdrRow *> due;
        for (const auto &row : file.rows)
            if ((row.peer.empty() || row.peer == peer) && row.start_utc >= floor) due.push_back(&row);
        std::sort(due.begin(), due.end(), [](auto *a, auto *b) { return std::tie(a->start_utc, a->id) < std::tie(b->start_utc, b->id); });
        std::string cursor = floor;
        uint32_t served = 0;
        for (const lesnet::CdrRow *row : due) {
            if (served == request.max_records) break;
            const bool inbound = row->direction.empty() ? is_did(c, did, row->destination) : row->direction.rfind("in", 0) == 0;
            provisio::UsageRecord u;
            u.id = row->id;
            u.direction = inbound ? "inbound" : "outbound";
            u.caller = row->caller;
            u.destination_number = row->destination;
            u.caller_destination = inbound ? row->destination : "";
            u.start = row->start_utc;
            u.answer = row->billsec > 0 ? row->start_utc : "";
            u.end = row->end_utc;
            u.duration = row->duration;
            u.billsec = row->billsec;
            u.hangup_cause = row->billsec > 0 ? "ANSWERED" : "NO ANSWER";
            c.add_usage(u);
            cursor = row->start_utc;
            ++served;
        }
        // Remember the file's version only once all of it has been handed over: a collection
        // that stopped at max_records reads the file again for the rest.
        if (served == due.size()) {
            if (!r.header("etag").empty()) c.set_state("cdr_etag", r.header("etag"));
            if (!r.header("last-modified").empty()) c.set_state("cdr_last_modified", r.header("last-modified"));
        }
        c.set_usage_cursor(cursor);
        return Outcome::success(std::to_string(served) + " call(s) from the CDR file" +
                                (file.errors.empty() ? "" : ", " + std::to_string(file.errors.size()) + " bad line(s) skipped"));
    }

private:
    static std::pair<std::string, std::string> service_peer(const provisio::Call &c) {
        auto [peer, did] = peer_and_did(c.service("domain"));
        if (const auto field = c.custom_field("Peer ID"); !field.empty()) peer = trimmed(field);
        if (peer.empty()) throw std::runtime_error("the service names no peer: its domain must be 'Peer | DID' (e.g. D4E3CD2BFC791 | 12046664021)");
        if (did.empty()) did = trimmed(c.service("username"));
        if (!did.empty() && did.find_first_not_of("0123456789") != std::string::npos)
            throw std::runtime_error("DID '" + did + "' is not a number: the domain must be 'Peer | DID'");
        return {peer, did};
    }

    static bool is_did(const provisio::Call &c, const std::string &did, const std::string &number) {
        if (number == did) return true;
        const auto attached = provisio::plugin::split_fields(c.custom_field("DIDs Attached to Peer"), ",|");
        return std::find(attached.begin(), attached.end(), number) != attached.end();
    }

    static std::string server_option(const provisio::Call &c, std::string_view key) {
        return provisio::plugin::server_option<LesNet>(c, key);
    }

    static Answer api(provisio::Call &c, const char *endpoint_option, json params) {
        return lesnet::call_api(c, server_option(c, "api_path"), server_option(c, endpoint_option), std::move(params));
    }

    // A call that changes the peer: confirmed by {"status": "success"}, or the outcome to return.
    static std::optional<Outcome> write(provisio::Call &c, const char *endpoint_option, json params) {
        const Answer a = api(c, endpoint_option, std::move(params));
        if (a.failed) return a.failed;
        if (!a.confirmed()) return lesnet::unknown_shape(c, a, "{\"status\": \"success\"}");
        return std::nullopt;
    }

    // peer/info's "dids" (strings or whole numbers), or nothing when the answer has no such list.
    static std::optional<std::vector<std::string>> listed_dids(const provisio::Call &c, const Answer &a) {
        if (!a.has_results()) return std::nullopt;
        bool from_data = false;
        const json *dids = a.member("dids", &from_data);
        if (!dids || !dids->is_array()) return std::nullopt;
        std::vector<std::string> out;
        for (const json &d : *dids) {
            if (d.is_string()) out.push_back(d.get<std::string>());
            else if (d.is_number_unsigned()) out.push_back(std::to_string(d.get<uint64_t>()));
            else return std::nullopt;
        }
        if (from_data)
            c.log(PROVISIO_LOG_WARNING, "LesNet API (" + a.endpoint +
                                            ") answered with its fields inside \"data\" (the form this module assumed at first); "
                                            "LesNet's sample client reads results at the top level");
        return out;
    }
};

}  // namespace

PROVISIO_MODULE(LesNet)
