import FleetCore
import Foundation
import XCTest

/// `agent-runner upgrade` with stand-in builds: shell scripts that answer `--version` with their
/// version and otherwise run the real binary (recording each launch), so a serve really runs
/// "on" the new build. A bad build fails the smoke's project check.
final class UpgradeTests: XCTestCase {
    struct Builds {
        let host: LifecycleHost
        var folder: String { host.root + "/builds" }
        var launches: String { folder + "/launches" }
        var versions: String { host.root + "/versions" }
        var link: String { host.root + "/links/agent-runner" }

        /// A host initialised with `[upgrade]` pointing into its root, and no build installed yet.
        static func prepare(_ host: LifecycleHost) throws -> Builds {
            let builds = Builds(host: host)
            try FileManager.default.createDirectory(atPath: builds.folder, withIntermediateDirectories: true)
            try host.initProject()
            try host.appendConfig(
                """
                [upgrade]
                versions_dir = "\(builds.versions)"
                bin_link = "\(builds.link)"
                """)
            return builds
        }

        /// A stand-in build of `version`; `smokeFails` makes its `peek` command (the project smoke
        /// check) fail; `smokeWaitsWhile` makes that check touch `<file>.reached` and wait while
        /// `file` exists; `serveDies` makes its serve exit at once.
        func make(
            _ version: String, smokeFails: Bool = false, smokeWaitsWhile gate: String? = nil, serveDies: Bool = false
        ) throws -> (path: String, sha256: String) {
            let real = URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath().path
            let script = """
                #!/bin/sh
                if [ "$1" = "--version" ]; then echo "agent-runner \(version)"; exit 0; fi
                \(smokeFails ? #"case " $* " in *" peek "*) echo "boom: build \#(version) cannot read agent-runner.toml" >&2; exit 1 ;; esac"# : "")
                \(gate.map { #"case " $* " in *" peek "*) touch '\#($0).reached'; while [ -f '\#($0)' ]; do sleep 0.05; done ;; esac"# } ?? "")
                \(serveDies ? #"case " $* " in *" serve "*) echo "boom: serve of build \#(version) crashed" >&2; exit 1 ;; esac"# : "")
                echo "$$ \(version) $*" >> '\(launches)'
                exec '\(real)' "$@"

                """
            let path = folder + "/agent-runner-\(version)"
            try Harness.write(script, to: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            return (path, SHA256.hex(of: Array(script.utf8)))
        }

        /// A real build of `version`: this agent-runner with the one copy of its version string
        /// (`BuildInfo.version`, a NUL-terminated literal in the binary) replaced by `version`,
        /// which must be as long, and stripped as scripts/build-release ships it (40 % fewer
        /// bytes for a debug build to download and hash). Unlike a stand-in script, everything it
        /// runs is the real program (serve, peek, the smoke checks) and all of it reports `version`.
        func real(_ version: String) throws -> String {
            let real = URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath()
            var bytes = try Data(contentsOf: real)
            let needle = Data([0] + Array(BuildInfo.version.utf8) + [0])
            let found = try XCTUnwrap(bytes.range(of: needle), "no \(BuildInfo.version) literal in \(real.path)")
            XCTAssertNil(
                bytes.range(of: needle, in: found.upperBound..<bytes.endIndex),
                "the version literal is unique")
            XCTAssertEqual(version.utf8.count, BuildInfo.version.utf8.count, "a variant's version keeps the length")
            bytes.replaceSubrange(found.startIndex + 1..<found.endIndex - 1, with: Array(version.utf8))
            let path = folder + "/agent-runner-\(version)-real"
            try bytes.write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            let strip = try PosixProcessRunner().run(ProcessRequest("strip", arguments: [path]))
            XCTAssertEqual(strip.exit, .terminated(0), "strip (binutils) \(path): \(strip.stderrText)")
            return path
        }

        /// The version that launched `pid` (from the launch records), if a stand-in did.
        func launchedVersion(of pid: Int32) -> String? {
            let lines = ((try? String(contentsOfFile: launches, encoding: .utf8)) ?? "").split(separator: "\n")
            return lines.last { $0.hasPrefix("\(pid) ") && $0.contains(" serve ") }.map {
                String($0.split(separator: " ")[1])
            }
        }

        func linkTarget() -> String? {
            try? FileManager.default.destinationOfSymbolicLink(atPath: link)
        }

        func state() throws -> JSONValue {
            try JSONParser.strict.parse(try String(contentsOfFile: versions + "/state.json", encoding: .utf8))
        }
    }

