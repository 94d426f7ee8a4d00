// FusionPBX's cache, cleared the way FusionPBX clears it. The switch's Lua configuration handlers
// cache what they build from the database — a user's directory entry under
// "directory:EXT@DOMAIN", the SIP profiles and gateways under "HOSTNAME:configuration:sofia.conf"
// — so a database change reaches the switch only once its cache entry is gone. Where the entry
// lives is FusionPBX's `cache.method` setting: `file` (FusionPBX's default) keeps one file per
// key under `cache.location`, `memcache` keeps it in mod_memcache.
#pragma once

#include "esl.hpp"

#include <string>
#include <vector>

namespace fusion_cache {

enum class Method { file, memcache };
// "file" or "memcache"; throws std::runtime_error naming the server option for anything else.
Method method_named(const std::string &name);

// What resources/classes/cache.php delete() does for `key`, as the switch commands a remote
// host can send: the CUSTOM event it fires for other servers (fusion::file or fusion::memcache),
// then the delete itself — `memcache delete KEY`, or for files FusionPBX's own script
// app/servers/resources/clear_cache.lua (which removes cache.location/KEY with ':' as '.'), run
// in the switch, where the cache directory is.
std::vector<esl::Command> delete_commands(Method method, const std::string &key);

// The directory keys FusionPBX deletes when it saves or toggles an extension
// (app/extensions/resources/classes/extension.php toggle(), extension_edit.php): the extension
// and its number alias at its user_context. The Lua directory handler caches under the domain
// name, so where user_context differs those keys go too.
std::vector<std::string> directory_keys(const std::string &extension, const std::string &number_alias, const std::string &user_context,
                                        const std::string &domain);

// The sofia.conf key the Lua handler uses: the switch's `hostname` answer + ":configuration:sofia.conf".
inline std::string sofia_conf_key(const std::string &hostname) { return hostname + ":configuration:sofia.conf"; }

}  // namespace fusion_cache
