import FleetCore
import Foundation
import TestSupport
import XCTest

/// Runs the built `agent-runner` and `fleetctl` binaries as real processes.
enum Harness {
    /// The folder holding the built products: the test bundle lives beside them.
    static let productsDirectory: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// The path of a built executable; fails the test with the command that builds it when missing.
    static func binary(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = productsDirectory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail(
                "\(path) is missing; run 'swift build' before 'swift test --skip-build' (scripts/test does both)",
                file: file, line: line)
            throw MissingPrerequisite("binary missing")
        }
        return path
    }

    struct Result {
        var exit: ExitStatus
        var stdout: String
        var stderr: String
        var code: Int32? {
            if case .terminated(let code) = exit { return code }
            return nil
        }
    }

    /// Runs `name arguments...` in `directory` with a 60 s deadline.
    static func run(
        _ name: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        stdin: [UInt8]? = nil, timeout: Duration = .seconds(60), file: StaticString = #filePath, line: UInt = #line
    ) throws -> Result {
        var env = ProcessRequest.currentEnvironment()
        env.merge(environment) { _, new in new }
        let request = ProcessRequest(
            try binary(name, file: file, line: line), arguments: arguments, environment: env,
            workingDirectory: directory,
            standardInput: stdin.map { .bytes($0) } ?? .null, deadline: .now + timeout)
        let output = try PosixProcessRunner().run(request)
        return Result(exit: output.exit, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
