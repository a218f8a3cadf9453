import FleetControl
import FleetCore
import Monitoring
import SSHTransport
import XCTest

/// An inventory host becomes the plain values the transport takes.
final class InventoryTransportTests: XCTestCase {
    func testInventoryHostSettingsBecomeOptions() throws {
        var settings = Inventory.HostSettings()
        settings.sshConfig = "/home/op/fleet/ssh_config"
        settings.connectTimeoutS = 7
        settings.connectionReuse = true
        let host = Inventory.Host(name: "pi", sshTarget: "ops@pi.lan", groups: [], tags: [], settings: settings)

        let remote = try RemoteHost(host, controlDirectory: "/tmp/fleetctl-ssh-0")
        XCTAssertEqual(remote.target.destination, "ops@pi.lan")
        XCTAssertEqual(remote.label, "pi (ssh ops@pi.lan)")
        XCTAssertEqual(
            remote.options,
            SSHOptions(
                configFile: "/home/op/fleet/ssh_config", connectTimeoutS: 7,
                connectionReuse: .on(controlDirectory: "/tmp/fleetctl-ssh-0", persistS: 60)))
        XCTAssertEqual(try RemoteHost(host, controlDirectory: nil).options.connectionReuse, .off)
        settings.connectionReuse = false
        XCTAssertEqual(
            try RemoteHost(
                Inventory.Host(name: "pi", sshTarget: "pi", groups: [], tags: [], settings: settings),
                controlDirectory: "/tmp/x"
            ).options.connectionReuse, .off)
    }

    func testInventoryHostWithUnsafeTargetIsRefused() {
        let host = Inventory.Host(name: "evil", sshTarget: "-oProxyCommand=sh", groups: [], tags: [], settings: .init())
        XCTAssertThrowsError(try RemoteHost(host, controlDirectory: nil)) { error in
            XCTAssertTrue(
                (error as? SSHSetupError)?.message.hasPrefix("host evil: the ssh target") ?? false, "\(error)")
        }
    }
}
