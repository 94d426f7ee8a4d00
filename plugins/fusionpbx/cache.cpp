#include "cache.hpp"

#include <algorithm>
#include <stdexcept>

namespace fusion_cache {

Method method_named(const std::string &name) {
    if (name == "file") return Method::file;
    if (name == "memcache") return Method::memcache;
    throw std::runtime_error("server option cache_method is '" + name + "': FusionPBX's cache methods are file and memcache");
}

std::vector<esl::Command> delete_commands(Method method, const std::string &key) {
    if (method == Method::memcache)
        return {esl::event("CUSTOM\nEvent-Name: CUSTOM\nEvent-Subclass: fusion::memcache\nAPI-Command: memcache\nAPI-Command-Argument: delete " +
                           key),
                esl::api("memcache delete " + key)};
    std::string file = key;
    std::replace(file.begin(), file.end(), ':', '.');
    return {esl::event("CUSTOM\nEvent-Name: CUSTOM\nEvent-Subclass: fusion::file\nAPI-Command: cache\nAPI-Command-Argument: delete " + file),
            esl::api("lua app/servers/resources/clear_cache.lua delete " + file)};
}

std::vector<std::string> directory_keys(const std::string &extension, const std::string &number_alias, const std::string &user_context,
                                        const std::string &domain) {
    std::vector<std::string> keys;
    for (const std::string &context : {user_context.empty() ? domain : user_context, domain})
        for (const std::string &user : {extension, number_alias}) {
            if (user.empty()) continue;
            const std::string key = "directory:" + user + "@" + context;
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
        }
    return keys;
}

}  // namespace fusion_cache
