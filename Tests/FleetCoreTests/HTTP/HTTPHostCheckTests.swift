import FleetCore
import Foundation
import Synchronization
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// DNS rebinding (issue 23): a page on another origin whose name is pointed at 127.0.0.1 must
/// not reach `/api/state`. The server answers only `Host` values it can vouch for, checked
/// over generated names, ports and bytes, and over a real socket.
final class HTTPHostCheckTests: XCTestCase {
    private var generator = SystemRandomNumberGenerator()

    /// A random DNS-looking name: 1-4 labels of letters, digits and hyphens.
    private func randomName() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return (0..<Int.random(in: 1...4, using: &generator)).map { _ in
            String((0..<Int.random(in: 1...12, using: &generator)).map { _ in letters.randomElement()! })
        }.joined(separator: ".")
    }

    /// Names that look like ours to a careless check: prefixes, suffixes, look-alikes.
    private func lookAlikes(of name: String) -> [String] {
        [
            name + "." + randomName(), randomName() + "." + name, name + "-" + randomName(), name + ".",
            "x" + name, name.replacingOccurrences(of: ".", with: "-"), name + "\u{0}", name + " ",
            name + "\u{301}", "\u{FEFF}" + name, name + "%2e", name + "@" + randomName(),
        ].filter { $0 != name }
    }

    func testLoopbackServersAnswerLoopbackNamesOnTheirPortOnly() {
        for _ in 0..<200 {
            let port = Int.random(in: 1...65535, using: &generator)
            let check = HTTPHostCheck(boundAddress: "127.0.0.1", port: port)
            for name in ["127.0.0.1", "localhost", "LocalHost", "[::1]"] {
                XCTAssertTrue(check.permits(name), name)
                XCTAssertTrue(check.permits("\(name):\(port)"), "\(name):\(port)")
                let other = port == 65535 ? 1 : port + 1
                XCTAssertFalse(check.permits("\(name):\(other)"), "\(name):\(other) is another port")
                for alike in lookAlikes(of: name.lowercased()) {
                    XCTAssertFalse(check.permits(alike), alike)
                    XCTAssertFalse(check.permits("\(alike):\(port)"), "\(alike):\(port)")
                }
            }
            let stranger = randomName()
            XCTAssertFalse(check.permits(stranger), stranger)
            XCTAssertFalse(check.permits("\(stranger):\(port)"), "\(stranger):\(port)")
            XCTAssertFalse(check.permits("10.\(port % 256).0.1:\(port)"), "another address")
        }
        XCTAssertTrue(HTTPHostCheck(boundAddress: "127.0.0.1", port: 80).permits(nil), "no Host: no browser")
    }

    func testRandomBytesPassOnlyWhenTheyAreAnAllowedName() {
        let check = HTTPHostCheck(boundAddress: "127.0.0.1", port: 8080)
        let allowed: Set<String> = [
            "127.0.0.1", "localhost", "[::1]", "127.0.0.1:8080", "localhost:8080", "[::1]:8080",
        ]
        for _ in 0..<5000 {
            let length = Int.random(in: 0...16, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = String(decoding: bytes, as: UTF8.self)
            XCTAssertEqual(check.permits(text), allowed.contains(text.lowercased()), Array(text.utf8).description)
        }
    }

    func testTheAllowListAndOtherBindings() throws {
        for _ in 0..<100 {
            let name = randomName()
            let port = Int.random(in: 1...65535, using: &generator)
            let anyPort = try XCTUnwrap(HTTPHostCheck.Entry(name.uppercased()))
            let onePort = try XCTUnwrap(HTTPHostCheck.Entry("\(name):\(port)"))
            let check = HTTPHostCheck(boundAddress: "127.0.0.1", port: 8080, allowed: [anyPort])
            XCTAssertTrue(check.permits("\(name):\(port)"), "an entry without a port allows every port")
            XCTAssertTrue(check.permits(name))
            let pinned = HTTPHostCheck(boundAddress: "127.0.0.1", port: 8080, allowed: [onePort])
            XCTAssertTrue(pinned.permits("\(name):\(port)"))
            XCTAssertFalse(pinned.permits("\(name):\(port == 65535 ? 1 : port + 1)"))
            for alike in lookAlikes(of: name) { XCTAssertFalse(check.permits(alike), alike) }
        }
        for bad in ["", ":80", "a b", "x:0", "x:65536", "x:8o", "[zz]", "[::1", "-x", ".x", "a/b", "é.example"] {
            XCTAssertNil(HTTPHostCheck.Entry(bad), bad)
        }
        let exposed = HTTPHostCheck(boundAddress: "192.168.1.10", port: 8080)
        XCTAssertTrue(exposed.permits("192.168.1.10:8080"))
        XCTAssertFalse(exposed.permits("localhost:8080"), "not bound to loopback")
        XCTAssertFalse(exposed.permits("fleet.example:8080"))
        let everywhere = HTTPHostCheck(boundAddress: "0.0.0.0", port: 8080)
        for _ in 0..<100 {
            let address = (0..<4).map { _ in String(Int.random(in: 0...255, using: &generator)) }.joined(separator: ".")
            XCTAssertTrue(everywhere.permits("\(address):8080"), "an IP literal cannot be rebound: \(address)")
            XCTAssertFalse(everywhere.permits("\(address).\(randomName()):8080"))
        }
        XCTAssertFalse(everywhere.permits(randomName() + ":8080"))
    }

    /// Over a real socket: a rebinding name gets 421 and the handler never runs.
    func testAMisdirectedRequestIsRefusedBeforeAnyRoute() throws {
        let routed = Mutex<[String]>([])
        let server = try HTTPServer.listen(
            port: 0, allowedHosts: [try XCTUnwrap(HTTPHostCheck.Entry("tunnel.example"))])
        let running = server.start { request in
            routed.withLock { $0.append(request.host ?? "-") }
            return .json(Array("{}".utf8))
        }
        addTeardownBlock { running.stop() }
        let port = server.port
        func get(_ host: String?) -> String {
            let fd = HTTPServerSlowClientTests.connect(port)
            defer { close(fd) }
            HTTPServerSlowClientTests.send(
                fd, "GET /api/state HTTP/1.1\r\n" + (host.map { "Host: \($0)\r\n" } ?? "") + "\r\n")
            return HTTPServerSlowClientTests.answer(fd)
        }
        for _ in 0..<20 {
            let rebound = "\(randomName()).example:\(port)"
            let answer = get(rebound)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 421 Misdirected Request\r\n"), answer)
            XCTAssertTrue(answer.contains("--http-allowed-host"), answer)
            XCTAssertFalse(answer.contains("{}"))
        }
        XCTAssertTrue(get("127.0.0.1:\(port)").hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertTrue(get("localhost:\(port)").hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertTrue(get("tunnel.example:9000").hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertTrue(get(nil).hasPrefix("HTTP/1.1 200 OK"))
        let twice = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n"
        let fd = HTTPServerSlowClientTests.connect(port)
        defer { close(fd) }
        HTTPServerSlowClientTests.send(fd, twice)
        XCTAssertTrue(HTTPServerSlowClientTests.answer(fd).hasPrefix("HTTP/1.1 400"), "two hosts: which one?")
        XCTAssertEqual(routed.withLock { $0 }, ["127.0.0.1:\(port)", "localhost:\(port)", "tunnel.example:9000", "-"])
    }
}
