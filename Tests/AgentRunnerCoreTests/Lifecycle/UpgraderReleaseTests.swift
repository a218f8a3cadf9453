import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// `agent-runner upgrade` from `[upgrade] source` on a fake release server: which build is
/// taken, that it is verified before anything runs it, and that every failure changes nothing.
final class UpgraderReleaseTests: XCTestCase {
    let base = "http://builds.lan/ar"
    let unit = "ROOT/tools/systemctl --user"

    func bench(installed: [String] = ["1.0.0"], unitState: String = "active") throws -> UpgradeBench {
        let bench = try UpgradeBench(installed: installed, unitState: unitState)
        addTeardownBlock { bench.cleanUp() }
        return bench
    }

    /// A release directory listing `listed` (version → build text) for aarch64; `served`
    /// replaces what a location answers (relative names: `SHA256SUMS`, `agent-runner-1.2.0-aarch64`).
    func release(
        _ listed: [String: String], served: [String: FakeReleaseFetcher.Answer] = [:]
    )
        -> (source: ReleaseSource, fetcher: FakeReleaseFetcher)
    {
        let sums = listed.sorted { $0.key < $1.key }
            .map { "\(SHA256.hex(of: Array($0.value.utf8)))  agent-runner-\($0.key)-aarch64\n" }.joined()
        var answers: [String: FakeReleaseFetcher.Answer] = ["SHA256SUMS": .bytes(Array(sums.utf8))]
        for (version, text) in listed { answers["agent-runner-\(version)-aarch64"] = .bytes(Array(text.utf8)) }
        answers.merge(served) { _, new in new }
        let fetcher = FakeReleaseFetcher(
            Dictionary(uniqueKeysWithValues: answers.map { (base + "/" + $0.key, $0.value) }))
        let template = try! ReleaseTemplate(base + "/agent-runner-{version}-{arch}")
        return (ReleaseSource(template: template, arch: "aarch64", fetcher: fetcher), fetcher)
    }

    /// What an upgrade may change on the host: versions_dir's entries, state.json, the link,
    /// the service, the event log.
    struct Host: Equatable {
        var versions: [String]
        var state: String
        var link: String?
        var serviceActions: [String]
        var events: [String]
    }

    func host(_ bench: UpgradeBench) throws -> Host {
        Host(
            versions: try FileManager.default.contentsOfDirectory(atPath: bench.versionsDir).sorted(),
            state: try String(contentsOfFile: bench.store.statePath, encoding: .utf8),
            link: bench.linkedVersion, serviceActions: bench.manager.actions, events: try bench.events().map(\.kind))
    }

    func testNoFlagsTakesTheLatestListedReleaseDownloadedAndVerified() throws {
        let bench = try bench()
        let (source, fetcher) = release(["1.1.0": bench.build("1.1.0"), "1.2.0": bench.build("1.2.0")])

        let outcome = try bench.upgrader(release: source).run(.init(.latest))

        XCTAssertEqual(
            outcome,
            .init(
                kind: .serviceUpgraded, path: .systemdUser, fromVersion: "1.0.0",
                toVersion: "1.2.0", exitCode: 0))
        XCTAssertEqual(fetcher.requests, [base + "/SHA256SUMS", base + "/agent-runner-1.2.0-aarch64"])
        let digest = SHA256.hex(of: Array(bench.build("1.2.0").utf8))
        XCTAssertEqual(
            Array(bench.said.split(separator: "\n").prefix(3)),
            [
                "agent-runner: downloading 1.2.0 (the latest release \(base)/SHA256SUMS lists for aarch64) from "
                    + "\(base)/agent-runner-1.2.0-aarch64...",
                "agent-runner: downloaded 19 bytes; sha256 matches \(base)/SHA256SUMS",
                "agent-runner: staged 1.2.0 (sha256 \(digest.prefix(12))...) as ROOT/versions/1.2.0/agent-runner",
            ])
        XCTAssertEqual(bench.processes.first, "<staged> --version", "the build runs only once verified and staged")
        XCTAssertEqual(try bench.stateFile().versions.last?.version, "1.2.0")
        XCTAssertEqual(try bench.stateFile().versions.last?.sha256, digest)
        XCTAssertEqual(bench.linkedVersion, "1.2.0")
        XCTAssertEqual(
            bench.manager.actions,
            [
                "systemctl --user --no-block stop agent-runner@demo.service",
                "systemctl --user start agent-runner@demo.service",
            ])
        XCTAssertFalse(try host(bench).versions.contains { $0.hasPrefix(".staging-") })
    }

