#include "kcpkit/kcp/profile.hpp"

#include <array>

namespace kcpkit::kcp {

namespace {
constexpr std::array<const Profile*, 4> kProfiles{&kIkcpProfile, &kIkcpPreConserveProfile,
                                                  &kKcpGoProfile, &kKcpGo561Profile};
}

std::span<const Profile* const> all_profiles() {
    return kProfiles;
}

const Profile* find_profile(std::string_view name) {
    for (const Profile* p : kProfiles)
        if (p->name == name) return p;
    return nullptr;
}

}  // namespace kcpkit::kcp
