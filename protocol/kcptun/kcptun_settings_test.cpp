#define BOOST_TEST_MODULE kcptun_settings
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/kcp/profile.hpp"
#include "kcpkit/kcptun/settings.hpp"

using namespace kcpkit;
using kcptun::Role;
using kcptun::Settings;

BOOST_AUTO_TEST_CASE(defaults_give_kcptuns_client_and_server) {
    const auto dial = kcptun::session_config(Settings{}, Role::dial);
    BOOST_TEST_REQUIRE(static_cast<bool>(dial), dial.error);
    const kcpgo::SessionConfig& c = dial.config;
    BOOST_TEST((c.release.name == "kcp-go"));
    BOOST_TEST((c.frame.cipher == crypt::Cipher::aes256));  // kcptun's "aes"
    const auto pass = crypt::kcptun_pass(crypt::kKcptunDefaultKey);
    BOOST_TEST(c.frame.key == std::vector<std::uint8_t>(pass.begin(), pass.end()));
    BOOST_TEST(c.frame.data_shards == 10);
    BOOST_TEST(c.frame.parity_shards == 3);
    // --mode fast: 0/30/2/1.
    BOOST_TEST(c.nodelay == 0);
    BOOST_TEST(c.interval == 30);
    BOOST_TEST(c.resend == 2);
    BOOST_TEST(c.nc == 1);
    BOOST_TEST(c.mtu == 1350u);
    BOOST_TEST(c.snd_wnd == 128);
    BOOST_TEST(c.rcv_wnd == 512);
    BOOST_TEST(!c.passive);
    BOOST_TEST(!c.write_delay);

    const auto listen = kcptun::session_config(Settings{}, Role::listen);
    BOOST_TEST(listen.config.snd_wnd == 1024);
    BOOST_TEST(listen.config.rcv_wnd == 1024);
    BOOST_TEST(listen.config.passive);
}

BOOST_AUTO_TEST_CASE(every_flag_reaches_the_session) {
    Settings s;
    s.crypt = "aes-128";
    s.key = "other";
    s.datashard = 4;
    s.parityshard = 2;
    s.mode = "manual";
    s.nodelay = 1;
    s.interval = 15;
    s.resend = 3;
    s.nc = 0;
    s.mtu = 1200;
    s.sndwnd = 77;
    s.rcvwnd = 88;
    s.acknodelay = true;
    s.stream = true;
    s.profile = "kcp-go-5.6.1";
    const auto r = kcptun::session_config(s, Role::dial);
    BOOST_TEST_REQUIRE(static_cast<bool>(r), r.error);
    const kcpgo::SessionConfig& c = r.config;
    BOOST_TEST((c.release.name == "kcp-go-5.6.1"));
    BOOST_TEST((c.frame.cipher == crypt::Cipher::aes128));
    BOOST_TEST(c.frame.key.size() == 16u);
    const auto pass = crypt::kcptun_pass("other");
    BOOST_TEST(std::equal(c.frame.key.begin(), c.frame.key.end(), pass.begin()));
    BOOST_TEST(c.frame.data_shards == 4);
    BOOST_TEST(c.frame.parity_shards == 2);
    BOOST_TEST(c.nodelay == 1);
    BOOST_TEST(c.interval == 15);
    BOOST_TEST(c.resend == 3);
    BOOST_TEST(c.nc == 0);
    BOOST_TEST(c.mtu == 1200u);
    BOOST_TEST(c.snd_wnd == 77);
    BOOST_TEST(c.rcv_wnd == 88);
    BOOST_TEST(c.ack_nodelay);
    BOOST_TEST(c.stream);

    // A preset ignores the manual four, as kcptun does.
    s.mode = "fast3";
    const auto preset = kcptun::session_config(s, Role::dial);
    BOOST_TEST(preset.config.nodelay == 1);
    BOOST_TEST(preset.config.interval == 10);
    BOOST_TEST(preset.config.resend == 2);
    BOOST_TEST(preset.config.nc == 1);

    // A pass derived once gives the same key as the passphrase.
    const auto derived = kcptun::session_config(s, Role::dial, pass);
    BOOST_TEST(derived.config.frame.key == preset.config.frame.key);
}

BOOST_AUTO_TEST_CASE(a_c_core_gets_c_semantics_and_the_newest_framing) {
    Settings s;
    s.profile = "ikcp";
    const auto r = kcptun::session_config(s, Role::dial);
    BOOST_TEST_REQUIRE(static_cast<bool>(r), r.error);
    BOOST_TEST(r.config.ikcp_profile == kcp::find_profile("ikcp"));
    BOOST_TEST((r.config.release.name == "kcp-go"));
    BOOST_TEST(kcptun::session_config(Settings{}, Role::dial).config.ikcp_profile == nullptr);
}

BOOST_AUTO_TEST_CASE(errors_are_one_line_and_name_the_flag) {
    struct Case {
        void (*change)(Settings&);
        const char* starts;
        bool unsupported;
    };
    const Case cases[] = {
        {[](Settings& s) { s.mode = "turbo"; }, "--mode 'turbo': want normal", false},
        {[](Settings& s) { s.dscp = 64; }, "--dscp must be 0..63", false},
        {[](Settings& s) { s.sndwnd = -1; }, "--sndwnd/--rcvwnd must be > 0", false},
        {[](Settings& s) { s.profile = "kcp-go-9"; }, "--profile 'kcp-go-9': want", false},
        {[](Settings& s) { s.crypt = "aes-512"; }, "--crypt aes-512: unknown_crypt", true},
        {[](Settings& s) { s.datashard = 200, s.parityshard = 100; },
         "--datashard 200 --parityshard 100: bad_shards", false},
        {[](Settings& s) { s.crypt = "aes-128-gcm", s.profile = "kcp-go-5.6.1"; },
         "--crypt aes-128-gcm: aead_on_561", true},
    };
    for (const Case& c : cases) {
        Settings s;
        c.change(s);
        const auto r = kcptun::session_config(s, Role::dial);
        BOOST_TEST(!r);
        BOOST_TEST(r.error.rfind(c.starts, 0) == 0u, r.error);
        BOOST_TEST(r.error.find('\n') == std::string::npos);
        BOOST_TEST(r.unsupported == c.unsupported, r.error);
    }
    BOOST_TEST(kcptun::validate(Settings{}).empty());
}

BOOST_AUTO_TEST_CASE(flag_table_covers_settings_once) {
    std::set<std::string_view> names;
    for (const kcptun::Flag& f : kcptun::flag_table()) {
        BOOST_TEST(names.insert(f.name).second, f.name);
        BOOST_TEST(!f.help.empty());
        BOOST_TEST(kcptun::find_flag(f.name) == &f);
    }
    BOOST_TEST(kcptun::find_flag("no-such-flag") == nullptr);
    // Writing through a row sets the member it names.
    Settings s;
    s.*std::get<int Settings::*>(kcptun::find_flag("mtu")->member) = 999;
    BOOST_TEST(s.mtu == 999);
    s.*std::get<bool Settings::*>(kcptun::find_flag("stream")->member) = true;
    BOOST_TEST(s.stream);
}