    func testTargetDownloadsAListedVersionAndSwitchesToAnInstalledOneOffline() throws {
        let bench = try bench(installed: ["1.0.0", "1.1.0"], unitState: "inactive")
        let (source, fetcher) = release([
            "1.1.0": bench.build("1.1.0"), "1.2.0": bench.build("1.2.0"),
            "1.3.0": bench.build("1.3.0"),
        ])
        let upgrader = bench.upgrader(release: source)

        XCTAssertEqual(try upgrader.run(.init(.switchTo("1.2.0"))).kind, .packageUpgraded)
        XCTAssertEqual(fetcher.requests, [base + "/SHA256SUMS", base + "/agent-runner-1.2.0-aarch64"])
        XCTAssertEqual(bench.linkedVersion, "1.2.0")

        XCTAssertEqual(try upgrader.run(.init(.switchTo("1.1.0"))).kind, .packageUpgraded)
        XCTAssertEqual(fetcher.requests.count, 2, "an installed version needs no build server: rollback works offline")
        XCTAssertEqual(bench.linkedVersion, "1.1.0")
    }

    func testTheLatestAlreadyInstalledIsNotDownloadedAgain() throws {
        let bench = try bench()
        let (source, fetcher) = release(["1.0.0": bench.build("1.0.0")])
        let outcome = try bench.upgrader(release: source).run(.init(.latest))
        XCTAssertEqual(outcome.kind, .unchanged)
        XCTAssertEqual(fetcher.requests, [base + "/SHA256SUMS"])
        XCTAssertTrue(
            bench.said.contains(
                "agent-runner: 1.0.0 (the latest release \(base)/SHA256SUMS lists for "
                    + "aarch64) is already in ROOT/versions with the listed sha256; nothing to "
                    + "download\n"), bench.said)
        XCTAssertEqual(bench.manager.actions, [])
    }

