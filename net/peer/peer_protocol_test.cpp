#define BOOST_TEST_MODULE peer_protocol
#include "net/peer/peer_protocol.hpp"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using namespace kcpkit::net::peer;

namespace {
std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string s;
    for (const std::uint8_t b : bytes) {
        s += "0123456789abcdef"[b >> 4];
        s += "0123456789abcdef"[b & 15];
    }
    return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(stream_is_splitmix64_little_endian) {
    // The first bytes docs/interop.md gives for seed 0 (kcp-peer-go's test agrees).
    std::vector<std::uint8_t> got(16);
    PayloadStream(0).read(got);
    BOOST_CHECK_EQUAL(to_hex(got), "afcd1d7b39a820e2f465b9a16a9e786e");
}

BOOST_AUTO_TEST_CASE(stream_does_not_depend_on_read_sizes) {
    std::vector<std::uint8_t> whole(1000);
    PayloadStream(42).read(whole);
    PayloadStream s(42);
    std::vector<std::uint8_t> pieces;
    for (const std::size_t n : {1, 3, 7, 8, 9, 15, 16, 17, 100, 0, 824}) {
        std::vector<std::uint8_t> p(n);
        s.read(p);
        pieces.insert(pieces.end(), p.begin(), p.end());
    }
    BOOST_CHECK(pieces == whole);
}

BOOST_AUTO_TEST_CASE(header_is_little_endian_and_bounded) {
    const auto h = encode_header(0x0102030405);
    BOOST_CHECK_EQUAL(to_hex(h), "0504030201000000");
    BOOST_CHECK_EQUAL(decode_header(h).value_or(0), 0x0102030405u);
    BOOST_CHECK(!decode_header(encode_header(kMaxTransfer + 1)).has_value());
    BOOST_CHECK(decode_header(encode_header(kMaxTransfer)).has_value());
}

BOOST_AUTO_TEST_CASE(digest_and_result_line) {
    // SHA-256 of the empty stream is the well-known empty digest.
    BOOST_CHECK_EQUAL(result_line(stream_digest(1, 0), 0),
                      "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
                      "bytes 0");
    std::vector<std::uint8_t> data(12345);
    PayloadStream(7).read(data);
    Sha256 h;
    h.update(std::span(data).first(100));
    h.update(std::span(data).subspan(100));
    BOOST_CHECK(h.finish() == stream_digest(7, 12345));
    // What `kcp-peer-go gen 12345 --seed 7` prints (run once by hand, both peers agree).
    BOOST_CHECK_EQUAL(to_hex(stream_digest(7, 12345)),
                      "58257600665dc6151a6c00999f9a7a6474c66dd1910ddc4ce7660793504dd1f0");
}
