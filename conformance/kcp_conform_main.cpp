// kcp-conform: replays kcpvec/1 vector files against kcpkit's core.
//
//   kcp-conform vectors FILE... [--filter REGEX] [--json REPORT] [--verbose]
//   kcp-conform profiles
//
// Exit status: 0 nothing failed, 1 a case failed, 2 a file or case was unreadable or
// malformed (or bad usage).
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "conformance/runner.hpp"
#include "kcpkit/kcp/profile.hpp"

namespace po = boost::program_options;
using namespace kcpkit;

namespace {

constexpr const char* kUsage =
    "usage: kcp-conform vectors FILE... [--filter REGEX] [--json REPORT] [--verbose]\n"
    "                          [--hide-passes] [--strict]\n"
    "       kcp-conform profiles\n"
    "exit: 0 all passed, 1 a case failed (or, with --strict, was skipped or none passed),\n"
    "      2 a file or case was unreadable or malformed\n";

int list_profiles() {
    for (const kcp::Profile* p : kcp::all_profiles())
        std::cout << p->name << "\t" << p->description << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    conformance::RunOptions options;
    std::string command, json_path;
    bool strict = false;
    po::options_description named("options");
    named.add_options()("help,h", "show usage")("filter", po::value(&options.filter),
                                                "run only cases whose id or name matches REGEX")(
        "json", po::value(&json_path), "write a machine-readable report to this file")(
        "verbose,v", po::bool_switch(&options.verbose), "print notes for passing cases too")(
        "hide-passes", po::bool_switch(&options.hide_passes), "print only FAIL and SKIP lines")(
        "strict", po::bool_switch(&strict),
        "a skipped case fails the run, and so does a run in which no case passed (CI uses it: "
        "a replay that ran nothing must not look green)");
    po::options_description hidden;
    hidden.add_options()("command", po::value(&command))("files",
                                                         po::value(&options.files)->multitoken());
    po::options_description all;
    all.add(named).add(hidden);
    po::positional_options_description positional;
    positional.add("command", 1).add("files", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kcp-conform: " << e.what() << "\n" << kUsage << named;
        return 2;
    }
    if (vm.count("help") || command.empty()) {
        std::cout << kUsage << named;
        return command.empty() && !vm.count("help") ? 2 : 0;
    }
    if (command == "profiles") return list_profiles();
    if (command != "vectors" || options.files.empty()) {
        std::cerr << "kcp-conform: unknown command or no files\n" << kUsage;
        return 2;
    }

    conformance::RunSummary summary;
    try {
        summary = conformance::run_vector_files(options, std::cout, std::cerr);
    } catch (const std::regex_error& e) {
        std::cerr << "kcp-conform: bad --filter regex: " << e.what() << "\n";
        return 2;
    }
    std::cout << "\nPer file:\n";
    conformance::print_file_table(summary, options.files, std::cout);
    std::cout << conformance::summary_line(summary) << "\n";
    if (!json_path.empty()) {
        std::ofstream report(json_path);
        report << conformance::summary_json(summary).dump(2) << "\n";
        if (!report) {
            std::cerr << "kcp-conform: cannot write " << json_path << "\n";
            return 2;
        }
    }
    const int status = summary.exit_code();
    if (strict && status == 0 && (summary.skipped > 0 || summary.passed == 0)) {
        std::cout << "kcp-conform: --strict: "
                  << (summary.passed == 0 ? "no case passed" : "some cases were skipped") << "\n";
        return 1;
    }
    return status;
}
