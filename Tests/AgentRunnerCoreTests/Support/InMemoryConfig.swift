import FleetCore
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// agent-runner.toml text loaded as the loader reads a file, with no disk: the project lives at
/// `/srv/demo` (an existing directory) and HOME is `/home/op`. The config tests share it.
struct InMemoryConfig {
    /// Where the named time zones come from; nil reads the (empty) in-memory zoneinfo.
    var zones: (any ZoneSource)? = nil

    func load(
        _ text: String, path: String = "/srv/demo/agent-runner.toml", display: String = "agent-runner.toml",
        directories: Set<String> = ["/srv/demo"]
    ) throws -> AgentRunnerConfig {
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/srv/demo"),
            fileSystem: MemoryFileSystem(directories: directories), zones: zones)
        return try loader.parse(Array(text.utf8), configPath: path, displayPath: display)
    }

    /// The config error `text` must produce; fails the test (at the caller's line) when it loads
    /// or fails in another way.
    func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try load(text)
            XCTFail("expected a config error", file: file, line: line)
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return nil
    }
}