    /// Each way a release can fail: one line, exit 1, and the host exactly as it was.
    func testEveryFailureChangesNothing() throws {
        let bench = try bench()
        try bench.store.lock().release()  // upgrade.lock: there since the host's first upgrade
        let good = bench.build("1.2.0")
        let corrupt = String(good.dropLast()) + "X"
        let cases: [(String?, [String: FakeReleaseFetcher.Answer], String)] = [
            (
                "9.9.9", [:],
                "9.9.9 is not listed in \(base)/SHA256SUMS for aarch64; listed: 1.2.0, 1.1.0; nothing changed"
            ),
            (
                nil, ["agent-runner-1.2.0-aarch64": .bytes(Array(corrupt.utf8))],
                "\(base)/agent-runner-1.2.0-aarch64: sha256 \(SHA256.hex(of: Array(corrupt.utf8))) (19 bytes) does not "
                    + "match \(SHA256.hex(of: Array(good.utf8))) listed in SHA256SUMS; refused — republish the build or "
                    + "regenerate SHA256SUMS; nothing changed"
            ),
            (
                nil,
                [
                    "agent-runner-1.2.0-aarch64": .failure(
                        ReleaseError(
                            .notFound,
                            "\(base)/agent-runner-1.2.0-aarch64: "
                                + "HTTP 404 Not Found; check [upgrade] source and that the file is published there"))
                ],
                "\(base)/agent-runner-1.2.0-aarch64: HTTP 404 Not Found; check [upgrade] source and that the file is "
                    + "published there; nothing changed"
            ),
            (
                "1.1.0",
                [
                    "SHA256SUMS": .failure(
                        ReleaseError(
                            .timedOut,
                            "\(base)/SHA256SUMS: timed out after 30.0s "
                                + "waiting for the response; check that the server is up and reachable from this host"))
                ],
                "\(base)/SHA256SUMS: timed out after 30.0s waiting for the response; check that the server is up and "
                    + "reachable from this host; nothing changed"
            ),
            (
                nil,
                [
                    "SHA256SUMS": .failure(
                        ReleaseError(
                            .unreachable,
                            "\(base)/SHA256SUMS: cannot connect to "
                                + "builds.lan:80: Connection refused; check [upgrade] source and that the server is up")
                    )
                ],
                "\(base)/SHA256SUMS: cannot connect to builds.lan:80: Connection refused; check [upgrade] source and "
                    + "that the server is up; nothing changed"
            ),
            (
                nil, [:],
                "the binary from \(base)/agent-runner-1.2.0-aarch64 reports version 1.3.0, not 1.2.0 as "
                    + "SHA256SUMS lists it (a mislabelled build); nothing changed"
            ),
        ]
        for (target, served, expected) in cases {
            var listed = ["1.1.0": bench.build("1.1.0"), "1.2.0": good]
            if expected.contains("mislabelled") {
                listed["1.2.0"] = bench.build("1.3.0")  // listed and hashed as 1.2.0, but it says it is 1.3.0
            }
            let (source, _) = release(listed, served: served)
            let before = try host(bench)
            let request = Upgrader.Request(target.map { .switchTo($0) } ?? .latest)
            XCTAssertThrowsError(try bench.upgrader(release: source).run(request), expected) { error in
                XCTAssertEqual(error as? LifecycleError, LifecycleError(expected))
            }
            XCTAssertEqual(try host(bench), before, "nothing changed: \(expected)")
        }
        XCTAssertEqual(bench.manager.actions, [], "the service was never touched")
    }

    func testAVersionNumberIsNeverReused() throws {
        let bench = try bench(installed: ["1.0.0", "1.2.0"])
        let (source, _) = release(["1.2.0": bench.build("1.2.0", ["rebuilt"])])
        XCTAssertThrowsError(try bench.upgrader(release: source).run(.init(.latest))) { error in
            XCTAssertEqual(
                (error as? LifecycleError)?.message,
                "version 1.2.0 is already installed at \(bench.root)/versions/1.2.0/agent-runner with "
                    + "sha256 \(SHA256.hex(of: Array(bench.build("1.2.0").utf8))), but \(base)/SHA256SUMS "
                    + "lists \(SHA256.hex(of: Array(bench.build("1.2.0", ["rebuilt"]).utf8))); a build must not "
                    + "reuse a version number; nothing changed")
        }
        XCTAssertEqual(bench.linkedVersion, "1.0.0")
    }

    func testNoFlagsWithoutASourceIsAUsageError() throws {
        let bench = try bench()
        XCTAssertThrowsError(try bench.upgrader().run(.init(.latest))) { error in
            XCTAssertEqual(
                error as? LifecycleError,
                LifecycleError(
                    "upgrade without --from, --target or --rollback installs the latest build listed by [upgrade] source, "
                        + "and agent-runner.toml has no [upgrade] source; set [upgrade] source (docs/configuration.md), "
                        + "or pass --from PATH|-, --target X.Y.Z or --rollback", exitCode: ExitCode.usage))
        }
        XCTAssertEqual(bench.processes, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: bench.store.lockPath), "refused before the lock")
    }

    func testSizesAsOperatorsReadThem() {
        XCTAssertEqual(Upgrader.size(90), "90 bytes")
        XCTAssertEqual(Upgrader.size(812 * 1024), "812 KiB")
        XCTAssertEqual(Upgrader.size(12_900_000), "12.3 MiB")
    }
}
