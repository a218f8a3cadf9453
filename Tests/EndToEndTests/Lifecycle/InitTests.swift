import FleetCore
import Foundation
import XCTest

/// `agent-runner init` against a real git work tree.
final class InitTests: XCTestCase {
    func testInitWritesAConfigThatLoadsAndCommitsExactlyItsFiles() throws {
        let host = try LifecycleHost(self)
        try Harness.write("staged but not ours\n", to: host.project + "/other.txt")
        try host.git(["add", "other.txt"])
        let result = try host.run(["init", "--json"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("wrote agent-runner.toml, prompts/main.md, .gitignore"), result.stderr)
        let json = try JSONParser.strict.parse(result.stdout)
        XCTAssertEqual(json["files_created"], .array(["agent-runner.toml", "prompts/main.md", ".gitignore"]))
        XCTAssertEqual(json["committed"], .bool(true))
        XCTAssertEqual(json["preset"], .string("claude"))
        XCTAssertEqual(json["work_dir"], .string(host.project))
        XCTAssertEqual(try host.git(["log", "-1", "--format=%s"]), "chore: agent-runner initial config\n")
        XCTAssertEqual(
            try host.git(["show", "--name-only", "--format=", "HEAD"]).split(separator: "\n").sorted(),
            [".gitignore", "agent-runner.toml", "prompts/main.md"])
        XCTAssertEqual(
            try host.git(["status", "--porcelain"]), "A  other.txt\n",
            "the operator's staged file is left staged, not committed")
        XCTAssertEqual(try String(contentsOfFile: host.project + "/.gitignore", encoding: .utf8), "logs/\n")
        XCTAssertGreaterThanOrEqual(
            try Data(contentsOf: URL(fileURLWithPath: host.project + "/prompts/main.md")).count, 500)

        let config = try host.run(["config", "--json"])
        XCTAssertEqual(config.code, 0, config.stderr)
        let effective = try JSONParser.strict.parse(config.stdout)
        XCTAssertEqual(effective.value(at: "runtime.round_budget_s"), .int(1800), config.stdout)
        XCTAssertEqual(effective.value(at: "runtime.log_dir"), .string(host.logDir), config.stdout)

        let again = try host.run(["init"])
        XCTAssertEqual(again.code, 1)
        XCTAssertTrue(again.stderr.contains("already exists; pass --force"), again.stderr)
        let forced = try host.run(["init", "--force", "--preset", "aider"])
        XCTAssertEqual(forced.code, 0, forced.stderr)
        XCTAssertTrue(
            try String(contentsOfFile: host.project + "/agent-runner.toml", encoding: .utf8).contains(
                #"command = ["aider""#))
        XCTAssertTrue(
            forced.stderr.contains("wrote agent-runner.toml, prompts/main.md, .aider.model.settings.yml, .gitignore"),
            forced.stderr)
        XCTAssertEqual(
            try String(contentsOfFile: host.project + "/.gitignore", encoding: .utf8),
            "logs/\n.aider*\n!.aider.model.settings.yml\n", "logs/ is added once, aider's lines after it")
        XCTAssertEqual(
            try host.git(["status", "--porcelain", "--", ".aider.model.settings.yml"]), "",
            "the model settings are committed, not ignored")
    }

    func testEveryPresetLoadsAndBadInvocationsAreRefused() throws {
        let host = try LifecycleHost(self)
        for preset in ["aider", "claude", "codewhale", "gemini", "kimi", "pi"] {
            let result = try host.run(["init", "--preset", preset, "--force", "--no-commit"])
            XCTAssertEqual(result.code, 0, "\(preset): \(result.stderr)")
            let config = try host.run(["config"])
            XCTAssertEqual(config.code, 0, "\(preset): \(config.stderr)")
            XCTAssertTrue(config.stdout.contains("project"), config.stdout)
        }
        let unknown = try host.run(["init", "--preset", "cursor"])
        XCTAssertEqual(unknown.code, ExitCode.usage)
        XCTAssertTrue(
            unknown.stderr.contains("--preset must be one of aider, claude, codewhale, gemini, kimi, pi"),
            unknown.stderr)

        let plain = try Harness.temporaryDirectory(self)
        let notGit = try host.run(["init", "--config", plain + "/agent-runner.toml"])
        XCTAssertEqual(notGit.code, 1)
        XCTAssertTrue(notGit.stderr.contains("is not a git working tree; run `git init` there first"), notGit.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: plain + "/agent-runner.toml"))
    }

    /// The original's trap: `init --no-commit`, then a dirty round under dirty_action = "stash"
    /// stashed the untracked config, and the next round died with "config not found".
    func testNoCommitThenADirtyRoundKeepsTheConfigAndPromptInPlace() throws {
        let host = try LifecycleHost(self)
        let result = try host.run(["init", "--no-commit"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertTrue(
            result.stderr.contains(
                "not committed; commit them before the first round:\n  git add agent-runner.toml prompts/main.md .gitignore && git commit -m 'chore: agent-runner initial config'"
            ), result.stderr)
        XCTAssertEqual(try host.git(["log", "--format=%s"]), "initial\n")

        let dirty = try host.run(["serve", "--once"], environment: ["FAKE_MODE": "dirty"])
        XCTAssertEqual(dirty.code, 0, dirty.stderr)
        let stashed = try XCTUnwrap(
            try host.events().first { $0.kind == "orphan_stashed" }, "the round's work was stashed")
        let ref = try XCTUnwrap(stashed.payload["ref"]?.stringValue, stashed.raw)
        let inStash = try host.git(["stash", "show", "--include-untracked", "--name-only", ref])
        XCTAssertTrue(inStash.contains("scratch-work.txt"), inStash)
        XCTAssertFalse(inStash.contains("agent-runner.toml"), inStash)
        XCTAssertFalse(inStash.contains("prompts/main.md"), inStash)
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.project + "/agent-runner.toml"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.project + "/prompts/main.md"))

        let next = try host.run(["serve", "--once"])
        XCTAssertEqual(next.code, 0, next.stderr)
        XCTAssertNil(try host.events().first { $0.kind == "config_broken" })
        XCTAssertEqual(try host.events().filter { $0.kind == "round_end" }.count, 2)
    }
}
