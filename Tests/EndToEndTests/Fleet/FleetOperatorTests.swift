import FleetCore
import Foundation
import TestSupport
import XCTest

/// What a new operator trips on (issue 24), with the real fleetctl: `check` failing setups in
/// which every poll would fail, dotted host names, the shipped example inventory, state that
/// follows the inventory from any folder, the status table and `watch --once`'s result line.
final class FleetOperatorTests: XCTestCase {
    /// An ssh config with one well-formed host entry (`pi`, nothing listening on its port).
    private func sshConfig(in root: String) throws -> String {
        let path = root + "/ssh_config"
        try Harness.write(
            """
            Host pi
              HostName 127.0.0.1
              Port 9
              User fleet
              IdentityFile \(root)/fleet_key
              IdentitiesOnly yes
              StrictHostKeyChecking yes
              UserKnownHostsFile \(root)/known_hosts

            """, to: path)
        return path
    }

    private func check(_ root: String) throws -> Harness.Result {
        try Harness.run("fleetctl", ["check", "-i", root + "/inventory.toml"], in: root, timeout: .seconds(30))
    }

    func testCheckFailsSetupsWhereEveryPollWouldFail() throws {
        let root = try Harness.temporaryDirectory(self)
        let config = try sshConfig(in: root)
        let good = "[defaults]\nssh_config = \"\(config)\"\n\n[hosts.pi]\n"
        try Harness.write(good, to: root + "/inventory.toml")
        let ok = try check(root)
        XCTAssertEqual(ok.code, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.contains("  pi: ok\n"), ok.stdout)

        // A mistyped ssh_config path: an error naming the file, not a warning.
        try Harness.write(
            "[defaults]\nssh_config = \"\(root)/ssh_confg\"\n\n[hosts.pi]\n", to: root + "/inventory.toml")
        let typo = try check(root)
        XCTAssertEqual(typo.code, 1, typo.stdout + typo.stderr)
        XCTAssertTrue(
            typo.stdout.contains("[ERROR] pi: ssh_config = \(root)/ssh_confg: no such file, so every ssh call fails"),
            typo.stdout)
        XCTAssertTrue(
            typo.stderr.contains("fleetctl: check failed: 1 host cannot be used as configured (pi)"), typo.stderr)

        // An alias with no Host entry whose name does not resolve: "no Host no2", not identity warnings.
        try Harness.write(good + "[hosts.no2]\n", to: root + "/inventory.toml")
        let alias = try check(root)
        XCTAssertEqual(alias.code, 1, alias.stdout + alias.stderr)
        XCTAssertTrue(
            alias.stdout.contains("[ERROR] no2: no Host no2 in \(config), and 'no2' does not resolve as a host name"),
            alias.stdout)
        XCTAssertTrue(alias.stdout.contains("add `Host no2` with its `HostName` to \(config)"), alias.stdout)
        XCTAssertFalse(alias.stdout.contains("no2: fleetctl logs in to no2 with your default identity"), alias.stdout)

        // Hooks whose program does not exist, on PATH or as a file; existing ones pass.
        try Harness.write(
            good + """

                [[hooks]]
                name = "page"
                command = ["notify-oncall-nonexistent", "{host}"]

                [[hooks]]
                name = "script"
                command = ["./hooks/notify.sh"]

                [[hooks]]
                name = "log"
                command = ["logger", "-t", "fleetctl", "--", "{message}"]

                [[hooks]]
                name = "true"
                command = ["/bin/true"]

                """, to: root + "/inventory.toml")
        let hooks = try check(root)
        XCTAssertEqual(hooks.code, 1, hooks.stdout + hooks.stderr)
        XCTAssertTrue(
            hooks.stdout.contains("[ERROR] hook 'page': its program 'notify-oncall-nonexistent' is not on PATH"),
            hooks.stdout)
        XCTAssertTrue(
            hooks.stdout.contains(
                "[ERROR] hook 'script': its program ./hooks/notify.sh does not exist (looked at \(root)/hooks/notify.sh)"
            ),
            hooks.stdout)
        XCTAssertFalse(hooks.stdout.contains("hook 'log'"), hooks.stdout)
        XCTAssertFalse(hooks.stdout.contains("hook 'true'"), hooks.stdout)
        XCTAssertTrue(hooks.stderr.contains("2 hooks cannot run"), hooks.stderr)
        try Harness.write("#!/bin/sh\n", to: root + "/hooks/notify.sh")
        chmod(root + "/hooks/notify.sh", 0o755)
        let fixedScript = try check(root)
        XCTAssertFalse(fixedScript.stdout.contains("hook 'script'"), fixedScript.stdout)
        XCTAssertTrue(fixedScript.stderr.contains("1 hook cannot run"), fixedScript.stderr)
    }

