import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import FleetCore

/// Two published builds and their SHA256SUMS, as a release directory holds them.
struct PublishedBuilds {
    static let old = Array("#!/bin/sh\necho agent-runner 0.3.0\n".utf8)
    static let new = Array("#!/bin/sh\necho agent-runner 0.3.1\n".utf8) + [0, 255, 13, 10]
    /// Larger than a 64 KiB piece, so it arrives in several.
    static let large = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    /// Listed but never uploaded.
    static let ghostSum = String(repeating: "e", count: 64)

    static var sums: String {
        """
        # sha256sum agent-runner-* > SHA256SUMS
        \(SHA256.hex(of: old))  agent-runner-0.3.0-aarch64
        \(SHA256.hex(of: new)) *agent-runner-0.3.1-aarch64
        \(ghostSum)  agent-runner-0.3.2-rc.1-aarch64
        \(SHA256.hex(of: large))  agent-runner-0.3.3-rc.1-aarch64
        \(String(repeating: "f", count: 64))  agent-runner-0.3.1-x86_64

        """
    }

    static let files: [String: [UInt8]] = [
        "SHA256SUMS": Array(sums.utf8), "agent-runner-0.3.0-aarch64": old, "agent-runner-0.3.1-aarch64": new,
        "agent-runner-0.3.3-rc.1-aarch64": large,
    ]
}

/// The project's own HTTPServer on 127.0.0.1 serving a release directory under `/ar/`, a
/// directory whose every answer is late under `/slow/`, and a bad build under `/bad/`.
final class ReleaseHTTPServer: @unchecked Sendable {
    // The server and its port are set once in init; `stop` is atomic; `done` is a semaphore.
    let server: HTTPServer
    private let stop = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(lateBy seconds: Double) throws {
        server = try HTTPServer.listen(port: 0)
        Thread.detachNewThread { [self] in
            server.serve(until: { self.stop.load(ordering: .relaxed) }) { request in
                var path = Substring(request.path)
                var response = HTTPServerResponse(
                    status: 200, reason: "OK", contentType: "application/octet-stream",
                    body: "")
                if path.hasPrefix("/slow/") {
                    Thread.sleep(forTimeInterval: seconds)
                    path = path.dropFirst(5)
                } else if path.hasPrefix("/bad/") {
                    path = path.dropFirst(4)
                    if path.hasSuffix("aarch64") {
                        response.body = PublishedBuilds.new.dropLast()
                        return response
                    }
                }
                guard path.hasPrefix("/ar/"), let bytes = PublishedBuilds.files[String(path.dropFirst(4))] else {
                    return HTTPServerResponse(status: 404, reason: "Not Found", body: "not found\n")
                }
                response.body = bytes
                return response
            }
            done.signal()
        }
    }

    var base: String { "http://127.0.0.1:\(server.port)" }

    func source(_ directory: String, timeoutS: Double = 5) throws -> ReleaseSource {
        ReleaseSource(
            template: try ReleaseTemplate(base + directory + "/agent-runner-{version}-{arch}"),
            arch: "aarch64", timeoutS: timeoutS)
    }

    func shutDown() {
        stop.store(true, ordering: .relaxed)
        done.wait()
    }
}

/// The choice and the verification on a fake fetcher: no network, exact requests.
final class ReleaseSourceFakeTests: XCTestCase {
    let base = "http://builds.lan/ar"

    func source(_ extra: [String: FakeReleaseFetcher.Answer] = [:]) throws -> (ReleaseSource, FakeReleaseFetcher) {
        var answers = PublishedBuilds.files.mapValues { FakeReleaseFetcher.Answer.bytes($0) }
        answers.merge(extra) { _, new in new }
        let fetcher = FakeReleaseFetcher(
            Dictionary(uniqueKeysWithValues: answers.map { (base + "/" + $0.key, $0.value) }))
        let template = try ReleaseTemplate(base + "/agent-runner-{version}-{arch}")
        return (ReleaseSource(template: template, arch: "aarch64", fetcher: fetcher), fetcher)
    }

    func testTheBuildIsHashedAcrossItsPiecesAndHandedOn() throws {
        let (release, fetcher) = try source()
        let build = try release.choose(target: nil)
        XCTAssertEqual(build.version.text, "0.3.1")
        var pieces: [[UInt8]] = []
        let verified = try release.download(build) { pieces.append($0) }
        XCTAssertEqual(pieces.flatMap { $0 }, PublishedBuilds.new)
        XCTAssertGreaterThan(pieces.count, 5, "the fake hands the build on in 7-byte pieces")
        XCTAssertEqual(
            verified,
            VerifiedRelease(
                version: build.version, location: .url(base + "/agent-runner-0.3.1-aarch64"),
                sha256: SHA256.hex(of: PublishedBuilds.new),
                byteCount: PublishedBuilds.new.count))
        XCTAssertEqual(fetcher.requests, [base + "/SHA256SUMS", base + "/agent-runner-0.3.1-aarch64"])
    }

