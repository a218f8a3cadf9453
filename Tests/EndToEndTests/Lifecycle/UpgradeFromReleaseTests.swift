import FleetCore
import Foundation
import Synchronization
import XCTest

/// A release directory served over http on loopback by the project's own HTTPServer: builds
/// and the SHA256SUMS `sha256sum` wrote, with switches that make it silent, corrupt or missing
/// its builds. The server listens before `init` returns, so a client that connects at once is
/// queued, never refused: there is no readiness to wait for. A silent answer is held until the
/// test releases it (no sleep: the client's own deadline is what is tested).
final class ReleaseDirectoryServer: @unchecked Sendable {
    enum Mode: Int {
        case normal, slow, corrupt, buildsMissing
    }

    // `directory` and `port` are set once in init; `server` is dropped (closing its socket) only
    // after the serving thread has ended; `mode` and `stop` are atomic; `done` is a semaphore.
    let directory: String
    let port: Int
    private var server: HTTPServer?
    private let mode = Atomic<Int>(Mode.normal.rawValue)
    private let stop = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let held = DispatchSemaphore(value: 0)

    init(directory: String) throws {
        self.directory = directory
        let server = try HTTPServer.listen(port: 0)
        self.server = server
        port = server.port
        Thread.detachNewThread { [self] in
            server.serve(until: { self.stop.load(ordering: .relaxed) }) { self.answer($0) }
            done.signal()
        }
    }

    var base: String { "http://127.0.0.1:\(port)/ar" }

    func set(_ mode: Mode) {
        self.mode.store(mode.rawValue, ordering: .relaxed)
    }

    /// Lets a held (slow) answer go, once its client has given up.
    func releaseHeld() {
        held.signal()
    }

    private func answer(_ request: HTTPRequest) -> HTTPServerResponse {
        let mode = Mode(rawValue: mode.load(ordering: .relaxed)) ?? .normal
        let name = String(request.path.dropFirst("/ar/".count))
        let notFound = HTTPServerResponse(status: 404, reason: "Not Found", body: "not found\n")
        guard request.path.hasPrefix("/ar/"), !name.contains("/"),
            var bytes = try? Array(Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
        else { return notFound }
        let isBuild = name != "SHA256SUMS"
        switch mode {
        case .normal: break
        case .slow: _ = held.wait(timeout: .now() + 60)
        case .corrupt where isBuild: bytes[bytes.count / 2] ^= 0xFF
        case .buildsMissing where isBuild: return notFound
        case .corrupt, .buildsMissing: break
        }
        var response = HTTPServerResponse(status: 200, reason: "OK", contentType: "application/octet-stream", body: "")
        response.body = bytes
        return response
    }

    /// Stops serving and closes the socket: from then on a connection is refused.
    func shutDown() {
        guard !stop.exchange(true, ordering: .relaxed) else { return }
        done.wait()
        server = nil
    }
}

/// `agent-runner upgrade` from `[upgrade] source` end to end: two real builds of agent-runner
/// (this build with its version string changed) published with the SHA256SUMS `sha256sum`
/// writes, a project served by `agent-runner serve`, upgraded to the latest and then back with
/// `--target`; and each way a release fails, with the host shown unchanged.
final class UpgradeFromReleaseTests: XCTestCase {
    /// What a failed upgrade must leave as it found it.
    struct Snapshot: Equatable {
        var versions: [String]
        var state: String
        var link: String?
        var servePID: Int32?
        var upgradeEvents: Int
    }

    func snapshot(_ builds: UpgradeTests.Builds) throws -> Snapshot {
        Snapshot(
            versions: try FileManager.default.contentsOfDirectory(atPath: builds.versions).sorted(),
            state: try String(contentsOfFile: builds.versions + "/state.json", encoding: .utf8),
            link: builds.linkTarget(), servePID: builds.host.servePID(),
            upgradeEvents: try builds.host.events().filter { $0.kind.contains("upgrade") }.count)
    }

