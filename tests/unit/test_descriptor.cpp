// Descriptor rules, checked on in-memory descriptors (the fixture modules prove the same
// through real shared libraries).
#include "modulehost/descriptor.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>

using namespace provisio;

namespace {

int32_t ok(void *, const provisio_call *) { return PROVISIO_OK; }
int32_t pay(void *, const provisio_call *, const provisio_payment_request *) { return PROVISIO_OK; }

provisio_module_descriptor base() {
    provisio_module_descriptor d{};
    d.struct_size = sizeof d;
    d.abi_major = PROVISIO_ABI_MAJOR;
    d.abi_minor = PROVISIO_ABI_MINOR;
    d.option_struct_size = sizeof(provisio_option);
    d.name = "sample";
    d.version = "1.0";
    d.capabilities = PROVISIO_CAP_PROVISIONING;
    d.create = ok;
    return d;
}

}  // namespace

TEST_CASE("a well-formed descriptor is accepted") {
    const auto d = base();
    const auto v = read_descriptor(&d, "sample.so");
    REQUIRE(v.module);
    CHECK(v.module->name == "sample");
    CHECK(implemented_functions(v.module->functions) == "create");
}

TEST_CASE("each broken rule refuses the module with a precise reason") {
    auto refused = [](provisio_module_descriptor d) { return read_descriptor(&d, "file.so").reason; };
    auto d = base();

    CHECK(read_descriptor(nullptr, "file.so").reason.find("no descriptor") != std::string::npos);

    d = base();
    d.abi_major = 2;
    CHECK(refused(d) == "module file.so built for ABI 2, this host speaks ABI 1; rebuild it against a matching provisio SDK");

    d = base();
    d.abi_minor = PROVISIO_ABI_MINOR + 1;
    CHECK(refused(d).find("newer than this host") != std::string::npos);

    d = base();
    d.struct_size = 16;
    CHECK(refused(d).find("struct_size 16") != std::string::npos);

    d = base();
    d.name = nullptr;
    CHECK(refused(d) == "module name is a null pointer");

    d = base();
    d.name = "Bad Name";
    CHECK(refused(d).find("[a-z0-9_]+") != std::string::npos);

    const std::string long_text(PROVISIO_MAX_TEXT_BYTES + 1, 'x');
    d = base();
    d.description = long_text.c_str();
    CHECK(refused(d) == "description is longer than 4096 bytes");

    d = base();
    d.create = nullptr;
    CHECK(refused(d).find("implements no lifecycle function") != std::string::npos);
}

TEST_CASE("malformed option schemas are refused") {
    static const char *const dup_choices[] = {"a", "a"};
    static const char *const choices[] = {"a", "b"};
    auto with = [](provisio_option o) {
        static provisio_option storage;
        storage = o;
        auto d = base();
        d.options = &storage;
        d.option_count = 1;
        return read_descriptor(&d, "file.so").reason;
    };
    CHECK(with({"mode", "Mode", PROVISIO_OPTION_DROPDOWN, 0, 0, 0, nullptr, "", nullptr}) ==
          "option 'mode' is a dropdown with no choices");
    CHECK(with({"mode", "Mode", PROVISIO_OPTION_DROPDOWN, 0, 0, 2, dup_choices, "", nullptr}) ==
          "option 'mode' lists choice 'a' twice");
    CHECK(with({"mode", "Mode", PROVISIO_OPTION_DROPDOWN, 0, 0, 2, choices, "c", nullptr}).find("default 'c' is invalid") !=
          std::string::npos);
    CHECK(with({"rate", "Rate", PROVISIO_OPTION_NUMBER, 0, 0, 0, nullptr, "fast", nullptr}).find("must be a number") !=
          std::string::npos);
    CHECK(with({"x", "X", 99, 0, 0, 0, nullptr, "", nullptr}) == "option 'x' has unknown type 99");
    CHECK(with({"x", "X", PROVISIO_OPTION_TEXT, 7, 0, 0, nullptr, "", nullptr}) == "option 'x' has unknown scope 7");
    CHECK(with({"Bad-Key", "X", PROVISIO_OPTION_TEXT, 0, 0, 0, nullptr, "", nullptr}).find("must match") != std::string::npos);
    CHECK(with({"x", nullptr, PROVISIO_OPTION_TEXT, 0, 0, 0, nullptr, "", nullptr}) == "option 'x' label is a null pointer");
    CHECK(with({"x", "X", PROVISIO_OPTION_TEXT, 0, 0, 2, choices, "", nullptr}) == "option 'x' has choices but is not a dropdown");

    auto d = base();
    d.option_count = 3;
    d.options = nullptr;
    CHECK(read_descriptor(&d, "f").reason.find("null pointer") != std::string::npos);
}

int32_t on_event(void *, const provisio_call *, const provisio_invoice_event *) { return PROVISIO_OK; }