    func upgradeEvents(_ host: LifecycleHost) throws -> [Event] {
        try host.events().filter {
            [
                "service_upgraded", "package_upgraded", "service_upgrade_rolled_back",
                "service_upgrade_rollback_failed", "upgrade_start_failed",
            ].contains($0.kind)
        }
    }

    func testGoodBuildBadBuildRollbackAndARefusedChecksumWithoutSystemd() throws {
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        let builds = try Builds.prepare(host)
        let real = URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath().path
        let realSHA = SHA256.hex(of: try Array(Data(contentsOf: URL(fileURLWithPath: real))))

        // Bootstrap: this build into versions_dir, the link onto it, nothing running yet.
        let first = try host.run(["upgrade", "--from", real, "--sha256", realSHA])
        XCTAssertEqual(first.code, 0, first.stderr)
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/\(BuildInfo.version)/agent-runner")
        XCTAssertTrue(first.stderr.contains("package-only upgrade (the service is not running)"), first.stderr)
        XCTAssertEqual(try host.run(["start"], executable: builds.link).code, 0)
        let oldPID = try XCTUnwrap(host.servePID())
        XCTAssertEqual(
            URL(fileURLWithPath: "/proc/\(oldPID)/exe").resolvingSymlinksInPath().path,
            builds.versions + "/\(BuildInfo.version)/agent-runner")

        // A good build: stop → smoke → switch → start, on the new build.
        let good = try builds.make("0.2.0")
        let upgraded = try host.run(
            ["upgrade", "--from", good.path, "--sha256", good.sha256, "--target", "0.2.0", "--json"],
            executable: builds.link)
        XCTAssertEqual(upgraded.code, 0, upgraded.stderr)
        for line in [
            "agent-runner: stopping service...", "agent-runner: stopped (", "agent-runner: smoke OK (now at 0.2.0)",
            "agent-runner: starting service...",
            "agent-runner: upgraded \(BuildInfo.version) → 0.2.0 (",
        ] {
            XCTAssertTrue(upgraded.stderr.contains(line), "\(line) missing in: \(upgraded.stderr)")
        }
        XCTAssertEqual(try JSONParser.strict.parse(upgraded.stdout)["outcome"], .string("service_upgraded"))
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/0.2.0/agent-runner")
        let goodPID = try XCTUnwrap(host.servePID(), "the service runs again")
        XCTAssertNotEqual(goodPID, oldPID)
        XCTAssertFalse(ProcessTree.isAlive(oldPID))
        XCTAssertEqual(builds.launchedVersion(of: goodPID), "0.2.0", "serve was started from the new build")
        var events = try upgradeEvents(host)
        XCTAssertEqual(events.map(\.kind), ["package_upgraded", "service_upgraded"])
        XCTAssertEqual(events.last?.payload["from_version"], .string(BuildInfo.version))
        XCTAssertEqual(events.last?.payload["to_version"], .string("0.2.0"))
        XCTAssertGreaterThan(events.last?.payload["duration_s"]?.doubleValue ?? 0, 0)
        XCTAssertEqual(try builds.state()["current"], .string("0.2.0"))
        XCTAssertEqual(try builds.state()["previous"], .string(BuildInfo.version))

        // A bad build: smoke fails after the stop → nothing switched, the old build runs again.
        let bad = try builds.make("0.3.0", smokeFails: true)
        let failed = try host.run(["upgrade", "--from", bad.path], executable: builds.link)
        XCTAssertEqual(failed.code, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("smoke failed at 0.3.0"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("boom: build 0.3.0 cannot read agent-runner.toml"), failed.stderr)
        XCTAssertTrue(
            failed.stderr.contains("upgrade 0.2.0 → 0.3.0 failed; restored 0.2.0 (service running)"), failed.stderr)
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/0.2.0/agent-runner", "the link never moved")
        let restoredPID = try XCTUnwrap(host.servePID(), "the service runs again")
        XCTAssertNotEqual(restoredPID, goodPID)
        XCTAssertEqual(builds.launchedVersion(of: restoredPID), "0.2.0", "on the old build")
        XCTAssertFalse(FileManager.default.fileExists(atPath: builds.versions + "/0.3.0"), "the bad build is not kept")
        events = try upgradeEvents(host)
        let rolledBack = try XCTUnwrap(events.last)
        XCTAssertEqual(rolledBack.kind, "service_upgrade_rolled_back")
        XCTAssertEqual(rolledBack.payload["attempted_version"], .string("0.3.0"))
        XCTAssertEqual(rolledBack.payload["restored_version"], .string("0.2.0"))
        XCTAssertTrue(rolledBack.payload["failure_reason"]?.stringValue?.contains("boom") ?? false, rolledBack.raw)
        XCTAssertNotNil(rolledBack.payload["duration_s"]?.doubleValue)

        // --rollback: back to the version before 0.2.0, with the service restarted on it.
        let rollback = try host.run(["upgrade", "--rollback"], executable: builds.link)
        XCTAssertEqual(rollback.code, 0, rollback.stderr)
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/\(BuildInfo.version)/agent-runner")
        let backPID = try XCTUnwrap(host.servePID())
        XCTAssertEqual(
            URL(fileURLWithPath: "/proc/\(backPID)/exe").resolvingSymlinksInPath().path,
            builds.versions + "/\(BuildInfo.version)/agent-runner")
        XCTAssertEqual(
            try upgradeEvents(host).last?.payload,
            [
                "from_version": "0.2.0", "to_version": .string(BuildInfo.version),
                "duration_s": try upgradeEvents(host).last?.payload["duration_s"] ?? .null,
            ])
        XCTAssertEqual(try builds.state()["current"], .string(BuildInfo.version))
        XCTAssertEqual(try builds.state()["previous"], .string("0.2.0"))

        // --from - with a wrong checksum: refused before anything changes.
        let next = try builds.make("0.4.0")
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: next.path)))
        let versionsBefore = try FileManager.default.contentsOfDirectory(atPath: builds.versions).sorted()
        let stateBefore = try String(contentsOfFile: builds.versions + "/state.json", encoding: .utf8)
        let eventCount = try host.events().count
        let wrong = String(repeating: "0", count: 64)
        let refused = try host.run(
            ["upgrade", "--from", "-", "--sha256", wrong], executable: builds.link, stdin: bytes)
        XCTAssertEqual(refused.code, 1, refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains(
                "sha256 mismatch for the binary from standard input: expected \(wrong), got \(next.sha256)"),
            refused.stderr)
        XCTAssertTrue(refused.stderr.contains("nothing changed"), refused.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: builds.versions).sorted(), versionsBefore)
        XCTAssertEqual(try String(contentsOfFile: builds.versions + "/state.json", encoding: .utf8), stateBefore)
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/\(BuildInfo.version)/agent-runner")
        XCTAssertEqual(host.servePID(), backPID, "the service was not touched")
        XCTAssertEqual(try host.events().count, eventCount)

        // --from - with the right checksum and --no-restart: switched, restart left to the operator.
        let deferred = try host.run(
            ["upgrade", "--from", "-", "--sha256", next.sha256, "--no-restart"], executable: builds.link, stdin: bytes)
        XCTAssertEqual(deferred.code, 0, deferred.stderr)
        XCTAssertTrue(deferred.stderr.contains("package upgraded \(BuildInfo.version) → 0.4.0"), deferred.stderr)
        XCTAssertTrue(deferred.stderr.contains("restart to load it: agent-runner restart"), deferred.stderr)
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/0.4.0/agent-runner")
        XCTAssertEqual(host.servePID(), backPID, "not restarted")
        XCTAssertEqual(
            try upgradeEvents(host).last?.payload,
            ["from_version": .string(BuildInfo.version), "to_version": "0.4.0", "restart_deferred": true])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: builds.versions).sorted(),
            [BuildInfo.version, "0.2.0", "0.4.0", "state.json", "upgrade.lock"].sorted(),
            "no upgrade record left behind")
    }

    func testOrchestratedThroughAUserUnit() throws {
        let host = try LifecycleHost(self, fakeSystemd: true)
        let builds = try Builds.prepare(host)
        let real = URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath().path
        XCTAssertEqual(try host.run(["upgrade", "--from", real]).code, 0)
        // The unit starts the link, so switching the link is what upgrades the service.
        let install = try host.run(
            ["install"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir], executable: builds.link)
        XCTAssertEqual(install.code, 0, install.stderr)
        XCTAssertTrue(
            try String(contentsOfFile: host.userUnitDir + "/agent-runner@project.service", encoding: .utf8)
                .contains("ExecStart=\(builds.link) serve --config"))
        _ = host.takeCalls()

        // Builds that are not what they claim change nothing.
        let good = try builds.make("0.2.0")
        let before = try FileManager.default.contentsOfDirectory(atPath: builds.versions).sorted()
        let mismatch = try host.run(["upgrade", "--from", good.path, "--target", "9.9.9"], executable: builds.link)
        XCTAssertEqual(mismatch.code, 1, mismatch.stderr)
        XCTAssertTrue(
            mismatch.stderr.contains("reports version 0.2.0, not --target 9.9.9; nothing changed"), mismatch.stderr)
        let notOurs = try host.run(["upgrade", "--from", "/bin/true"], executable: builds.link)
        XCTAssertEqual(notOurs.code, 1, notOurs.stderr)
        XCTAssertTrue(notOurs.stderr.contains("not 'agent-runner X.Y.Z'; is it an agent-runner build?"), notOurs.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: builds.versions).sorted(), before)
        XCTAssertEqual(host.takeCalls().filter { !$0.contains("is-active") }, [], "the service was not touched")

        let result = try host.run(["upgrade", "--from", good.path], executable: builds.link)
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(
            host.takeCalls().filter { !$0.contains("is-active") },
            [
                "systemctl --user --no-block stop agent-runner@project.service",
                "systemctl --user start agent-runner@project.service",
            ])
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/0.2.0/agent-runner")
        XCTAssertEqual(try upgradeEvents(host).last?.kind, "service_upgraded")

        let bad = try builds.make("0.3.0", smokeFails: true)
        let failed = try host.run(["upgrade", "--from", bad.path], executable: builds.link)
        XCTAssertEqual(failed.code, 1, failed.stderr)
        XCTAssertEqual(
            host.takeCalls().filter { !$0.contains("is-active") },
            [
                "systemctl --user --no-block stop agent-runner@project.service",
                "systemctl --user start agent-runner@project.service",
            ], "stopped, then started again on the old build")
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/0.2.0/agent-runner")
        XCTAssertEqual(try upgradeEvents(host).last?.kind, "service_upgrade_rolled_back")

        // A system unit: package-only, the restart is printed, never run.
        try Harness.write("[Service]\n", to: host.systemUnitDir + "/agent-runner@project.service")
        let package = try host.run(["upgrade", "--rollback"], executable: builds.link)
        XCTAssertEqual(package.code, 0, package.stderr)
        XCTAssertTrue(
            package.stderr.contains(
                "restart it to load the new build: sudo systemctl restart agent-runner@project.service"), package.stderr
        )
        XCTAssertEqual(host.takeCalls().filter { !$0.contains("is-active") }, [])
        XCTAssertEqual(try upgradeEvents(host).last?.kind, "package_upgraded")
    }
}
