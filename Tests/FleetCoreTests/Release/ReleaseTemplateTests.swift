import XCTest

@testable import FleetCore

final class ReleaseTemplateTests: XCTestCase {
    func testAURLTemplate() throws {
        let template = try ReleaseTemplate("http://builds.lan:8080/agent-runner/agent-runner-{version}-{arch}")
        XCTAssertTrue(template.isURL)
        XCTAssertEqual(
            template.checksumsLocation(arch: "aarch64"), .url("http://builds.lan:8080/agent-runner/SHA256SUMS"))
        XCTAssertEqual(
            template.artifactLocation(version: "0.3.1", arch: "aarch64"),
            .url("http://builds.lan:8080/agent-runner/agent-runner-0.3.1-aarch64"))
        XCTAssertEqual(template.fileName(version: "0.3.1-rc.2", arch: "armv7l"), "agent-runner-0.3.1-rc.2-armv7l")
        XCTAssertEqual(
            template.version(inFileName: "agent-runner-0.3.1-rc.2-aarch64", arch: "aarch64")?.text,
            "0.3.1-rc.2")
        XCTAssertNil(template.version(inFileName: "agent-runner-0.3.1-x86_64", arch: "aarch64"))
        XCTAssertNil(template.version(inFileName: "agent-runner-latest-aarch64", arch: "aarch64"), "not a version")
        XCTAssertNil(template.version(inFileName: "agent-runner--aarch64", arch: "aarch64"))
        let other = try XCTUnwrap(template.components(ofFileName: "agent-runner-0.4.0-rc.1-x86_64"))
        XCTAssertEqual(other.version.text, "0.4.0-rc.1")
        XCTAssertEqual(other.arch, "x86_64")
    }

    func testADirectoryTemplateWithTheArchitectureInTheDirectory() throws {
        let template = try ReleaseTemplate("/srv/builds/{arch}/agent-runner-{version}")
        XCTAssertFalse(template.isURL)
        XCTAssertEqual(template.checksumsLocation(arch: "aarch64"), .file("/srv/builds/aarch64/SHA256SUMS"))
        XCTAssertEqual(
            template.artifactLocation(version: "1.0.0", arch: "aarch64"),
            .file("/srv/builds/aarch64/agent-runner-1.0.0"))
        XCTAssertEqual(template.version(inFileName: "agent-runner-1.0.0", arch: "aarch64")?.text, "1.0.0")
        XCTAssertEqual(
            try ReleaseTemplate("http://host/x/ar-{arch}-v{version}.bin")
                .components(ofFileName: "ar-x86_64-v1.2.3.bin")?.arch, "x86_64")
    }

    func testBadTemplatesSayWhy() {
        let cases: [(String, String)] = [
            ("builds/agent-runner-{version}", "must be an absolute directory path or an http:// URL"),
            ("ftp://host/agent-runner-{version}", "must be an absolute directory path or an http:// URL"),
            (
                "https://builds.example/agent-runner-{version}",
                "https is not supported (agent-runner's HTTP client "
                    + "has no TLS); serve the builds over http from a trusted network, put a local TLS proxy in front, "
                    + "or copy them to a directory and point [upgrade] source at it"
            ),
            ("http://host", "a URL needs a host and a path to the builds"),
            ("http:///agent-runner-{version}", "a URL needs a host and a path to the builds"),
            ("http://host:99999/agent-runner-{version}", "'host:99999' is not a host[:port]"),
            ("/srv/agent-runner-{arch}", "the file name must contain {version} exactly once"),
            ("/srv/{version}/agent-runner-{version}", "{version} belongs in the file name"),
            ("/srv/agent-runner-{version}-{os}", "unknown placeholder {os}"),
            ("/srv/agent-runner-{version", "an unclosed '{'"),
            ("/srv/agent-runner-version}", "a '}' without '{'"),
            ("http://host/get?file=agent-runner-{version}", "query strings and fragments are not supported"),
            ("/srv/agent-runner-{version}-{version}", "exactly once"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try ReleaseTemplate(text), text) { error in
                let error = error as! ReleaseTemplateError
                XCTAssertTrue(error.reason.contains(reason), "\(text): \(error.reason)")
                XCTAssertEqual(error.description, "[upgrade] source '\(text)': \(error.reason)")
            }
        }
    }
}

