#include "kcpkit/kcp/segment.hpp"

#include "kcpkit/base/byte_order.hpp"

namespace kcpkit::kcp {

void encode_header(std::uint8_t* out, const SegmentHeader& h) {
    store_le32(out + 0, h.conv);
    out[4] = h.cmd;
    out[5] = h.frg;
    store_le16(out + 6, h.wnd);
    store_le32(out + 8, h.ts);
    store_le32(out + 12, h.sn);
    store_le32(out + 16, h.una);
    store_le32(out + 20, h.len);
}

SegmentHeader decode_header(const std::uint8_t* in) {
    SegmentHeader h;
    h.conv = load_le32(in + 0);
    h.cmd = in[4];
    h.frg = in[5];
    h.wnd = load_le16(in + 6);
    h.ts = load_le32(in + 8);
    h.sn = load_le32(in + 12);
    h.una = load_le32(in + 16);
    h.len = load_le32(in + 20);
    return h;
}

std::uint32_t peek_conv(std::span<const std::uint8_t> datagram) {
    return datagram.size() < 4 ? 0 : load_le32(datagram.data());
}

}  // namespace kcpkit::kcp
