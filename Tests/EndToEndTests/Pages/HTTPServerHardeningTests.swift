import FleetCore
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The three servers as the programs run them (issue 23): `agent-runner monitor --mode http`,
/// `fleetctl watch --metrics-listen` and `fleetctl watch --http`. Fifty slow clients do not
/// delay a normal request past 1 s, and a rebinding `Host` never reaches `/api/state` or
/// `/metrics` unless `--http-allowed-host` names it.
final class HTTPServerHardeningTests: XCTestCase {
    /// Fifty connections that each would have held the old one-at-a-time server for 5 s or
    /// more: idle, half a head then silence, half a head then a half-close, a byte at a time.
    private func slowClients(_ port: Int) -> [Int32] {
        (0..<50).map { index in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            XCTAssertEqual(connected, 0)
            let partial = Array("GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
            switch index % 4 {
            case 1: _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case 2:
                _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                shutdown(fd, Int32(SHUT_WR))
            case 3: _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
            default: break
            }
            return fd
        }
    }

    /// `path` with `Host: host`, and how long the whole exchange took.
    private func timed(_ port: Int, _ path: String, host: String) throws -> (LocalHTTP.Response, Double) {
        let started = ContinuousClock.now
        let response = try LocalHTTP.request(port: port, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\r\n")
        let elapsed = ContinuousClock.now - started
        return (response, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Under fifty slow clients: loopback names answered within 1 s, a rebinding name 421.
    private func assertHardened(
        _ port: Int, path: String, allowed: String, name: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let slow = slowClients(port)
        defer { for fd in slow { close(fd) } }
        var latencies: [Double] = []
        for host in ["127.0.0.1:\(port)", "localhost:\(port)", allowed] {
            let (response, seconds) = try timed(port, path, host: host)
            XCTAssertEqual(response.status, 200, "\(name) \(host): \(response.head)", file: file, line: line)
            latencies.append(seconds)
        }
        for _ in 0..<5 {
            let rebound = "rebind-\(UInt32.random(in: 0...UInt32.max)).example:\(port)"
            let (response, seconds) = try timed(port, path, host: rebound)
            XCTAssertEqual(response.status, 421, "\(name) \(rebound): \(response.head)", file: file, line: line)
            XCTAssertEqual(
                response.body,
                "this server answers 127.0.0.1, localhost or [::1] (port \(port)), not the Host header "
                    + "this request sent; to reach it through another name, start it with "
                    + "--http-allowed-host NAME[:PORT]\n", file: file, line: line)
            latencies.append(seconds)
        }
        XCTAssertLessThan(latencies.max() ?? 99, 1.0, "\(name): \(latencies)", file: file, line: line)
        print("\(name): max latency \(latencies.max() ?? 0) s with 50 slow clients")
    }

    func testTheProgressPage() throws {
        let project = try AgentProject(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let port = try LocalHTTP.freePort()
        let server = try project.spawn([
            "monitor", "--mode", "http", "--port", String(port), "--http-allowed-host", "tunnel.example:9000",
        ])
        defer { _ = server.terminate(grace: .seconds(2)) }
        try AgentProject.wait("the server to listen", timeout: 10) {
            (try? LocalHTTP.get(port: port, "/api/state"))?.status == 200
        }
        try assertHardened(port, path: "/api/state", allowed: "tunnel.example:9000", name: "progress page")
        let otherPort = try LocalHTTP.request(port: port, "GET / HTTP/1.1\r\nHost: tunnel.example:9001\r\n\r\n")
        XCTAssertEqual(otherPort.status, 421, "the entry names port 9000 only")
        let bad = try project.run(["monitor", "--mode", "http", "--http-allowed-host", "a b"])
        XCTAssertEqual(bad.code, ExitCode.usage, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--http-allowed-host must be a host name"), bad.stderr)
    }

    func testTheMetricsEndpointAndTheDashboard() throws {
        let root = try Harness.temporaryDirectory(self)
        try Harness.write("[hosts.pi]\nssh = \"pi.invalid\"\n", to: root + "/inventory.toml")
        let metricsPort = try LocalHTTP.freePort()
        let dashboardPort = try LocalHTTP.freePort()
        let watch = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("fleetctl"),
                arguments: [
                    "watch", "--state-dir", root + "/state", "-i", root + "/inventory.toml",
                    "--metrics-listen", "127.0.0.1:\(metricsPort)", "--http", "127.0.0.1:\(dashboardPort)",
                    "--http-allowed-host", "fleet.example",
                ],
                environment: ProcessRequest.currentEnvironment(), standardOutput: .discard, standardError: .capture()))
        defer { _ = watch.terminate(grace: .seconds(5)) }
        try AgentProject.wait("both servers to listen", timeout: 20) {
            (try? LocalHTTP.get(port: metricsPort, "/metrics"))?.status == 200
                && (try? LocalHTTP.get(port: dashboardPort, "/api/state"))?.status == 200
        }
        try assertHardened(metricsPort, path: "/metrics", allowed: "fleet.example:\(metricsPort)", name: "/metrics")
        try assertHardened(dashboardPort, path: "/api/state", allowed: "fleet.example:1234", name: "dashboard")
    }
}
