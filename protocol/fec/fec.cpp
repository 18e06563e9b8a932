#include "kcpkit/fec/fec.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/fec/reed_solomon.hpp"

namespace kcpkit::fec {

FecCounters& FecCounters::operator+=(const FecCounters& other) {
    // A field added to FecCounters must be added here too.
    static_assert(sizeof(FecCounters) == 24 * sizeof(std::uint64_t));
    kcp_in_errors += other.kcp_in_errors;
    in_errs += other.in_errs;
    fec_parity_shards += other.fec_parity_shards;
    fec_recovered += other.fec_recovered;
    fec_errs += other.fec_errs;
    fec_full_shard_set += other.fec_full_shard_set;
    fec_short_shards += other.fec_short_shards;
    fec_shard_set += other.fec_shard_set;
    fec_shard_min += other.fec_shard_min;
    oob_packets += other.oob_packets;
    dropped_short += other.dropped_short;
    dropped_oversize += other.dropped_oversize;
    beyond_paws += other.beyond_paws;
    duplicates += other.duplicates;
    ignored_tuning += other.ignored_tuning;
    autotune_changes += other.autotune_changes;
    invalid_recovered += other.invalid_recovered;
    set_overflow += other.set_overflow;
    codec_builds += other.codec_builds;
    codec_failures += other.codec_failures;
    expired += other.expired;
    parity_groups += other.parity_groups;
    parity_groups_skipped += other.parity_groups_skipped;
    encode_rejected += other.encode_rejected;
    return *this;
}

namespace {

constexpr std::size_t kAlign = 64;
// The shortest datagram a decoder may be configured for: a whole KCP header.
constexpr std::size_t kMinMaxDatagram = 24;
// The lowest Behaviour::min_datagram: an OOB packet's conv ends at byte 12.
constexpr std::size_t kMinGate = 12;
constexpr int kHeadRetainedGroups = 3;    // v5.6.72: maxShardSets
constexpr int k561QueueGroups = 3;        // v5.6.1: rxFECMulti
constexpr std::size_t kHeadSetSlots = 8;  // live shard sets we hold at most (kcp-go: <= 5 honest)
constexpr int kAutotuneSamples = 258;
constexpr std::size_t kCodecCacheSlots = 4;  // shapes a decoder keeps codecs for

std::size_t round_up(std::size_t n, std::size_t a) {
    return (n + a - 1) / a * a;
}

/// Wrap-aware "a - b" as kcp-go's _itimediff.
std::int32_t diff32(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b);
}

std::uint8_t* align_up(std::uint8_t* p, std::size_t a, std::size_t plus = 0) {
    // the smallest q >= p with (q + plus) % a == 0
    const auto v = reinterpret_cast<std::uintptr_t>(p) + plus;
    const std::uintptr_t r = (a - v % a) % a;
    return p + r;
}

}  // namespace

std::uint32_t paws_for(int shard_count) {
    const auto s = static_cast<std::uint32_t>(shard_count);
    return 0xFFFFFFFFu / s * s;
}

// ================================================================================================
// Encoder
// ================================================================================================

Expected<std::unique_ptr<FecEncoder>, ConfigError> FecEncoder::create(const EncoderConfig& config) {
    if (config.data_shards < 1 || config.parity_shards < 1 ||
        config.data_shards + config.parity_shards > kMaxShards)
        return Unexpected(ConfigError::bad_shard_count);
    if (config.header_offset + kFecOverhead >= config.max_datagram ||
        config.max_datagram - config.header_offset - kFecHeaderSize > 0xFFFF)
        return Unexpected(ConfigError::bad_datagram_size);
    std::unique_ptr<FecEncoder> encoder(new FecEncoder(config));
    // Cannot happen for a valid shape; never dereferenced if it does.
    if (!encoder->codec_) return Unexpected(ConfigError::singular_matrix);
    return encoder;
}

FecEncoder::~FecEncoder() = default;

FecEncoder::FecEncoder(const EncoderConfig& config)
    : config_(config),
      ds_(config.data_shards),
      ps_(config.parity_shards),
      paws_(paws_for(config.data_shards + config.parity_shards)) {
    const std::size_t off = config.header_offset;
    region_capacity_ = round_up(config.max_datagram - off - kFecHeaderSize, kAlign);
    const std::size_t packet_stride = round_up(config.max_datagram, kAlign) + kAlign;
    const std::size_t total = static_cast<std::size_t>(ds_) * region_capacity_ +
                              static_cast<std::size_t>(ps_) * packet_stride + kAlign;
    storage_.reset(new std::uint8_t[total]());
    std::uint8_t* base = align_up(storage_.get(), kAlign);
    data_regions_.reset(new std::uint8_t*[static_cast<std::size_t>(ds_)]);
    data_lengths_.reset(new std::size_t[static_cast<std::size_t>(ds_)]());
    for (int i = 0; i < ds_; ++i)
        data_regions_[i] = base + static_cast<std::size_t>(i) * region_capacity_;
    base += static_cast<std::size_t>(ds_) * region_capacity_;
    parity_packets_.reset(new std::uint8_t*[static_cast<std::size_t>(ps_)]);
    parity_views_.reset(new std::span<std::uint8_t>[static_cast<std::size_t>(ps_)]);
    for (int j = 0; j < ps_; ++j)
        parity_packets_[j] = align_up(base + static_cast<std::size_t>(j) * packet_stride, kAlign,
                                      off + kFecHeaderSize);
    if (auto made = ReedSolomon::create(ds_, ps_)) codec_ = std::move(made).value();
}

