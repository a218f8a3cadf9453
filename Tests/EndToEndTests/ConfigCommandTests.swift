import FleetCore
import Foundation
import XCTest

/// `agent-runner config` and the front of both programs, run as real binaries.
final class ConfigCommandTests: XCTestCase {
    let valid = """
        schema_version = 1
        [agent]
        command = ["claude", "--verbose"]
        prompt_arg_template = ["-p", "{prompt}"]
        [runtime]
        work_dir = "."
        log_dir = "logs"
        max_rounds = 3
        [prompt]
        file = "prompts/main.md"

        """

    func testVersionAndHelp() throws {
        let version = try Harness.run("agent-runner", ["--version"])
        XCTAssertEqual(version.code, 0)
        XCTAssertEqual(version.stdout, "agent-runner \(BuildInfo.version)\n")
        let help = try Harness.run("agent-runner", ["--help"])
        XCTAssertEqual(help.code, 0)
        XCTAssertTrue(help.stdout.contains("config"), help.stdout)
        let verbHelp = try Harness.run("agent-runner", ["help", "config"])
        XCTAssertEqual(verbHelp.code, 0)
        XCTAssertTrue(verbHelp.stdout.contains("Exit codes:"), verbHelp.stdout)
        XCTAssertTrue(verbHelp.stdout.contains("78"), verbHelp.stdout)
        let fleetVersion = try Harness.run("fleetctl", ["--version"])
        XCTAssertEqual(fleetVersion.stdout, "fleetctl \(BuildInfo.version)\n")
        XCTAssertEqual(try Harness.run("fleetctl", ["help", "check"]).code, 0)
    }

    func testUsageErrorsExit64() throws {
        let unknown = try Harness.run("agent-runner", ["frobnicate"])
        XCTAssertEqual(unknown.code, ExitCode.usage)
        XCTAssertTrue(unknown.stderr.hasPrefix("agent-runner: unknown verb 'frobnicate'"), unknown.stderr)
        XCTAssertEqual(try Harness.run("fleetctl", ["check", "--bogus"]).code, ExitCode.usage)
    }

    func testValidConfigPrintsEffectiveValuesWithOrigins() throws {
        let dir = try Harness.temporaryDirectory(self)
        try Harness.write(valid, to: dir + "/agent-runner.toml")
        let text = try Harness.run("agent-runner", ["config"], in: dir)
        XCTAssertEqual(text.code, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("max_rounds = 3"), text.stdout)
        XCTAssertTrue(text.stdout.contains("# agent-runner.toml:8"), text.stdout)
        XCTAssertTrue(text.stdout.contains("restart_delay_s = 3"), text.stdout)
        let json = try Harness.run("agent-runner", ["config", "--json", "--config", dir + "/agent-runner.toml"])
        XCTAssertEqual(json.code, 0, json.stderr)
        let parsed = try JSONParser.strict.parse(json.stdout)
        let resolved = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        XCTAssertEqual(parsed.value(at: "runtime.log_dir"), .string(resolved + "/logs"))
        XCTAssertEqual(parsed.value(at: "runtime.max_rounds"), .int(3))
        XCTAssertEqual(json.stderr, "")
    }

