#include "sim/report/plot.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace kcpkit::sim {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

bool run_gnuplot(const fs::path& script) {
    const std::string cmd = "gnuplot " + quote(script.string()) + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

// Params (other than loss, variants, seed-like) whose values differ across `runs`.
std::vector<std::string> other_varying(const std::vector<const RunResult*>& runs,
                                       const std::set<std::string>& skip) {
    std::vector<std::string> keys;
    if (runs.empty()) return keys;
    for (const Param& p : runs.front()->params) {
        if (skip.count(p.key)) continue;
        std::set<std::string> values;
        for (const RunResult* r : runs) values.insert(r->param(p.key));
        if (values.size() > 1) keys.push_back(p.key);
    }
    return keys;
}

}  // namespace

bool gnuplot_available() {
    return std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1") == 0 ||
           std::system("gnuplot -e 'set terminal png' >/dev/null 2>&1") == 0;
}

std::vector<std::string> write_plots(const std::vector<RunResult>& runs, const std::string& dir,
                                     const std::string& title, std::string& error) {
    std::vector<std::string> written;
    if (!gnuplot_available()) {
        error = "gnuplot not found (Debian: apt-get install gnuplot-nox); no PNG written";
        return written;
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    const fs::path out(dir);
    const std::string term = std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1") == 0
                                 ? "set terminal pngcairo size 900,560 enhanced font 'Sans,10'\n"
                                 : "set terminal png size 900,560\n";

    // Goodput vs loss.
    std::vector<const RunResult*> bulk;
    for (const RunResult& r : runs)
        if (r.param("traffic") == "bulk" && !r.groups.empty()) bulk.push_back(&r);
    std::set<std::string> losses;
    for (const RunResult* r : bulk) losses.insert(r->param("loss"));
    if (losses.size() >= 2) {
        const auto keys = other_varying(bulk, {"loss", "loss_model", "variants", "seed", "run"});
        std::map<std::string, std::vector<std::pair<double, double>>> lines;
        for (const RunResult* r : bulk) {
            for (const GroupResult& g : r->groups) {
                std::string name = g.variant;
                for (const auto& k : keys) name += " " + k + "=" + r->param(k);
                lines[name].push_back({std::stod(r->param("loss")) * 100, g.goodput_mbps});
            }
        }
        const fs::path dat = out / "goodput-vs-loss.dat";
        std::ofstream d(dat);
        std::ostringstream plot;
        int index = 0;
        for (auto& [name, pts] : lines) {
            std::sort(pts.begin(), pts.end());
            d << "# " << name << "\n";
            for (auto [x, y] : pts) d << x << " " << y << "\n";
            d << "\n\n";
            plot << (index ? ", \\\n     " : "plot ") << quote(dat.filename().string()) << " index "
                 << index << " with linespoints lw 2 pt 7 title " << quote(name);
            ++index;
        }
        d.close();
        const fs::path gp = out / "goodput-vs-loss.gp";
        std::ofstream g(gp);
        g << "cd " << quote(fs::absolute(out).string()) << "\n"
          << term << "set output 'goodput-vs-loss.png'\n"
          << "set title " << quote("Goodput vs loss: " + title) << " noenhanced\n"
          << "set xlabel 'packet loss rate (%)'\nset ylabel 'goodput (Mbit/s)'\n"
          << "set grid\nset key outside right top noenhanced\nset yrange [0:*]\n"
          << plot.str() << "\n";
        g.close();
        if (run_gnuplot(gp)) written.push_back((out / "goodput-vs-loss.png").string());
    }

    // Latency CDFs.
    struct Curve {
        std::string name;
        const std::vector<double>* cdf;
    };
    std::vector<Curve> curves;
    std::vector<const RunResult*> with_latency;
    for (const RunResult& r : runs)
        for (const GroupResult& g : r.groups)
            if (g.cdf.size() >= 2 && r.param("traffic") != "bulk") {
                with_latency.push_back(&r);
                break;
            }
    // Bulk runs have latency samples too, but write-to-delivery under a full send
    // buffer says more about the buffer than the path: no CDF for them.
    const auto keys = other_varying(with_latency, {"variants", "seed", "run"});
    for (const RunResult* r : with_latency) {
        for (const GroupResult& g : r->groups) {
            if (g.cdf.size() < 2) continue;
            std::string name = g.variant;
            for (const auto& k : keys) name += " " + k + "=" + r->param(k);
            curves.push_back({name, &g.cdf});
        }
    }
    if (curves.size() > 16) curves.resize(16);
    if (!curves.empty()) {
        const fs::path dat = out / "latency-cdf.dat";
        std::ofstream d(dat);
        std::ostringstream plot;
        for (std::size_t i = 0; i < curves.size(); ++i) {
            d << "# " << curves[i].name << "\n";
            const auto& q = *curves[i].cdf;
            for (std::size_t k = 0; k < q.size(); ++k)
                d << q[k] << " " << static_cast<double>(k) / static_cast<double>(q.size() - 1)
                  << "\n";
            d << "\n\n";
            plot << (i ? ", \\\n     " : "plot ") << quote(dat.filename().string()) << " index "
                 << i << " with steps lw 2 title " << quote(curves[i].name);
        }
        d.close();
        const std::string what = with_latency.front()->param("traffic") == "echo"
                                     ? "round-trip time (ms)"
                                     : "one-way latency (ms)";
        const fs::path gp = out / "latency-cdf.gp";
        std::ofstream g(gp);
        g << "cd " << quote(fs::absolute(out).string()) << "\n"
          << term << "set output 'latency-cdf.png'\n"
          << "set title " << quote("Message latency CDF: " + title) << " noenhanced\n"
          << "set xlabel " << quote(what + ", log scale") << "\nset ylabel 'fraction of messages'\n"
          << "set logscale x\nset grid\nset key right bottom noenhanced\nset yrange [0:1]\n"
          << plot.str() << "\n";
        g.close();
        if (run_gnuplot(gp)) written.push_back((out / "latency-cdf.png").string());
    }
    if (written.empty() && error.empty())
        error = "nothing to plot (goodput vs loss needs bulk runs at two or more loss rates)";
    return written;
}

}  // namespace kcpkit::sim
