// Named scenarios. A preset is a bundle of command-line flags applied before the user's
// own, so any flag given explicitly overrides it: `--preset transpacific --loss 5%`.
#pragma once

#include <string>
#include <vector>

namespace kcpkit::sim {

struct Preset {
    std::string name;
    std::string description;
    std::vector<std::string> args;
};

const std::vector<Preset>& presets();
const Preset* find_preset(const std::string& name);

}  // namespace kcpkit::sim
