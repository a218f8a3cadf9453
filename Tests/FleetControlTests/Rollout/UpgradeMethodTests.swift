import FleetCore
import TestSupport
import XCTest

@testable import FleetControl

/// `[upgrade] method`: read and validated from the inventory, kept in the journal, and the pure
/// pieces of the .deb push (architecture names, the install command, the packaged refusal).
final class UpgradeMethodTests: XCTestCase {
    func load(_ text: String) throws -> Inventory {
        try InventoryLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/ops"),
            fileSystem: UntouchableFileSystem()
        )
        .parse(Array(text.utf8), path: "/ops/inventory.toml", displayPath: "inventory.toml")
    }

    func testTheInventoryKeyIsValidated() throws {
        XCTAssertEqual(try load("[hosts.a]\n").upgrade.method, .binary)
        XCTAssertEqual(try load("[hosts.a]\n[upgrade]\nmethod = \"binary\"\n").upgrade.method, .binary)
        let deb = try load(
            "[hosts.a]\n[upgrade]\nartifact = \"dist/agent-runner_0.2.0-1_{arch}.deb\"\nmethod = \"deb\"\n")
        XCTAssertEqual(deb.upgrade.method, .deb)
        XCTAssertEqual(deb.upgrade.artifact, "/ops/dist/agent-runner_0.2.0-1_{arch}.deb")
        XCTAssertThrowsError(try load("[hosts.a]\n[upgrade]\nmethod = \"apt\"\n")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description.hasPrefix("config error: inventory.toml:3: upgrade.method: "),
                true,
                "\(error)")
        }
        XCTAssertThrowsError(try load("[hosts.a]\n[upgrade]\nsource = \"/b/ar-{version}-{arch}\"\nmethod = \"deb\"\n"))
        {
            XCTAssertEqual(
                ($0 as? ConfigError)?.description,
                "config error: inventory.toml:4: upgrade.method: method = \"deb\" pushes the .deb that [upgrade] "
                    + "artifact names; [upgrade] source publishes binaries: set artifact instead")
        }
    }

    func testTheJournalKeepsTheMethod() throws {
        var journal = RolloutJournal(
            id: "r1", plan: RolloutPlan(target: "0.2.0", stages: [.init(kind: .canary, hosts: ["pi"])], skipped: []),
            createdAt: "2026-12-03T10:00:00Z")
        journal.settings.method = .deb
        XCTAssertEqual(journal.json["settings"]?["method"], "deb")
        XCTAssertEqual(RolloutJournal(json: journal.json)?.settings.method, .deb)
        journal.settings.method = .binary
        XCTAssertNil(journal.json["settings"]?["method"], "journals of binary pushes read as before")
        XCTAssertEqual(RolloutJournal(json: journal.json)?.settings.method, .binary)
    }

    func testDebianArchitecturesInstallCommandAndThePackagedRefusal() {
        XCTAssertEqual(
            ["x86_64", "aarch64", "armv7l", "armv6l", "i686", "riscv64"].map(UpgradeMethod.debianArchitecture),
            ["amd64", "arm64", "armhf", "armhf", "i386", "riscv64"])
        let command = UpgradeMethod.installCommand(sha256: "ab12")
        XCTAssertEqual(Array(command.prefix(2)), ["sh", "-c"])
        XCTAssertTrue(command[2].contains(#"echo "ab12  $deb" | sha256sum -c --status"#), command[2])
        XCTAssertTrue(command[2].contains(#"sudo -n dpkg -i "$deb""#), command[2])
        XCTAssertEqual(
            RolloutRunner.packagedRefusal(
                "agent-runner: /usr/bin/agent-runner is installed by the Debian package agent-runner 0.1.0-1: the "
                    + "package manager upgrades it"),
            "/usr/bin/agent-runner, from the Debian package agent-runner 0.1.0-1")
        XCTAssertNil(RolloutRunner.packagedRefusal("agent-runner: sha256 mismatch"))
    }
}
