#include "net/peer/peer_protocol.hpp"

#include <cryptopp/sha.h>

#include <cstdio>

#include "kcpkit/base/byte_order.hpp"

namespace kcpkit::net::peer {

std::uint64_t PayloadStream::next() {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

namespace {
void store_le64(std::uint8_t* p, std::uint64_t v) {
    store_le32(p, static_cast<std::uint32_t>(v));
    store_le32(p + 4, static_cast<std::uint32_t>(v >> 32));
}
}  // namespace

void PayloadStream::read(std::span<std::uint8_t> out) {
    std::size_t n = 0;
    while (have_ > 0 && n < out.size()) out[n++] = pending_[8 - have_--];
    for (; out.size() - n >= 8; n += 8) store_le64(out.data() + n, next());
    if (n < out.size()) {
        store_le64(pending_.data(), next());
        have_ = 8;
        while (n < out.size()) out[n++] = pending_[8 - have_--];
    }
}

std::array<std::uint8_t, kHeaderSize> encode_header(std::uint64_t n) {
    std::array<std::uint8_t, kHeaderSize> h{};
    store_le64(h.data(), n);
    return h;
}

std::optional<std::uint64_t> decode_header(std::span<const std::uint8_t, kHeaderSize> header) {
    const std::uint64_t n =
        load_le32(header.data()) | (std::uint64_t{load_le32(header.data() + 4)} << 32);
    if (n > kMaxTransfer) return std::nullopt;
    return n;
}

struct Sha256::Impl {
    CryptoPP::SHA256 hash;
};

Sha256::Sha256() : impl_(new Impl) {}
Sha256::~Sha256() {
    delete impl_;
}

void Sha256::update(std::span<const std::uint8_t> data) {
    impl_->hash.Update(data.data(), data.size());
}

Digest Sha256::finish() {
    Digest d{};
    impl_->hash.Final(d.data());
    return d;
}

Digest stream_digest(std::uint64_t seed, std::uint64_t n) {
    PayloadStream stream(seed);
    Sha256 hash;
    std::array<std::uint8_t, 65536> buf{};
    while (n > 0) {
        const std::size_t piece = n < buf.size() ? static_cast<std::size_t>(n) : buf.size();
        stream.read(std::span(buf).first(piece));
        hash.update(std::span(buf).first(piece));
        n -= piece;
    }
    return hash.finish();
}

std::string result_line(const Digest& digest, std::uint64_t n) {
    // Lowercase hex, as Go's %x; net/ keeps no dependency on conformance/ for this.
    char hex[2 * kDigestSize + 1];
    for (std::size_t i = 0; i < kDigestSize; ++i) {
        std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    }
    return "sha256 " + std::string(hex, 2 * kDigestSize) + " bytes " + std::to_string(n);
}

}  // namespace kcpkit::net::peer