    func testADottedHostNameSaysToQuoteIt() throws {
        let root = try Harness.temporaryDirectory(self)
        try Harness.write("[hosts.no02.lan]\nssh = \"no02\"\n", to: root + "/inventory.toml")
        let broken = try check(root)
        XCTAssertEqual(broken.code, ExitCode.config, broken.stderr)
        XCTAssertTrue(
            broken.stderr.contains(#"a name with dots must be quoted: [hosts."no02.lan"]"#), broken.stderr)
        try Harness.write("[hosts.\"no02.lan\"]\nssh = \"no02\"\n", to: root + "/inventory.toml")
        let quoted = try Harness.run(
            "fleetctl", ["check", "--no-ssh", "-i", root + "/inventory.toml"], timeout: .seconds(30))
        XCTAssertEqual(quoted.code, 0, quoted.stderr)
        XCTAssertTrue(quoted.stdout.contains("\n[hosts.\"no02.lan\"]\n"), quoted.stdout)
    }

    /// Silences (and all state) follow the inventory file, whichever folder a verb runs in.
    func testStateFollowsTheInventoryFromAnyFolder() throws {
        let root = try Harness.temporaryDirectory(self)
        let fleet = root + "/fleet"
        let elsewhere = root + "/elsewhere"
        try Harness.write("[hosts.pi]\nssh = \"pi.invalid\"\n", to: fleet + "/inventory.toml")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: root + "/link.toml", withDestinationPath: fleet + "/inventory.toml")
        let environment = ["XDG_STATE_HOME": root + "/xdg", "FLEETCTL_INVENTORY": ""]
        func fleetctl(
            _ arguments: [String], in directory: String, _ extra: [String: String] = [:]
        ) throws
            -> Harness.Result
        {
            try Harness.run(
                "fleetctl", arguments, in: directory, environment: environment.merging(extra) { _, new in new },
                timeout: .seconds(30))
        }
        let added = try fleetctl(["silence", "pi", "--for", "1h", "--reason", "disk swap"], in: fleet)
        XCTAssertEqual(added.code, 0, added.stderr)
        let id = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(id.count, 8, added.stdout)

        for (label, arguments, extra) in [
            ("-i with a relative path", ["silences", "-i", "../fleet/inventory.toml"], [:]),
            ("FLEETCTL_INVENTORY", ["silences"], ["FLEETCTL_INVENTORY": fleet + "/inventory.toml"]),
            ("a symlink to the inventory", ["silences", "-i", root + "/link.toml"], [:]),
        ] as [(String, [String], [String: String])] {
            let listed = try fleetctl(arguments, in: elsewhere, extra)
            XCTAssertEqual(listed.code, 0, "\(label): \(listed.stderr)")
            XCTAssertTrue(listed.stdout.hasPrefix(id + "  pi (pi)"), "\(label): \(listed.stdout)")
        }
        // No inventory here and no --state-dir: an error naming what to pass, not an empty list.
        let lost = try fleetctl(["silences"], in: elsewhere)
        XCTAssertEqual(lost.code, ExitCode.config, lost.stdout + lost.stderr)
        XCTAssertEqual(lost.stdout, "")
        XCTAssertTrue(
            lost.stderr.contains("pass -i PATH (or set FLEETCTL_INVENTORY), or --state-dir PATH"), lost.stderr)

        // The state lives in one directory of the inventory's own, which check names.
        let states = try FileManager.default.contentsOfDirectory(atPath: root + "/xdg/fleetctl")
        XCTAssertEqual(states.count, 1, "\(states)")
        let stateDir = root + "/xdg/fleetctl/" + (states.first ?? "")
        XCTAssertTrue(states.first?.hasPrefix("inventory-") ?? false, "\(states)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: stateDir + "/silences.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fleet + "/silences.json"))
        let check = try fleetctl(["check", "--no-ssh", "-i", root + "/link.toml"], in: elsewhere)
        XCTAssertTrue(
            check.stdout.contains("state_dir = \(stateDir) (the default for this inventory file)"), check.stdout)
        let removed = try fleetctl(["unsilence", id, "-i", fleet + "/inventory.toml"], in: elsewhere)
        XCTAssertEqual(removed.code, 0, removed.stderr)
        XCTAssertEqual(try fleetctl(["silences"], in: fleet).stdout, "")

        // State an older fleetctl kept for every inventory in the state home is pointed out, not ignored.
        try Harness.write("{\"version\":1,\"silences\":[]}\n", to: root + "/xdg/fleetctl/silences.json")
        try Harness.write("[hosts.pi]\nssh = \"pi.invalid\"\n", to: root + "/other/inventory.toml")
        let noted = try fleetctl(["silences", "-i", root + "/other/inventory.toml"], in: elsewhere)
        XCTAssertEqual(noted.code, 0, noted.stderr)
        XCTAssertTrue(
            noted.stderr.contains("fleetctl: note: silences.json in \(root)/xdg/fleetctl come from an older fleetctl"),
            noted.stderr)
    }
}

