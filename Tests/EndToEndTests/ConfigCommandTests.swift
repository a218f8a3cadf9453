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

    /// Help and man pages name the program (never the placeholder PROGRAM); a mistyped verb, flag,
    /// detector or event kind gets the nearest right word, and the pointer to the list once.
    func testHelpNamesTheProgramAndTyposGetTheNearestWord() throws {
        for program in ["agent-runner", "fleetctl"] {
            for arguments in [["--help"], ["man"], ["help", "man"], ["help", "completions"]] {
                let result = try Harness.run(program, arguments)
                XCTAssertEqual(result.code, 0, "\(program) \(arguments): \(result.stderr)")
                XCTAssertFalse(result.stdout.contains("PROGRAM"), "\(program) \(arguments): \(result.stdout)")
            }
            let man = try Harness.run(program, ["help", "man"])
            XCTAssertTrue(man.stdout.contains("\(program) man > \(program).1"), man.stdout)
        }

        let verb = try Harness.run("agent-runner", ["stauts"])
        XCTAssertEqual(verb.code, ExitCode.usage)
        XCTAssertEqual(
            verb.stderr,
            "agent-runner: unknown verb 'stauts'; did you mean 'status'?\nRun 'agent-runner --help' for the list of verbs.\n"
        )
        let fleetVerb = try Harness.run("fleetctl", ["staus"])
        XCTAssertEqual(fleetVerb.code, ExitCode.usage)
        XCTAssertTrue(fleetVerb.stderr.hasPrefix("fleetctl: unknown verb 'staus'; did you mean 'status'?\n"))
        XCTAssertEqual(fleetVerb.stderr.components(separatedBy: "--help").count, 2, "the pointer once")

        let flag = try Harness.run("agent-runner", ["status", "--jsno"])
        XCTAssertEqual(flag.code, ExitCode.usage)
        XCTAssertTrue(
            flag.stderr.hasPrefix(
                "agent-runner: unknown flag --jsno for 'agent-runner status'; did you mean '--json'?\n"),
            flag.stderr)

        let detector = try Harness.run(
            "fleetctl", ["silence", "all", "--detector", "hungg", "--for", "1h", "--reason", "x"])
        XCTAssertEqual(detector.code, ExitCode.usage)
        XCTAssertTrue(detector.stderr.hasPrefix("fleetctl: 'hungg' is not a detector; did you mean 'hung'? (known: "))

        let kind = try Harness.run("fleetctl", ["events", "all", "--kind", "round_end,round_strat"])
        XCTAssertEqual(kind.code, ExitCode.usage, "an unknown kind would match nothing, silently")
        XCTAssertTrue(
            kind.stderr.hasPrefix("fleetctl: 'round_strat' is not an event kind; did you mean 'round_start'?\n"),
            kind.stderr)
        let bogus = try Harness.run("fleetctl", ["events", "all", "--kind", "bogus"])
        XCTAssertEqual(bogus.code, ExitCode.usage)
        XCTAssertTrue(
            bogus.stderr.hasPrefix("fleetctl: 'bogus' is not an event kind (known: agent_auth_error_detected, "))
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
        let text = try Harness.run("agent-runner", ["config", "--no-check"], in: dir)
        XCTAssertEqual(text.code, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("max_rounds = 3"), text.stdout)
        XCTAssertTrue(text.stdout.contains("# agent-runner.toml:8"), text.stdout)
        XCTAssertTrue(text.stdout.contains("restart_delay_s = 3"), text.stdout)
        let json = try Harness.run(
            "agent-runner", ["config", "--no-check", "--json", "--config", dir + "/agent-runner.toml"])
        XCTAssertEqual(json.code, 0, json.stderr)
        let parsed = try JSONParser.strict.parse(json.stdout)
        let resolved = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        XCTAssertEqual(parsed.value(at: "runtime.log_dir"), .string(resolved + "/logs"))
        XCTAssertEqual(parsed.value(at: "runtime.max_rounds"), .int(3))
        XCTAssertEqual(json.stderr, "")
    }

    /// `config` runs the startup battery a round runs and names each failure (issue: it passed
    /// a missing prompt, a 47-byte prompt and an agent CLI not on PATH with exit 0).
    func testConfigRunsTheStartupBatteryAndSaysEachFailure() throws {
        let dir = URL(fileURLWithPath: try Harness.temporaryDirectory(self)).resolvingSymlinksInPath().path
        try Harness.write(valid, to: dir + "/agent-runner.toml")
        let path = "/usr/bin:/bin"

        let broken = try Harness.run("agent-runner", ["config"], in: dir, environment: ["PATH": path])
        XCTAssertEqual(broken.code, ExitCode.config, broken.stderr)
        XCTAssertTrue(broken.stdout.contains("max_rounds = 3"), "the effective config is still printed")
        XCTAssertEqual(
            broken.stderr.split(separator: "\n").map(String.init),
            [
                "agent-runner: STARTUP FAIL: work_dir_is_git_repo: \(dir) is not a git work tree | how-to-fix: run "
                    + "'git init' there (the supervisor stashes or commits what rounds leave behind)",
                "agent-runner: STARTUP FAIL: prompt_file_exists: \(dir)/prompts/main.md does not exist | how-to-fix: "
                    + "create it or fix [prompt] file/files",
                "agent-runner: STARTUP FAIL: agent_cli_in_path: \"claude\" not found on PATH (/usr/bin:/bin) | "
                    + "how-to-fix: install the agent CLI, or set [agent] command to its full path",
                "agent-runner: agent-runner.toml: 3 startup checks failed (work_dir_is_git_repo, prompt_file_exists, "
                    + "agent_cli_in_path); a round would not start and serve would halt with config_broken",
            ])

        let git = try PosixProcessRunner().run(
            ProcessRequest("git", arguments: ["init", "-q"], workingDirectory: dir, deadline: .now + .seconds(30)))
        XCTAssertEqual(git.exit, .terminated(0), git.stderrText)
        try Harness.write(String(repeating: "x", count: 46) + "\n", to: dir + "/prompts/main.md")
        let stub = try Harness.run("agent-runner", ["config"], in: dir, environment: ["PATH": path])
        XCTAssertEqual(stub.code, ExitCode.config)
        XCTAssertTrue(
            stub.stderr.contains(
                "agent-runner: STARTUP FAIL: prompt_smoke_passes: prompt is 47 bytes < 500 minimum | how-to-fix: "),
            stub.stderr)
        XCTAssertTrue(stub.stderr.contains("2 startup checks failed (prompt_smoke_passes, agent_cli_in_path)"))

        try Harness.write(
            "Do the next task.\n" + String(repeating: "Be thorough. ", count: 50), to: dir + "/prompts/main.md")
        try Harness.write("#!/bin/sh\nexit 0\n", to: dir + "/bin/claude")
        chmod(dir + "/bin/claude", 0o755)
        let good = try Harness.run("agent-runner", ["config"], in: dir, environment: ["PATH": dir + "/bin:" + path])
        XCTAssertEqual(good.code, 0, good.stderr)
        XCTAssertEqual(good.stderr, "agent-runner: agent-runner.toml: valid; 8 startup checks passed\n")

        let json = try Harness.run(
            "agent-runner", ["config", "--json"], in: dir, environment: ["PATH": dir + "/bin:" + path])
        XCTAssertEqual(json.code, 0, json.stderr)
        XCTAssertEqual(json.stdout.filter { $0 == "\n" }.count, 1, "one JSON Lines line")
        let checks = try XCTUnwrap(try JSONParser.strict.parse(json.stdout)["startup_checks"]?.arrayValue)
        XCTAssertEqual(checks.count, 8)
        XCTAssertTrue(checks.allSatisfy { $0["ok"] == .bool(true) }, json.stdout)

        let unchecked = try Harness.run("agent-runner", ["config", "--no-check"], in: dir, environment: ["PATH": path])
        XCTAssertEqual(unchecked.code, 0, "--no-check only prints: \(unchecked.stderr)")
        XCTAssertEqual(unchecked.stderr, "")
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
        XCTAssertTrue(
            ok.stdout.contains("  poll = every 1 min, timeout 20 s, connect timeout 10 s, reuse on\n"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("  alerts: fire at once, repeat every 1 h\n"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("disk_warning_pct=80 disk_critical_pct=90"), ok.stdout)
        XCTAssertNil(ok.stdout.range(of: #"[0-9]\.0s\b"#, options: .regularExpression), "no raw float: \(ok.stdout)")
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