final class ReleaseCatalogTests: XCTestCase {
    let sums = "http://builds.lan/ar/SHA256SUMS"

    func catalog(_ names: [String], arch: String = "aarch64") throws -> ReleaseCatalog {
        let text = names.enumerated().map { String(format: "%064x", $0.offset) + "  " + $0.element }
            .joined(separator: "\n")
        let template = try ReleaseTemplate("http://builds.lan/ar/agent-runner-{version}-{arch}")
        return ReleaseCatalog(
            checksums: try ReleaseChecksums.parse(text, source: sums), template: template,
            arch: arch, source: sums)
    }

    let listing = [
        "agent-runner-0.3.0-aarch64", "agent-runner-0.3.0-x86_64", "agent-runner-0.10.0-aarch64",
        "agent-runner-0.9.1-aarch64", "agent-runner-0.11.0-rc.1-aarch64", "agent-runner-0.12.0-x86_64",
        "agent-runner-latest-aarch64", "fleetctl-0.10.0-aarch64", "README",
    ]

    func testLatestIsTheNewestReleaseForThisArchitecture() throws {
        let catalog = try catalog(listing)
        XCTAssertEqual(catalog.builds.map(\.version.text), ["0.3.0", "0.9.1", "0.10.0", "0.11.0-rc.1"])
        let latest = try catalog.latest()
        XCTAssertEqual(latest.version.text, "0.10.0", "a pre-release is taken only when asked for")
        XCTAssertEqual(latest.fileName, "agent-runner-0.10.0-aarch64")
        XCTAssertEqual(latest.sha256, String(format: "%064x", 2))
        XCTAssertEqual(try catalog.build(for: "0.11.0-rc.1").fileName, "agent-runner-0.11.0-rc.1-aarch64")
        XCTAssertEqual(try catalog.build(for: "0.3.0").sha256, String(format: "%064x", 0))
    }

    func testAMissingTargetListsWhatThereIs() throws {
        let catalog = try catalog(listing)
        XCTAssertThrowsError(try catalog.build(for: "0.4.0")) { error in
            XCTAssertEqual(
                error as? ReleaseError,
                ReleaseError(
                    .versionMissing,
                    "0.4.0 is not listed in \(sums) for aarch64; listed: 0.11.0-rc.1, 0.10.0, 0.9.1, 0.3.0"))
        }
        XCTAssertThrowsError(try catalog.build(for: "0.12.0")) { error in
            XCTAssertEqual(
                (error as? ReleaseError)?.message,
                "0.12.0 is listed in \(sums) for x86_64 but not for "
                    + "aarch64; listed for aarch64: 0.11.0-rc.1, 0.10.0, 0.9.1, 0.3.0")
        }
        XCTAssertThrowsError(try catalog.build(for: "latest")) { error in
            XCTAssertTrue(
                (error as? ReleaseError)?.message.hasPrefix("--target latest is not a version X.Y.Z[-pre]")
                    ?? false)
        }
    }

    func testNothingOrOnlyPreReleasesForThisArchitecture() throws {
        XCTAssertThrowsError(try catalog(listing, arch: "armv7l").latest()) { error in
            XCTAssertEqual(
                (error as? ReleaseError)?.message,
                "\(sums) lists no build for armv7l (it has builds for "
                    + "aarch64, x86_64); publish one, or check [upgrade] source's file name pattern")
        }
        XCTAssertThrowsError(try catalog(["agent-runner-1.0.0-rc.1-aarch64"]).latest()) { error in
            XCTAssertEqual(
                (error as? ReleaseError)?.message,
                "\(sums) lists only pre-releases for aarch64 (1.0.0-rc.1); pass --target with one of them")
        }
    }
}