/// `fleetctl status` and `watch --once` against a real sshd with scripted peek answers: the
/// ALERTS column says severity and message, an unreachable host a short reason (the full error
/// once, on stderr), and a bounded watch always ends with one result line.
final class FleetStatusOutputTests: XCTestCase {
    var sshd: LoopbackSSHD!

    override func setUpWithError() throws {
        sshd = try LoopbackSSHD(aliases: ["pi", "sick"])
    }

    override func tearDown() {
        sshd?.shutdown()
    }

    /// An inventory of `hosts` (pi: healthy; sick: disk 97 %; down: nothing listens on its port).
    private func inventory(_ root: String, hosts: [String]) throws -> String {
        func peek(_ name: String, disk: Double) throws -> String {
            let document = JSONWriter(style: .compact).string(Peek.document(at: 0, disk: disk))
            return try sshd.writeScript("agent-runner-" + name, "cat <<'JSON'\n\(document)\nJSON")
        }
        try Harness.write("Host down\n  HostName 127.0.0.1\n  Port 9\n", to: root + "/down_config")
        var text = """
            [defaults]
            ssh_config = "\(sshd.clientConfig)"
            connect_timeout_s = 2
            poll_timeout_s = 10
            state_dir = "\(root)/state"

            """
        for host in hosts {
            switch host {
            case "pi": text += "[hosts.pi]\nagent_runner = \"\(try peek("pi", disk: 40))\"\n"
            case "sick": text += "[hosts.sick]\nagent_runner = \"\(try peek("sick", disk: 97))\"\n"
            default: text += "[hosts.down]\nssh_config = \"\(root)/down_config\"\n"
            }
        }
        try Harness.write(text, to: root + "/inventory.toml")
        return root + "/inventory.toml"
    }

    func testStatusTableShowsSeverityMessageAndAShortReason() throws {
        let root = try Harness.temporaryDirectory(self)
        let path = try inventory(root, hosts: ["pi", "sick", "down"])
        let status = try Harness.run("fleetctl", ["status", "-i", path], timeout: .seconds(60))
        XCTAssertEqual(status.code, 1, status.stdout + status.stderr)
        let lines = status.stdout.split(separator: "\n").map(String.init)
        let sick = try XCTUnwrap(lines.first { $0.hasPrefix("sick ") }, status.stdout)
        XCTAssertTrue(
            sick.hasSuffix("[CRIT] disk_critical: disk_used_pct 97.0 >= 95.0 — auto-stopping service"), sick)
        let pi = try XCTUnwrap(lines.first { $0.hasPrefix("pi ") }, status.stdout)
        XCTAssertTrue(pi.hasSuffix("  -"), pi)
        let down = try XCTUnwrap(lines.first { $0.hasPrefix("down ") }, status.stdout)
        XCTAssertTrue(down.hasSuffix("connection refused"), down)
        XCTAssertLessThan(down.count, 120, "no ssh error dump in the table: \(down)")
        // The full error, once, on stderr.
        let errors = status.stderr.split(separator: "\n").filter { $0.contains("down") }
        XCTAssertEqual(errors.count, 1, status.stderr)
        XCTAssertTrue(
            status.stderr.contains("Connection refused") || status.stderr.contains("connection refused"), status.stderr)
    }

