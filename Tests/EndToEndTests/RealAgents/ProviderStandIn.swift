import FleetCore
import Foundation
import XCTest

/// A provider stand-in (Fixtures/providers: Anthropic for Claude Code, OpenAI for aider) run
/// with Debian's python3 on a free loopback port, for the real CLIs to talk to.
///
/// It is ready when its port file appears. The scenario file is re-read on every request (a new
/// content starts again at its first step), so a test, or a pre-round hook, changes what the next
/// request gets by rewriting it. Stopped (SIGTERM, then SIGKILL) when the test ends.
final class ProviderStandIn {
    enum Provider: String {
        case anthropic, openai
    }

    static let python = "/usr/bin/python3"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/providers").path

    let provider: Provider
    let port: Int
    /// The scenario file (owned by `owner` when given, so its hooks can rewrite it).
    let scenarioPath: String
    let requestLog: String
    private let process: RunningProcess

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the stand-in with its files in `directory`.
    init(_ test: XCTestCase, _ provider: Provider, in directory: String, steps: String = #"[{"kind":"text"}]"#) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw RealAgentFailure("\(Self.python) not found; install it with: apt-get install -y python3")
        }
        self.provider = provider
        scenarioPath = directory + "/scenario.json"
        requestLog = directory + "/requests.jsonl"
        let portFile = directory + "/\(provider.rawValue).port"
        try Self.write(steps: steps, to: scenarioPath)
        process = try PosixProcessRunner().spawn(
            ProcessRequest(
                Self.python,
                arguments: [
                    Self.fixtures + "/\(provider.rawValue)_standin.py", "--port-file", portFile,
                    "--scenario", scenarioPath, "--request-log", requestLog,
                ],
                standardInput: .null, standardOutput: .appendToFile(directory + "/\(provider.rawValue)-standin.log"),
                standardError: .mergeIntoStandardOutput, grouping: .newProcessGroup))
        let process = self.process
        test.addTeardownBlock { _ = process.terminate(grace: .seconds(2)) }
        let deadline = ContinuousClock.now + .seconds(15)
        var port: Int?
        while port == nil && ContinuousClock.now < deadline && process.poll() == nil {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { usleep(20_000) }
        }
        guard let port else {
            let logPath = directory + "/\(provider.rawValue)-standin.log"
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw RealAgentFailure("the \(provider.rawValue) stand-in wrote no port file within 15 s: \(log)")
        }
        self.port = port
    }

    /// Makes `steps` (a JSON list of scenario steps) what the next requests get.
    func setScenario(_ steps: String) throws {
        try Self.write(steps: steps, to: scenarioPath)
    }

    static func write(steps: String, to path: String) throws {
        try #"{"steps":\#(steps)}"#.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The requests logged so far, oldest first.
    func requests() -> [JSONValue] {
        let text = (try? String(contentsOfFile: requestLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONParser.strict.parse(Array($0.utf8)) }
    }
}