TEST_CASE("fields a later minor defines are ignored in a module built for an earlier one") {
    auto d = base();
    d.extensions = reinterpret_cast<const provisio_module_extensions *>(&ok);  // garbage in a slot 1.0 reserved
    d.invoice_event = &on_event;  // ABI 1.1's field: in a 1.0 module this slot was reserved
    d.abi_minor = 0;
    auto v = read_descriptor(&d, "f");
    REQUIRE(v.module);
    CHECK(v.module->functions.extensions == nullptr);
    CHECK(v.module->functions.invoice_event == nullptr);
    d.abi_minor = 1;
    v = read_descriptor(&d, "f");
    REQUIRE(v.module);
    CHECK(v.module->functions.invoice_event == &on_event);
    d.invoice_event = nullptr;
    d.capabilities |= PROVISIO_CAP_INVOICE_EVENTS;
    CHECK(read_descriptor(&d, "f").reason == "declares invoice events but has no invoice_event function");
}

int32_t on_usage(void *, const provisio_call *, const provisio_usage_request *) { return PROVISIO_OK; }

TEST_CASE("the usage hook (ABI 1.3) is read only from modules built for 1.3") {
    auto d = base();
    d.collect_usage = &on_usage;  // reserved_hooks[0] before 1.3
    d.abi_minor = 2;
    auto v = read_descriptor(&d, "f");
    REQUIRE(v.module);
    CHECK(v.module->functions.collect_usage == nullptr);
    d.abi_minor = 3;
    v = read_descriptor(&d, "f");
    REQUIRE(v.module);
    CHECK(v.module->functions.collect_usage == &on_usage);
    d.collect_usage = nullptr;
    d.capabilities |= PROVISIO_CAP_USAGE;
    CHECK(read_descriptor(&d, "f").reason == "declares usage but has no collect_usage function");
}

TEST_CASE("each hook sits in the slot of ABI 1.0's reserved_hooks[6] that abi.h names for it") {
    // ABI 1.0 ended the descriptor with test_connection and then reserved_hooks[6]; abi.h numbers
    // every later hook by its index there, so slot k lies k + 1 pointers after test_connection.
    using D = provisio_module_descriptor;
    const auto slot = [](size_t k) { return offsetof(D, test_connection) + (k + 1) * sizeof(void *); };
    CHECK(offsetof(D, invoice_event) == slot(0));
    CHECK(offsetof(D, validate_settings) == slot(1));
    CHECK(offsetof(D, credit_schedule) == slot(2));
    CHECK(offsetof(D, generate_credits) == slot(3));
    CHECK(offsetof(D, collect_usage) == slot(4));
    CHECK(offsetof(D, extensions) == slot(5));
    CHECK(sizeof(D) == slot(6));  // the size 1.0 had: no hook ever grew the struct
}