EncodeResult FecEncoder::encode(std::span<std::uint8_t> datagram, std::uint32_t now_ms) {
    EncodeResult result;
    const std::size_t off = config_.header_offset;
    if (datagram.size() < off + kFecOverhead) {
        ++counters_.encode_rejected;
        result.status = EncodeStatus::too_short;
        return result;
    }
    if (datagram.size() > config_.max_datagram) {
        ++counters_.encode_rejected;
        result.status = EncodeStatus::too_long;
        return result;
    }
    const Behaviour& b = config_.behaviour;

    // seal: seqid, type; without the wrap rule data seqids count up without the modulo
    std::uint8_t* hdr = datagram.data() + off;
    store_le32(hdr, next_);
    store_le16(hdr + 4, kTypeData);
    next_ = b.group_aligned_seqids ? static_cast<std::uint32_t>(next_ + 1u) % paws_
                                   : static_cast<std::uint32_t>(next_ + 1u);
    const std::size_t region_len = datagram.size() - off - kFecHeaderSize;
    store_le16(hdr + kFecHeaderSize, static_cast<std::uint16_t>(region_len));

    const auto k = static_cast<std::size_t>(shard_count_);
    std::memcpy(data_regions_[k], hdr + kFecHeaderSize, region_len);
    data_lengths_[k] = region_len;
    ++shard_count_;
    max_size_ = std::max(max_size_, datagram.size());

    if (shard_count_ == ds_) {
        const bool generate =
            b.parity_gap_ms == 0 || (have_last_ && static_cast<std::int32_t>(now_ms - last_ms_) <
                                                       static_cast<std::int32_t>(b.parity_gap_ms));
        if (generate) {
            const std::size_t len = max_size_ - off - kFecHeaderSize;
            for (int i = 0; i < ds_; ++i)
                std::memset(data_regions_[i] + data_lengths_[i], 0, len - data_lengths_[i]);
            std::array<std::uint8_t*, kMaxShards> parity{};
            for (int j = 0; j < ps_; ++j)
                parity[static_cast<std::size_t>(j)] = parity_packets_[j] + off + kFecHeaderSize;
            const auto st = codec_->encode(
                std::span<const std::uint8_t* const>(data_regions_.get(),
                                                     static_cast<std::size_t>(ds_)),
                std::span<std::uint8_t* const>(parity.data(), static_cast<std::size_t>(ps_)), len);
            if (st == CodingStatus::ok) {
                for (int j = 0; j < ps_; ++j) {
                    std::uint8_t* p = parity_packets_[j];
                    store_le32(p + off, next_);
                    store_le16(p + off + 4, kTypeParity);
                    next_ = static_cast<std::uint32_t>(next_ + 1u) % paws_;
                    parity_views_[j] = std::span<std::uint8_t>(p, max_size_);
                }
                result.parity = std::span<const std::span<std::uint8_t>>(
                    parity_views_.get(), static_cast<std::size_t>(ps_));
                ++counters_.parity_groups;
            } else {  // cannot happen with L >= 2; mirrors kcp-go anyway
                ++counters_.fec_errs;
                if (b.group_aligned_seqids)
                    next_ =
                        static_cast<std::uint32_t>(next_ + static_cast<std::uint32_t>(ps_)) % paws_;
            }
        } else {
            next_ = static_cast<std::uint32_t>(next_ + static_cast<std::uint32_t>(ps_)) % paws_;
            result.parity_skipped = true;
            ++counters_.parity_groups_skipped;
        }
        shard_count_ = 0;
        max_size_ = 0;
    }
    have_last_ = true;
    last_ms_ = now_ms;
    return result;
}

// ================================================================================================
// Decoder building blocks
// ================================================================================================

