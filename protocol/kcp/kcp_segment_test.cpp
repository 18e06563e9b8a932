#define BOOST_TEST_MODULE kcp_segment
#include "kcpkit/kcp/segment.hpp"

#include <boost/test/unit_test.hpp>
#include <vector>

using namespace kcpkit::kcp;

BOOST_AUTO_TEST_CASE(header_is_little_endian_in_field_order) {
    const SegmentHeader h{.conv = 0x11223344,
                          .cmd = 81,
                          .frg = 2,
                          .wnd = 0x0180,
                          .ts = 0x000003e8,
                          .sn = 0x0a0b0c0d,
                          .una = 7,
                          .len = 5};
    std::vector<std::uint8_t> b(kHeaderSize);
    encode_header(b.data(), h);
    const std::vector<std::uint8_t> expected{0x44, 0x33, 0x22, 0x11, 0x51, 0x02, 0x80, 0x01,
                                             0xe8, 0x03, 0x00, 0x00, 0x0d, 0x0c, 0x0b, 0x0a,
                                             0x07, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00};
    BOOST_TEST(b == expected, boost::test_tools::per_element());
    BOOST_TEST((decode_header(b.data()) == h));
}

BOOST_AUTO_TEST_CASE(known_commands_are_81_to_84) {
    BOOST_TEST(!is_known_command(80));
    BOOST_TEST(is_known_command(81));
    BOOST_TEST(is_known_command(84));
    BOOST_TEST(!is_known_command(85));
}

BOOST_AUTO_TEST_CASE(peek_conv_reads_first_four_bytes) {
    const std::vector<std::uint8_t> d{0x78, 0x56, 0x34, 0x12, 0x51};
    BOOST_TEST(peek_conv(d) == 0x12345678u);
    BOOST_TEST(peek_conv(std::span(d).first(3)) == 0u);
}
