// A dumbbell of one sender and one receiver behind a 10 Mbit/s, 20 ms bottleneck, and a
// KCP bulk flow of 200 kB across it with kcpkit's helpers. Prints
// "ns-3 kcp flow: <n> of 200000 bytes" and exits 0 when every byte arrived intact.
#include <cstdio>

// Module headers one by one: ns-3 3.37's core-module.h does not compile as C++20.
#include "kcpkit/ns3/kcp_application.hpp"
#include "ns3/internet-module.h"
#include "ns3/point-to-point-dumbbell.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

using namespace ns3;

int main() {
    PointToPointHelper leaf, bottleneck;
    leaf.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    bottleneck.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
    bottleneck.SetChannelAttribute("Delay", StringValue("20ms"));
    PointToPointDumbbellHelper dumbbell(1, leaf, 1, leaf, bottleneck);
    InternetStackHelper stack;
    dumbbell.InstallStack(stack);
    dumbbell.AssignIpv4Addresses(Ipv4AddressHelper("10.1.0.0", "255.255.255.0"),
                                 Ipv4AddressHelper("10.2.0.0", "255.255.255.0"),
                                 Ipv4AddressHelper("10.3.0.0", "255.255.255.0"));
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    kcpkit::sim::KcpServerHelper server(4000);
    kcpkit::sim::KcpClientHelper client(InetSocketAddress(dumbbell.GetRightIpv4Address(0), 4000));
    client.SetAttribute("MaxBytes", UintegerValue(200000));
    server.SetAttribute("MaxBytes", UintegerValue(200000));
    ApplicationContainer receiver = server.Install(dumbbell.GetRight(0));
    client.Install(dumbbell.GetLeft(0));

    Simulator::Stop(Seconds(20));
    Simulator::Run();
    const auto stats = DynamicCast<kcpkit::sim::KcpApplication>(receiver.Get(0))->GetStats();
    Simulator::Destroy();
    std::printf("ns-3 kcp flow: %llu of 200000 bytes%s\n",
                static_cast<unsigned long long>(stats.bytes_received),
                stats.intact ? "" : " (corrupt)");
    return stats.bytes_received == 200000 && stats.intact ? 0 : 1;
}