    func testABadSumIsFoundAfterTheLastPiece() throws {
        let (bad, _) = try source(["agent-runner-0.3.1-aarch64": .bytes(PublishedBuilds.new.dropLast())])
        var received = 0
        XCTAssertThrowsError(try bad.download(try bad.choose(target: "0.3.1")) { received += $0.count }) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .checksumMismatch)
            XCTAssertEqual(
                (error as? ReleaseError)?.message,
                "\(base)/agent-runner-0.3.1-aarch64: sha256 "
                    + "\(SHA256.hex(of: PublishedBuilds.new.dropLast())) (\(PublishedBuilds.new.count - 1) bytes) "
                    + "does not match \(SHA256.hex(of: PublishedBuilds.new)) listed in SHA256SUMS; refused — "
                    + "republish the build or regenerate SHA256SUMS")
        }
        XCTAssertEqual(received, PublishedBuilds.new.count - 1, "the caller saw the bytes: it must discard them")
    }

    func testWhatTheConsumerThrowsStopsTheDownload() throws {
        let (full, _) = try source()
        let diskFull = ReleaseError(.unwritable, "cannot write /v/.staging-1/agent-runner: No space left on device")
        var calls = 0
        XCTAssertThrowsError(
            try full.download(try full.choose(target: "0.3.0")) { (_) throws(ReleaseError) in
                calls += 1
                throw diskFull
            }
        ) { error in
            XCTAssertEqual(error as? ReleaseError, diskFull)
        }
        XCTAssertEqual(calls, 1)
    }

    func testFailuresOfTheSumsFileAndOfTheBuild() throws {
        let timeout = ReleaseError(.timedOut, "\(base)/SHA256SUMS: timed out after 1 s waiting for the response")
        let (down, downFetcher) = try source(["SHA256SUMS": .failure(timeout)])
        XCTAssertThrowsError(try down.choose(target: nil)) { XCTAssertEqual($0 as? ReleaseError, timeout) }
        XCTAssertEqual(downFetcher.requests, [base + "/SHA256SUMS"], "nothing else is asked for")

        let (garbled, _) = try source(["SHA256SUMS": .bytes(Array("not a sums file\n".utf8))])
        XCTAssertThrowsError(try garbled.choose(target: nil)) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .malformedChecksums)
        }
        let (empty, _) = try source(["agent-runner-0.3.0-aarch64": .bytes([])])
        XCTAssertThrowsError(try empty.download(target: "0.3.0")) { error in
            XCTAssertEqual(
                (error as? ReleaseError)?.message,
                "\(base)/agent-runner-0.3.0-aarch64: the download is empty; republish agent-runner-0.3.0-aarch64")
        }
    }
}

/// The same over the project's own HTTP server on loopback.
final class ReleaseSourceTests: XCTestCase {
    func testLatestAndTargetOverHTTP() throws {
        let http = try ReleaseHTTPServer(lateBy: 0)
        defer { http.shutDown() }
        let source = try http.source("/ar")
        let (latest, bytes) = try source.download(target: nil)
        XCTAssertEqual(latest.version.text, "0.3.1")
        XCTAssertEqual(bytes, PublishedBuilds.new, "binary bytes arrive intact (NUL, 0xFF, CR LF)")
        XCTAssertEqual(latest.sha256, SHA256.hex(of: PublishedBuilds.new))
        XCTAssertEqual(latest.location, .url(http.base + "/ar/agent-runner-0.3.1-aarch64"))
        XCTAssertEqual(try source.download(target: "0.3.0").bytes, PublishedBuilds.old)
        XCTAssertThrowsError(try source.download(target: "0.2.9")) { error in
            XCTAssertEqual(
                (error as? ReleaseError)?.message,
                "0.2.9 is not listed in \(http.base)/ar/SHA256SUMS for "
                    + "aarch64; listed: 0.3.3-rc.1, 0.3.2-rc.1, 0.3.1, 0.3.0")
        }
    }

    func testALargeBuildIsStreamedInPieces() throws {
        let http = try ReleaseHTTPServer(lateBy: 0)
        defer { http.shutDown() }
        let source = try http.source("/ar")
        var pieces: [Int] = []
        var hasher = SHA256()
        let release = try source.download(try source.choose(target: "0.3.3-rc.1")) { piece in
            pieces.append(piece.count)
            hasher.update(piece)
        }
        XCTAssertEqual(release.byteCount, PublishedBuilds.large.count)
        XCTAssertEqual(hasher.hexDigest(), SHA256.hex(of: PublishedBuilds.large))
        XCTAssertGreaterThan(pieces.count, 3, "\(pieces)")
        XCTAssertLessThanOrEqual(pieces.max() ?? 0, 64 << 10, "never more than one 64 KiB piece at a time")
    }