TEST_CASE("custom actions (ABI 1.5) are read from the extensions block and checked") {
    provisio_custom_action actions[] = {{"reload", "Reload", 0, 0, nullptr},
                                        {"registrations", "Registered phones", PROVISIO_ACTION_CLIENT, 0, "Which phones are registered"}};
    provisio_module_extensions ext{};
    ext.struct_size = sizeof ext;
    ext.custom_action_struct_size = sizeof(provisio_custom_action);
    ext.custom_actions = actions;
    ext.custom_action_count = 2;
    ext.call_custom_action = ok;
    auto d = base();
    d.extensions = &ext;
    auto v = read_descriptor(&d, "f");
    REQUIRE(v.module);
    REQUIRE(v.module->custom_actions.size() == 2);
    CHECK(v.module->custom_actions[0].name == "reload");
    CHECK_FALSE(v.module->custom_actions[0].client_visible);
    CHECK(v.module->custom_actions[1].client_visible);
    CHECK(v.module->custom_actions[1].description == "Which phones are registered");
    CHECK(v.module->call_custom_action == &ok);
    CHECK(v.module->functions.extensions == nullptr);  // read once; the module's block is not kept
    CHECK(v.module->custom_action("registrations") == &v.module->custom_actions[1]);
    CHECK(v.module->custom_action("create") == nullptr);
    CHECK(custom_action_names(*v.module) == "reload, registrations (client)");

    d.abi_minor = 4;  // a 1.4 module's last slot was reserved: ignored
    v = read_descriptor(&d, "f");
    REQUIRE(v.module);
    CHECK(v.module->custom_actions.empty());
    CHECK(v.module->call_custom_action == nullptr);
    d.abi_minor = 5;

    auto refused = [&](auto change) {
        provisio_custom_action copy[] = {actions[0], actions[1]};
        provisio_module_extensions e = ext;
        e.custom_actions = copy;
        change(e, copy);
        auto dd = base();
        dd.extensions = &e;
        return read_descriptor(&dd, "f").reason;
    };
    using A = provisio_custom_action[2];
    using E = provisio_module_extensions;
    constexpr size_t size_1_5 = offsetof(E, call_custom_action) + sizeof(provisio_custom_action_fn);
    CHECK(refused([](E &e, A &) { e.struct_size = 8; }) == "extensions struct_size 8 is smaller than ABI 1.5's " + std::to_string(size_1_5));
    // A 1.5 module's block ends after call_custom_action: still read.
    CHECK(refused([](E &e, A &) { e.struct_size = static_cast<uint32_t>(offsetof(E, call_custom_action) + sizeof(provisio_custom_action_fn)); }).empty());
    CHECK(refused([](E &e, A &) { e.custom_actions = nullptr; }) == "custom action list is a null pointer but custom_action_count is 2");
    CHECK(refused([](E &e, A &) { e.custom_action_count = PROVISIO_MAX_CUSTOM_ACTIONS + 1; }) == "custom_action_count 65 exceeds 64");
    CHECK(refused([](E &e, A &) { e.custom_action_struct_size = 4; }).find("custom_action_struct_size 4 is smaller") == 0);
    CHECK(refused([](E &e, A &) { e.call_custom_action = nullptr; }) == "lists custom actions but has no call_custom_action function");
    CHECK(refused([](E &, A &a) { a[0].name = "Re-load"; }) == "custom action #1 name 'Re-load' must match [a-z0-9_]+");
    CHECK(refused([](E &, A &a) { a[0].name = nullptr; }) == "custom action #1 name is a null pointer");
    CHECK(refused([](E &, A &a) { a[0].name = "change_password"; }) == "custom action 'change_password' takes the name of a lifecycle action or hook");
    CHECK(refused([](E &, A &a) { a[0].name = "collect_usage"; }) == "custom action 'collect_usage' takes the name of a lifecycle action or hook");
    CHECK(refused([](E &, A &a) { a[1].name = "reload"; }) == "custom action 'reload' is declared twice");
    CHECK(refused([](E &, A &a) { a[0].label = ""; }) == "custom action 'reload' has an empty label");
    CHECK(refused([](E &, A &a) { a[0].label = "\xff"; }).find("custom action 'reload' label is not UTF-8") == 0);
    CHECK(refused([](E &, A &a) { a[1].flags = 6; }) == "custom action 'registrations' has unknown flags 6");
    // No actions: the function is not needed.
    CHECK(refused([](E &e, A &) {
              e.custom_action_count = 0;
              e.call_custom_action = nullptr;
          }).empty());
}

TEST_CASE("payment gateways (ABI 1.6): the capability, the required functions, and older modules") {
    provisio_module_extensions ext{};
    ext.struct_size = sizeof ext;
    ext.custom_action_struct_size = sizeof(provisio_custom_action);
    ext.charge = pay;
    ext.parse_webhook = pay;
    ext.refund = pay;
    auto d = base();
    d.capabilities = PROVISIO_CAP_GATEWAY;
    d.create = nullptr;
    d.extensions = &ext;
    auto v = read_descriptor(&d, "f");
    REQUIRE(v.module);
    CHECK(v.module->is_gateway());
    CHECK(v.module->gateway.charge == &pay);
    CHECK(v.module->gateway.refund == &pay);
    CHECK(v.module->gateway.start_checkout == nullptr);

    auto reason = [&](auto change) {
        provisio_module_extensions e = ext;
        auto dd = d;
        dd.extensions = &e;
        change(dd, e);
        return read_descriptor(&dd, "f").reason;
    };
    using D = provisio_module_descriptor;
    using E = provisio_module_extensions;
    CHECK(reason([](D &, E &e) { e.charge = nullptr; }) == "declares a payment gateway but has no charge function");
    CHECK(reason([](D &, E &e) { e.parse_webhook = nullptr; }) == "declares a payment gateway but has no parse_webhook function");
    CHECK(reason([](D &dd, E &) { dd.extensions = nullptr; }) == "declares a payment gateway but has no extensions block to hold its functions");
    CHECK(reason([](D &dd, E &) { dd.capabilities = PROVISIO_CAP_PROVISIONING, dd.create = ok; }) ==
          "has payment functions but does not declare PROVISIO_CAP_GATEWAY");
    CHECK(reason([](D &dd, E &) { dd.abi_minor = 4; }) == "declares a payment gateway, which needs ABI 1.6");
    CHECK(reason([](D &dd, E &) { dd.abi_minor = 5; }) ==
          "declares a payment gateway but its extensions block has no payment functions (ABI 1.6)");
    CHECK(reason([](D &, E &e) { e.struct_size = static_cast<uint32_t>(offsetof(E, charge)); }) ==
          "declares a payment gateway but its extensions block has no payment functions (ABI 1.6)");
    // A 1.5 module that is no gateway may leave garbage nowhere: its block simply ends earlier.
    CHECK(reason([](D &dd, E &e) {
              dd.capabilities = PROVISIO_CAP_PROVISIONING, dd.create = ok, dd.abi_minor = 5;
              e.struct_size = static_cast<uint32_t>(offsetof(E, charge));
          }).empty());
}