namespace {

struct Pulse {
    bool bit = false;  // data?
    std::uint32_t seq = 0;
};

/// v5.6.72's period detector: the last 258 samples in arrival order, sorted by seqid.
class AutotuneHead {
  public:
    void sample(bool bit, std::uint32_t seq) {
        ring_[static_cast<std::size_t>(tail_)] = {bit, seq};
        tail_ = (tail_ + 1) % kAutotuneSamples;
        if (count_ < kAutotuneSamples)
            ++count_;
        else
            head_ = (head_ + 1) % kAutotuneSamples;
    }

    /// (period of data, period of parity), each -1 when not found.
    std::pair<int, int> periods() {
        if (count_ < 3) return {-1, -1};
        const auto n = static_cast<std::size_t>(count_);
        for (std::size_t i = 0; i < n; ++i)
            sorted_[i] = ring_[(static_cast<std::size_t>(head_) + i) % kAutotuneSamples];
        merge_sort(n);
        return {scan(true, n), scan(false, n)};
    }

  private:
    // Bottom-up stable merge sort by wrap-aware seqid: O(n log n), no allocation, and safe
    // whatever the comparator does (kcp-go's order is not transitive across 2^31).
    void merge_sort(std::size_t n) {
        Pulse* src = sorted_.data();
        Pulse* dst = scratch_.data();
        for (std::size_t width = 1; width < n; width *= 2) {
            for (std::size_t lo = 0; lo < n; lo += 2 * width) {
                const std::size_t mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
                std::size_t a = lo, b = mid, o = lo;
                while (a < mid && b < hi)
                    dst[o++] = diff32(src[b].seq, src[a].seq) < 0 ? src[b++] : src[a++];
                while (a < mid) dst[o++] = src[a++];
                while (b < hi) dst[o++] = src[b++];
            }
            std::swap(src, dst);
        }
        if (src != sorted_.data()) std::copy(src, src + n, sorted_.data());
    }

    int scan(bool bit, std::size_t n) const {
        const Pulse* s = sorted_.data();
        std::size_t left = 0;
        bool found = false;
        for (std::size_t i = 1; i < n; ++i) {
            if (s[i - 1].seq + 1 != s[i].seq) return -1;
            if (s[i - 1].bit != bit && s[i].bit == bit) {
                left = i;
                found = true;
                break;
            }
        }
        if (!found) return -1;
        for (std::size_t i = left + 1; i < n; ++i) {
            if (s[i - 1].seq + 1 != s[i].seq) return -1;
            if (s[i - 1].bit == bit && s[i].bit != bit) return static_cast<int>(i - left);
        }
        return -1;
    }

    std::array<Pulse, kAutotuneSamples> ring_{}, sorted_{}, scratch_{};
    int head_ = 0, tail_ = 0, count_ = 0;
};

/// v5.6.1's period detector: 258 slots indexed by seqid % 258, scanned in slot order.
class Autotune561 {
  public:
    void sample(bool bit, std::uint32_t seq) { slots_[seq % kAutotuneSamples] = {bit, seq}; }

    int period(bool bit) const {
        const Pulse* p = slots_.data();
        int left = 0;  // a missing left edge starts the right-edge scan at slot 0 (as kcp-go)
        Pulse last = p[0];
        for (int i = 1; i < kAutotuneSamples; ++i) {
            if (last.bit != bit && p[i].bit == bit && last.seq + 1 == p[i].seq) {
                left = i;
                break;
            }
            last = p[i];
        }
        int right = 0;
        last = p[left];
        for (int i = left + 1; i < kAutotuneSamples; ++i) {
            if (last.seq + 1 != p[i].seq) return -1;
            if (last.bit == bit && p[i].bit != bit) {
                right = i;
                break;
            }
            last = p[i];
        }
        return right - left;
    }

  private:
    std::array<Pulse, kAutotuneSamples> slots_{};
};

/// Copies of received FEC datagrams. A buffer holds max_datagram bytes, placed so that the
/// shard region (byte 6 on) is 64-byte aligned; padding to the group's length stays inside.
/// The decoder reserves what honest traffic can hold at once when its shape is set, in one
/// block; only hostile input beyond that grows the pool (one buffer at a time, kept).
class PacketPool {
  public:
    explicit PacketPool(std::size_t max_datagram)
        : stride_((max_datagram + 2 * kAlign) / kAlign * kAlign) {}

    /// At least `count` buffers exist afterwards.
    void reserve(std::size_t count) {
        if (count <= total_) return;
        const std::size_t more = count - total_;
        blocks_.emplace_back(new std::uint8_t[more * stride_ + kAlign]);
        free_.reserve(count);
        std::uint8_t* base = blocks_.back().get();
        for (std::size_t i = 0; i < more; ++i)
            free_.push_back(align_up(base + i * stride_, kAlign, kFecHeaderSize));
        total_ = count;
    }

