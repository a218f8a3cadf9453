import FleetCore
import Foundation
import XCTest

/// `fleetctl upgrade --target X.Y.Z` with the inventory's `[upgrade] source` instead of an
/// artifact: the build for each host's architecture is fetched over http and verified against
/// SHA256SUMS on the operator machine, then pushed as an artifact is (`--from -`).
extension FleetUpgradeTests {
    func testATargetFromTheInventorysReleaseSourceIsFetchedVerifiedAndPushed() throws {
        let fleet = try makeFleet(["alpha"])
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        let releaseDir = fleet.root + "/release"
        try FileManager.default.createDirectory(atPath: releaseDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: try build("7.6.0"),
            toPath: releaseDir + "/agent-runner-7.6.0-\(HostArchitecture.current())")
        let sums = try PosixProcessRunner().run(
            ProcessRequest(
                "/bin/sh", arguments: ["-c", "sha256sum agent-runner-* > SHA256SUMS"], workingDirectory: releaseDir))
        XCTAssertEqual(sums.exit, .terminated(0), sums.stderrText)
        let server = try ReleaseDirectoryServer(directory: releaseDir)
        addTeardownBlock { server.shutDown() }
        let template = server.base + "/agent-runner-{version}-{arch}"
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: fleet.inventory))
        handle.seekToEndOfFile()
        handle.write(Data("\n[upgrade]\nsource = \"\(template)\"\n".utf8))
        handle.closeFile()

        let noTarget = try fleet.fleetctl(["upgrade", "all"])
        XCTAssertEqual(noTarget.code, ExitCode.usage, noTarget.stderr)
        XCTAssertTrue(
            noTarget.stderr.hasPrefix(
                "fleetctl: [upgrade] source needs --target X.Y.Z: the version (as "
                    + "SHA256SUMS lists it) to roll out"), noTarget.stderr)

        let result = try fleet.fleetctl([
            "upgrade", "all", "--target", "7.6.0", "--bake", "2s",
            "--gate-interval", "0.5",
        ])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("alpha: upgraded to 7.6.0 (service_upgraded)"), result.stderr)
        assertOn("7.6.0", alpha)
        let journal = try XCTUnwrap(fleet.journals().first)
        XCTAssertEqual(journal["status"], "finished")
        XCTAssertEqual(journal["settings"]?["artifact"], .string(template))
        XCTAssertEqual(journal["settings"]?["release_source"], true)
    }
}
