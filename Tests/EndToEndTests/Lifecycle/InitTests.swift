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
        XCTAssertTrue(result.stderr.contains("wrote agent-runner.toml, prompts/main.md in"), result.stderr)
        XCTAssertEqual(result.stdout.filter { $0 == "\n" }.count, 1, "one JSON Lines line: \(result.stdout)")
        let json = try JSONParser.strict.parse(result.stdout)
        XCTAssertEqual(json["files_created"], .array(["agent-runner.toml", "prompts/main.md"]))
        XCTAssertEqual(json["committed"], .bool(true))
        XCTAssertEqual(json["preset"], .string("claude"))
        XCTAssertEqual(json["work_dir"], .string(host.project))
        XCTAssertEqual(try host.git(["log", "-1", "--format=%s"]), "chore: agent-runner initial config\n")
        XCTAssertEqual(
            try host.git(["show", "--name-only", "--format=", "HEAD"]).split(separator: "\n").sorted(),
            ["agent-runner.toml", "prompts/main.md"])
        XCTAssertEqual(
            try host.git(["status", "--porcelain"]), "A  other.txt\n",
            "the operator's staged file is left staged, not committed")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: host.project + "/.gitignore"),
            "the log dir (~/.agent-runner/project/logs) is outside the work tree: nothing to ignore")
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
            ".aider*\n!.aider.model.settings.yml\n", "aider's lines only: the log dir is outside the work tree")
        XCTAssertEqual(
            try host.git(["status", "--porcelain", "--", ".aider.model.settings.yml"]), "",
            "the model settings are committed, not ignored")
    }

    func testEveryPresetLoadsAndBadInvocationsAreRefused() throws {
        let host = try LifecycleHost(self)
        for preset in ["aider", "claude", "codewhale", "gemini", "kimi", "pi"] {
            let result = try host.run(["init", "--preset", preset, "--force", "--no-commit"])
            XCTAssertEqual(result.code, 0, "\(preset): \(result.stderr)")
            let config = try host.run(["config", "--no-check"])
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
                "not committed; commit them before the first round:\n  git add agent-runner.toml prompts/main.md && git commit -m 'chore: agent-runner initial config'"
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

    /// A host user without a git identity: init stops before writing anything and says, on one
    /// line, the two commands that set one (not git's multi-line "Please tell me who you are").
    func testInitWithoutAGitIdentitySaysTheTwoCommandsFirst() throws {
        let host = try LifecycleHost(self)
        let noIdentity: Set<String> = [
            "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL",
        ]
        // Only configured identities count (no guess from the host name), and none is configured.
        let strict = [
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.useConfigOnly",
            "GIT_CONFIG_VALUE_0": "true",
        ]
        let result = try host.run(["init"], environment: strict, without: noIdentity)
        XCTAssertEqual(result.code, 1, result.stderr)
        XCTAssertEqual(
            result.stderr,
            "agent-runner: git has no identity for this user, so it cannot commit the new files; set one, then run "
                + "init again: git config --global user.name \"Your Name\" && git config --global user.email "
                + "\"you@example.com\" (or pass --no-commit and commit later)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.project + "/agent-runner.toml"), "nothing written")

        let noCommit = try host.run(["init", "--no-commit"], environment: strict, without: noIdentity)
        XCTAssertEqual(noCommit.code, 0, "--no-commit needs no identity: \(noCommit.stderr)")
    }

    /// Like git: every verb finds agent-runner.toml from a folder inside the project, init refuses
    /// to start a second project there, and a folder with no project says where it looked.
    func testVerbsFindTheProjectFromASubfolderAndSayWhereTheyLooked() throws {
        let host = try LifecycleHost(self)
        let prompts = host.project + "/prompts"
        let deeper = host.project + "/src/deep"
        try FileManager.default.createDirectory(atPath: deeper, withIntermediateDirectories: true)

        let before = try host.run(["status"], in: deeper)
        XCTAssertEqual(before.code, ExitCode.config)
        XCTAssertEqual(
            before.stderr,
            "agent-runner: config error: agent-runner.toml: no such file; looked in \(deeper) and every folder above "
                + "it up to \(host.project); run 'agent-runner init' in \(host.project) (the top of this git work tree) "
                + "to create the project, or pass --config PATH\n")

        try host.initProject()
        for directory in [prompts, deeper] {
            let config = try host.run(["config", "--no-check"], in: directory)
            XCTAssertEqual(config.code, 0, config.stderr)
            XCTAssertTrue(
                config.stdout.hasPrefix("# effective configuration of \(host.project)/agent-runner.toml"), config.stdout
            )
            let status = try host.run(["status", "--json"], in: directory)
            XCTAssertEqual(status.code, 0, status.stderr)
            XCTAssertEqual(try JSONParser.strict.parse(status.stdout)["mode"], .string("none"))
        }

        let second = try host.run(["init"], in: prompts)
        XCTAssertEqual(second.code, 1)
        XCTAssertEqual(
            second.stderr,
            "agent-runner: \(host.project)/agent-runner.toml already configures the project this folder belongs to; "
                + "every agent-runner command finds it from here. To rewrite it: agent-runner init --force in "
                + "\(host.project); for a separate project here: agent-runner init --config ./agent-runner.toml\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: prompts + "/agent-runner.toml"))

        let outside = URL(fileURLWithPath: try Harness.temporaryDirectory(self)).resolvingSymlinksInPath().path
        let nowhere = try host.run(["peek"], in: outside)
        XCTAssertEqual(nowhere.code, ExitCode.config)
        XCTAssertTrue(
            nowhere.stderr.contains(
                "no such file; looked in \(outside) and every folder above it up to /; run 'agent-runner init' in the "
                    + "project's folder (a git work tree: 'git init' first) to create one, or pass --config PATH"),
            nowhere.stderr)
    }
}
