// Reading kcpvec/1 files (plain JSON or gzip-compressed JSON, told apart by content).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kcpkit::conformance {

struct VectorFile {
    std::string path;
    nlohmann::json document;  // valid only when error is empty
    std::string error;        // names the file and, for JSON errors, the byte offset
};

/// Loads and checks the top level: format "kcpvec/1", a string "kind", an array "cases".
VectorFile load_vector_file(const std::string& path);

/// Parses an in-memory document with the same checks (for tests and stdin).
VectorFile parse_vector_text(const std::string& text, const std::string& name);

}  // namespace kcpkit::conformance
