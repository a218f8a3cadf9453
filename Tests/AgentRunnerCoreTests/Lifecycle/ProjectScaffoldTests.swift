import FleetCore
import XCTest
@testable import AgentRunnerCore

final class ProjectScaffoldTests: XCTestCase {
    func load(_ text: String) throws -> AgentRunnerConfig {
        let loader = AgentRunnerConfigLoader(environment: ConfigEnvironment(home: "/home/operator", currentDirectory: "/"), fileSystem: LocalFileSystem())
        return try loader.parse(Array(text.utf8), configPath: "/home/operator/work/demo/agent-runner.toml", displayPath: "agent-runner.toml")
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
        XCTAssertEqual(try load(ProjectScaffold.config(preset: .codewhale, project: "demo")).agent.terminalMarker, #""type":"metadata""#)
        XCTAssertEqual(try load(ProjectScaffold.config(preset: .aider, project: "demo")).monitor.anomalyRepetitiveWindow, 0)
    }

    func testClaudeConfigText() {
        let text = ProjectScaffold.config(preset: .claude, project: "demo")
        XCTAssertTrue(text.hasPrefix("schema_version = 1\n"))
        XCTAssertTrue(text.contains(#"command = ["claude", "--model", "claude-opus-5", "--dangerously-skip-permissions", "--verbose", "--output-format", "stream-json"]"#), text)
        XCTAssertTrue(text.contains("prompt_arg_template = [\"-p\"]\nprompt_delivery = \"stdin\"\n"), text)
        XCTAssertTrue(text.contains(#"grace_kill_ignore_patterns = ['\.claude/shell-snapshots/snapshot-bash-']"#), text)
        XCTAssertTrue(text.contains("log_dir = \"~/.agent-runner/demo/logs\"\nround_budget_s = 1800\n"), text)
    }

    func testPromptPassesTheStartupBatteryMinimum() {
        XCTAssertGreaterThanOrEqual(ProjectScaffold.prompt.utf8.count, StartupBattery.minimumPromptBytes)
        XCTAssertTrue(ProjectScaffold.prompt.hasPrefix("# Agent Prompt\n"))
    }

    func testGitignoreGetsLogsOnce() {
        XCTAssertEqual(ProjectScaffold.gitignore(appendingTo: nil), "logs/\n")
        XCTAssertEqual(ProjectScaffold.gitignore(appendingTo: "build/"), "build/\nlogs/\n")
        XCTAssertEqual(ProjectScaffold.gitignore(appendingTo: "build/\n"), "build/\nlogs/\n")
        XCTAssertNil(ProjectScaffold.gitignore(appendingTo: "a\nlogs/\nb\n"))
        XCTAssertEqual(ProjectScaffold.gitignore(appendingTo: "/logs/\n"), "/logs/\nlogs/\n", "only an exact 'logs/' line counts")
    }

    func testTOMLStrings() {
        XCTAssertEqual(ProjectScaffold.string("plain"), #""plain""#)
        XCTAssertEqual(ProjectScaffold.string(#"a\b"#), #"'a\b'"#)
        XCTAssertEqual(ProjectScaffold.string(#"it's "x""#), #""it's \"x\"""#)
        XCTAssertEqual(ProjectScaffold.string("tab\there"), #""tab\there""#)
    }
}
