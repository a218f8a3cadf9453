import Foundation
import Synchronization
import XCTest
@testable import FleetCore

/// Two published builds and their SHA256SUMS, as a release directory holds them.
struct PublishedBuilds {
    static let old = Array("#!/bin/sh\necho agent-runner 0.3.0\n".utf8)
    static let new = Array("#!/bin/sh\necho agent-runner 0.3.1\n".utf8) + [0, 255, 13, 10]
    /// Listed but never uploaded.
    static let ghostSum = String(repeating: "e", count: 64)

    static var sums: String {
        """
        # sha256sum agent-runner-* > SHA256SUMS
        \(SHA256.hex(of: old))  agent-runner-0.3.0-aarch64
        \(SHA256.hex(of: new)) *agent-runner-0.3.1-aarch64
        \(ghostSum)  agent-runner-0.3.2-rc.1-aarch64
        \(String(repeating: "f", count: 64))  agent-runner-0.3.1-x86_64

        """
    }

    static let files: [String: [UInt8]] = [
        "SHA256SUMS": Array(sums.utf8), "agent-runner-0.3.0-aarch64": old, "agent-runner-0.3.1-aarch64": new,
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
                if path.hasPrefix("/slow/") {
                    Thread.sleep(forTimeInterval: seconds)
                    path = path.dropFirst(5)
                } else if path.hasPrefix("/bad/") {
                    path = path.dropFirst(4)
                    if path.hasSuffix("aarch64") {
                        var response = HTTPServerResponse(status: 200, reason: "OK", contentType: "application/octet-stream", body: "")
                        response.body = PublishedBuilds.new.dropLast()
                        return response
                    }
                }
                guard path.hasPrefix("/ar/"), let bytes = PublishedBuilds.files[String(path.dropFirst(4))] else {
                    return HTTPServerResponse(status: 404, reason: "Not Found", body: "not found\n")
                }
                var response = HTTPServerResponse(status: 200, reason: "OK", contentType: "application/octet-stream", body: "")
                response.body = bytes
                return response
            }
            done.signal()
        }
    }

    var base: String { "http://127.0.0.1:\(server.port)" }

    func shutDown() {
        stop.store(true, ordering: .relaxed)
        done.wait()
    }
}

final class ReleaseSourceTests: XCTestCase {
    func testLatestAndTargetOverHTTP() throws {
        let http = try ReleaseHTTPServer(lateBy: 0)
        defer { http.shutDown() }
        let source = ReleaseSource(template: try ReleaseTemplate(http.base + "/ar/agent-runner-{version}-{arch}"), arch: "aarch64", timeoutS: 5)
        let latest = try source.download(target: nil)
        XCTAssertEqual(latest.version.text, "0.3.1")
        XCTAssertEqual(latest.bytes, PublishedBuilds.new, "binary bytes arrive intact (NUL, 0xFF, CR LF)")
        XCTAssertEqual(latest.sha256, SHA256.hex(of: PublishedBuilds.new))
        XCTAssertEqual(latest.location, .url(http.base + "/ar/agent-runner-0.3.1-aarch64"))
        XCTAssertEqual(try source.download(target: "0.3.0").bytes, PublishedBuilds.old)
        XCTAssertThrowsError(try source.download(target: "0.2.9")) { error in
            XCTAssertEqual((error as? ReleaseError)?.message, "0.2.9 is not listed in \(http.base)/ar/SHA256SUMS for aarch64; listed: 0.3.2-rc.1, 0.3.1, 0.3.0")
        }
    }