    std::uint8_t* get() {
        if (free_.empty()) reserve(total_ + 1);
        std::uint8_t* p = free_.back();
        free_.pop_back();
        return p;
    }
    void put(std::uint8_t* p) { free_.push_back(p); }

  private:
    std::size_t stride_;  ///< bytes per buffer, room for the alignment shift included
    std::size_t total_ = 0;
    std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
    std::vector<std::uint8_t*> free_;
};

/// Output buffers for rebuilt shards: min(ds, ps) of max_datagram bytes, 64-byte aligned.
class RecoveredBuffers {
  public:
    void resize(std::size_t count, std::size_t capacity) {
        while (owned_.size() < count) {
            owned_.emplace_back(new std::uint8_t[capacity + kAlign]);
            ptrs_.push_back(align_up(owned_.back().get(), kAlign));
        }
    }
    std::uint8_t* at(std::size_t i) const { return ptrs_[i]; }
    std::size_t size() const { return ptrs_.size(); }

  private:
    std::vector<std::unique_ptr<std::uint8_t[]>> owned_;
    std::vector<std::uint8_t*> ptrs_;
};

/// What a decoder call rebuilt: views into RecoveredBuffers, ascending shard index.
struct Recovered {
    std::array<std::span<const std::uint8_t>, kMaxShards> shards;
    std::size_t count = 0;
};

/// Zero-pads the present shards to `len`, points the missing data shards at output
/// buffers and runs the RS decode. Returns the codec status; fills `out` on success.
/// `lens[k]` is the region length of present shard k.
CodingStatus rebuild(ReedSolomon& codec, RecoveredBuffers& buffers,
                     std::array<std::uint8_t*, kMaxShards>& shards,
                     std::array<bool, kMaxShards>& present,
                     const std::array<std::size_t, kMaxShards>& lens, std::size_t len,
                     Recovered& out) {
    const int ds = codec.data_shards(), total = codec.total_shards();
    std::size_t n_present = 0, n_missing = 0;
    for (int k = 0; k < total; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        if (present[ku]) {
            std::memset(shards[ku] + lens[ku], 0, len - lens[ku]);
            ++n_present;
        } else if (k < ds) {
            ++n_missing;
        }
    }
    if (len == 0) return CodingStatus::no_data;
    if (n_missing == 0) return CodingStatus::ok;
    if (n_present < static_cast<std::size_t>(ds) || n_missing > buffers.size())
        return CodingStatus::too_few_shards;
    std::size_t b = 0;
    for (int k = 0; k < ds; ++k)
        if (!present[static_cast<std::size_t>(k)])
            shards[static_cast<std::size_t>(k)] = buffers.at(b++);
    const auto st = codec.reconstruct_data(
        std::span<std::uint8_t* const>(shards.data(), static_cast<std::size_t>(total)),
        std::span<const bool>(present.data(), static_cast<std::size_t>(total)), len);
    if (st != CodingStatus::ok) return st;
    out.count = 0;
    for (int k = 0; k < ds; ++k)
        if (!present[static_cast<std::size_t>(k)])
            out.shards[out.count++] =
                std::span<const std::uint8_t>(shards[static_cast<std::size_t>(k)], len);
    return st;
}

/// The Reed-Solomon codecs of the last few shapes a decoder used. Autotune follows whatever
/// shape the peer's seqids suggest, and building a codec inverts a ds x ds matrix (O(ds^3))
/// and reserves up to 1 MiB of decode cache: a peer flipping between shapes would pay that
/// on every switch. Cached, a switch back costs a lookup and no allocation; only a shape not
/// among the last kCodecCacheSlots builds (replacing the least recently used).
class CodecCache {
  public:
    explicit CodecCache(FecCounters& counters) : counters_(counters) {}

    /// The codec for (ds, ps), decode cache reserved; nullptr (counted) if it cannot be built.
    ReedSolomon* get(int ds, int ps) {
        ++clock_;
        Slot* victim = &slots_[0];
        for (Slot& s : slots_) {
            if (s.codec && s.ds == ds && s.ps == ps) {
                s.last_used = clock_;
                return s.codec.get();
            }
            if (!s.codec || (victim->codec && s.last_used < victim->last_used)) victim = &s;
        }
        auto made = ReedSolomon::create(ds, ps);
        if (!made) {
            ++counters_.codec_failures;
            return nullptr;
        }
        std::unique_ptr<ReedSolomon> codec = std::move(made).value();
        ++counters_.codec_builds;
        codec->reserve_reconstruct();
        *victim = Slot{ds, ps, clock_, std::move(codec)};
        return victim->codec.get();
    }

