import FleetCore
import Foundation
import TestSupport
import XCTest

/// `fleetctl migrate` end to end: two loopback hosts, each its own unix user, run the real
/// original 0.3.14 (one in pid-file mode, one as a systemd user unit under a fake systemctl that
/// really runs the unit); the build is ours behind a stand-in that fails its smoke check (our
/// peek) on a host whose home holds FAIL_SMOKE. One host ends on ours, in the original's service
/// mode; the other gets the original back exactly as it ran.
final class FleetMigrationTests: XCTestCase {
    /// What a host looked like before the migration.
    struct Before {
        var config: Data
        var bak: Data
        var unit: Data?
        var servePID: Int32?
        var commandLine: [String] = []
        var workingDirectory: String?
        var environment: Set<String> = []
    }

    /// A build of ours that refuses to read the config (exit 78 from peek) on a FAIL_SMOKE host.
    func build(_ fleet: FleetFixture) throws -> String {
        let path = fleet.root + "/bin/agent-runner-build"
        try Harness.write(
            """
            #!/bin/sh
            case " $* " in
              *" peek "*) if [ -f "$HOME/FAIL_SMOKE" ]; then
                  echo "agent-runner: config error: this build cannot read agent-runner.toml" >&2; exit 78; fi ;;
            esac
            exec '\(fleet.agentRunner)' "$@"

            """, to: path)
        chmod(path, 0o755)
        return path
    }

