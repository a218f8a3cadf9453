import FleetCore
import XCTest

@testable import AgentRunnerCore

final class ProjectScaffoldTests: XCTestCase {
    func load(_ text: String) throws -> AgentRunnerConfig {
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: "/home/operator", currentDirectory: "/"), fileSystem: LocalFileSystem()
        )
        return try loader.parse(
            Array(text.utf8), configPath: "/home/operator/work/demo/agent-runner.toml", displayPath: "agent-runner.toml"
        )
    }

    func testEveryPresetLoadsWithOurKeyNamesAndItsValues() throws {
        XCTAssertEqual(AgentPreset.all.map(\.name), ["aider", "claude", "codewhale", "gemini", "kimi", "pi"])
        for preset in AgentPreset.all {
            let text = ProjectScaffold.config(preset: preset, project: "demo")
            let config = try load(text)
            XCTAssertEqual(config.schemaVersion, 1)
            XCTAssertEqual(config.warnings, [], "\(preset.name): no old spelling")
            XCTAssertEqual(config.agent.command, preset.command, preset.name)
            XCTAssertEqual(config.agent.promptArgTemplate, preset.promptArgTemplate, preset.name)
            XCTAssertEqual(config.agent.promptDelivery.rawValue, preset.promptDelivery, preset.name)
            XCTAssertEqual(config.agent.name, preset.name)
            XCTAssertEqual(config.agent.env.map(\.name), preset.env.map(\.name), preset.name)
            XCTAssertEqual(config.agent.env.map(\.value), preset.env.map(\.value), preset.name)
            XCTAssertEqual(config.runtime.workDir, "/home/operator/work/demo")
            XCTAssertEqual(config.runtime.logDir, "/home/operator/.agent-runner/demo/logs")
            XCTAssertEqual(config.runtime.roundTimeoutS, 1800)
            XCTAssertEqual(config.runtime.restartDelayS, 3)
            XCTAssertEqual(config.runtime.graceKillIgnorePatterns, preset.graceKillIgnorePatterns, preset.name)
            XCTAssertEqual(config.prompt.files, ["/home/operator/work/demo/prompts/main.md"])
            XCTAssertTrue(config.prompt.injectContext)
            XCTAssertEqual(config.vcs.dirtyAction, .stash)
            XCTAssertEqual(config.vcs.stashIdempotencyS, 5)
            XCTAssertEqual(config.monitor.authFailHint, preset.authFailHint, preset.name)
            XCTAssertFalse(text.contains("round_timeout_s"), "the original 0.3 refuses round_timeout_s")
            if let marker = preset.terminalMarker { XCTAssertEqual(config.agent.terminalMarker, marker, preset.name) }
        }
        let claude = try load(ProjectScaffold.config(preset: .claude, project: "demo"))
        XCTAssertEqual(claude.monitor.anomalyRepetitiveWindow, 30)
        XCTAssertEqual(claude.monitor.anomalyRepetitiveThreshold, 15)
        XCTAssertEqual(claude.runtime.graceKillIgnorePatterns, [#"\.claude/shell-snapshots/snapshot-bash-"#])
        XCTAssertEqual(
            try load(ProjectScaffold.config(preset: .codewhale, project: "demo")).agent.terminalMarker,
            #""type":"metadata""#)
        XCTAssertEqual(
            try load(ProjectScaffold.config(preset: .aider, project: "demo")).monitor.anomalyRepetitiveWindow, 0)
    }

    func testClaudeConfigText() {
        let text = ProjectScaffold.config(preset: .claude, project: "demo")
        XCTAssertTrue(text.hasPrefix("schema_version = 1\n"))
        XCTAssertTrue(
            text.contains(
                #"command = ["claude", "--model", "claude-opus-5", "--dangerously-skip-permissions", "--verbose", "--output-format", "stream-json"]"#
            ), text)
        XCTAssertTrue(text.contains("prompt_arg_template = [\"-p\"]\nprompt_delivery = \"stdin\"\n"), text)
        XCTAssertTrue(text.contains(#"grace_kill_ignore_patterns = ['\.claude/shell-snapshots/snapshot-bash-']"#), text)
        XCTAssertTrue(text.contains("log_dir = \"~/.agent-runner/demo/logs\"\nround_budget_s = 1800\n"), text)
    }

    /// The presets bound the CLIs' own retries and keep them off the network and out of browsers
    /// (docs/agents.md has the measurements behind each value).
    func testClaudeAndAiderBoundTheirCLIsRetries() throws {
        let claude = try load(ProjectScaffold.config(preset: .claude, project: "demo"))
        let claudeEnv = Dictionary(uniqueKeysWithValues: claude.agent.env.map { ($0.name, $0.value) })
        XCTAssertEqual(claudeEnv["CLAUDE_CODE_MAX_RETRIES"], "2")
        XCTAssertEqual(claudeEnv["DISABLE_TELEMETRY"], "1")
        XCTAssertEqual(claudeEnv["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"], "1")
        XCTAssertEqual(claudeEnv["DISABLE_AUTOUPDATER"], "1")
        let claudeText = ProjectScaffold.config(preset: .claude, project: "demo")
        XCTAssertTrue(claudeText.contains("[agent.env]\n# CLAUDE_CODE_MAX_RETRIES: "), claudeText)

        let aider = try load(ProjectScaffold.config(preset: .aider, project: "demo"))
        let flags = [
            "--no-check-update", "--no-show-release-notes", "--no-analytics", "--no-pretty", "--no-fancy-input",
        ]
        for flag in flags {
            XCTAssertTrue(aider.agent.command.contains(flag), flag)
        }
        XCTAssertEqual(
            aider.agent.command.suffix(4), ["--timeout", "300", "--model-settings-file", ".aider.model.settings.yml"])
        let aiderEnv = Dictionary(uniqueKeysWithValues: aider.agent.env.map { ($0.name, $0.value) })
        XCTAssertEqual(aiderEnv, ["BROWSER": "true", "COLUMNS": "250", "LITELLM_LOCAL_MODEL_COST_MAP": "True"])
        XCTAssertEqual(AgentPreset.aider.files.map(\.path), [".aider.model.settings.yml"])
        let settings = "- name: aider/extra_params\n  extra_params:\n    max_retries: 0\n"
        XCTAssertTrue(AgentPreset.aiderModelSettings.text.contains(settings))
        let outside = (logDir: "/home/u/.agent-runner/p/logs", workDir: "/srv/p")
        XCTAssertEqual(
            ProjectScaffold.gitignoreLines(preset: .aider, logDir: outside.logDir, workDir: outside.workDir),
            [".aider*", "!.aider.model.settings.yml"], "the default log dir is outside the work tree: nothing to ignore"
        )
        XCTAssertEqual(ProjectScaffold.gitignoreLines(preset: .claude, logDir: outside.logDir, workDir: "/srv/p"), [])
        for preset in AgentPreset.all where preset.name != "aider" {
            XCTAssertEqual(preset.files, [], preset.name)
        }
    }

    func testPromptPassesTheStartupBatteryMinimum() {
        XCTAssertGreaterThanOrEqual(ProjectScaffold.prompt.utf8.count, StartupBattery.minimumPromptBytes)
        XCTAssertTrue(ProjectScaffold.prompt.hasPrefix("# Agent Prompt\n"))
    }

    /// The log dir is ignored where it really is: relative to the work tree when inside it.
    func testGitignoreNamesTheLogDirOnlyInsideTheWorkTree() {
        XCTAssertEqual(
            ProjectScaffold.gitignoreLines(preset: .claude, logDir: "/srv/p/logs", workDir: "/srv/p"), ["/logs/"])
        XCTAssertEqual(
            ProjectScaffold.gitignoreLines(preset: .claude, logDir: "/srv/p/var/run-logs/", workDir: "/srv/p/"),
            ["/var/run-logs/"])
        XCTAssertEqual(ProjectScaffold.gitignoreLines(preset: .claude, logDir: "/srv/p", workDir: "/srv/p"), [])
        XCTAssertEqual(
            ProjectScaffold.gitignoreLines(preset: .claude, logDir: "/srv/project-logs", workDir: "/srv/p"), [])
        XCTAssertEqual(
            ProjectScaffold.gitignoreLines(preset: .aider, logDir: "/srv/p/logs", workDir: "/srv/p"),
            ["/logs/", ".aider*", "!.aider.model.settings.yml"])
    }

    func testGitignoreGetsEachLineOnce() {
        let lines = ["/logs/"]
        XCTAssertEqual(ProjectScaffold.gitignore(appendingTo: nil, lines: lines), "/logs/\n")
        XCTAssertEqual(ProjectScaffold.gitignore(appendingTo: "build/", lines: lines), "build/\n/logs/\n")
        XCTAssertEqual(ProjectScaffold.gitignore(appendingTo: "build/\n", lines: lines), "build/\n/logs/\n")
        XCTAssertNil(ProjectScaffold.gitignore(appendingTo: "a\n/logs/\nb\n", lines: lines))
        XCTAssertNil(ProjectScaffold.gitignore(appendingTo: "a\n", lines: []))
        let aider = ProjectScaffold.gitignoreLines(preset: .aider, logDir: "/srv/p/logs", workDir: "/srv/p")
        XCTAssertEqual(
            ProjectScaffold.gitignore(appendingTo: "/logs/\n", lines: aider),
            "/logs/\n.aider*\n!.aider.model.settings.yml\n", "only the missing lines")
        XCTAssertNil(
            ProjectScaffold.gitignore(appendingTo: ".aider*\n/logs/\n!.aider.model.settings.yml\n", lines: aider))
    }

    func testTOMLStrings() {
        XCTAssertEqual(ProjectScaffold.string("plain"), #""plain""#)
        XCTAssertEqual(ProjectScaffold.string(#"a\b"#), #"'a\b'"#)
        XCTAssertEqual(ProjectScaffold.string(#"it's "x""#), #""it's \"x\"""#)
        XCTAssertEqual(ProjectScaffold.string("tab\there"), #""tab\there""#)
    }
}