    func testLatestThenTargetFromAnHTTPSourceAndEveryFailureChangesNothing() throws {
        let started = ContinuousClock.now
        var lap = started
        func step(_ name: String) {
            print("UpgradeFromReleaseTests: \(name) \(ContinuousClock.now - lap)")
            lap = ContinuousClock.now
        }
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        let builds = try UpgradeTests.Builds.prepare(host)
        let arch = HostArchitecture.current()
        let releaseDir = host.root + "/release"
        try FileManager.default.createDirectory(atPath: releaseDir, withIntermediateDirectories: true)
        for version in ["0.2.0", "0.3.0"] {
            try FileManager.default.copyItem(
                atPath: try builds.real(version),
                toPath: releaseDir + "/agent-runner-\(version)-\(arch)")
        }
        step("builds")
        let sums = try PosixProcessRunner().run(
            ProcessRequest(
                "/bin/sh", arguments: ["-c", "sha256sum agent-runner-* > SHA256SUMS"], workingDirectory: releaseDir))
        XCTAssertEqual(sums.exit, .terminated(0), sums.stderrText)
        let server = try ReleaseDirectoryServer(directory: releaseDir)
        addTeardownBlock { server.shutDown() }
        try host.appendConfig(
            """
            source = "\(server.base)/agent-runner-{version}-{arch}"
            source_timeout_s = 1
            """)

        // This build (stripped) into versions_dir, serve running from the link.
        XCTAssertEqual(try host.run(["upgrade", "--from", try builds.real(BuildInfo.version)]).code, 0)
        XCTAssertEqual(try host.run(["start"], executable: builds.link).code, 0)
        let firstPID = try XCTUnwrap(host.servePID())

        // Each failure: one line, exit 1, nothing changed (versions_dir, state.json, link, service, events).
        let sumsURL = server.base + "/SHA256SUMS"
        let build030 = "\(server.base)/agent-runner-0.3.0-\(arch)"
        let listedSum =
            try String(contentsOfFile: releaseDir + "/SHA256SUMS", encoding: .utf8)
            .split(separator: "\n").first { $0.hasSuffix("0.3.0-\(arch)") }.map { String($0.prefix(64)) } ?? ""
        let failures: [(ReleaseDirectoryServer.Mode, [String], String)] = [
            (
                .normal, ["--target", "0.9.0"],
                "0.9.0 is not listed in \(sumsURL) for \(arch); listed: 0.3.0, 0.2.0; nothing changed"
            ),
            (.corrupt, [], "\(build030): sha256 "),
            (
                .buildsMissing, [],
                "\(build030): HTTP 404 Not Found; check [upgrade] source and that the file is "
                    + "published there; nothing changed"
            ),
            (
                .slow, [],
                "\(sumsURL): timed out after 1 s waiting for the response; check that the server is up and "
                    + "reachable from this host; nothing changed"
            ),
        ]
        step("bootstrap")
        for (mode, arguments, message) in failures {
            server.set(mode)
            let before = try snapshot(builds)
            let failed = try host.run(["upgrade"] + arguments, executable: builds.link)
            XCTAssertEqual(failed.code, 1, failed.stderr)
            let lines = failed.stderr.split(separator: "\n").filter { !$0.hasPrefix("agent-runner: downloading ") }
            XCTAssertEqual(lines.count, 1, "one line: \(failed.stderr)")
            XCTAssertTrue(lines.first?.hasPrefix("agent-runner: " + message) ?? false, failed.stderr)
            if mode == .corrupt {
                XCTAssertTrue(
                    failed.stderr.contains(
                        " does not match \(listedSum) listed in SHA256SUMS; refused — "
                            + "republish the build or regenerate SHA256SUMS; nothing changed"),
                    failed.stderr)
            }
            if mode == .slow { server.releaseHeld() }
            XCTAssertEqual(try snapshot(builds), before, "\(mode): nothing changed")
            XCTAssertTrue(ProcessTree.isAlive(firstPID), "\(mode): the service was not touched")
            step("\(mode)")
        }
        server.set(.normal)
        let noMigrate = try host.run(
            ["upgrade", "--no-migrate", "--from", host.root + "/nowhere"],
            executable: builds.link)
        XCTAssertTrue(
            noMigrate.stderr.hasPrefix(
                "agent-runner: --no-migrate: nothing to skip; builds carry no config "
                    + "migration step of their own yet\n"), noMigrate.stderr)

        // No flags: the latest listed, downloaded, verified, smoke-tested; serve restarted on it.
        let latest = try host.run(["upgrade", "--json"], executable: builds.link)
        XCTAssertEqual(latest.code, 0, latest.stderr)
        for line in [
            "agent-runner: downloading 0.3.0 (the latest release \(sumsURL) lists for \(arch)) from \(build030)...",
            "; sha256 matches \(sumsURL)\n", "agent-runner: staged 0.3.0 (sha256 \(listedSum.prefix(12))...)",
            "agent-runner: smoke OK (now at 0.3.0)", "agent-runner: upgraded \(BuildInfo.version) → 0.3.0 (",
        ] {
            XCTAssertTrue(latest.stderr.contains(line), "\(line) missing in: \(latest.stderr)")
        }
        XCTAssertEqual(try JSONParser.strict.parse(latest.stdout)["outcome"], .string("service_upgraded"))
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/0.3.0/agent-runner")
        let newPID = try XCTUnwrap(host.servePID())
        XCTAssertNotEqual(newPID, firstPID)
        XCTAssertEqual(
            URL(fileURLWithPath: "/proc/\(newPID)/exe").resolvingSymlinksInPath().path,
            builds.versions + "/0.3.0/agent-runner", "serve runs the downloaded build")
        XCTAssertEqual(try host.run(["--version"], executable: builds.link).stdout, "agent-runner 0.3.0\n")
        let peek = try host.run(["peek", "--json"], executable: builds.link)
        XCTAssertEqual(try JSONParser.strict.parse(peek.stdout)["agent_runner_version"], .string("0.3.0"), peek.stderr)
        XCTAssertEqual(try builds.state()["current"], .string("0.3.0"))
        step("latest")

        // --target an older listed version: downloaded too, and serve back on it.
        let older = try host.run(["upgrade", "--target", "0.2.0"], executable: builds.link)
        XCTAssertEqual(older.code, 0, older.stderr)
        XCTAssertTrue(
            older.stderr.contains("agent-runner: downloading 0.2.0 (listed in \(sumsURL)) from "),
            older.stderr)
        XCTAssertEqual(builds.linkTarget(), builds.versions + "/0.2.0/agent-runner")
        let olderPID = try XCTUnwrap(host.servePID())
        XCTAssertEqual(
            URL(fileURLWithPath: "/proc/\(olderPID)/exe").resolvingSymlinksInPath().path,
            builds.versions + "/0.2.0/agent-runner")
        let events = try host.events().filter { $0.kind == "service_upgraded" }
        XCTAssertEqual(events.map { $0.payload["to_version"] }, [.string("0.3.0"), .string("0.2.0")])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: builds.versions).sorted(),
            [BuildInfo.version, "0.2.0", "0.3.0", "state.json", "upgrade.lock"].sorted(),
            "no staging folder left behind")

        step("target")
        // The build server gone: the latest needs SHA256SUMS, so nothing changes.
        server.shutDown()
        let before = try snapshot(builds)
        let unreachable = try host.run(["upgrade"], executable: builds.link)
        XCTAssertEqual(unreachable.code, 1, unreachable.stderr)
        XCTAssertEqual(
            unreachable.stderr,
            "agent-runner: \(sumsURL): cannot connect to 127.0.0.1:\(server.port): "
                + "Connection refused; check [upgrade] source and that the server is up; nothing changed\n")
        XCTAssertEqual(try snapshot(builds), before)
        print("UpgradeFromReleaseTests: \(ContinuousClock.now - started)")
    }
}