    func testWatchOnceEndsWithOneResultLine() throws {
        let root = try Harness.temporaryDirectory(self)
        let path = try inventory(root, hosts: ["pi"])
        let quiet = try Harness.run("fleetctl", ["watch", "--once", "-i", path], timeout: .seconds(60))
        XCTAssertEqual(quiet.code, 0, quiet.stderr)
        XCTAssertEqual(quiet.stdout, "watch: 1 host polled 1 time: all healthy, 0 notifications\n")

        let json = try Harness.run("fleetctl", ["watch", "--once", "--json", "-i", path], timeout: .seconds(60))
        XCTAssertEqual(json.code, 0, json.stderr)
        let objects = try json.stdout.split(separator: "\n").map { try JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertEqual(objects.map { $0["type"] }, ["poll", "summary"], json.stdout)
        XCTAssertEqual(objects.first?["pending"], .array([]), "the documented pending key, even when empty")
        XCTAssertEqual(objects.last?["healthy"], 1)
        XCTAssertEqual(objects.last?["unhealthy"], .array([]))
        XCTAssertEqual(objects.last?["notifications"], 0)

        let path2 = try inventory(root, hosts: ["pi", "sick"])
        let firing = try Harness.run("fleetctl", ["watch", "--once", "--dry-run", "-i", path2], timeout: .seconds(60))
        XCTAssertEqual(firing.code, 0, firing.stderr)
        XCTAssertTrue(
            firing.stdout.hasSuffix(
                "watch: 2 hosts polled 1 time: 1 unhealthy (sick: [CRIT] disk_critical: disk_used_pct 97.0 >= 95.0 — auto-stopping service), 1 notification\n"
            ), firing.stdout)
        XCTAssertTrue(
            firing.stdout.contains(
                "[CRIT] sick disk_critical — disk_used_pct 97.0 >= 95.0 — auto-stopping service; hint: Stop and clean disk before resuming"
            ),
            firing.stdout)
    }
}

/// `fleetctl init-inventory`: the example ships with the binary.
final class FleetInitInventoryTests: XCTestCase {
    func testWritesTheShippedExampleNeverOverwritesAndPrints() throws {
        let root = try Harness.temporaryDirectory(self)
        let missing = try Harness.run("fleetctl", ["status"], in: root, environment: ["FLEETCTL_INVENTORY": ""])
        XCTAssertEqual(missing.code, ExitCode.config, missing.stderr)
        XCTAssertTrue(
            missing.stderr.contains(
                "inventory.toml: no such file; run `fleetctl init-inventory` to write a commented example there"),
            missing.stderr)

        let written = try Harness.run("fleetctl", ["init-inventory"], in: root, environment: ["FLEETCTL_INVENTORY": ""])
        XCTAssertEqual(written.code, 0, written.stderr)
        XCTAssertEqual(written.stdout, "")
        XCTAssertTrue(written.stderr.contains("wrote the example inventory to inventory.toml"), written.stderr)
        let text = try String(contentsOfFile: root + "/inventory.toml", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# fleetctl inventory: the hosts of a fleet"), text)
        let hosts = try Harness.run("fleetctl", ["hosts"], in: root, environment: ["FLEETCTL_INVENTORY": ""])
        XCTAssertEqual(hosts.code, 0, "the written example is a valid inventory: \(hosts.stderr)")

        try "mine\n".write(toFile: root + "/inventory.toml", atomically: true, encoding: .utf8)
        let again = try Harness.run("fleetctl", ["init-inventory"], in: root, environment: ["FLEETCTL_INVENTORY": ""])
        XCTAssertEqual(again.code, 1, again.stderr)
        XCTAssertTrue(again.stderr.contains("inventory.toml: it already exists and is left as it is"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: root + "/inventory.toml", encoding: .utf8), "mine\n")

        let other = try Harness.run("fleetctl", ["init-inventory", "fleet/lab.toml"], in: root)
        XCTAssertEqual(other.code, 1, "no such folder: \(other.stderr)")
        XCTAssertTrue(
            other.stderr.contains("fleet/lab.toml: cannot create it: No such file or directory"), other.stderr)

        let printed = try Harness.run("fleetctl", ["init-inventory", "--print"], in: root)
        XCTAssertEqual(printed.code, 0, printed.stderr)
        XCTAssertEqual(printed.stdout, text)
    }
}
