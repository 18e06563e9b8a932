#define BOOST_TEST_MODULE enum_names
#include "kcpkit/base/enum_names.hpp"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

#include "kcpkit/base/expected.hpp"

namespace sample {

enum class Colour : unsigned char { red = 0, green = 2, blue };
constexpr auto enum_names(Colour) {
    return std::to_array<kcpkit::EnumName<Colour>>({
        {Colour::red, "red"},
        {Colour::green, "green"},
        {Colour::blue, "blue"},
    });
}

enum class Twice : unsigned char { a, b };
constexpr auto enum_names(Twice) {
    return std::to_array<kcpkit::EnumName<Twice>>({{Twice::a, "x"}, {Twice::b, "x"}});
}

enum class Unnamed { a };

}  // namespace sample

using kcpkit::Expected;
using kcpkit::Unexpected;
using sample::Colour;

static_assert(kcpkit::NamedEnum<Colour>);
static_assert(!kcpkit::NamedEnum<sample::Unnamed>);
static_assert(kcpkit::names_are_distinct<Colour>());
static_assert(!kcpkit::names_are_distinct<sample::Twice>());
static_assert(kcpkit::name_of(Colour::green) == "green");

BOOST_AUTO_TEST_CASE(names_parse_back_and_strangers_do_not) {
    for (Colour c : kcpkit::values_of<Colour>()) {
        const auto parsed = kcpkit::parse<Colour>(kcpkit::name_of(c));
        BOOST_REQUIRE(parsed.has_value());
        BOOST_TEST((*parsed == c));
    }
    BOOST_TEST(kcpkit::values_of<Colour>().size() == 3u);
    BOOST_TEST(!kcpkit::parse<Colour>("Red").has_value());
    BOOST_TEST(!kcpkit::parse<Colour>("").has_value());
    BOOST_TEST(kcpkit::name_of(static_cast<Colour>(1)) == "?");
}

enum class Why { too_big = 1, too_small };

Expected<std::unique_ptr<std::string>, Why> make(int n) {
    if (n > 3) return Unexpected(Why::too_big);
    if (n < 1) return Unexpected(Why::too_small);
    return std::make_unique<std::string>(static_cast<std::size_t>(n), 'k');
}

BOOST_AUTO_TEST_CASE(expected_holds_the_object_or_the_reason) {
    auto ok = make(2);
    BOOST_REQUIRE(ok.has_value());
    BOOST_TEST(**ok == "kk");
    BOOST_TEST((*ok)->size() == 2u);
    std::unique_ptr<std::string> taken = std::move(ok).value();
    BOOST_TEST(*taken == "kk");

    const auto big = make(4);
    BOOST_TEST(!big);
    BOOST_TEST((big.error() == Why::too_big));
    BOOST_TEST((make(0).error() == Why::too_small));

    const Expected<int, Why> plain = 7;
    BOOST_TEST(*plain == 7);
}
