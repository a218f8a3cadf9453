import Foundation
import XCTest

@testable import FleetCore

final class HTTPClientTests: XCTestCase {
    func testEndpointParsing() {
        XCTAssertEqual(
            HTTPClient.Endpoint("http://127.0.0.1:9093/api/v2/alerts"), .init("http://127.0.0.1:9093/api/v2/alerts"))
        let endpoint = HTTPClient.Endpoint("http://alertmanager:9093/api/v2/alerts")
        XCTAssertEqual(endpoint?.host, "alertmanager")
        XCTAssertEqual(endpoint?.port, 9093)
        XCTAssertEqual(endpoint?.path, "/api/v2/alerts")
        XCTAssertEqual(HTTPClient.Endpoint("http://example")?.path, "/")
        XCTAssertNil(HTTPClient.Endpoint("https://example"))
        XCTAssertNil(HTTPClient.Endpoint("http://user@example/"))
        XCTAssertNil(HTTPClient.Endpoint("http://example:99999/"))
    }

    func testGetAgainstARealServerAndRefusedPort() throws {
        let dir = NSTemporaryDirectory() + "http-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "hello fleet".write(toFile: dir + "/hello.txt", atomically: true, encoding: .utf8)
        let port = Int.random(in: 20_000...40_000)
        let server = try PosixProcessRunner().spawn(
            ProcessRequest(
                "python3", arguments: ["-m", "http.server", String(port), "--bind", "127.0.0.1"], workingDirectory: dir,
                standardOutput: .discard, standardError: .discard))
        addTeardownBlock {
            _ = server.terminate(grace: .seconds(1))
            try? FileManager.default.removeItem(atPath: dir)
        }
        let client = HTTPClient(timeoutS: 2)
        var response: HTTPResponse?
        for _ in 0..<50 where response == nil {
            response = try? client.get("http://127.0.0.1:\(port)/hello.txt")
            if response == nil { usleep(100_000) }
        }
        XCTAssertEqual(response?.status, 200)
        XCTAssertEqual(response.map { String(decoding: $0.body, as: UTF8.self) }, "hello fleet")
        XCTAssertEqual(try client.get("http://127.0.0.1:\(port)/missing").status, 404)
        XCTAssertThrowsError(try client.get("http://127.0.0.1:1/")) { error in
            XCTAssertTrue("\(error)".contains("cannot connect"), "\(error)")
        }
    }
}