    /// Each kind of bad input gives exactly one line on stderr and exit 78, never a crash.
    func testBadConfigsGiveOneLineAndExit78() throws {
        let dir = try Harness.temporaryDirectory(self)
        let cases: [(name: String, content: [UInt8]?, expected: String)] = [
            (
                "bad-toml", Array("schema_version = 1\n[agent\n".utf8),
                "agent-runner: config error: bad-toml/agent-runner.toml:2: invalid TOML at column"
            ),
            (
                "wrong-type", Array(valid.replacingOccurrences(of: "max_rounds = 3", with: "max_rounds = -1").utf8),
                "agent-runner: config error: wrong-type/agent-runner.toml:8: runtime.max_rounds: must be a positive integer, got -1"
            ),
            (
                "unknown-key", Array(valid.replacingOccurrences(of: "max_rounds = 3", with: "max_round = 3").utf8),
                "agent-runner: config error: unknown-key/agent-runner.toml:8: runtime.max_round: unknown key in [runtime]; did you mean 'max_rounds'?"
            ),
            ("missing", nil, "agent-runner: config error: missing/agent-runner.toml: no such file"),
            (
                "invalid-utf8", [0x61, 0x20, 0x3D, 0x20, 0x22, 0xFF, 0x22, 0x0A],
                "agent-runner: config error: invalid-utf8/agent-runner.toml:1: invalid TOML"
            ),
        ]
        for entry in cases {
            let path = "\(entry.name)/agent-runner.toml"
            if let content = entry.content {
                try FileManager.default.createDirectory(
                    atPath: "\(dir)/\(entry.name)", withIntermediateDirectories: true)
                try Data(content).write(to: URL(fileURLWithPath: "\(dir)/\(path)"))
            }
            let result = try Harness.run("agent-runner", ["config", "--config", path], in: dir)
            XCTAssertEqual(result.code, ExitCode.config, "\(entry.name): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", entry.name)
            XCTAssertEqual(
                result.stderr.filter { $0 == "\n" }.count, 1, "\(entry.name): one line, got \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix(entry.expected), "\(entry.name): \(result.stderr)")
        }
    }

    /// A file that exists but cannot be read (here a directory, since tests may run as root,
    /// who can read any regular file).
    func testUnreadableConfig() throws {
        let dir = try Harness.temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/agent-runner.toml", withIntermediateDirectories: true)
        let result = try Harness.run("agent-runner", ["config"], in: dir)
        XCTAssertEqual(result.code, ExitCode.config)
        XCTAssertEqual(
            result.stderr,
            "agent-runner: config error: agent-runner.toml: cannot read it (Is a directory); check its permissions\n")
        if getuid() != 0 {
            try Harness.write(valid, to: dir + "/locked.toml")
            chmod(dir + "/locked.toml", 0)
            let locked = try Harness.run("agent-runner", ["config", "--config", "locked.toml"], in: dir)
            XCTAssertEqual(locked.code, ExitCode.config)
            XCTAssertTrue(locked.stderr.contains("Permission denied"), locked.stderr)
        }
    }

    func testFleetctlCheck() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        // The example's hosts and its page.sh hook do not exist here: valid, but not usable (exit 1).
        let ok = try Harness.run("fleetctl", ["check", "--inventory", root + "/inventory.example.toml"])
        XCTAssertEqual(ok.code, 1, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("[hosts.pi-lab]"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("[ERROR] hook 'page': its program ./hooks/page.sh does not exist"), ok.stdout)
        let json = try Harness.run("fleetctl", ["--json", "check", "-i", root + "/inventory.example.toml"])
        XCTAssertEqual(try JSONParser.strict.parse(json.stdout).value(at: "hosts.0.name"), .string("pi-lab"))
        let dir = try Harness.temporaryDirectory(self)
        try Harness.write("[hosts.pi]\nssh = \"-oProxyCommand=sh\"\n", to: dir + "/inventory.toml")
        let bad = try Harness.run("fleetctl", ["check"], in: dir)
        XCTAssertEqual(bad.code, ExitCode.config)
        XCTAssertTrue(
            bad.stderr.hasPrefix("fleetctl: config error: inventory.toml:2: hosts.pi.ssh: the ssh target"), bad.stderr)
        let env = try Harness.run(
            "fleetctl", ["hosts", "@edge"], environment: ["FLEETCTL_INVENTORY": root + "/inventory.example.toml"])
        XCTAssertEqual(env.code, 0, env.stderr)
        XCTAssertEqual(
            env.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" },
            ["pi-lab", "pi-garage"])
    }
}
