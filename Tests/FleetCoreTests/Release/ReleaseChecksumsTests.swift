import XCTest

@testable import FleetCore

final class ReleaseChecksumsTests: XCTestCase {
    let sumA = String(repeating: "a", count: 64)
    let sumB = String(repeating: "0123456789abcdef", count: 4)

    func testTextAndBinaryModeCommentsBlankLinesAndCRLF() throws {
        let text =
            "# agent-runner builds\n\n\(sumA)  agent-runner-0.3.0-aarch64\r\n"
            + "\(sumB.uppercased()) *agent-runner-0.3.0-x86_64\n   \n"
        let sums = try ReleaseChecksums.parse(text, source: "/srv/builds/SHA256SUMS")
        XCTAssertEqual(
            sums.entries,
            [
                .init(sha256: sumA, name: "agent-runner-0.3.0-aarch64", binary: false, line: 3),
                .init(sha256: sumB, name: "agent-runner-0.3.0-x86_64", binary: true, line: 4),
            ])
        XCTAssertEqual(sums.entry(named: "agent-runner-0.3.0-x86_64")?.sha256, sumB, "hex is kept lowercase")
        XCTAssertNil(sums.entry(named: "agent-runner-0.3.0-armv7l"))
    }

    func testEscapedNamesAndNamesWithSpaces() throws {
        let text = "\\\(sumA)  dir\\\\agent runner\\n2\n\(sumB)  agent runner 0.1.0\n"
        let sums = try ReleaseChecksums.parse(text, source: "SHA256SUMS")
        XCTAssertEqual(sums.entries.map(\.name), ["dir\\agent runner\n2", "agent runner 0.1.0"])
    }

    func testMalformedLinesAreRefusedWithTheirNumbers() {
        let text = """
            \(sumA)  agent-runner-0.3.0-aarch64
            \(sumA.dropLast())  agent-runner-0.3.1-aarch64
            \(sumB) agent-runner-0.3.2-aarch64
            zz\(sumA.dropFirst(2))  agent-runner-0.3.3-aarch64
            \(sumA)\u{20}\u{20}
            SHA256 (agent-runner-0.3.4-aarch64) = \(sumA)
            """
        XCTAssertThrowsError(try ReleaseChecksums.parse(text, source: "http://builds.lan/ar/SHA256SUMS")) { error in
            let error = error as! ReleaseError
            XCTAssertEqual(error.code, .malformedChecksums)
            XCTAssertTrue(
                error.message.hasPrefix("http://builds.lan/ar/SHA256SUMS: line 2: expected 64 hex digits"),
                error.message)
            XCTAssertTrue(
                error.message.contains("; line 3: expected two spaces (or space and *) after the sum"), error.message)
            XCTAssertTrue(error.message.contains("; line 4: expected 64 hex digits"), error.message)
            XCTAssertTrue(
                error.message.contains("; and 2 more; regenerate it with `sha256sum agent-runner-* > SHA256SUMS`"),
                error.message)
            XCTAssertFalse(error.message.contains("\n"), "one line")
        }
        XCTAssertThrowsError(try ReleaseChecksums.parse("SHA256 (agent-runner) = \(sumA)\n", source: "S")) { error in
            XCTAssertEqual(
                (error as! ReleaseError).message,
                "S: line 1: a BSD-style line (`sha256sum --tag`); list the builds in the default format; "
                    + "regenerate it with `sha256sum agent-runner-* > SHA256SUMS`"
            )
        }
        XCTAssertThrowsError(try ReleaseChecksums.parse("\(sumA)  \n", source: "S")) { error in
            XCTAssertTrue((error as! ReleaseError).message.contains("line 1: no file name after the sum"))
        }
    }

    func testAConflictingDuplicateIsRefusedAndARepeatIsNot() throws {
        XCTAssertEqual(try ReleaseChecksums.parse("\(sumA)  b\n\(sumA)  b\n", source: "S").entries.count, 1)
        XCTAssertThrowsError(try ReleaseChecksums.parse("\(sumA)  b\n\(sumB)  b\n", source: "S")) { error in
            XCTAssertTrue(
                (error as! ReleaseError).message.contains(
                    "line 2: b is listed again with another sum (first on line 1)"))
        }
    }
}

final class ReleaseVersionTests: XCTestCase {
    func testSemverOrder() throws {
        let ordered = [
            "0.1.0", "0.2.0-alpha", "0.2.0-alpha.1", "0.2.0-alpha.beta", "0.2.0-beta.2", "0.2.0-beta.11", "0.2.0-rc.1",
            "0.2.0", "0.2.1", "0.10.0", "1.0.0",
        ]
        let versions = try ordered.map { try XCTUnwrap(ReleaseVersion($0), $0) }
        XCTAssertEqual(versions.shuffled().sorted().map(\.text), ordered)
        XCTAssertTrue(try XCTUnwrap(ReleaseVersion("0.2.0-rc.1")).isPreRelease)
        XCTAssertLessThan(
            try XCTUnwrap(ReleaseVersion("0.9.9")), try XCTUnwrap(ReleaseVersion("0.10.0")), "numeric, not text")
    }

    func testBuildMetadataDoesNotChangePrecedence() throws {
        let plain = try XCTUnwrap(ReleaseVersion("1.2.3"))
        let built = try XCTUnwrap(ReleaseVersion("1.2.3+pi.5"))
        XCTAssertNotEqual(plain, built)
        XCTAssertLessThan(try XCTUnwrap(ReleaseVersion("1.2.3-rc.1+x")), plain)
        XCTAssertLessThan(built, try XCTUnwrap(ReleaseVersion("1.2.4")))
    }

    func testNotVersions() {
        for text in [
            "", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.2.x", "1.2.3-", "1.2.3-rc..1", "1.2.3+", "latest",
            "1.2.3-rc_1", "-1.2.3",
        ] {
            XCTAssertNil(ReleaseVersion(text), text)
        }
    }
}