    func testAListedBuildThatIsNotThereIsA404() throws {
        let http = try ReleaseHTTPServer(lateBy: 0)
        defer { http.shutDown() }
        XCTAssertThrowsError(try http.source("/ar").download(target: "0.3.2-rc.1")) { error in
            XCTAssertEqual(
                error as? ReleaseError,
                ReleaseError(
                    .notFound,
                    "\(http.base)/ar/agent-runner-0.3.2-rc.1-aarch64: "
                        + "HTTP 404 Not Found; check [upgrade] source and that the file is published there"))
        }
        XCTAssertThrowsError(try http.source("/nowhere").download(target: nil)) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .notFound)
            XCTAssertTrue(
                (error as? ReleaseError)?.message.hasPrefix("\(http.base)/nowhere/SHA256SUMS: HTTP 404") ?? false)
        }
    }

    func testABuildThatDoesNotMatchItsSumIsRefused() throws {
        let http = try ReleaseHTTPServer(lateBy: 0)
        defer { http.shutDown() }
        XCTAssertThrowsError(try http.source("/bad/ar").download(target: "0.3.1")) { error in
            let error = error as! ReleaseError
            XCTAssertEqual(error.code, .checksumMismatch)
            XCTAssertEqual(
                error.message,
                "\(http.base)/bad/ar/agent-runner-0.3.1-aarch64: sha256 "
                    + "\(SHA256.hex(of: PublishedBuilds.new.dropLast())) (\(PublishedBuilds.new.count - 1) bytes) "
                    + "does not match \(SHA256.hex(of: PublishedBuilds.new)) listed in SHA256SUMS; refused — "
                    + "republish the build or regenerate SHA256SUMS")
        }
    }

    func testASilentServerTimesOut() throws {
        let http = try ReleaseHTTPServer(lateBy: 1.5)
        defer { http.shutDown() }
        let started = ContinuousClock.now
        XCTAssertThrowsError(try http.source("/slow/ar", timeoutS: 0.3).download(target: nil)) { error in
            XCTAssertEqual(
                error as? ReleaseError,
                ReleaseError(
                    .timedOut,
                    "\(http.base)/slow/ar/SHA256SUMS: timed out "
                        + "after 300 ms waiting for the response; check that the server is up and reachable from this "
                        + "host"
                ))
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1.4), "the client gives up at its deadline")
    }

    func testNoServer() throws {
        let port = try HTTPServer.listen(port: 0).port  // closed again at once: nothing listens there
        let template = try ReleaseTemplate("http://127.0.0.1:\(port)/ar/agent-runner-{version}-{arch}")
        XCTAssertThrowsError(try ReleaseSource(template: template, arch: "aarch64", timeoutS: 2).download(target: nil))
        {
            XCTAssertEqual(($0 as? ReleaseError)?.code, .unreachable)
            XCTAssertEqual(
                ($0 as? ReleaseError)?.message,
                "http://127.0.0.1:\(port)/ar/SHA256SUMS: cannot connect to "
                    + "127.0.0.1:\(port): Connection refused; check [upgrade] source and that the server is up")
        }
    }

    func testADirectorySource() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("release-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes) in PublishedBuilds.files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
        let template = try ReleaseTemplate(directory.path + "/agent-runner-{version}-{arch}")
        let source = ReleaseSource(template: template, arch: "aarch64")
        XCTAssertTrue(source.fetcher is FileReleaseFetcher)
        XCTAssertEqual(try source.download(target: nil).bytes, PublishedBuilds.new)
        XCTAssertEqual(try source.download(target: "0.3.3-rc.1").bytes, PublishedBuilds.large)
        XCTAssertThrowsError(try source.download(target: "0.3.2-rc.1")) { error in
            XCTAssertEqual(
                (error as? ReleaseError)?.message,
                "\(directory.path)/agent-runner-0.3.2-rc.1-aarch64: no "
                    + "such file; check [upgrade] source and that the build and SHA256SUMS were copied there")
        }
        let x86 = ReleaseSource(template: source.template, arch: "x86_64")
        XCTAssertThrowsError(try x86.download(target: "0.3.1")) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .notFound, "listed for x86_64 but never copied")
        }
    }

    func testThisHostsArchitecture() {
        XCTAssertTrue(
            ["x86_64", "aarch64", "armv7l", "armv6l", "riscv64"].contains(HostArchitecture.current()),
            HostArchitecture.current())
    }
}