  private:
    struct Slot {
        int ds = 0, ps = 0;
        std::uint64_t last_used = 0;
        std::unique_ptr<ReedSolomon> codec;
    };
    FecCounters& counters_;
    std::array<Slot, kCodecCacheSlots> slots_;
    std::uint64_t clock_ = 0;
};

// ------------------------------------------------------------------------------------------------
// What both versions' decoders hold: the shared pool and codec cache, the current shape and
// its codec, and the buffers reconstruction writes into.
// ------------------------------------------------------------------------------------------------

class DecoderBase {
  public:
    /// Unusable until the derived decoder's configure() succeeds once.
    DecoderBase(PacketPool& pool, CodecCache& codecs, FecCounters& counters,
                std::size_t max_datagram)
        : pool_(pool), codecs_(codecs), counters_(counters), max_datagram_(max_datagram) {}

    int data_shards() const { return ds_; }
    int parity_shards() const { return ps_; }

  protected:
    /// The shared half of a switch to (ds, ps): false, with nothing changed, if its codec
    /// cannot be built. Buffers only grow, so a shape seen before allocates nothing.
    bool switch_shape(int ds, int ps) {
        ReedSolomon* codec = codecs_.get(ds, ps);
        if (!codec) return false;
        codec_ = codec;
        ds_ = ds;
        ps_ = ps;
        buffers_.resize(static_cast<std::size_t>(std::min(ds, ps)), max_datagram_);
        return true;
    }

    PacketPool& pool_;
    CodecCache& codecs_;
    FecCounters& counters_;
    std::size_t max_datagram_;
    int ds_ = 0, ps_ = 0;
    ReedSolomon* codec_ = nullptr;  ///< owned by codecs_
    RecoveredBuffers buffers_;
};

// ------------------------------------------------------------------------------------------------
// v5.6.72's decoder: shard sets keyed by group id, decoded the moment one holds ds shards.
// ------------------------------------------------------------------------------------------------

class HeadDecoder : public DecoderBase {
  public:
    using DecoderBase::DecoderBase;

    void decode(const std::uint8_t* pkt, std::size_t len, Recovered& out) {
        out.count = 0;
        const std::uint32_t seq = load_le32(pkt);
        const std::uint16_t flag = load_le16(pkt + 4);
        tune_.sample(flag == kTypeData, seq);
        if (seq >= paws_) {
            ++counters_.beyond_paws;
            return;
        }
        const auto S = static_cast<std::uint32_t>(ds_ + ps_);
        const bool expect_data = seq % S < static_cast<std::uint32_t>(ds_);
        if (flag != (expect_data ? kTypeData : kTypeParity)) should_tune_ = true;
        if (should_tune_) {
            ++counters_.ignored_tuning;
            const auto [a, b] = tune_.periods();
            if (a > 0 && b > 0 && a + b < 256) {
                // a shape whose codec cannot be built is not taken (kcp-go would keep the
                // new shape with the old codec)
                if ((a != ds_ || b != ps_) && configure(a, b)) ++counters_.autotune_changes;
                should_tune_ = false;
            }
            return;
        }

        const std::uint32_t group = seq / S;
        ShardSet* set = find_or_create(group);
        const std::uint32_t pos = seq % S;
        if (set->has(pos)) {
            ++counters_.duplicates;
            return;
        }
        if (flag == kTypeParity) ++counters_.fec_parity_shards;
        std::uint8_t* copy = pool_.get();
        std::memcpy(copy, pkt, len);
        set->items.push_back({copy, static_cast<std::uint16_t>(len), seq, flag});
        set->mark(pos);

        if (set->items.size() >= static_cast<std::size_t>(ds_)) take_and_decode(*set, out);

        if (diff32(group * S, newest_ * S) > 0) {
            newest_ = group;
            counters_.fec_shard_min = newest_;
        }
        discard();
    }

  private:
    struct Item {
        std::uint8_t* pkt;
        std::uint16_t len;
        std::uint32_t seq;
        std::uint16_t flag;
    };
    struct ShardSet {
        bool live = false;
        std::uint32_t group = 0;
        std::array<std::uint64_t, 4> bits{};
        std::vector<Item> items;
        bool has(std::uint32_t pos) const { return (bits[pos >> 6] >> (pos & 63)) & 1u; }
        void mark(std::uint32_t pos) { bits[pos >> 6] |= std::uint64_t{1} << (pos & 63); }
    };

  public:
    /// Switches to (ds, ps); false, with nothing changed, if its codec cannot be built.
    bool configure(int ds, int ps) {
        if (!switch_shape(ds, ps)) return false;
        for (ShardSet& s : sets_) release(s);
        paws_ = paws_for(ds + ps);
        for (ShardSet& s : sets_) s.items.reserve(static_cast<std::size_t>(ds));
        // honest traffic: the newest group and 3 older ones, each short of ds shards
        pool_.reserve(static_cast<std::size_t>(kHeadRetainedGroups + 1) *
                      static_cast<std::size_t>(ds));
        return true;
    }

