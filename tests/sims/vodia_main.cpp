// vodia-sim: the Vodia PBX REST simulator as a command, for scripts/try and for trying the vodia
// module by hand. Serves until interrupted.
#include "vodia_sim.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

namespace {

void usage(std::ostream &out) {
    out << "usage: vodia-sim [--port N] [--tls DIR] [--user U] [--password P] [--state FILE] [--account-flag]\n"
           "  Serves a Vodia-like REST API on 127.0.0.1 (port 0: a free one) and prints its URL.\n"
           "  --tls DIR       speak HTTPS with a self-signed certificate made in DIR\n"
           "  --state FILE    tenants to start with, as JSON:\n"
           "                  {\"DOMAIN\": {\"trunks\": [{\"id\": \"1\", \"name\": \"SIP trunk\"}],\n"
           "                              \"accounts\": {\"8300\": {\"first_name\": \"Ann\"}},\n"
           "                              \"cdrs\": [{\"id\": 1, \"from\", \"to\", \"start\", \"connect\", \"end\"}]}}\n"
           "                  (times as Vodia writes them, \"1810113000.250\": seconds since 1970 with a\n"
           "                  fraction; connect empty or absent: not answered; from/to as \\\"Name\\\" <sip:number@domain>)\n"
           "  --account-flag  answer account settings with a \"dis\" flag (a PBX version that can disable an\n"
           "                  account; Vodia's published example has none)\n"
           "  Login: PUT /rest/system/session {\"name\":\"auth\",\"value\":\"USER MD5(PASSWORD)\"}, or HTTP Basic.\n"
           "  --fault KIND[:MS[:COUNT]]  start with a fault on every request (or COUNT of them), e.g. latency:20\n"
           "  Faults: POST /_sim/fault {\"kind\": \"latency|http500|timeout|reset|malformed|wrong_credentials\", \"count\": N, \"ms\": M}\n"
           "  Requests so far: GET /_sim/requests\n";
}

// A CDR time from the state file: "1810113000.250" or a number → milliseconds; "", 0 or
// absent → 0.
int64_t millis(const nlohmann::json &c, const char *field) {
    if (!c.contains(field) || c[field].is_null()) return 0;
    const std::string text = c[field].is_string() ? c[field].get<std::string>() : c[field].dump();
    if (text.empty()) return 0;
    const size_t dot = text.find('.');
    std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    fraction = (fraction + "000").substr(0, 3);
    size_t used = 0;
    const int64_t seconds = std::stoll(text.substr(0, dot), &used);
    if (used != text.substr(0, dot).size() || fraction.find_first_not_of("0123456789") != std::string::npos)
        throw std::runtime_error(std::string("cdr ") + field + " '" + text + "' is not seconds since 1970");
    return seconds * 1000 + std::stoll(fraction);
}

provisio::sims::VodiaTenant tenant_from(const nlohmann::json &j) {
    provisio::sims::VodiaTenant t;
    for (const auto &tr : j.value("trunks", nlohmann::json::array()))
        t.trunks.push_back({tr.at("id").get<std::string>(), tr.value("name", ""), tr.value("disabled", false)});
    const nlohmann::json accounts = j.value("accounts", nlohmann::json::object());
    for (const auto &[ext, a] : accounts.items())
        t.accounts[ext] = {a.value("first_name", ""), a.value("disabled", false)};
    for (const auto &c : j.value("cdrs", nlohmann::json::array())) {
        const nlohmann::json &id = c.at("id");
        t.cdrs.push_back({id.is_string() ? std::stoull(id.get<std::string>()) : id.get<uint64_t>(), c.at("from").get<std::string>(),
                          c.at("to").get<std::string>(), millis(c, "start"), millis(c, "connect"), millis(c, "end")});
    }
    return t;
}

}  // namespace

int main(int argc, char **argv) {
    unsigned short port = 0;
    std::string user = "admin", password = "demo-password", tls_dir, state_file, fault_spec;
    bool account_flag = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "vodia-sim: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            return 0;
        } else if (a == "--port") port = static_cast<unsigned short>(std::stoi(value()));
        else if (a == "--tls") tls_dir = value();
        else if (a == "--fault") fault_spec = value();
        else if (a == "--user") user = value();
        else if (a == "--password") password = value();
        else if (a == "--state") state_file = value();
        else if (a == "--account-flag") account_flag = true;
        else {
            std::cerr << "vodia-sim: unknown argument " << a << '\n';
            usage(std::cerr);
            return 2;
        }
    }
    std::optional<provisio::sims::Fault> fault;
    try {
        if (!fault_spec.empty()) fault = provisio::sims::parse_fault(fault_spec);
    } catch (const std::exception &e) {
        std::cerr << "vodia-sim: " << e.what() << '\n';
        return 2;
    }
    std::optional<provisio::sims::TlsFiles> tls;
    if (!tls_dir.empty()) tls = provisio::sims::make_self_signed_certificate(tls_dir);
    provisio::sims::VodiaSim sim(user, password, tls, port);
    sim.account_flag(account_flag);
    if (!state_file.empty()) {
        std::ifstream in(state_file);
        if (!in) {
            std::cerr << "vodia-sim: cannot read " << state_file << '\n';
            return 2;
        }
        try {
            const nlohmann::json state = nlohmann::json::parse(in);
            for (const auto &[domain, t] : state.items()) sim.add_tenant(domain, tenant_from(t));
        } catch (const std::exception &e) {
            std::cerr << "vodia-sim: " << state_file << ": " << e.what() << '\n';
            return 2;
        }
    }
    if (fault) sim.inject(*fault);
    return provisio::sims::serve_until_interrupted(sim.url("/"));
}