    static func commandLine(_ pid: Int32) -> [String] {
        ((try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data())
            .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    static func environment(_ pid: Int32) -> Set<String> {
        Set(
            ((try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data())
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
    }

    static func workingDirectory(_ pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")
    }

    /// Every file of the original's venv with its size and modification time.
    func originalInstallation() throws -> [String: String] {
        let venv = URL(fileURLWithPath: try OriginalTool.executable()).deletingLastPathComponent()
            .deletingLastPathComponent().path
        var files: [String: String] = [:]
        let paths = (FileManager.default.enumerator(atPath: venv)?.allObjects as? [String]) ?? []
        for path in paths {
            let attributes = try FileManager.default.attributesOfItem(atPath: venv + "/" + path)
            let size = attributes[FileAttributeKey.size].map { "\($0)" } ?? "?"
            let modified = attributes[FileAttributeKey.modificationDate].map { "\($0)" } ?? "?"
            files[path] = size + " " + modified
        }
        return files
    }

    func servePID(_ project: AgentProject) -> Int32? {
        (try? PidFile(path: project.logDir + "/serve.pid").runningPID()) ?? nil
    }

    func snapshot(_ project: AgentProject, unit: String?) throws -> Before {
        var before = Before(
            config: try Data(contentsOf: URL(fileURLWithPath: project.dir + "/agent-runner.toml")),
            bak: try Data(contentsOf: URL(fileURLWithPath: project.dir + "/agent-runner.toml.bak")))
        if let unit { before.unit = try Data(contentsOf: URL(fileURLWithPath: unit)) }
        if let pid = servePID(project) {
            before.servePID = pid
            before.commandLine = Self.commandLine(pid)
            before.workingDirectory = Self.workingDirectory(pid)
            before.environment = Self.environment(pid)
        }
        return before
    }

    /// A `.bak` the original's own migrate left, committed (the original stashes untracked files
    /// at each round): it must survive both ways.
    func writeBak(_ project: AgentProject, user: TestUser) throws {
        try Harness.write("# the original's migrate backup\n", to: project.dir + "/agent-runner.toml.bak")
        try project.git(["-c", "safe.directory=*", "add", "agent-runner.toml.bak"])
        try project.git(["-c", "safe.directory=*", "commit", "-q", "-m", "the original's migrate backup"])
        try user.own(project.dir, recursive: true)
    }

    /// The pid-file host (canary) moves to ours; the systemd host's build fails its smoke check
    /// and it gets its unit, config, enabled and active state back, the original serving again.
    func testThePidFileHostRunsOursAndTheSystemdHostGetsItsOriginalBackExactly() throws {
        let fleet = try FleetFixture(self, hosts: ["good", "bad"])
        let good = try fleet.originalProject(self, on: "good", modes: ["slow"])
        let bad = try fleet.originalProject(self, on: "bad", modes: ["slow"])
        for (project, host) in [(good, "good"), (bad, "bad")] { try writeBak(project, user: fleet.user(host)) }
        try Harness.write("", to: fleet.user("bad").home + "/FAIL_SMOKE")
        let installed = try fleet.installOriginalUnit(bad, on: "bad")
        XCTAssertEqual(installed.code, 0, installed.stderr + installed.stdout)
        let unitPath = fleet.user("bad").home + "/.config/systemd/user/agent-runner@project.service"
        let serve = try good.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("both originals to serve") { self.servePID(good) != nil && self.servePID(bad) != nil }
        let goodBefore = try snapshot(good, unit: nil)
        let badBefore = try snapshot(bad, unit: unitPath)
        let originalFiles = try originalInstallation()
        try fleet.inventory(
            """
            \(try FleetFixture.originalHost("good", project: good))
            \(try FleetFixture.originalHost("bad", project: bad))
            """)

        let artifact = try build(fleet)
        let result = try fleet.fleetctl(
            [
                "migrate", "all", "--artifact", artifact, "--canary", "good",
                "--bake", "3s", "--gate-interval", "0.5", "--max-failures", "1",
            ],
            timeout: .seconds(180))
        XCTAssertEqual(result.code, 1, "one host failed (and was put back): " + result.stderr)
        XCTAssertTrue(result.stderr.contains("good: migrated to \(BuildInfo.version)"), result.stderr)
        XCTAssertTrue(
            result.stderr.contains("bad: smoke failed: our peek cannot read the migrated config"), result.stderr)
        XCTAssertTrue(result.stderr.contains("original back: config restored (sha256 as before)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("finished with 1 failed host"), result.stderr)

        // good: the original stopped gracefully, ours serving with its arguments, directory, environment.
        XCTAssertEqual(serve.poll(), .terminated(0), "the original's serve exited by itself")
        let events = try good.events()
        let original = events.prefix { $0.kind != "serve_started" }
        XCTAssertLessThan(original.count, events.count, "ours started after the original's events")
        let lastStart = try XCTUnwrap(original.last { $0.kind == "round_start" })
        XCTAssertTrue(
            original.contains { $0.kind == "round_end" && $0.payload["round_num"] == lastStart.payload["round_num"] },
            "the original's round in flight finished")
        let ours = try XCTUnwrap(servePID(good), "ours writes serve.pid")
        XCTAssertNotEqual(ours, goodBefore.servePID)
        XCTAssertEqual(
            Array(Self.commandLine(ours).dropFirst()), ["serve", "--config", good.dir + "/agent-runner.toml"])
        XCTAssertEqual(Self.workingDirectory(ours), goodBefore.workingDirectory)
        // The stand-in build is a sh script, and sh sets PWD to its working directory.
        let differs = Self.environment(ours).symmetricDifference(goodBefore.environment).filter {
            !$0.hasPrefix("PWD=")
        }
        XCTAssertEqual(differs, [], "the original serve's environment")
        let migrated = try String(contentsOfFile: good.dir + "/agent-runner.toml", encoding: .utf8)
        XCTAssertTrue(
            migrated.hasSuffix("[upgrade]\nbin_link = \"\(fleet.user("good").home)/.local/bin/agent-runner-swift\"\n"),
            migrated)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: good.dir + "/agent-runner.toml.bak")), goodBefore.bak)

        XCTAssertEqual(try originalInstallation(), originalFiles, "the original's files are untouched")

        // bad: exactly as before.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: bad.dir + "/agent-runner.toml")), badBefore.config)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: bad.dir + "/agent-runner.toml.bak")), badBefore.bak)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: unitPath)), badBefore.unit)
        let fake = fleet.user("bad").home + "/.fake-systemd"
        XCTAssertTrue(FileManager.default.fileExists(atPath: fake + "/agent-runner@project.service.enabled"))
        let restored = try XCTUnwrap(servePID(bad), "the original serves again")
        XCTAssertTrue(
            Self.commandLine(restored).contains(try OriginalTool.executable()), "\(Self.commandLine(restored))")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: fleet.user("bad").home + "/.local/bin/agent-runner-swift"))
        XCTAssertFalse(
            FileManager.default.fileExists(
                atPath: fleet.user("bad").home + "/.local/lib/agent-runner/versions"
                    + "/\(BuildInfo.version)"))

        // Polled through the link, good answers as ours; bad, through the inventory's, as the original.
        try fleet.inventory(
            """
            [hosts.good]
            agent_runner = "~/.local/bin/agent-runner-swift"
            config = "\(good.dir)/agent-runner.toml"
            \(try FleetFixture.originalHost("bad", project: bad))
            """)
        let status = try fleet.fleetctl(["status", "--json"])
        let rows = try status.stdout.split(separator: "\n").map { try JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertEqual(rows.map { $0["runner"] }, ["ours", "original"], status.stdout + status.stderr)
        XCTAssertEqual(rows.map { $0["version"] }, [.string(BuildInfo.version), "0.3.14"])
        XCTAssertEqual(rows.map { $0["service"] }, ["running", "running"])

        // Migrating good again finds nothing to do: it runs ours.
        let again = try fleet.fleetctl(["migrate", "good", "--artifact", artifact])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue(
            again.stderr.hasSuffix("fleetctl: nothing to migrate: no selected host runs the original\n"), again.stderr)
    }

    /// The systemd host (canary) moves to ours through its unit; the pid-file host's build fails
    /// its smoke check and its original serve is started again with the very command line,
    /// working directory and environment it had.
    func testTheSystemdHostRunsOursAndThePidFileHostGetsItsServeBackExactly() throws {
        let fleet = try FleetFixture(self, hosts: ["good", "bad"])
        let good = try fleet.originalProject(self, on: "good", modes: ["slow"])
        let bad = try fleet.originalProject(self, on: "bad", modes: ["slow"])
        for (project, host) in [(good, "good"), (bad, "bad")] { try writeBak(project, user: fleet.user(host)) }
        try Harness.write("", to: fleet.user("bad").home + "/FAIL_SMOKE")
        let installed = try fleet.installOriginalUnit(good, on: "good")
        XCTAssertEqual(installed.code, 0, installed.stderr + installed.stdout)
        let unitPath = fleet.user("good").home + "/.config/systemd/user/agent-runner@project.service"
        let serve = try bad.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("both originals to serve") { self.servePID(good) != nil && self.servePID(bad) != nil }
        let goodBefore = try snapshot(good, unit: unitPath)
        let badBefore = try snapshot(bad, unit: nil)
        try fleet.inventory(
            """
            \(try FleetFixture.originalHost("good", project: good))
            \(try FleetFixture.originalHost("bad", project: bad))
            """)

        let result = try fleet.fleetctl(
            [
                "migrate", "all", "--artifact", try build(fleet), "--canary", "good",
                "--bake", "3s", "--gate-interval", "0.5", "--max-failures", "1", "--json",
            ],
            timeout: .seconds(180))
        XCTAssertEqual(result.code, 1, result.stderr)
        let steps = result.stdout.split(separator: "\n").compactMap { try? JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertEqual(steps.first?["step"], "plan")
        XCTAssertEqual(steps.filter { $0["step"] == "host_upgraded" }.map { $0["host"] }, ["good"], result.stdout)
        XCTAssertEqual(steps.filter { $0["step"] == "host_failed" }.map { $0["host"] }, ["bad"], result.stdout)
        XCTAssertEqual(steps.first { $0["step"] == "finished" }?["status"], "finished")
        XCTAssertEqual(steps.last?["step"], "next")
        XCTAssertEqual(steps.last?["agent_runner"], "~/.local/bin/agent-runner-swift")

        // good: its unit now starts our link, enabled and active; the original's serve is gone.
        let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
        let link = fleet.user("good").home + "/.local/bin/agent-runner-swift"
        XCTAssertTrue(unit.contains("ExecStart=\(link) serve --config \(good.dir)/agent-runner.toml\n"), unit)
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: fleet.user("good").home
                    + "/.fake-systemd/agent-runner@project.service.enabled"))
        let ours = try XCTUnwrap(servePID(good))
        XCTAssertNotEqual(ours, goodBefore.servePID)
        XCTAssertFalse(ProcessTree.isAlive(try XCTUnwrap(goodBefore.servePID)))
        XCTAssertEqual(
            Array(Self.commandLine(ours).dropFirst()), ["serve", "--config", good.dir + "/agent-runner.toml"])
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: unitPath)), goodBefore.unit)

        // bad: its serve back exactly as it ran, its files as they were, nothing of ours left.
        XCTAssertEqual(serve.poll(), .terminated(0), "the original's first serve stopped gracefully")
        let restored = try XCTUnwrap(servePID(bad), "the original serves again")
        XCTAssertNotEqual(restored, badBefore.servePID)
        XCTAssertEqual(Self.commandLine(restored), badBefore.commandLine)
        XCTAssertEqual(Self.workingDirectory(restored), badBefore.workingDirectory)
        XCTAssertEqual(Self.environment(restored), badBefore.environment)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: bad.dir + "/agent-runner.toml")), badBefore.config)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: bad.dir + "/agent-runner.toml.bak")), badBefore.bak)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad.dir + "/agent-runner.toml.bak.2"))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: fleet.user("bad").home + "/.local/bin/agent-runner-swift"))
        let peek = try fleet.fleetctl(["peek", "bad", "--select", "fleetctl"])
        XCTAssertEqual(try JSONParser.strict.parse(Array(peek.stdout.utf8))["runner"], "original", peek.stderr)
    }
}
