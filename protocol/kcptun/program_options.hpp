// kcptun's flags on a Boost.Program_options command line, built from flag_table()
// (kcpkit/kcptun/settings.hpp): the one place kcp-peer and kcp-sim take them from.
//
// Header-only, so kcpkit::kcptun itself does not link Boost: include it only where
// Boost.Program_options is linked (the CLIs).
#pragma once

#include <boost/program_options.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "kcpkit/kcptun/settings.hpp"

namespace kcpkit::kcptun {

/// How one CLI shows kcptun's flags.
struct FlagOptions {
    /// Shown as "(=value)"; values the user did not give keep the Settings' own.
    Settings defaults{};
    /// The flags offered, in this order, each "name" or Program_options' "name,alias";
    /// empty: every row of flag_table(), in its order.
    std::span<const std::string_view> offered{};
    /// The CLI's own help text where its meaning of a flag differs (e.g. "0: auto" windows).
    std::span<const std::pair<std::string_view, std::string_view>> help{};
};

/// Adds the flags to `d` (values are read back with read_flags()).
inline void add_flags(boost::program_options::options_description& d,
                      const FlagOptions& options = {}) {
    namespace po = boost::program_options;
    auto add = [&](std::string_view spec) {
        const std::string_view name = spec.substr(0, spec.find(','));
        const Flag* flag = find_flag(name);
        if (flag == nullptr) throw std::logic_error("no kcptun flag --" + std::string(name));
        std::string help(flag->help);
        for (const auto& [n, text] : options.help)
            if (n == name) help = text;
        const Settings& shown = options.defaults;
        const po::value_semantic* value = std::visit(
            [&](auto member) -> const po::value_semantic* {
                using T = std::remove_cvref_t<decltype(shown.*member)>;
                if constexpr (std::is_same_v<T, bool>) {
                    return po::bool_switch();
                } else {
                    return po::value<T>()->default_value(shown.*member);
                }
            },
            flag->member);
        d.add_options()(std::string(spec).c_str(), value, help.c_str());
    };
    if (options.offered.empty()) {
        for (const Flag& f : flag_table()) add(f.name);
    } else {
        for (std::string_view spec : options.offered) add(spec);
    }
}

/// Copies every flag of the table that `vm` holds a given (not defaulted) value of into
/// `settings`.
inline void read_flags(const boost::program_options::variables_map& vm, Settings& settings) {
    for (const Flag& flag : flag_table()) {
        const std::string name(flag.name);
        if (!vm.count(name) || vm[name].defaulted()) continue;
        std::visit(
            [&](auto member) {
                using T = std::remove_cvref_t<decltype(settings.*member)>;
                settings.*member = vm[name].as<T>();
            },
            flag.member);
    }
}

}  // namespace kcpkit::kcptun
