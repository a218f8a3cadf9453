import FleetCore
import Foundation
import XCTest

@testable import SSHTransport

final class SSHHygieneTests: XCTestCase {
    /// Trimmed `ssh -G pi` output of a stock Debian client with no ~/.ssh/config.
    private let stockDump = """
        host pi
        user root
        hostname pi
        port 22
        batchmode no
        identitiesonly no
        stricthostkeychecking ask
        identityfile ~/.ssh/id_rsa
        identityfile ~/.ssh/id_ecdsa
        identityfile ~/.ssh/id_ecdsa_sk
        identityfile ~/.ssh/id_ed25519
        identityfile ~/.ssh/id_ed25519_sk
        identityfile ~/.ssh/id_xmss
        identityfile ~/.ssh/id_dsa
        globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2
        userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2
        forwardagent no

        """

    private func findings(
        _ dump: String, target: String = "pi", configFile: String? = nil
    ) throws -> [SSHHygieneFinding] {
        let host = RemoteHost(name: "pi", target: try SSHTarget(target), options: SSHOptions(configFile: configFile))
        return SSHHygiene.findings(in: SSHConfigDump(parsing: dump), for: host)
    }

    func testParserKeepsRepeatedAndMultiValuedKeywords() {
        let dump = SSHConfigDump(parsing: stockDump + "weird\n\r\nStrictHostKeyChecking  accept-new \n")
        XCTAssertEqual(dump.values("identityfile").count, 7)
        XCTAssertEqual(dump.values("userknownhostsfile"), ["/root/.ssh/known_hosts /root/.ssh/known_hosts2"])
        XCTAssertEqual(dump.setting("StrictHostKeyChecking"), "ask")
        XCTAssertEqual(dump.values("stricthostkeychecking"), ["ask", "accept-new"])
        XCTAssertNil(dump.setting("weird"))
        XCTAssertEqual(SSHConfigDump(parsing: "").entries, [:])
    }

    func testStockConfigSharesTheDefaultIdentity() throws {
        let found = try findings(stockDump)
        XCTAssertEqual(found.map(\.code), ["shared_default_identity", "identities_only_off"])
        XCTAssertEqual(found.map(\.configLine), ["IdentityFile ~/.ssh/fleetctl_ed25519", "IdentitiesOnly yes"])
        XCTAssertTrue(found.allSatisfy { $0.severity == .warning && $0.location == "under `Host pi` in ~/.ssh/config" })
        XCTAssertTrue(found[0].message.contains("ssh-keygen -t ed25519"), found[0].message)
        XCTAssertEqual(
            found[1].text,
            "[WARN] pi: ssh offers pi every key loaded in your ssh-agent, not only its IdentityFile (IdentitiesOnly no), so a key you did not mean for this host may be the one that logs in; add `IdentitiesOnly yes` under `Host pi` in ~/.ssh/config"
        )
    }

    func testWeakHostKeyPolicies() throws {
        let off = try findings(
            "stricthostkeychecking false\nuserknownhostsfile /dev/null\nidentityfile ~/.ssh/fleet\nidentitiesonly yes\n",
            target: "ops@pi.lan", configFile: "/etc/fleet/ssh_config")
        XCTAssertEqual(off.map(\.code), ["host_key_checking_off", "known_hosts_discarded"])
        XCTAssertEqual(off.map(\.severity), [.critical, .critical])
        XCTAssertEqual(off[0].configLine, "StrictHostKeyChecking yes")
        XCTAssertEqual(off[0].location, "under `Host pi.lan` in /etc/fleet/ssh_config")
        XCTAssertEqual(off[1].configLine, "UserKnownHostsFile ~/.ssh/known_hosts")

        let acceptNew = try findings(
            "stricthostkeychecking accept-new\nidentityfile /home/op/.ssh/fleet_ed25519\nidentitiesonly yes\n")
        XCTAssertEqual(acceptNew.map(\.code), ["host_key_accept_new"])
        XCTAssertEqual(acceptNew[0].severity, .warning)

        let hardened = try findings(
            "stricthostkeychecking true\nuserknownhostsfile ~/.ssh/known_hosts\nidentityfile ~/.ssh/fleetctl_ed25519\nidentitiesonly yes\n"
        )
        XCTAssertEqual(hardened, [])
        XCTAssertEqual(
            try findings("stricthostkeychecking ask\nidentityfile ~/.ssh/fleet\nidentitiesonly yes\n"), [],
            "ask is strict under BatchMode, which fleetctl forces")
    }

    func testDefaultIdentityDetection() {
        XCTAssertTrue(SSHHygiene.isDefaultIdentity("~/.ssh/id_ed25519"))
        XCTAssertTrue(SSHHygiene.isDefaultIdentity("/home/op/.ssh/id_rsa"))
        XCTAssertFalse(SSHHygiene.isDefaultIdentity("~/.ssh/fleetctl_ed25519"))
        XCTAssertFalse(SSHHygiene.isDefaultIdentity("/etc/fleet/id_ed25519"))
        XCTAssertEqual(SSHHygiene.hostPattern("ops@pi.lan"), "pi.lan")
    }

    // MARK: Real ssh -G

    func testRealSSHConfigDump() throws {
        let sshd = try startSSHD()
        let hygiene = SSHHygiene()
        XCTAssertEqual(try hygiene.check(try sshd.remoteHost()), [], "the fixture's config is the hardened one")

        let weak = sshd.directory + "/weak_config"
        try """
        Host weak
          HostName 127.0.0.1
          StrictHostKeyChecking accept-new
          UserKnownHostsFile /dev/null

        """.write(toFile: weak, atomically: true, encoding: .utf8)
        let host = RemoteHost(name: "weak", target: try SSHTarget("weak"), options: SSHOptions(configFile: weak))
        XCTAssertEqual(
            try hygiene.check(host).map(\.code),
            ["known_hosts_discarded", "host_key_accept_new", "shared_default_identity", "identities_only_off"])

        let broken = RemoteHost(
            name: "weak", target: try SSHTarget("weak"), options: SSHOptions(configFile: sshd.directory + "/missing"))
        XCTAssertThrowsError(try hygiene.check(broken)) { error in
            XCTAssertEqual((error as? SSHSetupError)?.code, .sshConfig)
            XCTAssertTrue("\(error)".contains("missing: no such file, so every ssh call fails"), "\(error)")
        }

        // An alias the config does not know, whose name does not resolve: every poll would fail.
        let unresolvable = SSHHygiene(resolves: { _ in false })
        let stray = RemoteHost(name: "no2", target: try SSHTarget("no2"), options: SSHOptions(configFile: weak))
        XCTAssertThrowsError(try unresolvable.check(stray)) { error in
            XCTAssertTrue(
                "\(error)".contains("no2: no Host no2 in \(weak), and 'no2' does not resolve as a host name"),
                "\(error)")
        }
        XCTAssertEqual(
            try SSHHygiene(resolves: { $0 == "no2" }).check(stray).map(\.code).first, "shared_default_identity",
            "a name that resolves is a host name, not a missing alias")
        XCTAssertEqual(try unresolvable.check(host).count, 4, "weak has a HostName: nothing to resolve")
        try "Host *\n  ProxyJump bastion\n".write(toFile: sshd.directory + "/jump", atomically: true, encoding: .utf8)
        let jumped = RemoteHost(
            name: "no2", target: try SSHTarget("no2"), options: SSHOptions(configFile: sshd.directory + "/jump"))
        XCTAssertNoThrow(try unresolvable.check(jumped), "the jump host resolves it")
    }
}