    func testAListedBuildThatIsNotThereIsA404() throws {
        let http = try ReleaseHTTPServer(lateBy: 0)
        defer { http.shutDown() }
        let source = ReleaseSource(template: try ReleaseTemplate(http.base + "/ar/agent-runner-{version}-{arch}"), arch: "aarch64", timeoutS: 5)
        XCTAssertThrowsError(try source.download(target: "0.3.2-rc.1")) { error in
            XCTAssertEqual(error as? ReleaseError, ReleaseError(.notFound,
                "\(http.base)/ar/agent-runner-0.3.2-rc.1-aarch64: HTTP 404 Not Found; check [upgrade] source and that the file is published there"))
        }
        let wrongDirectory = ReleaseSource(template: try ReleaseTemplate(http.base + "/nowhere/agent-runner-{version}-{arch}"), arch: "aarch64", timeoutS: 5)
        XCTAssertThrowsError(try wrongDirectory.download(target: nil)) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .notFound)
            XCTAssertTrue((error as? ReleaseError)?.message.hasPrefix("\(http.base)/nowhere/SHA256SUMS: HTTP 404") ?? false)
        }
    }

    func testABuildThatDoesNotMatchItsSumIsRefused() throws {
        let http = try ReleaseHTTPServer(lateBy: 0)
        defer { http.shutDown() }
        let source = ReleaseSource(template: try ReleaseTemplate(http.base + "/bad/ar/agent-runner-{version}-{arch}"), arch: "aarch64", timeoutS: 5)
        XCTAssertThrowsError(try source.download(target: "0.3.1")) { error in
            let error = error as! ReleaseError
            XCTAssertEqual(error.code, .checksumMismatch)
            XCTAssertEqual(error.message, "\(http.base)/bad/ar/agent-runner-0.3.1-aarch64: sha256 \(SHA256.hex(of: PublishedBuilds.new.dropLast())) (\(PublishedBuilds.new.count - 1) bytes) does not match \(SHA256.hex(of: PublishedBuilds.new)) listed in SHA256SUMS; refused — republish the build or regenerate SHA256SUMS")
        }
    }

    func testASilentServerTimesOut() throws {
        let http = try ReleaseHTTPServer(lateBy: 1.5)
        defer { http.shutDown() }
        let source = ReleaseSource(template: try ReleaseTemplate(http.base + "/slow/ar/agent-runner-{version}-{arch}"), arch: "aarch64", timeoutS: 0.3)
        let started = ContinuousClock.now
        XCTAssertThrowsError(try source.download(target: nil)) { error in
            XCTAssertEqual(error as? ReleaseError, ReleaseError(.timedOut,
                "\(http.base)/slow/ar/SHA256SUMS: timed out after 0.3s waiting for the response; check that the server is up and reachable from this host"))
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1.4), "the client gives up at its deadline, not when the server answers")
    }

    func testNoServerAndHTTPS() throws {
        let port = try HTTPServer.listen(port: 0).port  // closed again at once: nothing listens there
        let source = ReleaseSource(template: try ReleaseTemplate("http://127.0.0.1:\(port)/ar/agent-runner-{version}-{arch}"), arch: "aarch64", timeoutS: 2)
        XCTAssertThrowsError(try source.download(target: nil)) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .unreachable)
            XCTAssertTrue((error as? ReleaseError)?.message.contains("check [upgrade] source and that the server is up") ?? false)
        }
        let https = ReleaseSource(template: try ReleaseTemplate("https://builds.example/agent-runner-{version}-{arch}"), arch: "aarch64")
        XCTAssertThrowsError(try https.download(target: nil)) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .unsupportedScheme)
            XCTAssertTrue((error as? ReleaseError)?.message.hasPrefix("https://builds.example/SHA256SUMS: https is not supported") ?? false)
        }
    }

    func testADirectorySource() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("release-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes) in PublishedBuilds.files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
        let source = ReleaseSource(template: try ReleaseTemplate(directory.path + "/agent-runner-{version}-{arch}"), arch: "aarch64")
        XCTAssertTrue(source.fetcher is FileReleaseFetcher)
        XCTAssertEqual(try source.download(target: nil).bytes, PublishedBuilds.new)
        XCTAssertThrowsError(try source.download(target: "0.3.2-rc.1")) { error in
            XCTAssertEqual((error as? ReleaseError)?.message,
                           "\(directory.path)/agent-runner-0.3.2-rc.1-aarch64: no such file; check [upgrade] source and that the build and SHA256SUMS were copied there")
        }
        let x86 = ReleaseSource(template: source.template, arch: "x86_64")
        XCTAssertThrowsError(try x86.download(target: "0.3.1")) { error in
            XCTAssertEqual((error as? ReleaseError)?.code, .notFound, "listed for x86_64 but never copied")
        }
    }

    func testThisHostsArchitecture() {
        XCTAssertTrue(["x86_64", "aarch64", "armv7l", "armv6l", "riscv64"].contains(HostArchitecture.current()), HostArchitecture.current())
    }
}
