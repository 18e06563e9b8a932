#include "kcpkit/frame/frame.hpp"

#include <algorithm>
#include <cstring>

#include "kcpkit/base/byte_order.hpp"

namespace kcpkit::frame {

namespace {

// Wire offsets the Listener reads (docs/framing.md, "Listener decision").
constexpr std::size_t kTypeOffset = 4;  // u16 FEC type, or KCP cmd + frg
constexpr std::size_t kSnOffset = 12;   // KCP sn inside a segment header
constexpr std::size_t kConvSize = 4;
// The lowest Behaviour::listener_min_datagram: identify() reads an OOB conv up to here.
constexpr std::size_t kListenerMinFloor = fec::kFecOverhead + kConvSize;
// Each send slot holds one whole datagram; the stride keeps slots 64-byte aligned.
constexpr std::size_t kSlotStride = (kMaxDatagram + 63) / 64 * 64;

/// A NonceSource that repeats one fixed nonce (seal_with_nonce).
class FixedNonce final : public crypt::NonceSource {
  public:
    explicit FixedNonce(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    void fill(std::span<std::uint8_t> out) override {
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = i < bytes_.size() ? bytes_[i] : std::uint8_t{0};
    }

  private:
    std::span<const std::uint8_t> bytes_;
};

}  // namespace

std::string_view config_error_name(ConfigError error) {
    switch (error) {
        case ConfigError::none:
            return "none";
        case ConfigError::bad_shards:
            return "bad_shards";
        case ConfigError::bad_key:
            return "bad_key";
        case ConfigError::aead_on_561:
            return "aead_on_561";
    }
    return "?";
}

PacketIdentity identify(std::span<const std::uint8_t> plain, const Behaviour& behaviour) {
    PacketIdentity id;
    if (plain.size() < std::max(behaviour.listener_min_datagram, kListenerMinFloor)) return id;
    const std::uint16_t type = load_le16(plain.data() + kTypeOffset);
    if (type == fec::kTypeData) {
        id.kind = fec::PacketKind::fec_data;
        if (plain.size() >= fec::kFecOverhead + kKcpOverhead) {
            id.has_conv = true;
            id.conv = load_le32(plain.data() + fec::kFecOverhead);
            id.sn = load_le32(plain.data() + fec::kFecOverhead + kSnOffset);
        }
    } else if (type == fec::kTypeParity) {
        id.kind = fec::PacketKind::fec_parity;
    } else if (type == fec::kTypeOob && behaviour.fec.oob) {
        id.kind = fec::PacketKind::oob;
        id.has_conv = true;  // >= 12 bytes: the conv follows the 8-byte header
        id.conv = load_le32(plain.data() + fec::kFecOverhead);
    } else {
        if (plain.size() < kKcpOverhead) return id;  // a raw packet needs a KCP header
        id.kind = fec::PacketKind::raw_kcp;
        id.has_conv = true;
        id.conv = load_le32(plain.data());
        id.sn = load_le32(plain.data() + kSnOffset);
    }
    return id;
}

std::unique_ptr<Framer> Framer::create(const FrameConfig& config, ConfigError* why) {
    auto fail = [&](ConfigError e) -> std::unique_ptr<Framer> {
        if (why) *why = e;
        return nullptr;
    };
    const int ds = config.data_shards, ps = config.parity_shards;
    if (ds < 0 || ps < 0 || ds + ps > fec::kMaxShards) return fail(ConfigError::bad_shards);
    if (config.cipher) {
        if (crypt::is_aead(*config.cipher) && !config.behaviour.aead)
            return fail(ConfigError::aead_on_561);
        if (!crypt::key_length_ok(*config.cipher, config.key.size()))
            return fail(ConfigError::bad_key);
    }
    std::unique_ptr<Framer> framer(new Framer(config));
    if (config.cipher) {
        auto made = crypt::make_packet_crypt(*config.cipher, config.key);
        if (!made) return fail(ConfigError::bad_key);
        framer->crypt_ = std::move(made.object);
        framer->crypt_header_ = framer->crypt_->overhead().header;
        framer->trailer_size_ = framer->crypt_->overhead().trailer;
    }
    const bool fec_on = ds > 0 && ps > 0;
    framer->header_size_ = framer->crypt_header_ + (fec_on ? fec::kFecOverhead : 0);
    if (fec_on) {
        fec::EncoderConfig ec;
        ec.data_shards = ds;
        ec.parity_shards = ps;
        ec.behaviour = config.behaviour.fec;
        ec.header_offset = framer->crypt_header_;
        ec.max_datagram = framer->max_datagram() - framer->trailer_size_;
        framer->encoder_ = fec::FecEncoder::create(ec);
        if (!framer->encoder_) return fail(ConfigError::bad_shards);
    }
    fec::DecoderConfig dc;
    dc.data_shards = fec_on ? ds : 0;
    dc.parity_shards = fec_on ? ps : 0;
    dc.behaviour = config.behaviour.fec;
    dc.max_datagram = framer->max_datagram();
    framer->decoder_ = fec::FecDecoder::create(dc);
    if (!framer->decoder_) return fail(ConfigError::bad_shards);

    framer->slot_count_ = 1 + static_cast<std::size_t>(fec_on ? ps : 0);
    framer->slots_.assign(framer->slot_count_ * kSlotStride + 64, 0);
    framer->out_.reserve(framer->slot_count_ + kMaxDup);
    if (why) *why = ConfigError::none;
    return framer;
}

Framer::Framer(const FrameConfig& config) : config_(config) {}
Framer::~Framer() = default;

std::optional<std::size_t> Framer::kcp_mtu_for(std::size_t mtu) const {
    if (config_.behaviour.clamp_mtu)
        mtu = std::min(mtu, max_datagram());
    else if (mtu > max_datagram())
        return std::nullopt;
    if (mtu <= overhead() + kKcpOverhead) return std::nullopt;
    const std::size_t kcp_mtu = mtu - overhead();
    if (kcp_mtu < config_.behaviour.min_kcp_mtu) return std::nullopt;  // the core's own minimum
    return kcp_mtu;
}

fec::FecCounters Framer::fec_counters() const {
    fec::FecCounters sum;
    if (encoder_) sum += encoder_->counters();
    sum += decoder_->counters();
    return sum;
}

// ----- send ------------------------------------------------------------------------------

bool Framer::seal_slot(std::size_t slot, std::size_t payload_len, crypt::NonceSource& nonces) {
    std::uint8_t* base = slots_.data() + slot * kSlotStride;
    std::size_t length = crypt_header_ + payload_len;
    if (crypt_) {
        const crypt::SealResult sealed = crypt_->seal({base, kSlotStride}, payload_len, nonces);
        if (sealed.status != crypt::Status::ok) return false;  // cannot happen: slots fit
        length = sealed.length;
    }
    out_.push_back({base, length});
    ++counters_.out_pkts;
    counters_.out_bytes += length;
    return true;
}

void Framer::add_dup_copies(int dup) {
    const int copies = std::clamp(dup, 0, kMaxDup);
    for (int i = 0; i < copies; ++i) {
        out_.push_back(out_.front());
        ++counters_.out_pkts;
        ++counters_.dup_out;
        counters_.out_bytes += out_.front().size();
    }
}

SealResult Framer::seal_impl(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
                             crypt::NonceSource& nonces, int dup) {
    SealResult result;
    out_.clear();
    if (kcp_datagram.empty()) {
        result.status = SealResult::Status::empty;
        return result;
    }
    if (kcp_datagram.size() > max_kcp_datagram()) {
        ++counters_.seal_rejected;
        result.status = SealResult::Status::too_long;
        return result;
    }
    ++counters_.sealed;
    std::uint8_t* data_slot = slots_.data();
    std::memcpy(data_slot + header_size_, kcp_datagram.data(), kcp_datagram.size());
    std::span<const std::span<std::uint8_t>> parity;
    if (encoder_) {
        const fec::EncodeResult encoded =
            encoder_->encode({data_slot, header_size_ + kcp_datagram.size()}, now_ms);
        if (encoded.status != fec::Status::ok) {  // cannot happen: the length was checked
            ++counters_.seal_rejected;
            result.status = SealResult::Status::too_long;
            return result;
        }
        parity = encoded.parity;
        result.parity_skipped = encoded.parity_skipped;
        // The encoder's parity buffers have no room for a GCM tag: copy them into our slots
        // (before sealing the data slot, so nonces are drawn data first, then parity).
        for (std::size_t i = 0; i < parity.size() && i + 1 < slot_count_; ++i)
            std::memcpy(slots_.data() + (i + 1) * kSlotStride, parity[i].data(), parity[i].size());
    }
    if (!seal_slot(0, header_size_ - crypt_header_ + kcp_datagram.size(), nonces)) {
        ++counters_.seal_rejected;  // cannot happen: a slot holds any accepted datagram
        result.status = SealResult::Status::too_long;
        return result;
    }
    add_dup_copies(dup);
    counters_.framing_out_bytes += out_.size() * (out_.front().size() - kcp_datagram.size());
    for (std::size_t i = 0; i < parity.size() && i + 1 < slot_count_; ++i) {
        if (seal_slot(i + 1, parity[i].size() - crypt_header_, nonces)) {
            ++counters_.parity_out;
            counters_.parity_out_bytes += out_.back().size();
        }
    }
    result.datagrams = out_;
    return result;
}

SealResult Framer::seal(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
                        crypt::NonceSource& nonces, int dup) {
    return seal_impl(kcp_datagram, now_ms, nonces, dup);
}

SealResult Framer::seal_with_nonce(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
                                   std::span<const std::uint8_t> fixed_nonce, int dup) {
    FixedNonce nonces(fixed_nonce);
    return seal_impl(kcp_datagram, now_ms, nonces, dup);
}

SealResult Framer::seal_oob(std::uint32_t conv, std::span<const std::uint8_t> payload,
                            crypt::NonceSource& nonces, int dup) {
    SealResult result;
    out_.clear();
    if (!encoder_ || !config_.behaviour.fec.oob) {
        result.status = SealResult::Status::no_oob;
        return result;
    }
    if (payload.size() + kConvSize > max_kcp_datagram()) {
        ++counters_.seal_rejected;
        result.status = SealResult::Status::too_long;
        return result;
    }
    std::uint8_t* p = slots_.data() + crypt_header_;
    store_le32(p, 0xFFFFFFFFu);  // kcp-go's OOB seqid
    store_le16(p + 4, fec::kTypeOob);
    store_le16(p + 6, static_cast<std::uint16_t>(2 + kConvSize + payload.size()));
    store_le32(p + fec::kFecOverhead, conv);
    if (!payload.empty())
        std::memcpy(p + fec::kFecOverhead + kConvSize, payload.data(), payload.size());
    if (!seal_slot(0, fec::kFecOverhead + kConvSize + payload.size(), nonces)) {
        result.status = SealResult::Status::too_long;
        return result;
    }
    add_dup_copies(dup);
    result.datagrams = out_;
    return result;
}

// ----- receive ---------------------------------------------------------------------------

Framer::Decrypted Framer::decrypt(std::span<std::uint8_t> wire) {
    Decrypted d;
    // kcp-go reads into mtuLimit-byte buffers: the rest of a longer datagram never arrives.
    if (wire.size() > max_datagram()) {
        ++counters_.oversize;
        wire = wire.first(max_datagram());
    }
    if (!crypt_) {
        d.plain = wire;
        return d;
    }
    const crypt::OpenResult opened = crypt_->open(wire);
    switch (opened.status) {
        case crypt::Status::ok:
            d.plain = opened.payload;
            return d;
        case crypt::Status::truncated:
            ++counters_.crypt_truncated;
            d.status = OpenResult::Status::truncated;
            return d;
        default:
            ++counters_.in_csum_errors;
            d.status = OpenResult::Status::bad_checksum;
            return d;
    }
}

OpenResult Framer::open(std::span<std::uint8_t> wire, std::uint32_t now_ms) {
    const Decrypted d = decrypt(wire);
    if (d.status != OpenResult::Status::ok) {
        OpenResult r;
        r.status = d.status;
        return r;
    }
    return open_decrypted(d.plain, now_ms);
}

OpenResult Framer::open_decrypted(std::span<const std::uint8_t> plain, std::uint32_t now_ms) {
    OpenResult r;
    const fec::InputResult in = decoder_->input(plain, now_ms);
    r.kind = in.kind;
    r.drop = in.drop;
    if (in.kind == fec::PacketKind::dropped) {
        ++counters_.dropped;
        r.status = OpenResult::Status::dropped;
        return r;
    }
    ++counters_.in_pkts;
    counters_.in_bytes += plain.size();
    switch (in.kind) {
        case fec::PacketKind::raw_kcp:
            ++counters_.raw_kcp;
            break;
        case fec::PacketKind::fec_data:
            ++counters_.fec_data;
            break;
        case fec::PacketKind::fec_parity:
            ++counters_.fec_parity;
            break;
        case fec::PacketKind::oob:
            ++counters_.oob;
            break;
        case fec::PacketKind::dropped:
            break;
    }
    r.deliveries = in.deliveries;
    for (const fec::Delivery& d : in.deliveries) {
        ++counters_.delivered;
        if (d.recovered) ++counters_.recovered;
    }
    r.oob_conv = in.oob_conv;
    r.oob_payload = in.oob_payload;
    return r;
}

}  // namespace kcpkit::frame
