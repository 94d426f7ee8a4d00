// lesnet-sim: the LesNet API simulator as a command, for scripts/try and for trying the lesnet
// module by hand. Serves until interrupted.
#include "lesnet_sim.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace {

void usage(std::ostream &out) {
    out << "usage: lesnet-sim [--port N] [--tls DIR] [--apikey K] [--idkey I] [--peer ID=DID[,DID...]]... [--cdr NAME=FILE]...\n"
           "  Serves a LesNet-like API on 127.0.0.1 (port 0: a free one) and prints its URL.\n"
           "  --tls DIR      speak HTTPS with a self-signed certificate made in DIR\n"
           "  --peer ID=DIDS a peer (enabled, 2 channels) with its DIDs\n"
           "  --cdr NAME=FILE serve FILE at /cdr/NAME\n"
           "  --fault KIND[:MS[:COUNT]]  start with a fault on every request (or COUNT of them), e.g. latency:20\n"
           "  Faults: POST /_sim/fault {\"kind\": \"latency|http500|timeout|reset|malformed|wrong_credentials\", \"count\": N, \"ms\": M}\n"
           "  Requests so far: GET /_sim/requests\n";
}

}  // namespace

int main(int argc, char **argv) {
    unsigned short port = 0;
    std::string apikey = "demo-apikey", idkey = "11330", tls_dir, fault_spec;
    std::vector<std::pair<std::string, std::string>> peers, cdrs;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "lesnet-sim: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        auto pair = [&](const std::string &v) {
            const size_t eq = v.find('=');
            if (eq == std::string::npos) {
                std::cerr << "lesnet-sim: " << a << " '" << v << "' is not NAME=VALUE\n";
                std::exit(2);
            }
            return std::make_pair(v.substr(0, eq), v.substr(eq + 1));
        };
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            return 0;
        } else if (a == "--port") port = static_cast<unsigned short>(std::stoi(value()));
        else if (a == "--tls") tls_dir = value();
        else if (a == "--fault") fault_spec = value();
        else if (a == "--apikey") apikey = value();
        else if (a == "--idkey") idkey = value();
        else if (a == "--peer") peers.push_back(pair(value()));
        else if (a == "--cdr") cdrs.push_back(pair(value()));
        else {
            std::cerr << "lesnet-sim: unknown argument " << a << '\n';
            usage(std::cerr);
            return 2;
        }
    }
    std::optional<provisio::sims::Fault> fault;
    try {
        if (!fault_spec.empty()) fault = provisio::sims::parse_fault(fault_spec);
    } catch (const std::exception &e) {
        std::cerr << "lesnet-sim: " << e.what() << '\n';
        return 2;
    }
    std::optional<provisio::sims::TlsFiles> tls;
    if (!tls_dir.empty()) tls = provisio::sims::make_self_signed_certificate(tls_dir);
    provisio::sims::LesNetSim sim(apikey, idkey, tls, port);
    for (const auto &[id, dids] : peers) {
        provisio::sims::LesNetPeer p;
        std::stringstream ss(dids);
        for (std::string d; std::getline(ss, d, ',');) p.dids.push_back(d);
        sim.add_peer(id, p);
    }
    for (const auto &[name, file] : cdrs) {
        std::ifstream in(file);
        if (!in) {
            std::cerr << "lesnet-sim: cannot read " << file << '\n';
            return 2;
        }
        std::stringstream text;
        text << in.rdbuf();
        sim.set_cdr_file(name, text.str(), "Mon, 30 Nov 2026 06:00:00 GMT");
    }
    if (fault) sim.inject(*fault);
    return provisio::sims::serve_until_interrupted(sim.url("/"));
}
