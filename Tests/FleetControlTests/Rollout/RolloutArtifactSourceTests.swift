import FleetCore
import Foundation
import Monitoring
import SSHTransport
import XCTest

@testable import FleetControl

/// Answers `uname -m` with each host's architecture and records the calls; anything else fails
/// the test.
final class ArchitectureTransport: RemoteExecutor, @unchecked Sendable {
    // `calls` is only touched under `lock`.
    private let lock = NSLock()
    private var calls: [String] = []
    let arch: [String: String]

    init(_ arch: [String: String]) {
        self.arch = arch
    }

    var asked: [String] {
        lock.withLock { calls }
    }

    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant,
        outputLimit: Int
    ) -> RemoteResult {
        lock.withLock { calls.append("\(host.name): \(argv.joined(separator: " "))") }
        guard argv == ["uname", "-m"], let answer = arch[host.name] else {
            XCTFail("this test ran \(argv) on \(host.name)")
            return RemoteResult(host: host.name, outcome: .ok([]), errorMessage: nil)
        }
        return RemoteResult(host: host.name, outcome: .ok(Array((answer + "\n").utf8)), errorMessage: nil)
    }
}

/// `fleetctl upgrade --target X.Y.Z` with an `[upgrade] source`: each host's build is fetched
/// for its architecture and verified here, once per architecture, before anything is pushed.
final class RolloutArtifactSourceTests: XCTestCase {
    func target(_ name: String) -> PollTarget {
        PollTarget(name: name, remote: RemoteHost(name: name, target: try! SSHTarget(name)), settings: PollSettings())
    }

    /// A release directory with `builds` (file name → bytes) and the SHA256SUMS of them.
    func releaseDirectory(_ builds: [String: [UInt8]]) throws -> String {
        let directory = NSTemporaryDirectory() + "release-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        var sums = ""
        for (name, bytes) in builds.sorted(by: { $0.key < $1.key }) {
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
            sums += "\(SHA256.hex(of: bytes))  \(name)\n"
        }
        try sums.write(toFile: directory + "/SHA256SUMS", atomically: true, encoding: .utf8)
        return directory
    }

    func testEachArchitecturesBuildIsFetchedAndVerifiedOnce() throws {
        let arm = Array("arm build 0.2.0".utf8)
        let x86 = Array("x86 build 0.2.0".utf8)
        let directory = try releaseDirectory([
            "agent-runner-0.2.0-aarch64": arm, "agent-runner-0.2.0-x86_64": x86,
            "agent-runner-0.3.0-aarch64": Array("newer".utf8),
        ])
        let transport = ArchitectureTransport(["pi": "aarch64", "pi2": "aarch64", "big": "x86_64"])
        let template = try ReleaseTemplate(directory + "/agent-runner-{version}-{arch}")
        let source = RolloutArtifactSource(.release(template), target: "0.2.0", remote: transport, effects: .live())
        XCTAssertTrue(source.perArchitecture)

        let pi = try source.artifact(for: target("pi")).get()
        XCTAssertEqual(
            pi,
            RolloutArtifact(
                path: directory + "/agent-runner-0.2.0-aarch64", bytes: arm,
                sha256: SHA256.hex(of: arm), version: "0.2.0"))
        XCTAssertEqual(try source.artifact(for: target("pi2")).get().bytes, arm)
        XCTAssertEqual(try source.artifact(for: target("big")).get().bytes, x86)
        XCTAssertEqual(
            RolloutRunner.upgradeCommand(target("pi"), artifact: pi),
            [
                "agent-runner", "upgrade", "--from", "-", "--sha256", SHA256.hex(of: arm), "--target", "0.2.0",
                "--json",
            ], "pushed as an artifact is")
        XCTAssertEqual(transport.asked, ["pi: uname -m", "pi2: uname -m", "big: uname -m"])
    }