  private:
    void release(ShardSet& s) {
        for (const Item& it : s.items) pool_.put(it.pkt);
        s.items.clear();
        s.bits = {};
        s.live = false;
    }

    ShardSet* find_or_create(std::uint32_t group) {
        ShardSet* free_slot = nullptr;
        for (ShardSet& s : sets_) {
            if (s.live && s.group == group) return &s;
            if (!s.live && !free_slot) free_slot = &s;
        }
        if (!free_slot) {
            // Only hostile seqids (sets exactly 2^31 ahead survive kcp-go's discard rule)
            // get here; kcp-go would keep growing. Evict the set farthest behind.
            ++counters_.set_overflow;
            const auto S = static_cast<std::uint32_t>(ds_ + ps_);
            free_slot = &*std::max_element(
                sets_.begin(), sets_.end(), [&](const ShardSet& x, const ShardSet& y) {
                    return newest_ * S - x.group * S < newest_ * S - y.group * S;
                });
            release(*free_slot);
        }
        free_slot->live = true;
        free_slot->group = group;
        return free_slot;
    }

    void take_and_decode(ShardSet& set, Recovered& out) {
        int n_data = 0;
        std::size_t len = 0;
        for (const Item& it : set.items) {
            if (it.flag == kTypeData) ++n_data;
            len = std::max<std::size_t>(len, it.len - kFecHeaderSize);
        }
        if (n_data == ds_) {
            ++counters_.fec_full_shard_set;
        } else {
            const auto S = static_cast<std::uint32_t>(ds_ + ps_);
            std::array<std::uint8_t*, kMaxShards> shards{};
            std::array<bool, kMaxShards> present{};
            std::array<std::size_t, kMaxShards> lens{};
            for (const Item& it : set.items) {
                const std::size_t pos = it.seq % S;
                shards[pos] = it.pkt + kFecHeaderSize;
                present[pos] = true;
                lens[pos] = it.len - kFecHeaderSize;
            }
            if (rebuild(*codec_, buffers_, shards, present, lens, len, out) == CodingStatus::ok)
                counters_.fec_recovered += out.count;
            else
                ++counters_.fec_errs;
        }
        // the set stays registered, empty: later shards of this group start over
        for (const Item& it : set.items) pool_.put(it.pkt);
        set.items.clear();
        set.bits = {};
    }

    void discard() {
        const auto S = static_cast<std::uint32_t>(ds_ + ps_);
        const std::int32_t keep = kHeadRetainedGroups * static_cast<std::int32_t>(S);
        std::uint64_t live = 0;
        for (ShardSet& s : sets_) {
            if (!s.live) continue;
            if (diff32(newest_ * S, s.group * S) > keep)
                release(s);
            else
                ++live;
        }
        counters_.fec_shard_set = live;
    }

    std::uint32_t paws_ = 0;
    std::uint32_t newest_ = 0;
    bool should_tune_ = false;
    std::array<ShardSet, kHeadSetSlots> sets_;
    AutotuneHead tune_;
};

// ------------------------------------------------------------------------------------------------
// v5.6.1's decoder: one queue sorted by seqid, at most 3*S long, entries expire after 60 s.
// ------------------------------------------------------------------------------------------------

class Decoder561 : public DecoderBase {
  public:
    using DecoderBase::DecoderBase;
    std::uint32_t expiry_ms = 60000;  ///< Behaviour::queue_expiry_ms

