import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// The unit templates the Debian package ships (`packaging/systemd/`) are static files: they must
/// keep saying what `agent-runner install` writes for a project with the default settings, except
/// for what a template takes from its instance name (description, folders, the user).
final class PackagedUnitTemplateTests: XCTestCase {
    static let packaging = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("packaging/systemd").path

    /// The unit's settings, comments and the lines a template spells from its instance left out.
    func settings(_ text: String) -> [String] {
        let instanceKeys = ["Description=", "Documentation=", "WorkingDirectory=", "ExecStart=", "User=", "Group="]
        return text.split(separator: "\n").map(String.init).filter { line in
            !line.hasPrefix("#") && !instanceKeys.contains { line.hasPrefix($0) }
        }
    }

    func testTheTemplatesMatchWhatInstallWritesWithTheDefaults() throws {
        let text = """
            [agent]
            command = ["claude"]
            prompt_arg_template = ["-p", "{prompt}"]
            [runtime]
            work_dir = "."
            log_dir = "logs"
            [prompt]
            file = "prompts/main.md"
            """
        let defaults = try AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: "/home/pi", currentDirectory: "/"), fileSystem: LocalFileSystem()
        )
        .parse(Array(text.utf8), configPath: "/home/pi/my-project/agent-runner.toml", displayPath: "agent-runner.toml")
        XCTAssertEqual(StopBudget(config: defaults).totalS, 1900, "the templates' TimeoutStopSec and comments say 1900")
        for (folder, scope) in [("user", UnitFile.Scope.user), ("system", .system(user: "pi", group: "pi"))] {
            let template = try String(
                contentsOfFile: "\(Self.packaging)/\(folder)/agent-runner@.service", encoding: .utf8)
            let installed = UnitFile(
                project: "my-project", workDir: "/home/pi/my-project",
                configPath: "/home/pi/my-project/agent-runner.toml",
                executable: "/usr/bin/agent-runner", scope: scope, stopBudget: StopBudget(config: defaults))
            XCTAssertEqual(settings(template), settings(installed.serveUnit), "\(folder) template")
            XCTAssertTrue(template.contains("\nExecStart=/usr/bin/agent-runner serve --config "), template)
            XCTAssertTrue(template.contains("\nDescription=Agent Runner Supervisor (%i)\n"), template)
        }
    }
}
