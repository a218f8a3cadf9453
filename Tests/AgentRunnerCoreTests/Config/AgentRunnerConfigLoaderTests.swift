import FleetCore
import TestSupport
import XCTest

@testable import AgentRunnerCore

final class AgentRunnerConfigLoaderTests: XCTestCase {
    let home = "/home/op"
    let minimal = """
        schema_version = 1
        [agent]
        command = ["claude", "--verbose"]
        prompt_arg_template = ["-p", "{prompt}"]
        [runtime]
        work_dir = "."
        log_dir = "~/.agent-runner/{project}/logs"
        [prompt]
        file = "prompts/main.md"

        """

    let configs = InMemoryConfig()

    func load(
        _ text: String, path: String = "/srv/demo/agent-runner.toml", display: String = "agent-runner.toml",
        directories: Set<String> = ["/srv/demo"]
    ) throws -> AgentRunnerConfig {
        try configs.load(text, path: path, display: display, directories: directories)
    }

    func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        configs.error(text, file: file, line: line)
    }

    func testDefaultsAndPathRules() throws {
        let config = try load(minimal)
        XCTAssertEqual(config.project, "demo")
        XCTAssertEqual(config.runtime.workDir, "/srv/demo")
        XCTAssertEqual(config.runtime.logDir, "/home/op/.agent-runner/demo/logs")
        XCTAssertEqual(config.prompt.files, ["/srv/demo/prompts/main.md"])
        XCTAssertEqual(config.runtime.roundTimeoutS, 1800)
        XCTAssertEqual(config.runtime.restartDelayS, 3)
        XCTAssertEqual(config.runtime.roundLogRetention, 100)
        XCTAssertEqual(config.runtime.roundLogMaxMB, 256)
        XCTAssertEqual(config.runtime.eventLogMonths, 12)
        XCTAssertEqual(config.runtime.narrativeFile, "/home/op/.agent-runner/demo/logs/narrative.md")
        XCTAssertEqual(config.runtime.transientErrorAction, .backOff)
        XCTAssertNil(config.runtime.maxRounds)
        XCTAssertEqual(config.agent.terminalMarker, #""type":"result""#)
        XCTAssertEqual(config.agent.sigtermGraceS, 10)
        XCTAssertEqual(config.agent.binary, "claude")
        XCTAssertEqual(config.vcs.dirtyAction, .stash)
        XCTAssertEqual(config.vcs.stashIdempotencyS, 5)
        XCTAssertEqual(config.monitor.autoStopOn, ["oauth_fail", "disk_critical"])
        XCTAssertEqual(config.monitor.remoteFailureToleranceS, 90)
        XCTAssertEqual(config.monitor.effectiveStaleThreshold(roundTimeoutS: config.runtime.roundTimeoutS), 2700)
        XCTAssertEqual(config.monitor.hostHealth.diskCriticalPct, 95)
        XCTAssertEqual(config.upgrade.keepVersions, 3)
        XCTAssertEqual(config.origins["runtime.work_dir"], .file("agent-runner.toml", line: 6))
        XCTAssertEqual(config.origins["runtime.restart_delay_s"], .defaultValue)
    }

    func testRelativeWorkDirResolvesAgainstConfigFolderNotCwd() throws {
        let text = minimal.replacingOccurrences(of: #"work_dir = ".""#, with: #"work_dir = "../proj""#)
            .replacingOccurrences(of: "~/.agent-runner/{project}/logs", with: "logs")
        let config = try load(text, path: "/etc/agents/a/agent-runner.toml")
        XCTAssertEqual(config.runtime.workDir, "/etc/agents/proj")
        XCTAssertEqual(config.project, "proj")
        XCTAssertEqual(config.runtime.logDir, "/etc/agents/proj/logs")
        XCTAssertEqual(config.prompt.files, ["/etc/agents/proj/prompts/main.md"])
    }

    func testAbsoluteAndTildePathsAndProjectInWorkDir() throws {
        let text = minimal.replacingOccurrences(of: #"work_dir = ".""#, with: #"work_dir = "~/work/{project}x""#)
            .replacingOccurrences(of: #"file = "prompts/main.md""#, with: #"file = "/opt/prompts/{project}.md""#)
        let config = try load(text)
        XCTAssertEqual(config.runtime.workDir, "/home/op/work/x", "{project} in work_dir becomes empty")
        XCTAssertEqual(config.prompt.files, ["/opt/prompts/x.md"])
    }

    func testBothTimeoutNamesAcceptedButNotTogether() throws {
        let old = try load(minimal + "")
        XCTAssertEqual(old.runtime.roundTimeoutS, 1800)
        let budget = try load(
            minimal.replacingOccurrences(of: "[prompt]", with: "round_budget_s = 600\n[prompt]").replacingOccurrences(
                of: "log_dir = \"~/.agent-runner/{project}/logs\"\nround_budget_s",
                with: "log_dir = \"~/.agent-runner/{project}/logs\"\nround_budget_s"))
        XCTAssertEqual(budget.runtime.roundTimeoutS, 600)
        let timeout = try load(minimal.replacingOccurrences(of: "[prompt]", with: "round_timeout_s = 700\n[prompt]"))
        XCTAssertEqual(timeout.runtime.roundTimeoutS, 700)
        let both = error(
            minimal.replacingOccurrences(of: "[prompt]", with: "round_timeout_s = 700\nround_budget_s = 600\n[prompt]"))
        XCTAssertEqual(both?.line, 9)
        XCTAssertEqual(both?.key, "runtime.round_budget_s")
    }

    func testDeprecatedRateLimitActionIsAccepted() throws {
        let config = try load(
            minimal.replacingOccurrences(of: "[prompt]", with: "rate_limit_action = \"stop\"\n[prompt]"))
        XCTAssertEqual(config.runtime.transientErrorAction, .stop)
        let both = error(
            minimal.replacingOccurrences(
                of: "[prompt]", with: "rate_limit_action = \"stop\"\ntransient_error_action = \"skip\"\n[prompt]"))
        XCTAssertEqual(both?.key, "runtime.rate_limit_action")
    }

    func testUpgradeSourceIsCheckedAtLoad() throws {
        XCTAssertNil(try load(minimal).upgrade.source)
        XCTAssertEqual(try load(minimal).upgrade.sourceTimeoutS, 30)
        let url = try load(
            minimal + """
                [upgrade]
                source = "http://builds.lan:8080/ar/agent-runner-{version}-{arch}"
                source_timeout_s = 5
                """)
        XCTAssertEqual(url.upgrade.source?.text, "http://builds.lan:8080/ar/agent-runner-{version}-{arch}")
        XCTAssertEqual(url.upgrade.sourceTimeoutS, 5)
        XCTAssertEqual(url.origins["upgrade.source"], .file("agent-runner.toml", line: 11))
        let effective = url.effective().settings.first { $0.section == "upgrade" && $0.key == "source" }
        XCTAssertEqual(effective?.value, .string("http://builds.lan:8080/ar/agent-runner-{version}-{arch}"))
        let directory = try load(minimal + "[upgrade]\nsource = \"~/builds/{project}/agent-runner-{version}-{arch}\"\n")
        XCTAssertEqual(
            directory.upgrade.source?.text, "/home/op/builds/demo/agent-runner-{version}-{arch}",
            "a directory is resolved like the other paths")
        XCTAssertEqual(
            try load(minimal + "[upgrade]\nsource = \"dist/agent-runner-{version}-{arch}\"\n")
                .upgrade.source?.text, "/srv/demo/dist/agent-runner-{version}-{arch}")

        let cases: [(String, String)] = [
            (
                #"source = "https://builds.lan/agent-runner-{version}-{arch}""#,
                "config error: agent-runner.toml:11: upgrade.source: https is not supported (agent-runner's HTTP client "
                    + "has no TLS); serve the builds over http from a trusted network, put a local TLS proxy in front, "
                    + "or copy them to a directory and point [upgrade] source at it"
            ),
            (
                #"source = "http://builds.lan/agent-runner-{arch}""#,
                "config error: agent-runner.toml:11: upgrade.source: the file name must contain {version} exactly once "
                    + "(SHA256SUMS beside the builds lists every version)"
            ),
            (
                #"source = "ftp://builds.lan/agent-runner-{version}""#,
                "config error: agent-runner.toml:11: upgrade.source: must be an absolute directory path or an http:// "
                    + "URL, e.g. http://builds.lan/agent-runner-{version}-{arch}"
            ),
            ("source = 3", "config error: agent-runner.toml:11: upgrade.source: must be a string, got 3"),
            (
                "source_timeout_s = 0",
                "config error: agent-runner.toml:11: upgrade.source_timeout_s: must be an "
                    + "integer from 1 to 600, got 0"
            ),
        ]
        for (line, expected) in cases {
            XCTAssertEqual(error(minimal + "[upgrade]\n" + line + "\n")?.description, expected, line)
        }
    }

    func testTheIssueExampleMessage() {
        let text = minimal.replacingOccurrences(of: "[prompt]", with: "max_rounds = -1\n[prompt]")
        XCTAssertEqual(
            error(text)?.description,
            "config error: agent-runner.toml:8: runtime.max_rounds: must be a positive integer, got -1")
    }

    func testWrongTypeNamesLineAndKey() {
        let text = minimal.replacingOccurrences(of: "[prompt]", with: "restart_delay_s = \"soon\"\n[prompt]")
        let failure = error(text)
        XCTAssertEqual(failure?.line, 8)
        XCTAssertEqual(failure?.key, "runtime.restart_delay_s")
        XCTAssertEqual(failure?.message, #"must be a number of seconds above 0, got the string "soon""#)
    }

    /// The retention budgets are validated like the other keys: file, line and key in the error.
    func testRetentionBudgetsAreValidated() throws {
        func failure(_ line: String) -> ConfigError? {
            error(minimal.replacingOccurrences(of: "[prompt]", with: line + "\n[prompt]"))
        }
        let negative = failure("round_log_max_mb = -1")
        XCTAssertEqual(negative?.file, "agent-runner.toml")
        XCTAssertEqual(negative?.line, 8)
        XCTAssertEqual(negative?.key, "runtime.round_log_max_mb")
        XCTAssertEqual(negative?.message, "must be an integer from 0 to 1048576, got -1")
        XCTAssertEqual(failure("round_log_max_mb = \"1G\"")?.key, "runtime.round_log_max_mb")
        XCTAssertEqual(failure("event_log_months = 1201")?.message, "must be an integer from 0 to 1200, got 1201")
        let config = try load(
            minimal.replacingOccurrences(of: "[prompt]", with: "round_log_max_mb = 0\nevent_log_months = 0\n[prompt]"))
        XCTAssertEqual(config.runtime.roundLogRetentionBeforeRound.maxBytes, 0, "0: the count alone")
        XCTAssertEqual(config.runtime.eventLogMonths, 0, "0: every month stays")
    }

    func testUnknownKeysRejectedWithSuggestion() {
        let inner = error(minimal.replacingOccurrences(of: "[prompt]", with: "restart_dealy_s = 3\n[prompt]"))
        XCTAssertEqual(inner?.line, 8)
        XCTAssertEqual(inner?.key, "runtime.restart_dealy_s")
        XCTAssertTrue(inner?.message.contains("did you mean 'restart_delay_s'?") ?? false, inner?.message ?? "")
        let top = error(minimal + "[runtme]\nx = 1\n")
        XCTAssertEqual(top?.key, "runtme")
        XCTAssertEqual(top?.line, 10)
        let unsupported = error(minimal + "[goal]\nledger = \"GOAL.md\"\n")
        XCTAssertTrue(unsupported?.message.contains("not supported") ?? false)
    }

    func testBadTOMLNamesLineAndColumn() {
        let failure = error("schema_version = 1\n[agent]\ncommand = [\"a\",\n")
        XCTAssertEqual(failure?.file, "agent-runner.toml")
        XCTAssertNotNil(failure?.line)
        XCTAssertNil(failure?.key)
        XCTAssertTrue(failure?.message.hasPrefix("invalid TOML at column") ?? false, failure?.description ?? "")
    }

    func testSchemaVersion() throws {
        XCTAssertEqual(try load(minimal.replacingOccurrences(of: "schema_version = 1\n", with: "")).schemaVersion, 1)
        XCTAssertTrue(
            error(minimal.replacingOccurrences(of: "schema_version = 1", with: "schema_version = 2"))?.message.contains(
                "newer than this agent-runner supports") ?? false)
        XCTAssertEqual(
            error(minimal.replacingOccurrences(of: "schema_version = 1", with: "schema_version = true"))?.key,
            "schema_version")
    }

    func testRequiredFields() {
        XCTAssertEqual(
            error(minimal.replacingOccurrences(of: "log_dir = \"~/.agent-runner/{project}/logs\"\n", with: ""))?.key,
            "runtime")
        XCTAssertTrue(
            error(minimal.replacingOccurrences(of: "command = [\"claude\", \"--verbose\"]\n", with: ""))?.message
                .contains("missing required key command") ?? false)
        XCTAssertTrue(
            error(minimal.replacingOccurrences(of: "file = \"prompts/main.md\"\n", with: ""))?.message.contains(
                "prompt.file or prompt.files") ?? false)
        let bare = error(
            minimal.replacingOccurrences(of: "command = [\"claude\", \"--verbose\"]", with: "command = \"claude\""))
        XCTAssertEqual(bare?.message, #"must be a list of strings, not a bare string; write ["claude"]"#)
    }

    func testPromptDeliveryRules() {
        let noPlaceholder = error(minimal.replacingOccurrences(of: #"["-p", "{prompt}"]"#, with: #"["-p"]"#))
        XCTAssertEqual(noPlaceholder?.key, "agent.prompt_arg_template")
        let stdinWithPlaceholder = error(
            minimal.replacingOccurrences(of: "[runtime]", with: "prompt_delivery = \"stdin\"\n[runtime]"))
        XCTAssertTrue(stdinWithPlaceholder?.message.contains("stdin delivery") ?? false)
    }

    func testPhasesWithOverrides() throws {
        let text =
            minimal.replacingOccurrences(
                of: "file = \"prompts/main.md\"", with: "files = [\"p/common.md\", \"p/diverge.md\"]") + """
                [phases]
                list = ["diverge", "converge"]
                [phases.converge]
                round_timeout_s = 60
                prompt.files = ["p/common.md", "p/converge.md"]
                [phases.converge.agent]
                command = ["aider"]
                prompt_arg_template = ["--message", "{prompt}"]

                """
        let config = try load(text)
        XCTAssertEqual(config.phases.phase(forRound: 1), "diverge")
        XCTAssertEqual(config.phases.phase(forRound: 2), "converge")
        XCTAssertEqual(config.phases.phase(forRound: 3), "diverge")
        XCTAssertEqual(config.roundTimeout(forPhase: "converge"), 60)
        XCTAssertEqual(config.roundTimeout(forPhase: "diverge"), 1800)
        XCTAssertEqual(config.promptFiles(forPhase: "converge"), ["/srv/demo/p/common.md", "/srv/demo/p/converge.md"])
        XCTAssertEqual(config.agent(forPhase: "converge").command, ["aider"])
        XCTAssertEqual(config.agent(forPhase: "diverge").command, ["claude", "--verbose"])
        let undeclared = error(minimal + "[phases]\nlist = [\"a\"]\n[phases.b]\nround_timeout_s = 5\n")
        XCTAssertEqual(undeclared?.key, "phases.b")
    }

    func testHooksAsArgvOrTables() throws {
        let config = try load(
            minimal + """
                [hooks]
                serve_startup = [["./seed.sh", "--fast"]]
                pre_round = [{ name = "rewrite", command = ["bin/rewrite"], timeout_s = 5 }]

                """)
        XCTAssertEqual(
            config.hooks.serveStartup, [.init(name: "seed.sh", argv: ["./seed.sh", "--fast"], timeoutS: 60)])
        XCTAssertEqual(config.hooks.preRound, [.init(name: "rewrite", argv: ["bin/rewrite"], timeoutS: 5)])
        XCTAssertEqual(error(minimal + "[hooks]\npost_round = [[]]\n")?.key, "hooks.post_round")
    }

    func testHostHealthAndMonitorValidation() throws {
        let config = try load(
            minimal
                + "[monitor]\nsupervisor_stale_threshold_s = 0\n[monitor.host_health.disk]\nwarning_pct = 80\ncritical_pct = 85.5\n"
        )
        XCTAssertNil(config.monitor.effectiveStaleThreshold(roundTimeoutS: 1800))
        XCTAssertEqual(config.monitor.hostHealth.diskWarningPct, 80)
        XCTAssertEqual(config.monitor.hostHealth.diskCriticalPct, 85.5)
        XCTAssertEqual(
            error(minimal + "[monitor.host_health]\ndisk_warn_pct = 90\n")?.key,
            "monitor.host_health.disk_warn_pct")
        XCTAssertEqual(
            error(minimal + "[monitor]\nremote_failure_tolerance_s = 4000\n")?.message,
            "must be an integer from 0 to 3600, got 4000")
        XCTAssertEqual(
            error(minimal + "[monitor]\nanomaly_repetitive_window = 10\nanomaly_repetitive_threshold = 11\n")?.key,
            "monitor.anomaly_repetitive_threshold")
        XCTAssertEqual(error(minimal + "[runtime.x]\n")?.key, "runtime.x")
        XCTAssertEqual(
            error(
                minimal.replacingOccurrences(
                    of: "[prompt]", with: "grace_kill_ignore_patterns = [\"(unclosed\"]\n[prompt]"))?.key,
            "runtime.grace_kill_ignore_patterns")
    }

    func testMissingAndUnreadableFiles() {
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: home, currentDirectory: "/srv/demo"),
            fileSystem: MemoryFileSystem(directories: ["/srv/demo/dir.toml"]))
        XCTAssertThrowsError(try loader.load(path: "nope.toml")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description,
                "config error: nope.toml: no such file; create one with 'agent-runner init' or pass --config PATH")
        }
        XCTAssertThrowsError(try loader.load(path: "dir.toml")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description,
                "config error: dir.toml: cannot read it (Is a directory); check its permissions")
        }
    }

    func testEffectiveConfigJSONAndText() throws {
        let config = try load(minimal)
        let effective = config.effective()
        let json = effective.json()
        XCTAssertEqual(json.value(at: "runtime.work_dir"), .string("/srv/demo"))
        XCTAssertEqual(json.value(at: "monitor.host_health.disk.critical_pct"), .double(95))
        XCTAssertEqual(json.value(at: "monitor.supervisor_stale_threshold_s"), .int(2700))
        let text = effective.text()
        XCTAssertTrue(text.contains("work_dir = \"/srv/demo\""), text)
        XCTAssertTrue(text.contains("# agent-runner.toml:6"), text)
        XCTAssertTrue(text.contains("# derived from runtime.round_budget_s * 1.5"), text)
        // The text form is itself valid TOML.
        XCTAssertNoThrow(try TOML.parse(text))
    }
}