    void decode(const std::uint8_t* pkt, std::size_t len, std::uint32_t now, Recovered& out) {
        out.count = 0;
        const std::uint32_t seq = load_le32(pkt);
        const std::uint16_t flag = load_le16(pkt + 4);
        tune_.sample(flag == kTypeData, seq);
        {
            const auto S = static_cast<std::uint32_t>(ds_ + ps_);
            const bool expect_data = seq % S < static_cast<std::uint32_t>(ds_);
            if (flag != (expect_data ? kTypeData : kTypeParity)) {
                const int a = tune_.period(true), b = tune_.period(false);
                if (a > 0 && b > 0 && a < 256 && b < 256 && (a != ds_ || b != ps_)) {
                    // kcp-go v5.6.1 also accepts a + b > 256, then fails to build the codec
                    // and is left inconsistent (it can panic later); we keep the old shape.
                    if (a + b <= kMaxShards && configure(a, b)) ++counters_.autotune_changes;
                }
            }
        }
        const auto S = static_cast<std::uint32_t>(ds_ + ps_);

        // insertion point, searching from the tail; an equal seqid met first is a duplicate
        std::size_t insert = 0;
        for (std::size_t i = rx_.size(); i-- > 0;) {
            if (rx_[i].seq == seq) {
                ++counters_.duplicates;
                return;
            }
            if (diff32(seq, rx_[i].seq) > 0) {
                insert = i + 1;
                break;
            }
        }
        std::uint8_t* copy = pool_.get();
        std::memcpy(copy, pkt, len);
        rx_.insert(rx_.begin() + static_cast<std::ptrdiff_t>(insert),
                   Entry{copy, static_cast<std::uint16_t>(len), seq, flag, now});

        const std::uint32_t begin = seq - seq % S;
        const std::uint32_t end = begin + S - 1;
        std::ptrdiff_t search_begin =
            static_cast<std::ptrdiff_t>(insert) - static_cast<std::ptrdiff_t>(seq % S);
        if (search_begin < 0) search_begin = 0;
        std::ptrdiff_t search_end = search_begin + static_cast<std::ptrdiff_t>(S) - 1;
        if (search_end >= static_cast<std::ptrdiff_t>(rx_.size()))
            search_end = static_cast<std::ptrdiff_t>(rx_.size()) - 1;

        if (search_end - search_begin + 1 >= ds_) {
            int numshard = 0, numdata = 0;
            std::size_t first = 0, maxlen = 0;
            std::array<std::uint8_t*, kMaxShards> shards{};
            std::array<bool, kMaxShards> present{};
            std::array<std::size_t, kMaxShards> lens{};
            for (auto i = static_cast<std::size_t>(search_begin);
                 i <= static_cast<std::size_t>(search_end); ++i) {
                const Entry& e = rx_[i];
                if (diff32(e.seq, end) > 0) break;
                if (diff32(e.seq, begin) >= 0) {
                    const std::size_t pos = e.seq % S;
                    shards[pos] = e.pkt + kFecHeaderSize;
                    present[pos] = true;
                    lens[pos] = e.len - kFecHeaderSize;
                    ++numshard;
                    if (e.flag == kTypeData) ++numdata;
                    if (numshard == 1) first = i;
                    maxlen = std::max<std::size_t>(maxlen, e.len - kFecHeaderSize);
                }
            }
            if (numdata == ds_) {
                free_range(first, static_cast<std::size_t>(numshard));
            } else if (numshard >= ds_) {
                (void)rebuild(*codec_, buffers_, shards, present, lens, maxlen, out);
                free_range(first, static_cast<std::size_t>(numshard));
            }
        }

        if (rx_.size() > static_cast<std::size_t>(rxlimit_)) {
            if (rx_.front().flag == kTypeData) ++counters_.fec_short_shards;
            free_range(0, 1);
        }

        std::size_t expired = 0;
        while (expired < rx_.size() &&
               diff32(now, rx_[expired].ts) > static_cast<std::int32_t>(expiry_ms))
            ++expired;
        if (expired > 0) {
            counters_.expired += expired;
            free_range(0, expired);
        }
    }

  private:
    struct Entry {
        std::uint8_t* pkt;
        std::uint16_t len;
        std::uint32_t seq;
        std::uint16_t flag;
        std::uint32_t ts;
    };

  public:
    /// Switches to (ds, ps); false, with nothing changed, if its codec cannot be built.
    bool configure(int ds, int ps) {
        if (!switch_shape(ds, ps)) return false;
        rxlimit_ = k561QueueGroups * (ds + ps);
        rx_.reserve(std::max(rx_.size(), static_cast<std::size_t>(rxlimit_)) + 2);
        pool_.reserve(static_cast<std::size_t>(rxlimit_) + 1);  // the queue's bound + the newcomer
        return true;
    }

  private:
    void free_range(std::size_t first, std::size_t n) {
        for (std::size_t i = first; i < first + n; ++i) pool_.put(rx_[i].pkt);
        rx_.erase(rx_.begin() + static_cast<std::ptrdiff_t>(first),
                  rx_.begin() + static_cast<std::ptrdiff_t>(first + n));
    }

    int rxlimit_ = 0;
    std::vector<Entry> rx_;
    Autotune561 tune_;
};

}  // namespace

// ================================================================================================
// Receive path
// ================================================================================================

struct FecDecoder::Impl {
    DecoderConfig config;
    FecCounters counters;
    PacketPool pool;
    CodecCache codecs;  // before the decoders: they point into it
    std::unique_ptr<HeadDecoder> head;
    std::unique_ptr<Decoder561> v561;
    Recovered recovered;
    std::array<Delivery, 1 + kMaxShards> deliveries;

    explicit Impl(const DecoderConfig& c) : config(c), pool(c.max_datagram), codecs(counters) {
        const bool shaped = c.data_shards >= 1 && c.parity_shards >= 1 &&
                            c.data_shards + c.parity_shards <= kMaxShards;
        if (shaped) make_decoder(c.data_shards, c.parity_shards);
    }

