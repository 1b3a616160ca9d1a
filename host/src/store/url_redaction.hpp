// Hides the password of a database URL wherever ork shows one: store errors,
// `ork worker`'s start-up line, anything that prints Store::url(). A
// PostgreSQL URL may carry its password in the user part
// (postgresql://user:secret@host/db) or as a `password=` query parameter;
// both print as `***`. Included by the store adapter and its tests.
#pragma once

#include <string>
#include <string_view>

namespace ork::host {

// `url` with every password replaced by `***`; other URLs come back as given.
std::string redacted_url(std::string_view url);

// `message` with each occurrence of a password of `url` replaced by `***`,
// for text a storage plugin wrote that might quote the URL.
std::string without_url_password(std::string message, std::string_view url);

}  // namespace ork::host
