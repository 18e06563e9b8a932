#include "conformance/vector_file.hpp"

#include <zlib.h>

#include <fstream>
#include <iterator>

namespace kcpkit::conformance {

namespace {

bool read_file(const std::string& path, std::string& out, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": cannot open file";
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), {});
    return true;
}

bool gunzip(const std::string& packed, std::string& out, std::string& error) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {  // 32: accept a gzip header
        error = "zlib init failed";
        return false;
    }
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
    zs.avail_in = static_cast<uInt>(packed.size());
    char chunk[1 << 16];
    int status = Z_OK;
    while (status == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        status = inflate(&zs, Z_NO_FLUSH);
        out.append(chunk, sizeof chunk - zs.avail_out);
        // Concatenated gzip members: continue with the next one.
        if (status == Z_STREAM_END && zs.avail_in > 0) status = inflateReset(&zs);
    }
    const auto consumed = zs.total_in;
    inflateEnd(&zs);
    if (status != Z_STREAM_END) {
        error = "corrupt gzip data near compressed byte " + std::to_string(consumed);
        return false;
    }
    return true;
}

}  // namespace

VectorFile parse_vector_text(const std::string& text, const std::string& name) {
    VectorFile f;
    f.path = name;
    try {
        f.document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        f.error = name + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what();
        return f;
    }
    const auto& d = f.document;
    if (!d.is_object()) {
        f.error = name + ": top level is not a JSON object";
    } else if (!d.contains("format") || d["format"] != "kcpvec/1") {
        f.error = name + ": \"format\" is not \"kcpvec/1\"";
    } else if (!d.contains("kind") || !d["kind"].is_string()) {
        f.error = name + ": \"kind\" is missing or not a string";
    } else if (!d.contains("cases") || !d["cases"].is_array()) {
        f.error = name + ": \"cases\" is missing or not an array";
    }
    return f;
}

VectorFile load_vector_file(const std::string& path) {
    std::string raw, error;
    if (!read_file(path, raw, error)) return VectorFile{path, {}, error};
    if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f &&
        static_cast<unsigned char>(raw[1]) == 0x8b) {
        std::string text;
        if (!gunzip(raw, text, error)) return VectorFile{path, {}, path + ": " + error};
        return parse_vector_text(text, path);
    }
    return parse_vector_text(raw, path);
}

}  // namespace kcpkit::conformance