    /// A decoder of that shape; none (codec_failures counted) if its codec cannot be built.
    void make_decoder(int ds, int ps) {
        if (config.behaviour.decoder == Behaviour::Decoder::shard_sets)
            make_configured(head, ds, ps);
        else
            make_configured(v561, ds, ps);
        if (v561) v561->expiry_ms = config.behaviour.queue_expiry_ms;
    }
    template <class Decoder>
    void make_configured(std::unique_ptr<Decoder>& slot, int ds, int ps) {
        slot = std::make_unique<Decoder>(pool, codecs, counters, config.max_datagram);
        if (!slot->configure(ds, ps)) slot.reset();
    }
    bool has_decoder() const { return head || v561; }

    InputResult input(std::span<const std::uint8_t> d, std::uint32_t now) {
        InputResult r;
        const bool is_head = config.behaviour.decoder == Behaviour::Decoder::shard_sets;
        if (d.size() < config.behaviour.min_datagram) {
            if (is_head)
                ++counters.kcp_in_errors;
            else
                ++counters.dropped_short;
            r.drop = DropReason::too_short;
            return r;
        }
        const std::uint16_t flag = load_le16(d.data() + 4);
        if (flag == kTypeData || flag == kTypeParity) {
            if (d.size() < kFecOverhead) {  // unreachable after the gate above
                ++counters.in_errs;
                r.drop = DropReason::fec_too_short;
                return r;
            }
            if (d.size() > config.max_datagram) {
                ++counters.dropped_oversize;
                r.drop = DropReason::oversize;
                return r;
            }
            if (!has_decoder()) make_decoder(1, 1);
            if (!is_head && flag == kTypeParity) ++counters.fec_parity_shards;
            std::size_t n = 0;
            if (flag == kTypeData) deliveries[n++] = {d.subspan(kFecOverhead), false};
            recovered.count = 0;  // without a decoder (no codec) the KCP bytes still go on
            if (head)
                head->decode(d.data(), d.size(), recovered);
            else if (v561)
                v561->decode(d.data(), d.size(), now, recovered);
            for (std::size_t i = 0; i < recovered.count; ++i) {
                const auto shard = recovered.shards[i];
                bool ok = false;
                if (shard.size() >= 2) {
                    const std::uint16_t sz = load_le16(shard.data());
                    if (sz >= 2 && sz <= shard.size()) {
                        deliveries[n++] = {shard.subspan(2, sz - 2u), true};
                        ok = true;
                    }
                }
                if (is_head) {
                    if (!ok) ++counters.invalid_recovered;
                } else if (ok) {
                    ++counters.fec_recovered;
                } else {
                    ++counters.fec_errs;
                }
            }
            r.kind = flag == kTypeData ? PacketKind::fec_data : PacketKind::fec_parity;
            r.deliveries = std::span<const Delivery>(deliveries.data(), n);
            return r;
        }
        if (flag == kTypeOob && config.behaviour.oob) {
            ++counters.oob_packets;
            r.kind = PacketKind::oob;
            r.oob_conv = load_le32(d.data() + kFecOverhead);
            r.oob_payload = d.subspan(kFecOverhead + 4);
            return r;
        }
        deliveries[0] = {d, false};
        r.kind = PacketKind::raw_kcp;
        r.deliveries = std::span<const Delivery>(deliveries.data(), 1);
        return r;
    }
};

Expected<std::unique_ptr<FecDecoder>, ConfigError> FecDecoder::create(const DecoderConfig& config) {
    if (config.max_datagram < kMinMaxDatagram || config.max_datagram > 0xFFFF ||
        config.behaviour.min_datagram < kMinGate)
        return Unexpected(ConfigError::bad_datagram_size);
    return std::unique_ptr<FecDecoder>(new FecDecoder(std::make_unique<Impl>(config)));
}

FecDecoder::FecDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FecDecoder::~FecDecoder() = default;

InputResult FecDecoder::input(std::span<const std::uint8_t> datagram, std::uint32_t now_ms) {
    return impl_->input(datagram, now_ms);
}

int FecDecoder::data_shards() const {
    if (impl_->head) return impl_->head->data_shards();
    if (impl_->v561) return impl_->v561->data_shards();
    return 0;
}
int FecDecoder::parity_shards() const {
    if (impl_->head) return impl_->head->parity_shards();
    if (impl_->v561) return impl_->v561->parity_shards();
    return 0;
}
bool FecDecoder::has_decoder() const {
    return impl_->has_decoder();
}
const DecoderConfig& FecDecoder::config() const {
    return impl_->config;
}
const FecCounters& FecDecoder::counters() const {
    return impl_->counters;
}

}  // namespace kcpkit::fec