    /// Upgrades and migrations start from the journal's settings: a release source there is
    /// fetched per architecture like the flag's, for a migration too (it once read the
    /// template as a path).
    func testTheSettingsChooseAReleaseSourceForAMigrationAsForAnUpgrade() throws {
        let arm = Array("arm build 0.2.0".utf8)
        let directory = try releaseDirectory(["agent-runner-0.2.0-aarch64": arm])
        let transport = ArchitectureTransport(["pi": "aarch64"])
        let template = directory + "/agent-runner-{version}-{arch}"
        for migration in [nil, MigrationSettings()] {
            let settings = RolloutJournal.Settings(artifact: template, releaseSource: true, migration: migration)
            let source = try RolloutArtifactSource(
                settings: settings, target: "0.2.0", remote: transport, effects: .live())
            XCTAssertTrue(source.perArchitecture)
            XCTAssertEqual(try source.artifact(for: target("pi")).get().bytes, arm)
        }
        let path = RolloutJournal.Settings(artifact: directory + "/agent-runner-0.2.0-aarch64")
        let byPath = try RolloutArtifactSource(settings: path, target: "0.2.0", remote: transport, effects: .live())
        XCTAssertFalse(byPath.perArchitecture, "a path is the same build for every host")
        let broken = RolloutJournal.Settings(artifact: directory + "/agent-runner-{nope}", releaseSource: true)
        XCTAssertThrowsError(
            try RolloutArtifactSource(settings: broken, target: "0.2.0", remote: transport, effects: .live())
        ) { XCTAssertTrue("\($0)".contains("release source is not usable"), "\($0)") }
    }

    func testAVersionNotListedOrABadSumPushesNothing() throws {
        let directory = try releaseDirectory(["agent-runner-0.2.0-aarch64": Array("arm".utf8)])
        let transport = ArchitectureTransport(["pi": "aarch64", "rv": "riscv64"])
        let template = try ReleaseTemplate(directory + "/agent-runner-{version}-{arch}")
        let missing = RolloutArtifactSource(.release(template), target: "0.9.0", remote: transport, effects: .live())
        XCTAssertEqual(
            missing.artifact(for: target("pi")).failureMessage,
            "0.9.0 is not listed in \(directory)/SHA256SUMS for aarch64; listed: 0.2.0; nothing was pushed")
        let otherArch = RolloutArtifactSource(.release(template), target: "0.2.0", remote: transport, effects: .live())
        XCTAssertEqual(
            otherArch.artifact(for: target("rv")).failureMessage,
            "0.2.0 is listed in \(directory)/SHA256SUMS for aarch64 but not for riscv64; listed for "
                + "riscv64: none; nothing was pushed")

        try Data("tampered".utf8).write(to: URL(fileURLWithPath: directory + "/agent-runner-0.2.0-aarch64"))
        let tampered = RolloutArtifactSource(.release(template), target: "0.2.0", remote: transport, effects: .live())
        XCTAssertTrue(
            tampered.artifact(for: target("pi")).failureMessage?
                .hasSuffix(
                    "listed in SHA256SUMS; refused — republish the build or regenerate SHA256SUMS; nothing was "
                        + "pushed") ?? false)
    }

    func testAJournalRecordsTheSourceSoAResumeFetchesFromItAgain() throws {
        let directory = try releaseDirectory(["agent-runner-0.2.0": Array("any arch".utf8)])
        let settings = RolloutJournal.Settings(artifact: directory + "/agent-runner-{version}", releaseSource: true)
        let transport = ArchitectureTransport([:])
        let source = try RolloutArtifactSource(settings: settings, target: "0.2.0", remote: transport, effects: .live())
        XCTAssertFalse(source.perArchitecture, "no {arch}: one build for every host, no uname -m")
        XCTAssertEqual(try source.artifact(for: target("pi")).get().bytes, Array("any arch".utf8))
        XCTAssertEqual(transport.asked, [])
        XCTAssertEqual(source.text, directory + "/agent-runner-{version}")
    }
}

extension Result where Failure == RolloutError {
    fileprivate var failureMessage: String? {
        if case .failure(let error) = self { return error.message }
        return nil
    }
}
