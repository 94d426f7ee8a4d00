#include "web/page_renderer.hpp"

#include "foundation/error.hpp"
#include "web/assets.hpp"

#include <kainjow/mustache.hpp>

#include <map>
#include <memory>

namespace provisio {

namespace mustache = kainjow::mustache;

namespace {

mustache::data to_data(const nlohmann::ordered_json &j) {
    switch (j.type()) {
    case nlohmann::json::value_t::object: {
        mustache::data d{mustache::data::type::object};
        for (const auto &[k, v] : j.items()) d.set(k, to_data(v));
        return d;
    }
    case nlohmann::json::value_t::array: {
        mustache::data d{mustache::data::type::list};
        for (const auto &v : j) d.push_back(to_data(v));
        return d;
    }
    case nlohmann::json::value_t::string: {
        // An empty text is false, so {{#notice}}…{{/notice}} shows nothing for no notice (mustache
        // would take it as true); printed, false is nothing, as "" is.
        const auto &text = j.get_ref<const std::string &>();
        return text.empty() ? mustache::data{false} : mustache::data{text};
    }
    case nlohmann::json::value_t::boolean: return mustache::data{j.get<bool>()};
    case nlohmann::json::value_t::null: return mustache::data{false};
    default: return mustache::data{j.dump()};  // numbers
    }
}

std::string template_text(const std::string &name) {
    const auto &assets = web_assets();
    const auto it = assets.find(name + ".html");
    if (it == assets.end()) fail(ErrorKind::internal, "no page template '" + name + "'");
    std::string text(it->second);
    if (const std::string why = template_problem(text); !why.empty()) fail(ErrorKind::internal, "page template '" + name + "': " + why);
    return text;
}

}  // namespace

std::string template_problem(const std::string &text) {
    if (text.find("{{{") != std::string::npos) return "uses {{{…}}}, which prints a value unescaped";
    for (size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
        size_t i = at + 2;
        while (i < text.size() && text[i] == ' ') ++i;
        if (i < text.size() && (text[i] == '&' || text[i] == '=')) return "uses {{&…}} or a delimiter change, which can print a value unescaped";
    }
    mustache::mustache parsed{text};
    return parsed.is_valid() ? "" : parsed.error_message();
}

namespace {

// The page's whole template: the layout with the page in place of {{> page}} and each shared
// piece in place of its {{> _NAME}}, checked and parsed once per thread — parsing was most of a
// page's cost (a kainjow template renders on one thread at a time, so each thread has its own).
mustache::mustache &compiled(const std::string &page) {
    thread_local std::map<std::string, std::unique_ptr<mustache::mustache>> cache;
    std::unique_ptr<mustache::mustache> &slot = cache[page];
    if (slot) return *slot;
    std::string text = template_text("layout");
    const auto put = [&](const std::string &tag, const std::string &with) {
        for (size_t at; (at = text.find(tag)) != std::string::npos;) text.replace(at, tag.size(), with);
    };
    put("{{> page}}", template_text(page));
    for (int depth = 0; depth < 4 && text.find("{{> _") != std::string::npos; ++depth)
        for (const auto &[name, piece] : web_assets()) {
            if (name.size() < 6 || name[0] != '_' || name.substr(name.size() - 5) != ".html") continue;
            const std::string stem(name.substr(0, name.size() - 5));
            put("{{> " + stem + "}}", template_text(stem));
        }
    if (text.find("{{>") != std::string::npos) fail(ErrorKind::internal, "page '" + page + "' includes a piece that is not {{> _NAME}}");
    auto parsed = std::make_unique<mustache::mustache>(text);
    if (!parsed->is_valid()) fail(ErrorKind::internal, "page '" + page + "': " + parsed->error_message());
    slot = std::move(parsed);
    return *slot;
}

}  // namespace

std::string render_page(const std::string &page, const nlohmann::ordered_json &data) {
    mustache::mustache &m = compiled(page);
    std::string out = m.render(to_data(data));
    if (!m.is_valid()) fail(ErrorKind::internal, "page '" + page + "': " + m.error_message());
    return out;
}

}  // namespace provisio
